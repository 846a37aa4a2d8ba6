from django.http import HttpRequest, HttpResponse


def audit_log(request: HttpRequest) -> HttpResponse:
    return HttpResponse("audit")
