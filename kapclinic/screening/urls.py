from django.urls import path

from kapclinic.screening import views

app_name = "screening"
urlpatterns = [
    path("<int:pk>/screening/", views.screening, name="screening"),
    path("<int:pk>/screening/save/", views.save, name="save"),
    path("<int:pk>/screening/sign/", views.sign, name="sign"),
    path("<int:pk>/screening/amend/", views.amend, name="amend"),
]
