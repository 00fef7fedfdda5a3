"""Who may write: a bearer token, when the app has one (always off loopback)."""

from __future__ import annotations

import hmac

from fastapi import Header, HTTPException, Request

__all__ = ["require_write_token"]


def require_write_token(request: Request, authorization: str | None = Header(default=None)) -> None:
    """Dependency of every write: a matching bearer token when one is configured.

    A write may change the active model or the observations: the workspace forgets
    its cached model and calibration, so the next estimate reads them again.
    """
    request.app.state.workspace.invalidate()
    expected = request.app.state.write_token
    if expected is None:
        return
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode("utf-8", "surrogateescape"), expected.encode()):
        raise HTTPException(status_code=401, detail=[{
            "loc": ["header", "authorization"], "field": "authorization", "type": "unauthorized",
            "msg": "authorization: a valid 'Authorization: Bearer <token>' header is required to write."}])
