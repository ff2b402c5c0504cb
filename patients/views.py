from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.access import staff_required
from clinic.audit import record_listing, record_read
from clinic.history import shown_to
from clinic.pagination import BoundedPaginator
from patients import services
from patients.forms import ComplaintForm, PatientForm, PatientSearchForm
from patients.history import complaint_history, patient_history
from patients.models import Complaint, Patient

PATIENTS_PER_PAGE = 25


def get_patient(pk: int) -> Patient:
    return get_object_or_404(Patient, pk=pk)


def get_complaint(patient_pk: int, pk: int) -> Complaint:
    return get_object_or_404(
        Complaint.objects.select_related("patient"), pk=pk, patient_id=patient_pk
    )


@staff_required("patients.view_patient")
@require_http_methods(["GET"])
def patient_list(request):
    form = PatientSearchForm(request.GET)
    form.is_valid()  # both fields are optional: always valid
    query = form.cleaned_data.get("q", "")
    patients = Patient.objects.search(query)
    if not form.cleaned_data.get("archived"):
        patients = patients.current()
    # The first 1,000 matches, counted no further: a search finding more is narrowed, not paged.
    page = BoundedPaginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    record_listing(request, patients=page.object_list, what="patient search")
    template = "patients/patient_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query})


@staff_required("patients.add_patient")
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_register(
            by=request.user,
            consent_given=form.cleaned_data["consent_given"],
            **form.service_fields(),
        )
        messages.success(request, f"{patient.display_name} is registered.")
        return redirect("patients:detail", patient.pk)
    record_listing(request, patients=form.duplicates, what="patient search")
    return render(request, "patients/patient_form.html", {"form": form})


@staff_required("patients.view_patient")
@require_http_methods(["GET"])
def patient_detail(request, pk):
    patient = get_patient(pk)
    complaints = patient.complaints.all()
    record_read(request, patient=patient, what="patient", object_id=patient.pk)
    history = patient_history(patient) if shown_to(request.user, Patient) else None
    return render(
        request,
        "patients/patient_detail.html",
        {"patient": patient, "complaints": complaints, "history": history},
    )


@staff_required("patients.change_patient")
@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient = get_patient(pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        services.patient_update(
            patient=patient,
            by=request.user,
            consent_given=form.cleaned_data["consent_given"],
            **form.service_fields(),
        )
        messages.success(request, "Patient details saved.")
        return redirect("patients:detail", patient.pk)
    record_read(request, patient=patient, what="patient form", object_id=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@staff_required("patients.change_patient")
@require_POST
def patient_archive(request, pk):
    patient = services.patient_archive(patient=get_patient(pk), by=request.user)
    messages.success(
        request, f"{patient.display_name} is archived. The record is kept and can be restored."
    )
    return redirect("patients:detail", patient.pk)


@staff_required("patients.change_patient")
@require_POST
def patient_restore(request, pk):
    patient = services.patient_restore(patient=get_patient(pk), by=request.user)
    messages.success(request, f"{patient.display_name} is back on the patient list.")
    return redirect("patients:detail", patient.pk)


@staff_required("patients.add_complaint")
@require_http_methods(["GET", "POST"])
def complaint_create(request, patient_pk):
    patient = get_patient(patient_pk)
    form = ComplaintForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        complaint = services.complaint_record(
            patient=patient, by=request.user, **form.service_fields()
        )
        messages.success(request, f"Complaint “{complaint.title}” recorded.")
        return redirect("patients:complaint-detail", patient.pk, complaint.pk)
    return render(request, "patients/complaint_form.html", {"form": form, "patient": patient})


@staff_required("patients.view_complaint")
@require_http_methods(["GET"])
def complaint_detail(request, patient_pk, pk):
    complaint = get_complaint(patient_pk, pk)
    record_read(request, patient=complaint.patient, what="complaint", object_id=complaint.pk)
    history = complaint_history(complaint) if shown_to(request.user, Complaint) else None
    return render(
        request,
        "patients/complaint_detail.html",
        {"complaint": complaint, "patient": complaint.patient, "history": history},
    )


@staff_required("patients.change_complaint")
@require_http_methods(["GET", "POST"])
def complaint_edit(request, patient_pk, pk):
    complaint = get_complaint(patient_pk, pk)
    form = ComplaintForm(request.POST or None, instance=complaint, patient=complaint.patient)
    if request.method == "POST" and form.is_valid():
        services.complaint_update(complaint=complaint, by=request.user, **form.service_fields())
        messages.success(request, "Complaint saved.")
        return redirect("patients:complaint-detail", complaint.patient_id, complaint.pk)
    record_read(request, patient=complaint.patient, what="complaint form", object_id=complaint.pk)
    return render(
        request,
        "patients/complaint_form.html",
        {"form": form, "patient": complaint.patient, "complaint": complaint},
    )
