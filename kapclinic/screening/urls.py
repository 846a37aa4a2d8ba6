from django.urls import path

from kapclinic.screening import flag_alert_views, views

app_name = "screening"
urlpatterns = [
    path("<id:pk>/screening/", views.screening, name="screening"),
    path("<id:pk>/screening/save/", views.save, name="save"),
    path("<id:pk>/screening/sign/", views.sign, name="sign"),
    path("<id:pk>/screening/amend/", views.amend, name="amend"),
    path(
        "<id:pk>/safety-alerts/<id:alert_pk>/acknowledge/",
        flag_alert_views.acknowledge,
        name="acknowledge_flag_alert",
    ),
]
