from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("kapclinic")


@login_not_required
def article_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("articles")


@login_not_required
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)


def manage(request: HttpRequest) -> HttpResponse:
    return HttpResponse("manage")
