"""Domain errors carrying an HTTP status, rendered once as Immich's error body."""

from __future__ import annotations

from http import HTTPStatus


class AppError(Exception):
    """A client-visible failure; `message` may be a list, as for validation errors."""

    status = 400

    def __init__(self, message: str | list[str]) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.message = message

    @property
    def error(self) -> str:
        return HTTPStatus(self.status).phrase


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class PayloadTooLarge(AppError):
    status = 413


class ServiceUnavailable(AppError):
    status = 503
