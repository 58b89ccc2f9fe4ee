"""Nox sessions: tests, lint, typecheck, docs, bench, chaos, demo.

Run ``nox`` for the default sessions (tests, lint, typecheck) or ``nox -s NAME`` for one.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11"]
LINTED = ["src", "tests", "bench", "noxfile.py"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (the README's test command)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    existing = [path for path in [*LINTED, "examples"] if Path(path).exists()]
    session.run("ruff", "check", *existing)
    session.run("ruff", "format", "--check", *existing)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ and tests/ (configured in pyproject.toml)."""
    session.install("-e", ".[test,cli,server]", "mypy")
    session.run("mypy")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site with --strict (broken links and references fail)."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(Path(session.create_tmp()) / "site"))


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks; they print figures and write bench/results/*.json (never assert timings)."""
    session.install("-e", ".[test,cli,bench]")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=PYTHON, default=False)
def chaos(session: nox.Session) -> None:
    """The convergence suite under faults and crashes, long (nightly) profile."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "pytest", "tests/chaos", "-s", "--timeout=3600", env={"JZ_CHAOS_PROFILE": "nightly"}
    )


@nox.session(python=PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """Run ``jde-zoho demo``: a full two-way sync between the built-in emulators."""
    session.install("-e", ".[cli]")
    session.run("jde-zoho", "demo", *session.posargs)
