"""API glue shared by every context: domain errors become responses."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into JSON answers with a Chinese `detail`."""
    if isinstance(exc, NotFound):
        exc = Http404()
    if isinstance(exc, ValidationError):
        return Response(
            {"detail": exc.message, "errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": _("未找到。")}
    return response
