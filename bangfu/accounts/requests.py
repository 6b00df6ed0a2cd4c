"""The request of a view that only a logged-in account reaches (the log-in middleware and
URL_PERMISSIONS see to it: nothing but the log-in page and PUBLIC URLs is open to a visitor).

Annotate such a view's `request` with these, so that `request.user` is the account the services
take as their `actor` (django-stubs' own advice for views behind a log-in): at run time they are
Django's and DRF's request classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from .models import User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User

    class AuthenticatedApiRequest(Request):
        user: User

else:
    AuthenticatedHttpRequest = HttpRequest
    AuthenticatedApiRequest = Request
