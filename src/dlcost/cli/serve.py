"""`dlcost serve`: the estimator page and the JSON API (FastAPI + uvicorn)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlcost.cli._common import ConfigOption, InputError, app, run


#: The served configuration: idle keep-alive connections close after 5 s, at most 200 connections
#: and requests at once (more are answered 503), and the h11 parser's bound on an unfinished
#: request head (slow or endless headers are cut off there).
SERVED = {"timeout_keep_alive": 5, "limit_concurrency": 200, "h11_max_incomplete_event_size": 16 * 1024,
          "timeout_graceful_shutdown": 5}


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; off loopback (an empty host is every interface), writes need the token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[
        Optional[str], typer.Option(envvar="DLCOST_TOKEN", help="Bearer token for writes [default: generated when off loopback].")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Serve the estimator web page and the JSON API (FastAPI + uvicorn)."""
    try:
        import uvicorn

        from dlcost.web.app import create_app
        from dlcost.web.middleware import is_loopback
    except ImportError:
        raise InputError("serve", "dlcost serve needs the web extra: pip install 'dlcost[web]'") from None
    from dlcost.iotools.user_files import load_user_hardware

    hardware = run(lambda: load_user_hardware(config))  # a bad config is reported before the address is tried
    _check_address(host, port)
    if not is_loopback(host) and not token:
        import secrets

        token = secrets.token_urlsafe(24)
        typer.echo(f"writes need the header 'Authorization: Bearer {token}' (set DLCOST_TOKEN to choose it)")
    web_app = run(lambda: create_app(host=host, write_token=token, hardware=hardware))
    shown = f"[{host}]" if ":" in host else host or "0.0.0.0"
    typer.echo(f"dlcost {__import__('dlcost').__version__}: estimator page at http://{shown}:{port}/  (API docs: /docs; stop with Ctrl-C)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning", **SERVED)


def _check_address(host: str, port: int) -> None:
    """Refuse a port outside 1 to 65535, a host that does not resolve, or an address that cannot be bound.

    The address is bound once here (and released) so that uvicorn's own failure, a log
    line and exit 3, never happens for input the user can fix.
    """
    import errno
    import socket

    from dlcost.core import checks

    checks.check_at_most(checks.check_whole_count(port, "port", minimum=1), "port", 65535)
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError("host", f"host must be an address or name of this machine, such as 127.0.0.1, ::1 or 0.0.0.0 "
                                 f"(empty: every interface); got {host!r} ({reason}).") from None
    try:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError("port", f"port must be free on {host or 'every interface'}; {port} is in use. "
                                     f"Stop the other server or choose another --port.") from None
        if exc.errno == errno.EACCES:
            raise InputError("port", f"port {port} needs administrator rights here; choose one from 1024 to 65535.") from None
        raise InputError("host", f"host must be an address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0; "
                                 f"got {host!r} ({exc.strerror or exc}).") from None
