from django.urls import path

from kapclinic.screening import views

app_name = "screening"
urlpatterns = [
    path("<id:pk>/screening/", views.screening, name="screening"),
    path("<id:pk>/screening/save/", views.save, name="save"),
    path("<id:pk>/screening/sign/", views.sign, name="sign"),
    path("<id:pk>/screening/amend/", views.amend, name="amend"),
]
