"""The OpenAPI schema says what the API really answers.

`AutoSchema` (the project's DRF schema class): a read-only choice field of a model field that
may be blank admits "" in its enum. DRF drops `allow_blank` from read-only model fields, so
without this the schema would list only the choices while the API answers "" for "not set".

`json_exception_handler` turns every API error into {"detail": "...", "errors": {...}}. The
postprocessing hook below names that body once (`Error`) and adds it to each operation for
the status codes the operation can answer with, unless the view documents its own:

- 401 (not signed in) and 403 (the caller's role does not allow it) on every operation;
- 400 (bad input) on every operation with a body or a query parameter;
- 404 on every operation with a path parameter or a body (an object named that the caller may
  not see, or that does not exist) and on every paginated list (a page past the end);
- 415 on every operation with a request body (sent in a media type it does not parse);
- 429 on every operation of a throttled view.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and _model_field_may_be_blank(field)
        ):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_field_may_be_blank(field: serializers.Field) -> bool:
    """Whether the model field a ModelSerializer's field reads (through relations) is blank=True."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = field.source or ""
    if model is None or source == "*":
        return False
    *path, name = source.split(".")
    try:
        for part in path:
            model = model._meta.get_field(part).related_model
            if model is None:
                return False
        return bool(getattr(model._meta.get_field(name), "blank", False))
    except FieldDoesNotExist:  # a property or an annotation, not a model field
        return False


ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "What every API error answers with.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in one sentence."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": (
                "Field-level messages: each field named (a dotted path for nested input) with "
                "its list of messages; empty when the error is not about one field."
            ),
        },
    },
    "required": ["detail", "errors"],
}
DESCRIPTIONS = {
    "400": "The request has errors; `errors` names each field.",
    "401": "Not signed in (no session, or no valid token).",
    "403": "The caller's role does not allow this.",
    "404": "No such object among those the caller may see (or a page past the end).",
    "415": "The body is in a media type this operation does not read.",
    "429": "Too many requests; wait and retry.",
}
METHODS = ("get", "put", "post", "patch", "delete")


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: see the module's docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    throttled = _throttled_operations(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for code in _error_codes(path, method, operation, (path, method) in throttled):
                operation["responses"].setdefault(
                    code,
                    {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
                            }
                        },
                        "description": DESCRIPTIONS[code],
                    },
                )
    return result


def _error_codes(path: str, method: str, operation: dict[str, Any], throttled: bool) -> list[str]:
    parameters = operation.get("parameters", [])
    query = [p for p in parameters if p.get("in") == "query"]
    codes = ["401", "403"]
    if method != "get" or query:
        codes.append("400")
    if method != "get" or "{" in path or any(p["name"] == "page" for p in query):
        codes.append("404")
    if "requestBody" in operation:
        codes.append("415")
    if throttled:
        codes.append("429")
    return sorted(codes)


def _throttled_operations(generator: Any) -> set[tuple[str, str]]:
    throttled = set()
    for path, _regex, method, view in getattr(generator, "endpoints", None) or ():
        view_class: Any = getattr(view, "cls", None)
        if view_class is not None and list(view_class.throttle_classes):
            throttled.add((path, method.lower()))
    return throttled
