"""One error envelope for every failure: Immich's `{message, error, statusCode, correlationId}`."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from filmroll.api.responses import JSONResponse
from filmroll.errors import AppError

log = logging.getLogger("filmroll.api")


def error_body(status: int, message: str | list[str], error: str) -> dict[str, Any]:
    return {"message": message, "error": error, "statusCode": status, "correlationId": secrets.token_hex(4)}


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_messages(exc: RequestValidationError) -> list[str]:
    """class-validator-like messages: `<field> <problem>`."""
    messages = []
    for err in exc.errors():
        kind = err.get("type", "")
        if kind == "json_invalid":
            messages.append("Unexpected token in JSON body")
        elif kind == "missing":
            messages.append(f"{_field(err['loc'])} should not be empty")
        else:
            messages.append(f"{_field(err['loc'])} {err['msg'][0].lower() + err['msg'][1:]}")
    return messages


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_request: Request, exc: AppError) -> JSONResponse:
        body = error_body(exc.status, exc.message, _phrase(exc.status))
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(400, validation_messages(exc), "Bad Request"), status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        body = error_body(exc.status_code, str(exc.detail), _phrase(exc.status_code))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body(500, "Internal server error", "Internal Server Error"), status_code=500
        )


def _phrase(status: int) -> str:
    """The reason phrase Immich (Express) sends; Python names 413 differently."""
    from http import HTTPStatus

    if status == 413:
        return "Payload Too Large"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
