from django.urls import path

from kapclinic.treatment import course_views, plan_views, views

app_name = "treatment"
urlpatterns = [
    path("", views.board, name="board"),
    path("protocols/", plan_views.protocols, name="protocols"),
    path("protocols/<id:pk>/", plan_views.protocol_edit, name="protocol_edit"),
    path("protocols/sites/<id:pk>/defaults/", plan_views.protocols_seed, name="protocols_seed"),
    path("patients/<id:pk>/plan/", plan_views.plan, name="plan"),
    path("patients/<id:pk>/plan/edit/", plan_views.plan_edit, name="plan_edit"),
    path("patients/<id:pk>/plan/sign/", plan_views.plan_sign, name="plan_sign"),
    path("patients/<id:pk>/plan/discard/", plan_views.plan_discard, name="plan_discard"),
    path("patients/<id:pk>/timeline/", plan_views.pathway_timeline, name="timeline"),
    path("patients/<id:pk>/plan/course/", course_views.course_page, name="course"),
    path(
        "patients/<id:pk>/plan/versions/<id:version_pk>/",
        plan_views.plan_version,
        name="plan_version",
    ),
]
