from django.urls import path

from kapclinic.patients import portal_views, record_views, views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", record_views.register, name="register"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("me/", portal_views.portal, name="portal"),
    path("me/details/", portal_views.edit_own_details, name="portal_details"),
    path(
        "me/emergency-contact/",
        portal_views.edit_own_emergency_contact,
        name="portal_emergency_contact",
    ),
    path("<id:pk>/", views.chart, name="chart"),
    path("<id:pk>/edit/", record_views.edit_demographics, name="edit_demographics"),
    path("<id:pk>/contacts/new/", record_views.add_contact, name="add_contact"),
    path("<id:pk>/contacts/<id:contact_pk>/edit/", record_views.edit_contact, name="edit_contact"),
    path("<id:pk>/measurements/new/", record_views.add_measurement, name="add_measurement"),
    path("<id:pk>/conditions/new/", record_views.add_condition, name="add_condition"),
    path("<id:pk>/medications/new/", record_views.add_medication, name="add_medication"),
    path(
        "<id:pk>/medications/<id:medication_pk>/stop/",
        record_views.stop_medication,
        name="stop_medication",
    ),
    path("<id:pk>/allergies/new/", record_views.add_allergy, name="add_allergy"),
    path("<id:pk>/care-team/new/", record_views.add_care_team_member, name="add_care_team_member"),
    path(
        "<id:pk>/care-team/<id:member_pk>/remove/",
        record_views.remove_care_team_member,
        name="remove_care_team_member",
    ),
]
