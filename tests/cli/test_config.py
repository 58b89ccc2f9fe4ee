"""The config file: every problem reported at once with its key path, secrets only from variables or commands."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from jde_zoho_sdk._cli.config import ConfigFileError, load_config
from jde_zoho_sdk._cli.systems import mapping_config, region, sync_config
from jde_zoho_sdk.sync import Entity, FieldPolicy
from jde_zoho_sdk.zoho import Region
from tests.cli.conftest import ENV, Invoke

EXAMPLE = Path(__file__).parents[2] / "examples" / "jde-zoho.example.toml"
INLINE = "hunter2-inline-secret-value"

BAD = f"""
[jde]
base_url = "ais.example.com"
password = "{INLINE}"
timezone = "Mars/Olympus_Mons"
page_size = "ten"
pasword_command = ["pass"]

[zoho]
region = "mars"
client_id = "1000.ABC"
client_secret_env = "ZOHO_CLIENT_SECRET"
refresh_token_env = "ZOHO_REFRESH_TOKEN"

[sync]
entities = ["customer", "order"]

[serve]
jde_schedule = "hourly"
"""


def problems(path: Path, **kwargs: object) -> dict[str, str]:
    with pytest.raises(ConfigFileError) as raised:
        load_config(path, **kwargs)  # type: ignore[arg-type]
    return {problem.path: problem.message for problem in raised.value.problems}


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    copy = tmp_path / "jde-zoho.toml"
    shutil.copy(EXAMPLE, copy)
    loaded = load_config(copy, environ=ENV)
    config = loaded.config
    assert config.state_path == tmp_path / "jde-zoho-sync.db"
    assert region(config) == Region.US
    engine = sync_config(config)
    assert engine.entities == frozenset(Entity)
    assert engine.policy(Entity.SUPPLIER, "category") is FieldPolicy.ZOHO_WINS
    assert engine.policy(Entity.CUSTOMER, "credit_hold") is FieldPolicy.JDE_WINS  # a default kept
    mapping = mapping_config(config)
    assert mapping.countries.to_zoho("CH") == "Switzerland"
    assert mapping.countries.to_zoho("US") == "United States"  # the built-in table stays
    assert loaded.require_secrets().jde_password.reveal() == ENV["JDE_PASSWORD"]


def test_matching_jde_emails_in_any_case_can_be_turned_off(tmp_path: Path) -> None:
    copy = tmp_path / "jde-zoho.toml"
    text = EXAMPLE.read_text()
    assert "emails_any_case = true" in text
    copy.write_text(text.replace("emails_any_case = true", "emails_any_case = false"))
    assert sync_config(load_config(copy, environ=ENV).config).jde_emails_any_case is False
    assert sync_config(load_config(EXAMPLE, environ=ENV).config).jde_emails_any_case is True


def test_every_problem_is_reported_at_once_with_its_key_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    found = problems(path)
    assert set(found) == {
        "jde.base_url",
        "jde.username",
        "jde.password",
        "jde.timezone",
        "jde.page_size",
        "jde.pasword_command",
        "zoho.region",
        "sync.entities[1]",
        "serve.jde_schedule",
    }
    assert found["jde.username"].startswith("missing")
    assert "expected an integer, got text" in found["jde.page_size"]
    assert "did you mean 'password_command'" in found["jde.pasword_command"]
    assert "unknown region 'mars'" in found["zoho.region"]
    assert "us, eu, in, au, jp, ca, cn, sa" in found["zoho.region"]
    assert "password_env" in found["jde.password"]
    assert "password_command" in found["jde.password"]
    assert INLINE not in " ".join(found.values())


def test_a_bad_config_gets_one_clear_report_and_exit_2_before_anything_connects(
    tmp_path: Path, invoke: Invoke
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    for command in (["sync"], ["doctor"], ["serve"], ["replay"], ["channels", "list"]):
        result = invoke(*command, "--config", str(path))
        assert result.exit_code == 2, command
        assert "has 9 problems" in result.stderr
        assert "zoho.region" in result.stderr
        assert "Traceback" not in result.output
        assert INLINE not in result.output


def test_missing_sections_and_wrong_table_types(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('sync = "fast"\n[zoho]\nclient_id = 3\nfields = []\n')
    found = problems(path)
    assert found["jde"] == "missing: the [jde] table is required"
    assert found["sync"] == "expected a table, got text"
    assert found["zoho.client_id"] == "expected text, got an integer"
    assert found["zoho.fields"] == "expected a table, got an array"
    assert "zoho.region" in found
    assert "zoho.client_secret_env" in found


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[jde\nbase_url = 1")
    assert "not valid TOML" in problems(path)[""]
    assert "no such file" in problems(tmp_path / "none.toml")[""]


def test_secret_sources_must_be_one_and_resolvable(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        EXAMPLE.read_text().replace('password_env = "JDE_PASSWORD"', 'password_env = "JDE PASSWORD"')
    )
    assert "not an environment variable name" in problems(path)["jde.password_env"]
    both = EXAMPLE.read_text().replace(
        'password_env = "JDE_PASSWORD"', 'password_env = "JDE_PASSWORD"\npassword_command = ["x"]'
    )
    path.write_text(both)
    assert "not both" in problems(path)["jde.password_env"]
    path.write_text(EXAMPLE.read_text())
    unset = problems(path, environ={})
    assert set(unset) == {"jde.password_env", "zoho.client_secret_env", "zoho.refresh_token_env"}
    assert unset["jde.password_env"] == "the environment variable JDE_PASSWORD is not set or empty"


def test_a_secret_command_runs_without_a_shell_and_only_its_stdout_is_used(tmp_path: Path) -> None:
    script = tmp_path / "secret.py"
    script.write_text("import sys\nprint('from-the-command-s3cret')\nprint('noise', file=sys.stderr)\n")
    command = f'password_command = ["{sys.executable}", "{script}"]'
    path = tmp_path / "c.toml"
    path.write_text(EXAMPLE.read_text().replace('password_env = "JDE_PASSWORD"', command))
    loaded = load_config(path, environ=ENV)
    assert loaded.require_secrets().jde_password.reveal() == "from-the-command-s3cret"


def test_a_failing_secret_command_is_reported_without_its_output(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text("print('half-a-secret-printed')\nraise SystemExit(3)\n")
    path = tmp_path / "c.toml"
    failing = f'password_command = ["{sys.executable}", "{script}"]'
    path.write_text(EXAMPLE.read_text().replace('password_env = "JDE_PASSWORD"', failing))
    found = problems(path, environ=ENV)
    assert found == {"jde.password_command": "the command exited with status 3"}
    missing = 'password_command = ["/nonexistent/secret-tool"]'
    path.write_text(EXAMPLE.read_text().replace('password_env = "JDE_PASSWORD"', missing))
    assert "was not found" in problems(path, environ=ENV)["jde.password_command"]
    no_interpreter = tmp_path / "no-shebang"  # executable, but not a program the system can run
    no_interpreter.write_text("echo s3cret\n")
    no_interpreter.chmod(0o700)
    path.write_text(
        EXAMPLE.read_text().replace(
            'password_env = "JDE_PASSWORD"', f'password_command = ["{no_interpreter}"]'
        )
    )
    assert "cannot run" in problems(path, environ=ENV)["jde.password_command"]


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        ('edition = "enterprise"', 'edition = "gold"', "expected one of free"),
        ('environment = "production"', 'environment = "staging"', "expected one of production"),
        ("verify = true", 'verify = "missing-ca.pem"', "is no file"),
        ('listen = "0.0.0.0:8080"', 'listen = "8080"', "expected host:port"),
        ("queue_delay_seconds = 30", "queue_delay_seconds = -1", "from 0 to 86400"),
        ('credit_limit = "jde_wins"', 'credit_limit = "sometimes"', "expected one of jde_wins"),
        ('"supplier.category" = "zoho_wins"', '"supplier.colour" = "zoho_wins"', "unknown field"),
        ('jde_schedule = "daily 02:00"', 'jde_schedule = "daily 25:00"', "not a time of day"),
    ],
)
def test_values_types_cannot_check(tmp_path: Path, change: str, key: str, expected: str) -> None:
    path = tmp_path / "c.toml"
    text = EXAMPLE.read_text()
    assert change in text
    path.write_text(text.replace(change, key, 1))
    found = problems(path, environ=ENV)
    assert len(found) == 1
    assert expected in next(iter(found.values()))


OUT_OF_RANGE = {
    "page_size = 500": ("page_size = 100001", "jde.page_size"),
    "overlap_minutes = 5": ("overlap_minutes = 1_000_000_000_000_000", "sync.overlap_minutes"),
    "batch_size = 200": ("batch_size = 99999999999999999999", "sync.batch_size"),
    "jde_concurrency = 1": ("jde_concurrency = 100000", "sync.jde_concurrency"),
    'jde_schedule = "daily 02:00"': ('jde_schedule = "every 9999999999999 hours"', "serve.jde_schedule"),
    "queue_delay_seconds = 30": ("queue_delay_seconds = nan", "serve.queue_delay_seconds"),
    "threads = 4": ("threads = 100000", "serve.threads"),
}


def test_numbers_out_of_range_are_reported_with_their_key_path(tmp_path: Path, invoke: Invoke) -> None:
    text = EXAMPLE.read_text()
    for default, (bad, _key) in OUT_OF_RANGE.items():
        assert default in text
        text = text.replace(default, bad, 1)
    path = tmp_path / "c.toml"
    path.write_text(text)
    found = problems(path, environ=ENV)
    assert set(found) == {key for _bad, key in OUT_OF_RANGE.values()}
    assert found["sync.overlap_minutes"].startswith("expected a number of minutes from 0 to 10080")
    assert "at most 8784 hours" in found["serve.jde_schedule"]
    assert found["serve.queue_delay_seconds"].endswith("got nan")
    path.write_text(EXAMPLE.read_text().replace("queue_delay_seconds = 30", "queue_delay_seconds = inf"))
    assert set(problems(path, environ=ENV)) == {"serve.queue_delay_seconds"}
    path.write_text(text)
    for command in ("status", "sync", "serve"):
        result = invoke(command, "--config", str(path))  # exceptions propagate: no OverflowError
        assert result.exit_code == 2, command
        assert "has 7 problems" in result.stderr


def test_company_and_search_types_are_checked_with_their_key_paths(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    text = EXAMPLE.read_text().replace('company = "00000"', 'company = "  "')
    path.write_text(text.replace('customer_search_types = ["C"]', 'customer_search_types = ["C", " "]'))
    found = problems(path, environ=ENV)
    assert set(found) == {"jde.company", "jde.customer_search_types[1]"}
    assert "AT1" in found["jde.customer_search_types[1]"]
    both = EXAMPLE.read_text().replace('supplier_search_types = ["V"]', 'supplier_search_types = ["V", " C"]')
    path.write_text(both)
    found = problems(path, environ=ENV)
    assert set(found) == {"jde.supplier_search_types"}
    assert found["jde.supplier_search_types"].startswith("C also in customer_search_types")


def test_client_credentials_grant_needs_the_org_id_and_no_refresh_token(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(EXAMPLE.read_text().replace('grant = "refresh_token"', 'grant = "client_credentials"'))
    found = problems(path, environ=ENV)
    assert set(found) == {"zoho.org_id", "zoho.refresh_token_env"}
    text = EXAMPLE.read_text().replace(
        'grant = "refresh_token"', 'grant = "client_credentials"\norg_id = "42"'
    )
    path.write_text(text.replace('refresh_token_env = "ZOHO_REFRESH_TOKEN"', ""))
    assert load_config(path, environ=ENV).require_secrets().zoho_refresh_token is None


def test_region_with_sandbox_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    text = EXAMPLE.read_text().replace('region = "us"', 'region = "eu"')
    path.write_text(text.replace('environment = "production"', 'environment = "sandbox"'))
    config = load_config(path, environ=ENV).config
    assert region(config).api_domain == "https://sandbox.zohoapis.eu"


def test_plain_http_to_another_machine_is_a_problem_unless_the_file_allows_it(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("https://ais.example.com:9300", "http://ais.example.com:9300")
    assert "http://ais.example.com:9300" in text
    path = tmp_path / "http.toml"
    path.write_text(text)
    found = problems(path, environ=ENV)
    assert set(found) == {"jde.base_url"}
    assert "unencrypted" in found["jde.base_url"]
    assert "jde.allow_insecure_http = true" in found["jde.base_url"]
    path.write_text(text.replace("allow_insecure_http = false", "allow_insecure_http = true", 1))
    assert load_config(path, environ=ENV).config.jde.allow_insecure_http


def test_credentials_in_a_url_are_a_problem_the_insecure_http_setting_does_not_fix(tmp_path: Path) -> None:
    with_password = "https://zohosync:S3cret-in-url@ais.example.com:9300"
    path = tmp_path / "c.toml"
    path.write_text(EXAMPLE.read_text().replace("https://ais.example.com:9300", with_password))
    found = problems(path, environ=ENV)
    assert set(found) == {"jde.base_url"}
    assert "holds credentials" in found["jde.base_url"]
    assert "allow_insecure_http" not in found["jde.base_url"]
    assert "S3cret-in-url" not in found["jde.base_url"]
