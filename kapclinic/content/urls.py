from django.urls import path

from kapclinic.content import views

app_name = "content"
urlpatterns = [
    path("", views.article_list, name="articles"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.manage_new, name="manage_new"),
    path("manage/<id:pk>/", views.manage_edit, name="manage_edit"),
    path("<slug:slug>/", views.article_detail, name="article"),
]
