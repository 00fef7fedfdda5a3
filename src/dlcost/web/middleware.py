"""ASGI middleware of the served app: a bound on request bodies; and the loopback test."""

from __future__ import annotations

import ipaddress

__all__ = ["BodyLimit", "is_loopback", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 256 * 1024


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address. The empty host binds every interface: not loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BodyLimit:
    """413 for a request body over ``limit`` bytes, declared or streamed."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._reject(send)
        # Read the whole body first (it is small by construction), so a streamed
        # body without Content-Length is bounded too, then replay it to the app.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await self._reject(send)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _reject(self, send):
        body = ('{"detail":[{"loc":["body"],"field":"body","msg":"request body must be at most %d bytes."}]}' % self.limit).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list, receive):
    """An ASGI receive that yields ``messages`` first, then defers to ``receive``."""
    queue = list(messages)

    async def replayed():
        return queue.pop(0) if queue else await receive()

    return replayed
