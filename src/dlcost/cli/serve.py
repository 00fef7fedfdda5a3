"""`dlcost serve`: the estimator page and the JSON API (FastAPI + uvicorn)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlcost.cli._common import ConfigOption, InputError, app, run


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

    if not is_loopback(host) and not token:
        import secrets

        token = secrets.token_urlsafe(24)
        typer.echo(f"writes need the header 'Authorization: Bearer {token}' (set DLCOST_TOKEN to choose it)")
    web_app = run(lambda: create_app(host=host, write_token=token, hardware=load_user_hardware(config)))
    shown = f"[{host}]" if ":" in host else host or "0.0.0.0"
    typer.echo(f"dlcost {__import__('dlcost').__version__}: estimator page at http://{shown}:{port}/  (API docs: /docs; stop with Ctrl-C)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
