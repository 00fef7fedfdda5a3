"""ASGI middleware of the served app: a bound on request bodies, the request guard; and the loopback test."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Sequence

__all__ = ["BodyLimit", "RequestGuard", "is_loopback", "allowed_hosts_for", "route_table", "allowed_methods",
           "MAX_BODY_BYTES", "LOOPBACK_HOSTS", "PAGE_CSP", "WRITE_CONTENT_TYPES"]

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


#: Hosts a loopback server answers to: a page from any other name (DNS rebinding) is refused.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_ALL_INTERFACES = frozenset({"", "0.0.0.0", "::"})
#: Bodies a write may carry: none of them can be sent cross-origin without a CORS preflight.
WRITE_CONTENT_TYPES = frozenset({"application/json", "text/csv"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Pages may run only the app's own scripts; Plotly sets inline styles. /docs runs Swagger UI's inline start-up script.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")
DOCS_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def allowed_hosts_for(bind_host: str) -> frozenset[str] | None:
    """Host names a server bound to ``bind_host`` answers to; None (any) when bound to every interface."""
    if bind_host in _ALL_INTERFACES:
        return None
    if is_loopback(bind_host):
        return LOOPBACK_HOSTS | {bind_host.strip("[]")}
    return frozenset({bind_host.strip("[]")})


def _host_name(netloc: str) -> str:
    """``127.0.0.1:8000`` -> ``127.0.0.1``; ``[::1]:8000`` -> ``::1``."""
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def route_table(routes: Iterable, routers: Iterable) -> tuple[tuple, ...]:
    """``(path regex, path template, methods)`` of every route, in routing order.

    ``routes`` is the app's list; an entry without a path (FastAPI's included router)
    stands for the routes of the next of ``routers``, in the order they were included.
    A route without methods (a Mount: static files) takes GET and HEAD.
    """
    included = iter(routers)
    flat = []
    for route in routes:
        flat.extend([route] if hasattr(route, "path_regex") else next(included).routes)
    return tuple((route.path_regex, route.path, frozenset(getattr(route, "methods", None) or ("GET", "HEAD")))
                 for route in flat)


def allowed_methods(table: Sequence[tuple], path: str) -> frozenset[str]:
    """Methods the resource at ``path`` takes (OPTIONS included); empty when no route has that path.

    The resource is the path template of the first route that matches ``path`` (in routing
    order, as the OpenAPI document lists it): its methods are those of every route of that template.
    """
    template = next((template for regex, template, _ in table if regex.match(path)), None)
    if template is None:
        return frozenset()
    return frozenset({"OPTIONS"}).union(*(methods for _, other, methods in table if other == template))


def _routed(table: Sequence[tuple], path: str, method: str) -> bool:
    """Whether some route takes ``method`` at ``path`` (routing decides which)."""
    return any(method in methods and regex.match(path) for regex, _, methods in table)


class RequestGuard:
    """Refuses what a browser on another site could send, and marks every answer.

    - ``Host`` must name the served address (``allowed_hosts``; None: any): no DNS rebinding.
    - A method the path does not take answers 405 with ``Allow``; OPTIONS answers 204 with
      ``Allow`` (404 for a path no route has). ``routes``: :func:`route_table` of the app.
    - A write (any method but GET, HEAD, OPTIONS) must come with an ``Origin``, when it has
      one, equal to the served origin; a POST (the one write a page of another site can send
      without a CORS preflight) also needs a JSON (for an import, CSV) body type: a form or
      ``text/plain`` post from another page cannot reach a write.
    - Every answer gets ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
      ``Referrer-Policy: no-referrer`` and a strict ``Content-Security-Policy``.
    """

    def __init__(self, app, allowed_hosts: frozenset[str] | None, routes: Sequence[tuple]):
        self.app, self.allowed_hosts, self.routes = app, allowed_hosts, tuple(routes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers") or []}
        csp = DOCS_CSP if scope.get("path", "").startswith("/docs") else PAGE_CSP

        async def marked(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                                                  (b"referrer-policy", b"no-referrer"), (b"content-security-policy", csp.encode())]}
            await send(message)

        answer = self._answer(scope, headers)
        if answer is not None:
            return await _send_answer(marked, *answer)
        await self.app(scope, receive, marked)

    def _answer(self, scope, headers: dict) -> tuple | None:
        """The guard's own answer, (status, body, headers), or None to let the app answer."""
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            return _problem(421, "host", f"host {host!r} is not this server's address; open it as http://127.0.0.1 or its own name.")
        method, path = scope.get("method", "GET"), _route_path(scope)
        if method == "OPTIONS":
            allowed = allowed_methods(self.routes, path)
            return (204, b"", {"allow": ", ".join(sorted(allowed))}) if allowed else _problem(
                404, "path", f"no resource at {path!r}.", ["path"], "not_found")
        if not _routed(self.routes, path, method):
            allowed = allowed_methods(self.routes, path)
            if allowed:
                listed = ", ".join(sorted(allowed))
                return _problem(405, "method", f"method must be one of {listed} at {path}; got {method}.", ["method"],
                                extra_headers={"allow": listed})
        if method in _SAFE_METHODS:
            return None
        origin = headers.get("origin")
        scheme = scope.get("scheme", "http")
        if origin is not None and origin != f"{scheme}://{host}":
            return _problem(403, "origin", f"origin {origin!r} may not write here: writes come from this server's own pages.")
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if method == "POST" and media_type not in WRITE_CONTENT_TYPES:  # DELETE and PUT always preflight
            shown = media_type or "none"
            return _problem(415, "content-type", (f"content-type must be application/json (text/csv for an import) for a write; "
                                                  f"got {shown}."))
        return None


def _route_path(scope) -> str:
    """The path routes match: the request's, less the app's ``root_path``."""
    path, root = scope.get("path", "/"), scope.get("root_path", "")
    return (path[len(root):] or "/") if root and path.startswith(root) else path


def _problem(status: int, field: str, message: str, loc: list | None = None, kind: str = "refused",
             extra_headers: dict | None = None) -> tuple:
    body = json.dumps({"detail": [{"loc": ["header", field] if loc is None else loc, "field": field, "msg": message,
                                   "type": kind}]}).encode()
    return status, body, {"content-type": "application/json", **(extra_headers or {})}


async def _send_answer(send, status: int, body: bytes, headers: dict) -> None:
    encoded = [(key.encode("latin-1"), value.encode("latin-1")) for key, value in headers.items()]
    if status != 204:
        encoded.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": encoded})
    await send({"type": "http.response.body", "body": body})
