"""Request bodies over the upload limit are refused before anything reads them.

`RequestSizeLimitMiddleware` answers 413 to a request whose declared length is over
`RCC_MAX_UPLOAD_BYTES`, before Django parses (and spools to disk) the body; it stands first,
so no later middleware (CSRF reads the form) touches the body. `SizeLimitUploadHandler` stops a
multipart body that turns out longer than the limit while it is read (a body whose length was
not declared, or was declared short).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

from .uploads import size_text


def too_large_message(size: int | None = None) -> str:
    largest = size_text(settings.RCC_MAX_UPLOAD_BYTES)
    if size is None:
        said = f"The request is larger than the largest accepted, {largest}."
    else:
        said = f"The request is {size_text(size)}; the largest accepted is {largest}."
    return (
        f"{said} Nothing was uploaded: split the file or remove what it does not need, "
        "and try again."
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.RCC_MAX_UPLOAD_BYTES:
            return too_large_response(request, length)
        return self.get_response(request)


def too_large_response(request: HttpRequest, size: int | None = None) -> HttpResponse:
    message = too_large_message(size)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {"file": [message]}}, status=413)
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        "<title>Error: the file is too large</title></head><body>"
        "<h1>The file is too large</h1>"
        f"<p>{escape(message)}</p>"
        "</body></html>"
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


class RequestTooLarge(RequestDataTooBig):
    pass


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts every byte of a multipart body as it is read; stops past RCC_MAX_UPLOAD_BYTES."""

    received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.RCC_MAX_UPLOAD_BYTES:
            raise RequestTooLarge(too_large_message())
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None
