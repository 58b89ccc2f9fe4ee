"""sync, --dry-run, replay, reconcile, audit, status and channels against the emulators, through click."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from jde_zoho_sdk.sync import Entity, SqliteStateStore
from jde_zoho_sdk.testing.faults import Fault
from tests.cli.conftest import ENV, Invoke, Setup, assert_no_secret

JDE_ONLY = 100_004  # seeded customers with index % 5 in (0, 3, 4) are only in JDE


def synced(setup: Setup, invoke: Invoke) -> str:
    config = str(setup.config())
    result = invoke("sync", "--config", config)
    assert result.exit_code == 0, result.output
    return config


def test_sync_runs_both_ways_and_prints_a_summary_per_entity_and_direction(
    setup: Setup, invoke: Invoke
) -> None:
    config = str(setup.config())
    result = invoke("-vv", "sync", "--config", config)
    assert result.exit_code == 0, result.output
    assert "JDE → Zoho" in result.stdout
    assert "Zoho → JDE" in result.stdout
    for entity in ("customer", "contact", "supplier"):
        assert entity in result.stdout
    assert setup.served.account(JDE_ONLY)["Account_Name"]
    assert_no_secret(result.stdout, result.stderr)
    again = invoke("sync", "--config", config, "--direction", "jde_to_zoho")
    assert again.exit_code == 0
    assert "Zoho → JDE" not in again.stdout


def test_dry_run_prints_the_plan_field_by_field_and_writes_nothing(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    served = setup.served
    served.ais.tables.update("F03012", {"AN8": JDE_ONLY, "CO": "00000"}, {"ACL": Decimal(77_000)})
    zoho_requests = len(served.zoho.request_log)
    orchestrations = len(served.ais.orchestration_log)
    result = invoke("sync", "--config", config, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"update customer in Zoho (JDE {JDE_ONLY}" in result.stdout
    assert "credit_limit:" in result.stdout
    assert "→ 77000" in result.stdout
    assert "Dry run: nothing written" in result.stdout
    writes = [
        r
        for r in served.zoho.request_log[zoho_requests:]
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and r.path.startswith("/crm/")
    ]
    assert writes == []
    assert len(served.ais.orchestration_log) == orchestrations
    assert served.account(JDE_ONLY)["Credit_Limit"] != Decimal(77_000)


def test_a_failing_record_exits_1_and_replay_after_the_fix_exits_0(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    zoho = setup.served.zoho
    bad = zoho.insert("Accounts", {"Account_Name": "Nowhere Ltd", "Billing_Country": "Narnia"})
    failed = invoke("sync", "--config", config)
    assert failed.exit_code == 1
    assert "1 record(s) failed" in failed.stderr
    with SqliteStateStore(setup.state) as store:
        [failure] = store.list_failures()
    assert failure.source_key == bad
    still = invoke("replay", "--config", config)
    assert still.exit_code == 1
    assert "Still failing (1)" in still.stdout
    zoho.update("Accounts", bad, {"Billing_Country": "Mexico"})
    fixed = invoke("replay", "--config", config, "--id", failure.failure_id)
    assert fixed.exit_code == 0, fixed.output
    assert failure.failure_id in fixed.stdout
    assert [r for r in setup.served.ais.tables.rows("F0101") if r["ALKY"] == bad]
    assert invoke("replay", "--config", config).stdout.strip() == "No open failures to replay."
    unknown = invoke("replay", "--config", config, "--id", "no-such-failure")
    assert unknown.exit_code == 2
    assert "no open failure with id no-such-failure" in unknown.stderr


def test_reconcile_marks_links_of_records_gone_from_jde(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    setup.served.ais.tables.delete("F0101", {"AN8": JDE_ONLY})
    result = invoke("reconcile", "--config", config)
    assert result.exit_code == 0, result.output
    assert "Reconcile" in result.stdout
    with SqliteStateStore(setup.state) as store:
        link = store.get_links_by_jde(Entity.CUSTOMER, [str(JDE_ONLY)])[str(JDE_ONLY)]
    assert link.deleted_in == "jde"


def test_reconcile_exits_1_when_a_flag_fails_and_points_at_replay(setup: Setup, invoke: Invoke) -> None:
    config = str(setup.config({"sync": {"flag_zoho_on_jde_delete": True}}))
    assert invoke("sync", "--config", config).exit_code == 0
    account = setup.served.account(JDE_ONLY)
    setup.served.ais.tables.delete("F0101", {"AN8": JDE_ONLY})
    setup.served.zoho.delete("Accounts", str(account["id"]))  # the flag has no Zoho twin to land on
    result = invoke("reconcile", "--config", config)
    assert result.exit_code == 1, result.output
    assert "1 record(s) failed" in result.stderr
    assert "jde-zoho replay" in result.stderr
    with SqliteStateStore(setup.state) as store:
        [failure] = store.list_failures()
    assert (failure.stage, failure.source_key) == ("flag", str(JDE_ONLY))


def test_audit_shows_one_record_end_to_end_by_either_key_and_as_json(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    zoho_id = str(setup.served.account(JDE_ONLY)["id"])
    by_jde = invoke("audit", "--config", config, "--record", str(JDE_ONLY))
    assert by_jde.exit_code == 0
    assert zoho_id in by_jde.stdout
    assert "create" in by_jde.stdout
    as_json = json.loads(invoke("audit", "--state", str(setup.state), "--record", zoho_id, "--json").stdout)
    assert as_json
    assert {event["jde_key"] for event in as_json} == {str(JDE_ONLY)}
    assert {event["zoho_id"] for event in as_json} == {zoho_id}
    run_id = as_json[0]["run_id"]
    of_run = json.loads(invoke("audit", "--state", str(setup.state), "--run", run_id, "--json").stdout)
    assert len(of_run) > len(as_json)
    assert {event["run_id"] for event in of_run} == {run_id}
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert json.loads(invoke("audit", "--state", str(setup.state), "--since", later, "--json").stdout) == []
    bad_time = invoke("audit", "--state", str(setup.state), "--since", "yesterday")
    assert bad_time.exit_code == 2
    assert "ISO 8601" in bad_time.output


def test_status_reads_only_the_store(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    requests = len(setup.served.zoho.request_log), len(setup.served.ais.request_log)
    result = invoke("status", "--config", config, env={})  # no secret needed: nothing remote is called
    assert result.exit_code == 0, result.output
    assert "jde:F0101" in result.stdout
    assert "zoho:Accounts" in result.stdout
    assert "never polled" not in result.stdout.split("zoho:Accounts")[1].splitlines()[0]
    assert "Notification queue: 0" in result.stdout
    assert "Open failures: 0" in result.stdout
    assert "Notification channel: none" in result.stdout
    assert (len(setup.served.zoho.request_log), len(setup.served.ais.request_log)) == requests


def test_status_without_a_state_file_is_a_usage_error(setup: Setup, invoke: Invoke) -> None:
    result = invoke("status", "--state", str(setup.directory / "missing.db"))
    assert result.exit_code == 2
    assert "no state file" in result.stderr
    assert not (setup.directory / "missing.db").exists()
    neither = invoke("status", env={"JDE_ZOHO_CONFIG": None})
    assert neither.exit_code == 2
    assert "--state" in neither.stderr


def test_channels_ensure_list_and_disable(setup: Setup, invoke: Invoke) -> None:
    config = str(setup.config())
    ensured = invoke("channels", "ensure", "--config", config)
    assert ensured.exit_code == 0, ensured.output
    assert "Accounts.all, Contacts.all, Vendors.all" in ensured.stdout
    with SqliteStateStore(setup.state) as store:
        [channel] = store.list_channels()
    listed = invoke("channels", "list", "--config", config)
    assert channel.channel_id in listed.stdout
    assert "yes" in listed.stdout
    assert "Notification channel " + channel.channel_id in invoke("status", "--config", config).stdout
    disabled = invoke("channels", "disable", "--config", config)
    assert disabled.exit_code == 0
    assert channel.channel_id in disabled.stdout
    with SqliteStateStore(setup.state) as store:
        assert store.list_channels() == []
    assert channel.channel_id not in invoke("channels", "list", "--config", config).stdout


def test_channels_ensure_needs_the_public_notify_url(setup: Setup, invoke: Invoke) -> None:
    path = setup.config()
    path.write_text(path.read_text().replace('notify_url = "http://127.0.0.1:9/zoho/notify"\n', ""))
    result = invoke("channels", "ensure", "--config", str(path))
    assert result.exit_code == 2
    assert "notify_url" in result.stderr


def test_another_run_holding_the_lock_exits_3(setup: Setup, invoke: Invoke) -> None:
    config = synced(setup, invoke)
    with SqliteStateStore(setup.state) as store:
        taken = store.acquire_lock(
            "sync-run", "elsewhere:1:run", lease=timedelta(minutes=5), now=datetime.now(UTC)
        )
        assert taken
        result = invoke("sync", "--config", config)
    assert result.exit_code == 3
    assert "another sync run holds the lock" in result.stderr


def test_a_system_error_aborts_the_run_with_exit_3_and_shows_what_was_committed(
    setup: Setup, invoke: Invoke
) -> None:
    config = synced(setup, invoke)
    setup.served.ais.faults.add(Fault(path="dataservice", status=500, times=None))
    result = invoke("sync", "--config", config)
    assert result.exit_code == 3
    assert "Sync (stopped)" in result.stdout
    assert "stopped" in result.stderr
    assert "Traceback" not in result.output
    assert_no_secret(result.stdout, result.stderr)


def test_missing_config_option_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("sync", env={"JDE_ZOHO_CONFIG": None})
    assert result.exit_code == 2
    assert "--config" in result.output


def test_sync_with_the_client_credentials_grant(setup: Setup, invoke: Invoke) -> None:
    grant = {"grant": "client_credentials", "org_id": setup.served.zoho.org_id}
    path = setup.config({"zoho": grant})
    path.write_text(path.read_text().replace('refresh_token_env = "ZOHO_REFRESH_TOKEN"\n', ""))
    result = invoke(
        "sync",
        "--config",
        str(path),
        env={
            "ZOHO_CLIENT_SECRET": ENV["ZOHO_CLIENT_SECRET"],
            "JDE_PASSWORD": ENV["JDE_PASSWORD"],
            "ZOHO_REFRESH_TOKEN": None,
        },
    )
    assert result.exit_code == 0, result.output
    assert setup.served.account(JDE_ONLY)["Account_Name"]


def test_a_secret_in_the_notify_urls_query_is_never_printed(setup: Setup, invoke: Invoke) -> None:
    secret = "s3cr3t-proxy-auth-value-77"  # Zoho's own example notify URL carries ?authorization=...
    config = setup.config(
        {"serve": {"notify_url": f"https://sync.example/zoho/notify?authorization={secret}"}}
    )
    outputs = [
        invoke("channels", "ensure", "--config", str(config)),
        invoke("status", "--config", str(config)),
        invoke("channels", "list", "--config", str(config)),
    ]
    assert all(result.exit_code == 0 for result in outputs), [result.output for result in outputs]
    assert all("sync.example/zoho/notify" in result.output for result in outputs)
    assert not [result.output for result in outputs if secret in result.output]
