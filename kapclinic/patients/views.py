from django.http import HttpRequest, HttpResponse

from kapclinic.patients.access import get_own_patient, get_patient_for_user


def patient_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("list")


def portal(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    return HttpResponse(patient.mrn)


def chart(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    return HttpResponse(patient.mrn)
