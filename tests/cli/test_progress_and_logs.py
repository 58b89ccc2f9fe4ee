"""Progress only on a terminal, fed by engine events; -v logs through the library's redacting loggers."""

from __future__ import annotations

import io

from rich.console import Console

from jde_zoho_sdk._cli.progress import progress_for
from jde_zoho_sdk.sync import BatchWritten, Direction, Entity, PageRead, RecordFailed
from tests.cli.conftest import ENV, JDE_PASSWORD, Invoke, Setup, assert_no_secret


def test_no_progress_when_stdout_is_not_a_terminal() -> None:
    with progress_for(Console(file=io.StringIO(), force_terminal=False)) as observer:
        assert observer is None


def test_progress_counts_pages_records_writes_and_failures_per_source_and_entity() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_for(console) as observer:
        assert observer is not None
        for records in (500, 120):
            observer.on_event(
                PageRead(run_id="r", direction=Direction.JDE_TO_ZOHO, source="F0101", records=records)
            )
        observer.on_event(
            BatchWritten(run_id="r", entity=Entity.CUSTOMER, direction=Direction.JDE_TO_ZOHO, written=99)
        )
        observer.on_event(
            RecordFailed(
                run_id="r", entity=Entity.CUSTOMER, direction=Direction.JDE_TO_ZOHO, source_key="1",
                stage="map", message="bad",
            )
        )  # fmt: skip
        descriptions = [task.description for task in observer._progress.tasks]
    assert "read F0101: 2 pages, 620 records" in descriptions
    assert "write customer (JDE → Zoho): 99 written, 1 failed" in descriptions


def test_verbose_logs_go_to_stderr_without_secrets_even_when_the_login_fails(
    setup: Setup, invoke: Invoke
) -> None:
    config = str(setup.config())
    ok = invoke("-v", "sync", "--config", config)
    assert ok.exit_code == 0
    assert "INFO jde_zoho_sdk" in ok.stderr
    assert_no_secret(ok.stdout, ok.stderr)
    wrong = "wrong-pa55word-for-the-log-test"
    failed = invoke("-vv", "sync", "--config", config, env={**ENV, "JDE_PASSWORD": wrong})
    assert failed.exit_code == 3
    assert "DEBUG" in failed.stderr
    assert wrong not in failed.output
    assert JDE_PASSWORD not in failed.output
    quiet = invoke("sync", "--config", config)
    assert "INFO" not in quiet.stderr
