"""Convergence under random edits, faults and crashes: a hypothesis state machine over both emulators.

Rules edit either side (updates, creates, duplicate e-mails, deletes, edits of one record on both sides,
contacts' titles on either or both sides),
inject faults (429 storms with and without Retry-After, 5xx, resets, session and token expiry in the middle
of a run, refused rows), crash the engine at random events (after a write and before its checkpoint
included), deliver notifications twice or late, replay failures, and run syncs. After each *quiescent*
sync (faults cleared, runs repeated until nothing is written), the invariants must hold:

* every live link's two records agree on every mapped field (up to what each system stores);
* no Zoho twin for one JDE key, e-mail or tax id, and no JDE twin for one Zoho record;
* no change is lost: each field the rules edited holds the last value written on one of the sides (an
  edited contact, whose title no system refuses, must also agree on both sides and never wait in the
  failures);
* every JDE customer is linked or has an open failure; every Zoho account is linked or has one;
* the audit trail accounts for every write (each record's audit id stamp is an audit event).

The emulators run in-process (thousands of exchanges per example; the socket path is covered by the
integration and crash tests). ``JZ_CHAOS_PROFILE=nightly`` (``nox -s chaos``) runs the long profile.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from jde_zoho_sdk import RetryPolicy
from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.sync import (
    DefaultMapper,
    Entity,
    MappingContext,
    PageRead,
    SqliteStateStore,
    SyncAbortedError,
    SyncConfig,
    SyncEngine,
    SyncEvent,
)
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.faults import Fault
from jde_zoho_sdk.testing.zoho import ZohoEmulator
from jde_zoho_sdk.zoho import Notification, Region, ZohoClient, ZohoOAuth, ZohoRecord
from tests.chaos.conftest import STATS

pytestmark = pytest.mark.slow

CITIES = ("Chicago", "Skokie", "Evanston", "Gary", "Joliet")
TITLES = ("Buyer", "Controller", "Purchasing Manager", "Head of Purchasing", "Accounts Payable")
MAPPER = DefaultMapper()


class SimulatedCrash(BaseException):
    """Stops the engine mid-run like a crash (a BaseException: no handler of the engine catches it)."""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@attrs.define
class Chaos:
    """What happens at the engine's events during one run."""

    crash_at: tuple[str, int] | None = None
    expire_sessions_at: int | None = None
    expire_tokens_at: int | None = None
    seen: Counter[str] = attrs.field(factory=Counter)
    ais: AisEmulator | None = None
    zoho: ZohoEmulator | None = None

    def on_event(self, event: SyncEvent) -> None:
        kind = type(event).__name__
        self.seen[kind] += 1
        pages = self.seen["PageRead"]
        if isinstance(event, PageRead) and self.ais is not None and pages == self.expire_sessions_at:
            self.ais.expire_sessions()
            self.ais.expire_result_sets()
        if isinstance(event, PageRead) and self.zoho is not None and pages == self.expire_tokens_at:
            self.zoho.expire_tokens()
        if self.crash_at is not None and self.crash_at == (kind, self.seen[kind]):
            STATS["crashes"] += 1
            raise SimulatedCrash(kind)


FAULTS = {
    "zoho_429_retry_after": lambda: Fault(path=r"/crm/", status=429, headers={"Retry-After": "2"}, times=2,
                                          body={"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many concurrent requests", "status": "error"}),
    "zoho_429": lambda: Fault(path=r"/crm/", status=429, times=3,
                              body={"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many concurrent requests", "status": "error"}),
    "zoho_503": lambda: Fault(path=r"/crm/", status=503, times=2),
    "zoho_502_on_reads": lambda: Fault(path=r"/crm/", method="GET", status=502, times=2),
    "zoho_reset": lambda: Fault(path=r"/crm/", reset=True, times=1),
    "ais_503": lambda: Fault(path=r"/jderest/", status=503, times=2),
    "ais_reset_on_reads": lambda: Fault(path=r"/dataservice", reset=True, times=1),
    "ais_overloaded": lambda: Fault(path=r"/jderest/", status=503, times=12, label="ais_overload"),
    "ais_500_on_orchestrations": lambda: Fault(path=r"/orchestrator/", status=500, times=1,
                                               body={"message": "Internal error", "exception": "Exception"}),
    "zoho_credits_exhausted": lambda: Fault(path=r"/crm/", status=429, times=2,
                                            body={"code": "TOO_MANY_REQUESTS", "details": {}, "status": "error",
                                                  "message": "API credits exhausted for the rolling 24-hour window"}),
}  # fmt: skip


