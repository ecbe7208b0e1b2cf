"""Crash points for recovery tests.

`INTAKE_CRASH_AT=<point>` makes the process die at that point, abruptly, as
a power cut or an OOM kill would (no cleanup, no exception handlers), so
tests can show that a rerun converges. Unset, each checkpoint costs one
environment look-up.
"""

from __future__ import annotations

import os

POINTS = (
    "after_archive",  # bytes archived and ledger row written, nothing decided
    "after_decision",  # decision and reply committed, post-action not applied
    "after_post_action",  # mailbox updated, reply not yet sent
    "after_send",  # reply accepted by SMTP, not yet marked sent
)

CRASH_EXIT_CODE = 86


def checkpoint(point: str) -> None:
    if os.environ.get("INTAKE_CRASH_AT") == point:
        os._exit(CRASH_EXIT_CODE)
