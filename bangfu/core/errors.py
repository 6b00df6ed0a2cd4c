"""Domain errors raised by services; pages and the API turn them into messages and responses."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A business rule refused the action. The message is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Input is wrong; `errors` maps field names to messages."""

    def __init__(
        self, message: str, *, field: str | None = None, errors: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.errors: dict[str, str] = dict(errors or ({field: message} if field else {}))


class NotFound(DomainError):
    """The object does not exist or lies outside the user's scope: the two look the same."""


class PermissionDenied(DomainError):
    """The user's roles do not allow the action anywhere."""


class Conflict(DomainError):
    """The object is not in a state that allows the action (for example, it changed meanwhile)."""
