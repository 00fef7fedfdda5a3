"""A real uvicorn server running ``create_app()`` on a free port, and Debian's Chromium driven by Playwright."""

import os
import socket
import threading
import time
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@contextmanager
def serving(app):
    """Serve ``app`` with uvicorn in a background thread on a free loopback port; yields the base URL."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # the port is held from here on: no race for it
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the uvicorn test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        if getattr(app.state, "workspace", None) is not None:
            app.state.workspace.close()


@pytest.fixture(scope="session")
def serve_app():
    """The :func:`serving` context manager, for tests that need a server of their own."""
    return serving


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of a uvicorn server in a background thread, with an empty user config and data directory."""
    from dlcost.web.app import create_app

    home = tmp_path_factory.mktemp("dlcost-web-user")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DLCOST_DATA_DIR", str(home / "data"))
        env.setenv("DLCOST_CONFIG", str(home / "absent-config.toml"))
        with serving(create_app()) as base:
            yield base


def chromium_missing() -> str | None:
    """Why the browser tests cannot run, or None."""
    if os.path.exists(CHROMIUM):
        return None
    return f"{CHROMIUM} is missing: the browser tests need Debian's Chromium; `make test` installs it."


@pytest.fixture(scope="session")
def chromium_problem():
    return chromium_missing()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright (sync API). Missing Chromium fails, it never skips."""
    problem = chromium_missing()
    if problem:
        pytest.fail(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
