"""The one error type services raise for a broken business rule."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule was broken. `field` names the input at fault where there is one."""

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {}

    def as_dict(self) -> dict[str, Any]:
        if self.errors:
            return {"detail": self.message, **self.errors}
        if self.field:
            return {self.field: [self.message]}
        return {"non_field_errors": [self.message]}
