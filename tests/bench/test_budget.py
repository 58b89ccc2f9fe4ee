"""Scenario 6 sorts py-spy's samples into steps: the rules' order settles overlaps, and nothing is lost."""

from __future__ import annotations

from collections import Counter

import pytest
from bench._budget import STEPS, Step, classify, costs, read_raw
from bench._summary import budget_tables
from bench.scenarios.budget import run_budget

RUN = "SyncEngine.run (jde_zoho_sdk/sync/engine.py:120)"
PUSH = "push_batch (jde_zoho_sdk/sync/_push.py:80)"


def _step(marker: str) -> str:
    [name] = [step.name for step in STEPS if step.name.startswith(marker)]
    return name


@pytest.mark.parametrize(
    ("frames", "step"),
    [
        # a store call under the emulator's answer (never happens, but the emulators always win)
        (
            (
                RUN,
                "RecordingTransport.handle_request (bench/_wire.py:130)",
                "SqliteStateStore.put_links (jde_zoho_sdk/sync/sqlite_store.py:530)",
            ),
            "emulators",
        ),
        # a normalisation the merge asks for is mapping work, not merging
        (
            (
                RUN,
                PUSH,
                "merge (jde_zoho_sdk/sync/merge.py:150)",
                "DefaultMapper.normalize (jde_zoho_sdk/sync/mapping.py:97)",
            ),
            "mapping",
        ),
        (
            (
                RUN,
                PUSH,
                "merge (jde_zoho_sdk/sync/merge.py:150)",
                "changed_fields (jde_zoho_sdk/sync/merge.py:40)",
            ),
            "merge",
        ),
        # JSON inside the parsing of a JDE page is JSON; the rest of the parsing is the JDE step
        ((RUN, "parse_page (jde_zoho_sdk/jde/rows.py:226)", "loads (json/__init__.py:346)"), "JSON"),
        (
            (RUN, "parse_page (jde_zoho_sdk/jde/rows.py:226)", "_rows (jde_zoho_sdk/jde/rows.py:196)"),
            "JDE pages",
        ),
        # the audit trail's stamps are not the JDE rows' stamps
        ((RUN, PUSH, "audit_stamp (jde_zoho_sdk/sync/_recovered.py:180)"), "audit events and links"),
        # the JDE gateway's writes are not its reads: an orchestration is its own step
        (
            (
                RUN,
                "JdeGateway.write (jde_zoho_sdk/sync/_jde_gateway.py:400)",
                "build_orchestration_body (jde_zoho_sdk/jde/orchestrations.py:60)",
            ),
            "orchestration",
        ),
        # httpx merging the client's defaults is ours; the request object and sending are the replay's too
        (
            (
                RUN,
                "AisClient.run_orchestration (jde_zoho_sdk/jde/client.py:330)",
                "BaseClient.build_request (httpx/_client.py:378)",
                "Request.__init__ (httpx/_models.py:419)",
            ),
            "httpx: the request object",
        ),
        # ...but the cookie jar's stand-in request, made while sending, is sending
        (
            (
                RUN,
                "Client.send (httpx/_client.py:914)",
                "Cookies._CookieCompatRequest.__init__ (httpx/_models.py:1250)",
            ),
            "httpx: sending",
        ),
        (
            (
                RUN,
                "AisClient.run_orchestration (jde_zoho_sdk/jde/client.py:330)",
                "BaseClient.build_request (httpx/_client.py:366)",
            ),
            "httpx: merging",
        ),
        (
            (
                RUN,
                "AisClient.run_orchestration (jde_zoho_sdk/jde/client.py:330)",
                "Client.send (httpx/_client.py:914)",
            ),
            "httpx: sending",
        ),
        (
            (
                RUN,
                "Checkpoint.commit (jde_zoho_sdk/sync/_context.py:331)",
                "SqliteStateStore.put_links (jde_zoho_sdk/sync/sqlite_store.py:530)",
            ),
            "store: links",
        ),
        (
            (
                RUN,
                "Checkpoint.commit (jde_zoho_sdk/sync/_context.py:331)",
                "SqliteStateStore.append_audit (jde_zoho_sdk/sync/sqlite_store.py:600)",
            ),
            "store: audit",
        ),
        ((RUN, PUSH, "_tally (jde_zoho_sdk/sync/_push.py:30)"), "the rest"),
    ],
)
def test_a_sample_belongs_to_the_first_step_any_of_its_frames_marks(
    frames: tuple[str, ...], step: str
) -> None:
    assert classify(frames) == _step(step)


@pytest.mark.parametrize("step", STEPS[:-1], ids=lambda step: step.name.split(" (")[0])
def test_no_earlier_step_takes_a_later_steps_frames(step: Step) -> None:
    # A mark that holds an earlier step's mark (as "_stamp (" once did "audit_stamp (") could never win.
    for mark in step.marks:
        assert classify((RUN, mark.removeprefix("^"))) == step.name, mark


def test_only_samples_inside_the_run_are_read_and_counts_add_up() -> None:
    lines = [
        f"<module> (bench/_budget_child.py:40);{RUN};{PUSH} 7\n",
        f"<module> (bench/_budget_child.py:40);{RUN};{PUSH} 3\n",
        "<module> (bench/_budget_child.py:40);World.build (bench/_world.py:60) 50\n",  # seeding: not the run
        "garbage\n",
        "\n",
    ]
    assert read_raw(lines) == Counter({("<module> (bench/_budget_child.py:40)", RUN, PUSH): 10})


def test_the_steps_shares_make_the_whole_run() -> None:
    stacks: Counter[tuple[str, ...]] = Counter({(RUN, PUSH): 30, (RUN, "loads (json/__init__.py:346)"): 10})
    steps = costs(stacks, cpu_s=2.0, records=1_000)
    assert [step.step for step in steps] == [step.name for step in STEPS]
    assert sum(step.samples for step in steps) == 40
    assert sum(step.share for step in steps) == pytest.approx(1.0)
    assert sum(step.us_per_record for step in steps) == pytest.approx(2_000.0)  # 2 s over 1,000 records
    assert {step.step: step.us_per_record for step in steps if step.samples}[_step("JSON")] == pytest.approx(
        500.0
    )


def test_the_table_says_when_py_spy_was_missing() -> None:
    assert "skipped (py-spy is not installed" in budget_tables(
        {"skipped": "py-spy is not installed", "runs": []}
    )


def test_a_failed_sampling_is_reported_for_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # py-spy refused (no ptrace in a container, say): the size is reported with py-spy's last words
    monkeypatch.setattr("shutil.which", lambda *_args, **_kwargs: "/usr/bin/false")
    figures = run_budget([60])
    assert figures["runs"] == [{"customers": 60, "error": "py-spy or the run failed: no output"}]
    assert "6. Budget at 60 customers: py-spy or the run failed" in budget_tables(figures)


def test_without_py_spy_the_scenario_is_skipped_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda *_args, **_kwargs: None)
    assert run_budget([60]) == {"skipped": "py-spy is not installed (pip install py-spy)", "runs": []}
