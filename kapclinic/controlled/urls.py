from django.urls import path

from kapclinic.controlled import views

app_name = "controlled"

urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<id:pk>/", views.site_log, name="site"),
    path("sites/<id:pk>/receive/", views.receive, name="receive"),
    path("sites/<id:pk>/waste/", views.waste, name="waste"),
    path("sites/<id:pk>/count/", views.count, name="count"),
    path("sites/<id:pk>/correct/", views.correct, name="correct"),
    path("sites/<id:pk>/export.csv", views.export, name="export"),
    path("sites/<id:pk>/review/", views.review, name="review"),
]
