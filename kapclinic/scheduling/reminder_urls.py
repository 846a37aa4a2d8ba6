"""Pages reached from reminders and waitlist offers, and calendar feeds, under /r/."""

from django.urls import path

from kapclinic.scheduling import reminder_views

app_name = "reminders"

# The fixed paths come first: a reminder token never contains a slash, but
# "calendar" would otherwise be read as one.
urlpatterns = [
    path("calendar/", reminder_views.calendar_feeds, name="calendar_feeds"),
    path(
        "calendar/<id:pk>/revoke/",
        reminder_views.revoke_calendar_feed,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", reminder_views.calendar_feed, name="calendar_feed"),
    path("waitlist/", reminder_views.my_waitlist, name="my_waitlist"),
    path("waitlist/patient/<id:pk>/", reminder_views.patient_waitlist, name="patient_waitlist"),
    path("offer/<str:token>/", reminder_views.claim, name="claim"),
    path("<str:token>/", reminder_views.respond, name="respond"),
]
