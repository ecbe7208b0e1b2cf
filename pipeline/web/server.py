"""Running the desk under uvicorn: in the foreground (`intake web`) or on a thread
(the demo and the browser tests), always with our own access log (paths only)."""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI

from pipeline.settings import Settings, SettingsError, read_secret


def secret_key(settings: Settings) -> str:
    """The session-signing key from the environment variable the settings name."""
    secret = read_secret(settings.web.secret_key_env, "web.secret_key_env", settings)
    assert secret is not None
    value = secret.get_secret_value()
    if len(value) < 16:
        raise SettingsError(f"environment variable {settings.web.secret_key_env}: the web "
                            "secret key must be at least 16 characters")
    return value


def uvicorn_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    # uvicorn's own access log writes the full request line, query string
    # included; the app logs method, path and status itself instead.
    return uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None,
                          server_header=False, lifespan="off")


def serve_forever(app: FastAPI, host: str, port: int) -> None:
    uvicorn.Server(uvicorn_config(app, host, port)).run()


class BackgroundServer:
    """The desk on a daemon thread, for the demo and the tests; `stop` ends it."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._server = uvicorn.Server(uvicorn_config(app, host, port))
        self._thread = threading.Thread(target=self._server.run, name="desk-web", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the review desk did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
