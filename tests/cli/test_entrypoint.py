"""The console script: install hint without the cli extra, help with the exit statuses, usage errors."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from jde_zoho_sdk._cli.app import cli
from jde_zoho_sdk.cli import main


def test_without_click_or_rich_it_says_how_to_install_the_extra() -> None:
    code = (
        "import sys; sys.modules['rich'] = None; from jde_zoho_sdk.cli import main; sys.exit(main(['demo']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "pip install 'jde-zoho-sdk[cli]'" in done.stderr


def test_help_lists_every_command_and_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "sync", "serve", "replay", "reconcile", "audit", "status", "channels", "doctor"):
        assert command in out
    assert "Exit status:" in out
    assert "records failed (sync, replay, reconcile)" in out
    assert "SyncAbortedError" in out
    assert "SyncLockedError" in out


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
    return found


def test_every_command_and_option_says_what_it_does() -> None:
    listed = commands(cli)
    assert len(listed) >= 12
    for name, command in listed:
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--direction", "sideways", "--config", "x.toml"]) == 2
    assert "sideways" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2


def test_a_command_that_fails_returns_its_status(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--state", "/nonexistent/sync.db"]) == 2
    assert "no state file" in capsys.readouterr().err