class SyncMachine(RuleBasedStateMachine):
    """Random edits, faults and crashes on both systems, synced by one engine."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="jz-chaos-"))
        self.clock = Clock()
        self.ais_emu = AisEmulator(timezone="America/Chicago", clock=self.clock)
        self.zoho_emu = ZohoEmulator(notify=False, clock=self.clock)
        retry = RetryPolicy(max_tries=4, sleep=lambda _seconds: None)
        self.ais = AisClient(
            "https://ais.emulator",
            AisCredentials("JDE", "JDE"),
            timezone="America/Chicago",
            transport=self.ais_emu.transport(),
            retry=retry,
            clock=self.clock,
        )
        oauth = ZohoOAuth.from_refresh_token(
            self.zoho_emu.client_id,
            self.zoho_emu.client_secret,
            self.zoho_emu.refresh_token,
            Region.custom(self.zoho_emu.url, self.zoho_emu.url),
            clock=self.clock,
        )
        self.zoho = ZohoClient(oauth, transport=self.zoho_emu.transport(), retry=retry)
        self.store = SqliteStateStore(self.dir / "state.db")
        # (record, field) -> {side: last value written there}, since the last quiescent check.
        self.edits: dict[tuple[str, str], dict[str, object]] = {}
        self.customers: list[int] = []
        # Customers whose Zoho account a rule deleted: their contacts fail at stage parent from the next run.
        self.accounts_deleted: set[str] = set()

    def teardown(self) -> None:
        self.ais.close()
        self.zoho.close()
        self.store.close()

    def engine(self, chaos: Chaos | None = None) -> SyncEngine:
        return SyncEngine(
            ais=self.ais,
            zoho=self.zoho,
            store=self.store,
            config=SyncConfig(batch_size=4),
            observers=[chaos] if chaos else [],
            clock=self.clock,
        )

    def tick(self, seconds: int = 7) -> None:
        self.clock.now += timedelta(seconds=seconds)

    @initialize(size=st.integers(min_value=3, max_value=9), data_seed=st.integers(0, 1000))
    def load(self, size: int, data_seed: int) -> None:
        data = seed.generate(customers=size, zoho_only=2, suppliers=2, seed=data_seed)
        seed.load(data, ais=self.ais_emu, zoho=self.zoho_emu)
        self.customers = [int(row["AN8"]) for row in data.jde["F0101"] if row["AT1"] == "C"]  # type: ignore[call-overload]
        self.tick()

    # -- edits -----------------------------------------------------------------------------------------

    def _account(self, number: int) -> dict[str, object] | None:
        for account in self.zoho_emu.records("Accounts"):
            if account.get("JDE_Address_Number") == str(number):
                return account
        return None

    def _edited(self, number: int | str, field: str, side: str, value: object) -> None:
        self.edits.setdefault((str(number), field), {})[side] = value
        STATS["edits"] += 1
        self.tick()

    @rule(index=st.integers(0, 50), amount=st.integers(1, 400))
    def edit_jde_credit_limit(self, index: int, amount: int) -> None:
        number = self.customers[index % len(self.customers)]
        if self.ais_emu.tables.get("F03012", {"AN8": number, "CO": "00000"}) is None:
            return
        self.ais_emu.tables.update("F03012", {"AN8": number, "CO": "00000"}, {"ACL": Decimal(amount * 250)})
        self._edited(number, "credit_limit", "jde", Decimal(amount * 250))

    @rule(index=st.integers(0, 50), city=st.sampled_from(CITIES))
    def edit_jde_city(self, index: int, city: str) -> None:
        number = self.customers[index % len(self.customers)]
        for row in self.ais_emu.tables.rows("F0116", AN8=number):
            self.ais_emu.tables.update("F0116", {"AN8": number, "EFTB": row["EFTB"]}, {"CTY1": city})
            self._edited(number, "city", "jde", city)

    @rule(index=st.integers(0, 50), city=st.sampled_from(CITIES))
    def edit_zoho_city(self, index: int, city: str) -> None:
        number = self.customers[index % len(self.customers)]
        account = self._account(number)
        if account is not None:
            self.zoho_emu.update("Accounts", str(account["id"]), {"Billing_City": city})
            self._edited(number, "city", "zoho", city)

    @rule(index=st.integers(0, 50), amount=st.integers(1, 400))
    def edit_zoho_credit_limit(self, index: int, amount: int) -> None:
        number = self.customers[index % len(self.customers)]
        account = self._account(number)
        if account is not None:
            self.zoho_emu.update("Accounts", str(account["id"]), {"Credit_Limit": Decimal(amount * 250)})
            self._edited(number, "credit_limit", "zoho", Decimal(amount * 250))

    def _contact(self, index: int) -> tuple[str, str] | None:
        """A live linked contact of a live linked account or vendor: its JDE key and Zoho id.

        (A contact of an account deleted in Zoho fails at stage parent until a person re-parents it.)
        """
        parents = {
            link.jde_key
            for entity in (Entity.CUSTOMER, Entity.SUPPLIER)
            for link in self.store.page_links(entity, limit=500)
            if not link.deleted
        }
        links = [
            link
            for link in self.store.page_links(Entity.CONTACT, limit=500)
            if not link.deleted
            and link.jde_key.split("-")[0] in parents
            and link.jde_key.split("-")[0] not in self.accounts_deleted
        ]
        if not links:
            return None
        link = links[index % len(links)]
        return link.jde_key, link.zoho_id

    @rule(index=st.integers(0, 50), title=st.sampled_from(TITLES))
    def edit_jde_contact_title(self, index: int, title: str) -> None:
        contact = self._contact(index)
        if contact is None:
            return
        number, line = (int(part) for part in contact[0].split("-"))
        if self.ais_emu.tables.get("F0111", {"AN8": number, "IDLN": line}) is not None:
            self.ais_emu.tables.update("F0111", {"AN8": number, "IDLN": line}, {"ATTL": title})
            self._edited(contact[0], "title", "jde", title)

    @rule(index=st.integers(0, 50), title=st.sampled_from(TITLES))
    def edit_zoho_contact_title(self, index: int, title: str) -> None:
        contact = self._contact(index)
        if contact is not None and self.zoho_emu.get("Contacts", contact[1]) is not None:
            self.zoho_emu.update("Contacts", contact[1], {"Title": title})
            self._edited(contact[0], "title", "zoho", title)

    @rule(index=st.integers(0, 50), titles=st.tuples(st.sampled_from(TITLES), st.sampled_from(TITLES)))
    def edit_contact_title_on_both_sides(self, index: int, titles: tuple[str, str]) -> None:
        """Zoho, then JDE: the merge in the Zoho -> JDE phase owes Zoho the newer JDE title."""
        self.edit_zoho_contact_title(index, titles[0])
        self.edit_jde_contact_title(index, titles[1])

    @rule(serial=st.integers(0, 10_000), copy_email=st.booleans())
    def create_zoho_account(self, serial: int, copy_email: bool) -> None:
        email = f"new{serial}@chaos.example"
        if copy_email:
            # A duplicate e-mail of an existing JDE customer: it must be linked, never twinned.
            rows = [r for r in self.ais_emu.tables.rows("F01151") if r["IDLN"] == 0 and "@" in str(r["EMAL"])]
            if rows:
                email = str(rows[serial % len(rows)]["EMAL"])
        if any(a.get("Email") == email for a in self.zoho_emu.records("Accounts")):
            return
        self.zoho_emu.insert("Accounts", {"Account_Name": f"Chaos {serial}", "Email": email})
        STATS["edits"] += 1
        self.tick()

    @rule(serial=st.integers(0, 10_000))
    def create_jde_customer(self, serial: int) -> None:
        row = self.ais_emu.tables.insert(
            "F0101", {"ALPH": f"JDE Chaos {serial}", "AT1": "C", "TAX": f"77-{serial:07d}"}
        )
        number = int(row["AN8"])  # type: ignore[call-overload]
        self.ais_emu.tables.insert(
            "F03012", {"AN8": number, "CO": "00000", "ACL": Decimal(5000), "TRAR": "N30"}
        )
        self.customers.append(number)
        STATS["edits"] += 1
        self.tick()

    @rule(index=st.integers(0, 50))
    def delete_zoho_account(self, index: int) -> None:
        number = self.customers[index % len(self.customers)]
        account = self._account(number)
        if account is not None:
            self.zoho_emu.delete("Accounts", str(account["id"]))
            self.accounts_deleted.add(str(number))
            # Its contacts fail (stage parent) until a person re-parents them: their edits wait too.
            self.edits = {
                key: value
                for key, value in self.edits.items()
                if key[0] != str(number) and not key[0].startswith(f"{number}-")
            }
            STATS["deletes"] += 1
            self.tick()

    @rule(index=st.integers(0, 50), bad=st.booleans())
    def set_jde_email(self, index: int, bad: bool) -> None:
        number = self.customers[index % len(self.customers)]
        key = {"AN8": number, "IDLN": 0, "RCK7": 1}
        email = "not-an-e-mail" if bad else f"fixed{number}@chaos.example"
        if any(r["EMAL"] == email for r in self.ais_emu.tables.rows("F01151")):
            return
        if self.ais_emu.tables.get("F01151", key) is None:
            self.ais_emu.tables.insert("F01151", {**key, "ETP": "E", "EMAL": email})
        else:
            self.ais_emu.tables.update("F01151", key, {"EMAL": email})
        self._edited(number, "email", "jde", email)

    @rule(index=st.integers(0, 50), late=st.booleans())
    def deliver_notification(self, index: int, late: bool) -> None:
        """A notification delivered twice, late (older than the change), or for a deleted record."""
        number = self.customers[index % len(self.customers)]
        account = self._account(number)
        ids = (str(account["id"]),) if account else ("5725767999999999999",)
        when = self.clock.now - (timedelta(hours=2) if late else timedelta(0))
        note = Notification(module="Accounts", operation="update", ids=ids, channel_id="1", server_time=when)
        self.engine().handle_notification(note)
        self.engine().handle_notification(note)
        STATS["notifications"] += 2

    # -- faults, crashes, runs -------------------------------------------------------------------------

    @rule(kind=st.sampled_from(sorted(FAULTS)))
    def inject_fault(self, kind: str) -> None:
        fault = FAULTS[kind]()
        (self.zoho_emu if kind.startswith("zoho") else self.ais_emu).faults.add(fault)
        STATS[f"fault:{kind}"] += 1

    @rule(
        crash=st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(["BatchWritten", "CheckpointCommitted", "PageRead"]), st.integers(1, 4)
            ),
        ),
        expire_sessions_at=st.one_of(st.none(), st.integers(1, 3)),
        expire_tokens_at=st.one_of(st.none(), st.integers(1, 3)),
    )
    def run_sync(
        self, crash: tuple[str, int] | None, expire_sessions_at: int | None, expire_tokens_at: int | None
    ) -> None:
        chaos = Chaos(crash, expire_sessions_at, expire_tokens_at, ais=self.ais_emu, zoho=self.zoho_emu)
        STATS["runs"] += 1
        try:
            self.engine(chaos).run()
        except (SimulatedCrash, SyncAbortedError):
            STATS["stopped_runs"] += 1
        self.tick(61)

    @rule()
    def replay(self) -> None:
        try:
            self.engine().replay()
        except SyncAbortedError:
            STATS["stopped_runs"] += 1
        self.tick()

    @precondition(lambda self: bool(self.customers))
    @rule()
    def quiesce_and_check(self) -> None:
        """Clear the faults, sync until nothing moves, then check every invariant."""
        self.zoho_emu.faults.clear()
        self.ais_emu.faults.clear()
        for _ in range(4):
            self.tick(61)
            self.engine().replay()
            report = self.engine().run()
            if report.written == 0:
                break
        else:
            pytest.fail(f"no quiescence after 4 runs: {report.counts}")
        STATS["quiescent_checks"] += 1
        self.check_pairs_agree()
        self.check_no_twins()
        self.check_no_lost_change()
        self.check_everything_linked_or_failed()
        self.check_audit_accounts_for_writes()
        self.edits.clear()

    # -- invariants --------------------------------------------------------------------------------------

    def _links(self) -> dict[str, tuple[str, bool]]:
        links: dict[str, tuple[str, bool]] = {}
        after = ""
        while page := self.store.page_links(Entity.CUSTOMER, after_jde_key=after, limit=500):
            after = page[-1].jde_key
            links.update({link.jde_key: (link.zoho_id, link.deleted) for link in page})
        return links

    def check_pairs_agree(self) -> None:
        """Linked pairs agree, but for records with an open failure (bad data waits for a human)."""
        links = self._links()
        failing = {failure.source_key for failure in self.store.list_failures()}
        live = [key for key, (zoho_id, dead) in links.items() if not dead and not {key, zoho_id} & failing]
        jde_records = self.engine()._jde.read(Entity.CUSTOMER, live)
        for key, aggregate in jde_records.items():
            zoho_id, _ = links[key]
            values = self.zoho_emu.get("Accounts", zoho_id)
            assert values is not None, f"linked account {zoho_id} of {key} is gone"
            jde_c = MAPPER.normalize(MAPPER.from_jde(aggregate), "jde")
            zoho_c = MAPPER.normalize(
                MAPPER.from_zoho(
                    Entity.CUSTOMER,
                    ZohoRecord(id=zoho_id, module="Accounts", modified_time=None, values=values),
                    context=_NO_LINKS,
                ),
                "zoho",
            )
            as_zoho = MAPPER.normalize(jde_c, "zoho").values()
            as_jde = MAPPER.normalize(zoho_c, "jde").values()
            for field, value in jde_c.values().items():
                agree = as_zoho[field] == zoho_c.values()[field] or as_jde[field] == value
                assert agree, (
                    f"{key}/{zoho_id} disagree on {field}: JDE {value!r}, Zoho {zoho_c.values()[field]!r}"
                )
            STATS["pairs_checked"] += 1

    def check_no_twins(self) -> None:
        accounts = self.zoho_emu.records("Accounts")
        keys = Counter(a.get("JDE_Address_Number") for a in accounts if a.get("JDE_Address_Number"))
        assert not keys or max(keys.values()) == 1, f"Zoho twins for one JDE key: {keys.most_common(2)}"
        emails = Counter(a.get("Email") for a in accounts if a.get("Email"))
        assert not emails or max(emails.values()) == 1
        references = Counter(r["ALKY"] for r in self.ais_emu.tables.rows("F0101") if r["ALKY"])
        assert not references or max(references.values()) == 1, f"JDE twins: {references.most_common(2)}"

    def check_no_lost_change(self) -> None:
        """Each edited field holds the last value written on a side, unless the record waits in the failures.

        Contacts are edited in their title only, which neither system refuses: an edited contact must never
        wait in the failures (its account is live: the delete rule drops its contacts' edits).
        """
        self._check_no_lost_contact_change()
        links = self._links()
        failing = {failure.source_key for failure in self.store.list_failures()}
        for (key, field), written in self.edits.items():
            if field == "title":
                continue
            zoho_id, dead = links.get(key, ("", True))
            if dead or not zoho_id or key in failing or zoho_id in failing:
                continue
            account = self.zoho_emu.get("Accounts", zoho_id)
            assert account is not None
            zoho_value = {
                "city": account.get("Billing_City"),
                "credit_limit": account.get("Credit_Limit"),
                "email": account.get("Email"),
            }[field]
            assert zoho_value in written.values(), (
                f"{key}.{field}: Zoho holds {zoho_value!r}, last written {written}"
            )

    def _check_no_lost_contact_change(self) -> None:
        failures = {failure.source_key: failure for failure in self.store.list_failures()}
        for (key, field), written in self.edits.items():
            if field != "title":
                continue
            [link] = self.store.get_links_by_jde(Entity.CONTACT, [key]).values()
            for source in (key, link.zoho_id):
                failure = failures.get(source)
                assert failure is None, f"contact {key} failed: {failure.stage} {failure.message}"
            contact = self.zoho_emu.get("Contacts", link.zoho_id)
            assert contact is not None, f"linked contact {link.zoho_id} of {key} is gone"
            number, line = (int(part) for part in key.split("-"))
            row = self.ais_emu.tables.get("F0111", {"AN8": number, "IDLN": line})
            assert row is not None
            assert contact.get("Title") == row["ATTL"], (
                f"contact {key}: JDE {row['ATTL']!r}, Zoho {contact.get('Title')!r}"
            )
            assert row["ATTL"] in written.values(), (
                f"contact {key}.title: {row['ATTL']!r}, last written {written}"
            )

    def check_everything_linked_or_failed(self) -> None:
        links = self._links()
        failing = {failure.source_key for failure in self.store.list_failures()}
        for row in self.ais_emu.tables.rows("F0101"):
            if row["AT1"] == "C":
                key = str(row["AN8"])
                assert key in links or key in failing, f"JDE customer {key} neither linked nor failed"
        linked_ids = {zoho_id for zoho_id, _ in links.values()}
        for account in self.zoho_emu.records("Accounts"):
            assert account["id"] in linked_ids or account["id"] in failing, (
                f"account {account['id']} neither linked nor failed"
            )

    def check_audit_accounts_for_writes(self) -> None:
        audit_ids = {event.audit_id for event in self.store.query_audit(limit=1_000_000)}
        for account in self.zoho_emu.records("Accounts"):
            stamp = account.get("Sync_Audit_ID")
            if stamp:
                assert stamp in audit_ids, f"account {account['id']} carries audit id {stamp} nobody recorded"

    @invariant()
    def store_is_consistent(self) -> None:
        # At any point (not only when quiescent): no two live links share a Zoho id, and cursors never
        # run ahead of the test's clock.
        cursor = self.store.get_cursor("zoho:Accounts")
        assert cursor is None or cursor <= self.clock.now


_NO_LINKS = MappingContext()

TestConvergence = SyncMachine.TestCase
