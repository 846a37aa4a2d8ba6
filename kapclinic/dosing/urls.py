from django.urls import path

from kapclinic.dosing import views

app_name = "dosing"
urlpatterns = [
    path("", views.board, name="board"),
    path("live/", views.board_live, name="board_live"),
    path("alerts/urgent/", views.urgent_strip, name="urgent_strip"),
    path("visits/<id:pk>/open/", views.open_session, name="open"),
    path("sessions/<id:pk>/", views.session_page, name="session"),
    path("sessions/<id:pk>/step/", views.step, name="step"),
    path("sessions/<id:pk>/checklist/", views.save_checklist, name="checklist"),
    path("sessions/<id:pk>/vitals/", views.add_vitals, name="vitals"),
    path("sessions/<id:pk>/doses/", views.add_dose, name="dose"),
    path("sessions/<id:pk>/dissociation/", views.rate_dissociation, name="dissociation"),
    path("sessions/<id:pk>/events/", views.add_event, name="event"),
    path("sessions/<id:pk>/notes/", views.add_note, name="note"),
    path("sessions/<id:pk>/assessment/", views.assess, name="assessment"),
    path("sessions/<id:pk>/override/", views.override_alerts, name="override"),
    path("sessions/<id:pk>/exception/", views.discharge_exception, name="exception"),
    path("sessions/<id:pk>/abort/", views.abort, name="abort"),
    path("sessions/<id:pk>/schedule/", views.set_schedule, name="schedule"),
    path(
        "sessions/<id:pk>/alerts/<id:alert_pk>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
]
