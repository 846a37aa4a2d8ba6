"""The public booking page and the pages of the e-mailed manage link, under /book/."""

from django.urls import path

from kapclinic.scheduling import public_views

app_name = "book"

urlpatterns = [
    path("", public_views.book, name="book"),
    path("sent/", public_views.sent, name="sent"),
    path("possible-matches/", public_views.possible_matches, name="possible_matches"),
    path("possible-matches/<id:pk>/", public_views.resolve_match, name="resolve_match"),
    path("manage/<str:token>/", public_views.manage, name="manage"),
    path("manage/<str:token>/calendar.ics", public_views.manage_ics, name="manage_ics"),
    path("manage/<str:token>/reschedule/", public_views.reschedule, name="reschedule"),
    path("manage/<str:token>/cancel/", public_views.cancel, name="cancel"),
]
