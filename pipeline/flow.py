"""Prefect flows: orchestration only.

One flow run polls every branch once: a task per branch (retried on I/O
faults, run side by side), then a task that sends the queued replies. All
logic lives in pipeline.runtime / pipeline.poll / pipeline.process, which
the tests call without Prefect.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.outbox import OutboxReport
from pipeline.poll import PollReport
from pipeline.runtime import Runtime, open_runtime, poll_branch, send_outbox
from pipeline.settings import load_settings


@task(name="poll-branch", retries=2, retry_delay_seconds=[5, 30], cache_policy=NO_CACHE)
def poll_branch_task(runtime: Runtime, branch_id: str) -> PollReport:
    report = poll_branch(runtime, runtime.settings.branch(branch_id))
    if report.error and report.error.startswith(("connect", "timeout")):
        # Transient: let Prefect retry this branch; the others are unaffected.
        raise RuntimeError(f"branch {branch_id}: {report.error}")
    return report


@task(name="send-replies", retries=3, retry_delay_seconds=[2, 5, 15], cache_policy=NO_CACHE)
def send_outbox_task(runtime: Runtime) -> OutboxReport:
    return send_outbox(runtime)


def run_poll(runtime: Runtime) -> dict[str, Any]:
    """The body of the poll flow, given an open runtime."""
    logger = get_run_logger()
    futures = {b.id: poll_branch_task.submit(runtime, b.id) for b in runtime.settings.branches}
    reports: list[PollReport] = []
    for branch_id, future in futures.items():
        try:
            reports.append(future.result())
        except Exception as err:  # noqa: BLE001 - one failing branch never stops the rest
            logger.error("branch %s failed after retries: %s", branch_id, err)
            reports.append(PollReport(branch_id=branch_id, error=str(err)))
    outbox = send_outbox_task.submit(runtime).result()
    for report in reports:
        logger.info("branch %s: %s", report.branch_id, asdict(report))
    logger.info("replies: %s", asdict(outbox))
    return {"branches": [asdict(r) for r in reports], "outbox": asdict(outbox)}


@flow(name="intake-poll", task_runner=ThreadPoolTaskRunner(max_workers=4), log_prints=True)
def poll_all_branches(config_path: str) -> dict[str, Any]:
    """Poll every configured branch once and send the replies that queued."""
    runtime = open_runtime(load_settings(Path(config_path)))
    try:
        return run_poll(runtime)
    finally:
        runtime.close()
