from django.urls import path

from kapclinic.clinics import staff_views, views

app_name = "clinics"
urlpatterns = [
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_add, name="site_add"),
    path("sites/<id:pk>/", views.site_detail, name="site"),
    path("sites/<id:pk>/edit/", views.site_edit, name="site_edit"),
    path("sites/<id:pk>/settings/", views.site_settings, name="site_settings"),
    path("sites/<id:pk>/rooms/new/", views.room_add, name="room_add"),
    path("rooms/<id:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<id:pk>/chairs/new/", views.chair_add, name="chair_add"),
    path("chairs/<id:pk>/edit/", views.chair_edit, name="chair_edit"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_add, name="staff_add"),
    path("staff/<id:pk>/", staff_views.staff_detail, name="staff_member"),
    path("staff/<id:pk>/edit/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<id:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<id:pk>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/<id:pk>/reset-two-factor/",
        staff_views.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
    path("staff/<id:pk>/credentials/new/", staff_views.credential_add, name="credential_add"),
    path("credentials/<id:pk>/edit/", staff_views.credential_edit, name="credential_edit"),
]
