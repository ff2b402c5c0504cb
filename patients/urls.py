from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/archive/", views.patient_archive, name="archive"),
    path("<int:pk>/restore/", views.patient_restore, name="restore"),
    path("<int:patient_pk>/complaints/new/", views.complaint_create, name="complaint-create"),
    path("<int:patient_pk>/complaints/<int:pk>/", views.complaint_detail, name="complaint-detail"),
    path(
        "<int:patient_pk>/complaints/<int:pk>/edit/",
        views.complaint_edit,
        name="complaint-edit",
    ),
]
