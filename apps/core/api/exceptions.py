"""Every API error is JSON: {"detail": "...", "errors": {"field": ["message"]}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.core.errors import DomainError


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError(exc.as_dict())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            detail = data.pop("non_field_errors", None) or data.pop("detail", None)
            body: dict[str, Any] = {
                "detail": _first(detail) or "The request has errors; see the fields named.",
                "errors": data,
            }
        else:
            body = {"detail": _first(data), "errors": {}}
        response.data = body
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"]), "errors": {}}
    return response


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value) if value else ""


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """An address under /api/v1/ that names nothing (e.g. a non-numeric id): a JSON 404."""
    return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
