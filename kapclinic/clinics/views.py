from django.http import HttpRequest, HttpResponse


def site_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sites")
