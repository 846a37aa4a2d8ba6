from django.http import HttpRequest, HttpResponse


def security(request: HttpRequest) -> HttpResponse:
    return HttpResponse("security")
