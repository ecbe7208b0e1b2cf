"""Prefect settings that must be in place before `import prefect`.

Without PREFECT_API_URL each process starts a temporary local API server;
on 2 cores that can take longer than Prefect's default 20 s start timeout,
and its analytics would try the network. Values already set win.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "true",
    "DO_NOT_TRACK": "1",
}


def prepare_prefect_environment() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    # tesseract's own threads do not pay on few cores; processes do.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
