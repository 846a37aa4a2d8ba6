from django.urls import path

from kapclinic.scheduling import portal_views, views, waitlist_views

app_name = "scheduling"
urlpatterns = [
    path("", views.today, name="today"),
    path("day/", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("book/", views.book, name="book"),
    path("waitlist/", waitlist_views.overview, name="waitlist"),
    path("waitlist/<id:pk>/remove/", waitlist_views.remove, name="waitlist_remove"),
    path("appointments/<id:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<id:pk>/move/", views.move, name="move"),
    path("appointments/<id:pk>/status/", views.change_status, name="status"),
    path("me/", portal_views.appointments, name="portal"),
    path("me/book/", portal_views.book, name="portal_book"),
    path("me/<id:pk>/", portal_views.appointment, name="portal_appointment"),
    path("me/<id:pk>/cancel/", portal_views.cancel, name="portal_cancel"),
]
