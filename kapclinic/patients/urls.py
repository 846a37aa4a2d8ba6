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
    path("<int:pk>/", views.chart, name="chart"),
    path("<int:pk>/edit/", record_views.edit_demographics, name="edit_demographics"),
    path("<int:pk>/contacts/new/", record_views.add_contact, name="add_contact"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/edit/", record_views.edit_contact, name="edit_contact"
    ),
    path("<int:pk>/measurements/new/", record_views.add_measurement, name="add_measurement"),
    path("<int:pk>/conditions/new/", record_views.add_condition, name="add_condition"),
    path("<int:pk>/medications/new/", record_views.add_medication, name="add_medication"),
    path(
        "<int:pk>/medications/<int:medication_pk>/stop/",
        record_views.stop_medication,
        name="stop_medication",
    ),
    path("<int:pk>/allergies/new/", record_views.add_allergy, name="add_allergy"),
    path("<int:pk>/care-team/new/", record_views.add_care_team_member, name="add_care_team_member"),
    path(
        "<int:pk>/care-team/<int:member_pk>/remove/",
        record_views.remove_care_team_member,
        name="remove_care_team_member",
    ),
]
