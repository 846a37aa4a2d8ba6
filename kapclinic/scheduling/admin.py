"""Django admin for the schedule's configuration: visit types, working hours, time off
and closures (clinic admins only, every save audited). Appointments are not here:
they name patients, whom a clinic admin does not see; they change through the
audited actions (the API now, the staff calendar later)."""

from __future__ import annotations

from django.contrib import admin

from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.scheduling.models import (
    AppointmentType,
    BookingPolicy,
    Closure,
    TimeOff,
    WorkingHours,
)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(AuditedAdmin, admin.ModelAdmin[AppointmentType]):
    list_display = ("name", "site", "code", "duration_minutes", "resource", "patient_bookable")
    list_filter = ("site", "resource", "patient_bookable", "is_active")


@admin.register(WorkingHours)
class WorkingHoursAdmin(AuditedAdmin, admin.ModelAdmin[WorkingHours]):
    list_display = ("staff", "site", "weekday", "start_time", "end_time")
    list_filter = ("site", "weekday")


@admin.register(TimeOff)
class TimeOffAdmin(AuditedAdmin, admin.ModelAdmin[TimeOff]):
    list_display = ("staff", "start", "end")


@admin.register(Closure)
class ClosureAdmin(AuditedAdmin, admin.ModelAdmin[Closure]):
    list_display = ("site", "start", "end", "reason")
    list_filter = ("site",)


@admin.register(BookingPolicy)
class BookingPolicyAdmin(AuditedAdmin, admin.ModelAdmin[BookingPolicy]):
    list_display = ("site", "change_window_hours", "first_reminder_hours", "second_reminder_hours")
