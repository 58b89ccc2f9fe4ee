"""Where a run's CPU goes: py-spy's samples of the run, sorted into the steps a record passes through.

Each sample is one call stack of the syncing thread. A sample belongs to the first step (in
:data:`STEPS` order) that any of its frames matches, so the order settles overlaps: a JSON parse inside the
parsing of a JDE page counts as JSON, a normalisation called by the merge counts as mapping. Samples outside
``SyncEngine.run`` (building the world, the replay) are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["STEPS", "Step", "StepCost", "classify", "costs", "read_raw"]


@attrs.frozen
class Step:
    """One step of a record's way, and the frames that mark it.

    Attributes:
        name: What the table calls it.
        marks: Substrings of a py-spy frame (``function (path:line)``); any one marks the sample. A mark
            starting with ``^`` must start the frame (``^Request.__init__ (httpx/`` is not
            ``Cookies._CookieCompatRequest.__init__ (httpx/...``).
        ours: Whether the replay baseline (emulators and plain httpx) leaves this cost out, i.e. it is the
            engine's own.
    """

    name: str
    marks: tuple[str, ...]
    ours: bool = True


STEPS: tuple[Step, ...] = (
    Step(
        "emulators and the bench's recording (the replay pays the emulators too)",
        ("jde_zoho_sdk/testing/", "bench/_wire.py", "bench/_clock.py"),
        ours=False,
    ),
    # The replay makes an httpx.Request too; merging in the client's URL, headers and cookies is ours.
    Step("httpx: the request object (the replay makes one too)", ("^Request.__init__ (httpx/",), ours=False),
    Step("httpx: merging the client's defaults into requests", ("BaseClient.build_request ",)),
    Step("httpx: sending (the replay does the same)", ("(httpx/", "(httpcore/", "(h11/"), ours=False),
    Step("HTTP layer (retries, redaction, sessions)", ("jde_zoho_sdk/_http.py", "jde/auth.py", "(backoff/")),
    Step("store: links (encode, insert)", ("SqliteStateStore.put_links ",)),
    Step("store: audit events (encode, insert)", ("SqliteStateStore.append_audit ",)),
    Step("store: commits", ("SqliteStateStore.transaction ",)),
    Step("store: lookups and the rest", ("sync/sqlite_store.py", "sync/_sqlite_")),
    Step(
        "JSON of requests and answers",
        ("(json/", "(jde_zoho_sdk/_wire.py", "zoho/_convert.py", "jde/_convert.py"),
    ),
    Step(
        "mapping (JDE and Zoho <-> canonical, normalisation)",
        (
            "sync/_map_jde.py",
            "sync/_map_zoho.py",
            "sync/mapping.py",
            "sync/_map_values.py",
            "_mapper_guard.py",
        ),
    ),
    Step("merge (three-way diff)", ("sync/merge.py",)),
    Step("orchestration bodies and answers", ("jde/orchestrations.py", "AisClient.run_orchestration ")),
    Step(
        "JDE pages, rows and aggregates",
        (
            "jde/rows.py",
            "jde/dataservice.py",
            "ChangeReader.",
            "JdeGateway.read",
            "JdeGateway.build",
            "JdeGateway._aggregate",
            "JdeGateway.find_twins",
            "_by_line (jde_zoho_sdk/sync/_jde_gateway.py",
            "_stamp (jde_zoho_sdk/sync/_jde_gateway.py",
        ),
    ),
    Step("Zoho bodies, answers and paging", ("(jde_zoho_sdk/zoho/",)),
    Step(
        "audit events and links (building them)",
        ("Checkpoint.", "_audit_write (", "_synced_link (", "audit_stamp ("),
    ),
    Step("canonical records (values, attrs)", ("sync/model.py", "<attrs generated")),
    Step("the rest (engine glue, the interpreter)", ()),  # what no other step marks
)


def _marks(mark: str, frame: str) -> bool:
    return frame.startswith(mark[1:]) if mark.startswith("^") else mark in frame


def classify(frames: Sequence[str]) -> str:
    """The step a sample's stack (outermost frame first) belongs to."""
    for step in STEPS:
        if any(_marks(mark, frame) for frame in frames for mark in step.marks):
            return step.name
    return STEPS[-1].name


@attrs.frozen
class StepCost:
    """One step's part of a run.

    Attributes:
        step: The step's name.
        samples: py-spy samples in it.
        share: Its part of the run's samples (0-1).
        us_per_record: That part of the run's CPU time, per record read, in microseconds.
        ours: Whether it is the engine's own cost (see :attr:`Step.ours`).
    """

    step: str
    samples: int
    share: float
    us_per_record: float
    ours: bool


def read_raw(lines: Iterable[str], root: str = "SyncEngine.run ") -> Counter[tuple[str, ...]]:
    """py-spy's ``--format raw`` lines (``frame;frame;... count``) as stacks and counts, under ``root``."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = tuple(stack.split(";"))
        if any(root in frame for frame in frames):
            stacks[frames] += int(count)
    return stacks


def costs(stacks: Counter[tuple[str, ...]], cpu_s: float, records: int) -> list[StepCost]:
    """Each step's samples, share and CPU per record, in :data:`STEPS` order (steps with no sample too)."""
    by_step: Counter[str] = Counter()
    for frames, count in stacks.items():
        by_step[classify(frames)] += count
    total = sum(by_step.values()) or 1
    per_record = cpu_s / max(records, 1) * 1e6
    return [
        StepCost(
            step.name,
            by_step[step.name],
            by_step[step.name] / total,
            by_step[step.name] / total * per_record,
            step.ours,
        )
        for step in STEPS
    ]
