"""Both emulators served on loopback sockets, a config file pointing at them, and a CLI runner."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs
import pytest
from click.testing import CliRunner, Result

from jde_zoho_sdk._cli.app import cli
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from tests.cli import _toml

JDE_ZONE: Final = "America/Chicago"
JDE_USER: Final = "ZOHOSYNC"
JDE_PASSWORD: Final = "jde-pa55word-for-cli-tests-0042"
ZOHO_SECRET: Final = "zoho-client-secret-for-cli-tests-4242"
ZOHO_REFRESH: Final = "1000.refresh-token-for-cli-tests.feedface"
SECRETS: Final = (JDE_PASSWORD, ZOHO_SECRET, ZOHO_REFRESH)
ENV: Final = {
    "JDE_PASSWORD": JDE_PASSWORD,
    "ZOHO_CLIENT_SECRET": ZOHO_SECRET,
    "ZOHO_REFRESH_TOKEN": ZOHO_REFRESH,
}
CLOSED_PORT_URL: Final = "http://127.0.0.1:9/zoho/notify"  # the discard port: refused at once


@attrs.define
class Served:
    """The two emulators on sockets, seeded with a small distributor."""

    ais: AisEmulator
    zoho: ZohoEmulator
    data: seed.Dataset

    @property
    def ais_url(self) -> str:
        assert self.ais.url is not None
        return self.ais.url

    def account(self, address_number: int) -> dict[str, object]:
        found = [
            a for a in self.zoho.records("Accounts") if a.get("JDE_Address_Number") == str(address_number)
        ]
        assert len(found) == 1, f"{len(found)} accounts for JDE {address_number}"
        return found[0]

    def phone(self, address_number: int) -> tuple[object, object]:
        [row] = [r for r in self.ais.tables.rows("F0115") if r["AN8"] == address_number and r["IDLN"] == 0]
        return row["AR1"], row["PH1"]


@pytest.fixture
def served() -> Iterator[Served]:
    ais = AisEmulator(users={JDE_USER: JDE_PASSWORD}, timezone=JDE_ZONE, seed=3)
    zoho = ZohoEmulator(client_secret=ZOHO_SECRET, refresh_token=ZOHO_REFRESH, seed=3)
    with ais.serve(), zoho.serve():
        data = seed.generate(customers=20, seed=3)
        seed.load(data, ais=ais, zoho=zoho)
        yield Served(ais, zoho, data)


def base_config(served: Served, state: Path) -> dict[str, dict[str, object]]:
    """A config for the served emulators; secrets come from ENV."""
    return {
        "jde": {
            "base_url": served.ais_url,
            "username": JDE_USER,
            "password_env": "JDE_PASSWORD",
            "timezone": JDE_ZONE,
        },
        "zoho": {
            "client_id": served.zoho.client_id,
            "accounts_url": served.zoho.url,
            "api_domain": served.zoho.url,
            "client_secret_env": "ZOHO_CLIENT_SECRET",
            "refresh_token_env": "ZOHO_REFRESH_TOKEN",
            "edition": "enterprise",
        },
        "sync": {"state": str(state)},
        "serve": {"notify_url": CLOSED_PORT_URL, "jde_schedule": "off", "reconcile_schedule": "off"},
    }


def merged(base: Mapping[str, object], changes: Mapping[str, object]) -> dict[str, object]:
    """``base`` with ``changes`` merged in, table by table."""
    result = copy.deepcopy(dict(base))
    for key, value in changes.items():
        current = result.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            result[key] = merged(current, value)
        else:
            result[key] = value
    return result


@attrs.define
class Setup:
    """Where a test's config and state live."""

    served: Served
    directory: Path

    @property
    def state(self) -> Path:
        return self.directory / "sync.db"

    def config(self, changes: Mapping[str, object] | None = None, name: str = "jde-zoho.toml") -> Path:
        path = self.directory / name
        path.write_text(_toml.dumps(merged(base_config(self.served, self.state), changes or {})))
        return path


@pytest.fixture
def setup(served: Served, tmp_path: Path) -> Setup:
    return Setup(served, tmp_path)


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run ``jde-zoho`` in-process with the secrets in the environment; exceptions propagate."""
    runner = CliRunner()

    def run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
        # A fixed width whatever the terminal (or test worker) says, so tables read the same everywhere.
        full = {"COLUMNS": "200", **(ENV if env is None else env)}
        return runner.invoke(cli, list(args), env=full, catch_exceptions=False)

    return run


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
