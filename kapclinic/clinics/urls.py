from django.urls import path

from kapclinic.clinics import staff_views, views

app_name = "clinics"
urlpatterns = [
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_add, name="site_add"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:pk>/settings/", views.site_settings, name="site_settings"),
    path("sites/<int:pk>/rooms/new/", views.room_add, name="room_add"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/chairs/new/", views.chair_add, name="chair_add"),
    path("chairs/<int:pk>/edit/", views.chair_edit, name="chair_edit"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/new/", staff_views.staff_add, name="staff_add"),
    path("staff/<int:pk>/", staff_views.staff_detail, name="staff_member"),
    path("staff/<int:pk>/edit/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/<int:pk>/reset-two-factor/",
        staff_views.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
    path("staff/<int:pk>/credentials/new/", staff_views.credential_add, name="credential_add"),
    path("credentials/<int:pk>/edit/", staff_views.credential_edit, name="credential_edit"),
]
