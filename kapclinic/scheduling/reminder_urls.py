"""Pages reached from reminders and waitlist offers, mounted under /r/."""

from django.urls import path

from kapclinic.scheduling import reminder_views

app_name = "reminders"

urlpatterns = [
    path("<str:token>/", reminder_views.respond, name="respond"),
]
