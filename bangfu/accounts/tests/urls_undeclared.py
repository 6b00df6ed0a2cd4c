"""The project's URLs plus one page that declares no permission, to prove it is refused."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def undeclared_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret")


urlpatterns = [*project_urlpatterns, path("undeclared/", undeclared_page, name="undeclared")]
