"""Bad input as HTTP answers: 422 ``{"detail": [{"loc", "field", "msg", "type"}]}``, naming the field.

The field comes from the error itself (:func:`dlcost.schemas.errors.input_problems`),
never from its message text.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dlcost.schemas.errors import input_problems

__all__ = ["Problem", "Problems", "Unauthorized", "BAD_INPUT", "REFUSALS", "UNAVAILABLE", "problem", "input_error", "install_error_handlers"]


class Problem(BaseModel):
    """One bad input: where it is, the field it names, and the one-line message."""

    loc: list[str | int]
    field: str
    msg: str
    type: str | None = None


class Problems(BaseModel):
    detail: list[Problem]


class Unauthorized(Problems):
    """The answer to a write without the configured token: the problem names ``authorization``."""


#: Documented error answers of every endpoint that takes input.
BAD_INPUT = {
    422: {"model": Problems, "description": "Bad input: each problem names its field and the accepted range."},
    413: {"model": Problems, "description": "Request body larger than the limit."},
    415: {"model": Problems, "description": "A write whose body is not application/json (text/csv for an import)."},
}
#: What the request guard (dlcost.web.middleware.RequestGuard) answers before a route runs.
REFUSALS = {
    403: {"model": Problems, "description": "A write from another origin."},
    415: {"model": Problems, "description": "A POST whose body is not application/json (text/csv for an import)."},
    421: {"model": Problems, "description": "A Host header that is not the served address."},
}
UNAVAILABLE = {503: {"model": Problems, "description": "The database cannot be reached."}}


def problem(status: int, field: str, message: str, loc: list | None = None, **extra) -> HTTPException:
    """An HTTPException rendered as ``{"detail": [{"loc", "field", "msg", "type"}]}``."""
    return HTTPException(status, detail=[{"loc": ["body", field] if loc is None else loc, "field": field, "msg": message,
                                          "type": "value_error" if status == 422 else "not_found", **extra}])


def input_error(error: Exception, prefix: tuple = ("body",), status: int = 422) -> HTTPException:
    """An HTTPException for a bad input (ValidationError or InputError), located under ``prefix``."""
    return HTTPException(status, detail=input_problems(error, prefix))


def _database_problem(error: SQLAlchemyError) -> JSONResponse:
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return JSONResponse(status_code=503, content={"detail": [
        {"loc": [], "field": "database", "msg": f"database unavailable: {reason}", "type": "database"}]})


def install_error_handlers(app: FastAPI) -> None:
    """422 for every bad input, 503 for an unreachable database, never a traceback."""

    @app.exception_handler(RequestValidationError)
    async def _on_request_validation(request: Request, error: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": input_problems(error)})

    @app.exception_handler(StarletteHTTPException)
    async def _on_http_error(request: Request, error: StarletteHTTPException):
        if error.status_code == 400:  # FastAPI's "error parsing the body" (bytes that are not UTF-8 JSON)
            return JSONResponse(status_code=422, content={"detail": [{
                "loc": ["body"], "field": "body", "msg": "request body must be valid JSON (UTF-8 text).", "type": "json_invalid"}]})
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(ValueError)
    async def _on_value_error(request: Request, error: ValueError):
        # a store that cannot be opened is an outage of the service, not bad input
        status = 503 if getattr(error, "field", None) == "database" else 422
        return JSONResponse(status_code=status, content={"detail": input_problems(error, () if status == 503 else ("body",))})

    @app.exception_handler(SQLAlchemyError)
    async def _on_database_error(request: Request, error: SQLAlchemyError):
        return _database_problem(error)
