"""The dlcost web application: the estimator page, the JSON API and the store's pages.

API: request fields are the CLI's option names in snake_case and every response is
the CLI's ``--json`` document, answered by the same :class:`~dlcost.service.workspace.Workspace`.
Bad input answers 422 with ``{"detail": [{"loc": [...], "field": ..., "msg": ...}]}``;
a body over ``MAX_BODY_BYTES`` answers 413. The scenario lives in the URL query
(:mod:`dlcost.web.query`), so a shared link reproduces it.
"""

from __future__ import annotations

import os
from importlib import resources

from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline

import dlcost
from dlcost.catalog.hardware import HardwareCatalog
from dlcost.core.checks import InputError
from dlcost.service.workspace import Workspace
from dlcost.store import Store, existing_sqlite_store
from dlcost.web import api, limits_api, pages, store_api, store_pages
from dlcost.web.errors import REFUSALS, install_error_handlers
from dlcost.web.middleware import (MAX_BODY_BYTES, WRITE_CONTENT_TYPES, BodyLimit, RequestGuard, allowed_hosts_for,
                                   is_loopback, route_table)

__all__ = ["create_app", "MAX_BODY_BYTES"]

#: How long the active model and its calibration are reused before the store is read again. [s]
MODEL_CACHE_SECONDS = 2.0
_HERE = resources.files("dlcost.web")


def _store_if_any() -> Store | None:
    """The user's store when one exists; reading the active model creates nothing."""
    return Store() if existing_sqlite_store() is not None or os.environ.get("DLCOST_DATABASE_URL") else None


def create_app(host: str = "127.0.0.1", write_token: str | None = None, hardware: HardwareCatalog | None = None,
               store: Store | None = None, allowed_hosts: list[str] | None = None) -> FastAPIOffline:
    """The dlcost web application.

    Parameters
    ----------
    host : address the server is bound to. Off loopback (the empty host included:
        every interface), write endpoints need ``write_token`` in an ``Authorization: Bearer`` header.
    write_token : the token writes require (always, when given).
    hardware : the hardware catalog answers use; default: the user's (config and saved
        measurements, as ``dlcost serve`` passes them).
    store : the store to use; default: the user's (``DLCOST_DATABASE_URL`` or the SQLite
        default), opened when first needed and created by the first write.
    allowed_hosts : host names the ``Host`` header may give; default: the loopback names
        for a loopback ``host``, ``host`` itself otherwise, any when bound to every interface.
    """
    if hardware is None:
        from dlcost.iotools.user_files import load_user_hardware

        hardware = load_user_hardware()
    if write_token is not None and not write_token.strip():
        raise InputError("token", "token must not be empty; give a secret of at least 16 characters or none on loopback.")
    if not is_loopback(host) and not write_token:
        raise InputError("host", "write_token is required when the server is bound to a non-loopback address "
                                 "(an empty host binds every interface).")
    app = FastAPIOffline(  # /docs with Swagger UI's files from the installed package: works offline
        title="dlcost",
        version=dlcost.__version__,
        description="Cost, data and accuracy of deep-learning vision systems (after Thompson et al., AAAI 2024).",
        responses=REFUSALS,  # the request guard's answers, on every operation
    )
    app.state.workspace = Workspace(hardware, store=store, open_store=_store_if_any, cache_seconds=MODEL_CACHE_SECONDS)
    app.state.write_token = write_token
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"))  # autoescape on for .html
    install_error_handlers(app)
    routers = [module.router for module in (api, limits_api, pages, store_api, store_pages)]
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    hosts = frozenset(allowed_hosts) if allowed_hosts is not None else allowed_hosts_for(host)
    # outermost: refuses before reading a body; answers OPTIONS and 405 with Allow from the routes
    app.add_middleware(RequestGuard, allowed_hosts=hosts, routes=route_table(app.routes, routers))
    _document_write_bodies(app)
    return app


def _document_write_bodies(app: FastAPIOffline) -> None:
    """State the request guard's rule in /openapi.json: every POST carries a body (JSON, or CSV for an import).

    A POST without a body of its own gets an ignored JSON one; an optional body becomes required.
    """
    generate = app.openapi
    types = " or ".join(sorted(WRITE_CONTENT_TYPES))

    def openapi() -> dict:
        if app.openapi_schema is None:
            for operations in generate()["paths"].values():
                body = operations.get("post", {}).get("requestBody", {"content": {"application/json": {"schema": {}}},
                                                                       "description": "Any JSON value, ignored."})
                if "post" in operations and not body.get("required"):
                    body["description"] = (f"{body.get('description', '')} Every POST carries a body of type {types}, "
                                           "so that no page of another site can send it.").strip()
                    operations["post"]["requestBody"] = {**body, "required": True}
        return app.openapi_schema

    app.openapi = openapi
