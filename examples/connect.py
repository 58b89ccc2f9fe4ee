"""Connect the examples to your own systems when their settings are in the environment, else to emulators.

Every example opens its systems with :func:`systems`. When ``AIS_BASE_URL`` is not set it starts the SDK's
AIS and Zoho CRM emulators on loopback sockets, seeds them with a small distributor (customers, contacts and
suppliers, some already in both systems), and points the clients at them: the examples run anywhere, with
no credential, and leave nothing running.

To run an example against your own systems, set:

    AIS_BASE_URL        the AIS Server, such as https://ais.example.com:9300
    AIS_USERNAME        the JDE user the sync logs in as
    JDE_PASSWORD        its password
    JDE_TIMEZONE        the JDE *database server's* zone, such as America/Chicago (required)
    JDE_ENVIRONMENT     optional: the AIS default environment when unset
    JDE_ROLE            optional: the AIS default role when unset
    ZOHO_REGION         us, eu, in, au, jp, ca, cn, sa or uk
    ZOHO_CLIENT_ID      the OAuth client id (1000.XXXX)
    ZOHO_CLIENT_SECRET  its secret
    ZOHO_REFRESH_TOKEN  a refresh token of that client
    ZOHO_EDITION        free, standard, professional, enterprise or ultimate (default: standard)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final

import attrs

from jde_zoho_sdk.jde import AisClient, AisCredentials
from jde_zoho_sdk.testing import seed
from jde_zoho_sdk.testing.ais import AisEmulator
from jde_zoho_sdk.testing.zoho import ZohoEmulator, ZohoField
from jde_zoho_sdk.zoho import Edition, Region, ZohoClient, ZohoOAuth

EMULATED_ZONE: Final = "America/Chicago"
"""The emulated JDE database server's zone (UPMJ/UPMT are stamped in it)."""
EMULATED_USER: Final = "ZOHOSYNC"
EMULATED_PASSWORD: Final = "emulated-pa55word"  # noqa: S105 - the emulator's own, fake credential

REGIONS: Final[Mapping[str, Region]] = {
    "us": Region.US, "eu": Region.EU, "in": Region.IN, "au": Region.AU, "jp": Region.JP,
    "ca": Region.CA, "cn": Region.CN, "sa": Region.SA, "uk": Region.UK,
}  # fmt: skip
EDITIONS: Final[Mapping[str, Edition]] = {
    "free": "free", "standard": "standard", "professional": "professional",
    "enterprise": "enterprise", "ultimate": "ultimate",
}  # fmt: skip


@attrs.define
class Systems:
    """The two clients, and the emulators behind them when no real system is configured."""

    ais: AisClient
    zoho: ZohoClient
    ais_emulator: AisEmulator | None = None
    zoho_emulator: ZohoEmulator | None = None

    @property
    def emulated(self) -> bool:
        """True when the clients talk to the emulators."""
        return self.ais_emulator is not None


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"{name} is not set (see examples/connect.py for the variables)")
    return value


@contextmanager
def real_systems() -> Iterator[Systems]:
    """Clients for the systems named by the environment variables above."""
    credentials = AisCredentials(
        _required("AIS_USERNAME"),
        _required("JDE_PASSWORD"),
        environment=os.environ.get("JDE_ENVIRONMENT") or None,
        role=os.environ.get("JDE_ROLE") or None,
    )
    region = REGIONS[_required("ZOHO_REGION").lower()]
    oauth = ZohoOAuth.from_refresh_token(
        _required("ZOHO_CLIENT_ID"), _required("ZOHO_CLIENT_SECRET"), _required("ZOHO_REFRESH_TOKEN"), region
    )
    edition = EDITIONS[os.environ.get("ZOHO_EDITION", "standard").lower()]
    with (
        AisClient(_required("AIS_BASE_URL"), credentials, timezone=_required("JDE_TIMEZONE")) as ais,
        ZohoClient(oauth, edition=edition) as zoho,
    ):
        yield Systems(ais=ais, zoho=zoho)


@contextmanager
def emulated_systems(
    *,
    customers: int = 12,
    data_seed: int = 7,
    notify: bool = False,
    payment_terms: Sequence[str] | None = None,
    extra_zoho_fields: Mapping[str, Sequence[ZohoField]] | None = None,
) -> Iterator[Systems]:
    """Both emulators on loopback sockets, seeded with a small distributor, and clients pointed at them.

    Args:
        customers: JDE customers to seed (accounts only in Zoho and suppliers are derived from it).
        data_seed: The data set's seed (the same seed gives the same data).
        notify: Whether the Zoho emulator posts notifications to the channels it is asked to open.
        payment_terms: The values of the emulated Accounts ``Payment_Terms`` picklist.
        extra_zoho_fields: More fields per emulated module (custom fields of your own).

    Yields:
        The clients and the emulators.
    """
    org = (
        ZohoEmulator(notify=notify, extra_fields=extra_zoho_fields)
        if payment_terms is None
        else ZohoEmulator(notify=notify, extra_fields=extra_zoho_fields, payment_terms=payment_terms)
    )
    jde = AisEmulator(users={EMULATED_USER: EMULATED_PASSWORD}, timezone=EMULATED_ZONE)
    with jde.serve() as ais_emulator, org.serve() as zoho_emulator:
        assert ais_emulator.url is not None
        seed.load(seed.generate(customers=customers, seed=data_seed), ais=ais_emulator, zoho=zoho_emulator)
        # The emulator is its own accounts server and API host: a custom region accepts exactly that host.
        region = Region.custom(zoho_emulator.url, zoho_emulator.url)
        oauth = ZohoOAuth.from_refresh_token(
            zoho_emulator.client_id, zoho_emulator.client_secret, zoho_emulator.refresh_token, region
        )
        credentials = AisCredentials(EMULATED_USER, EMULATED_PASSWORD)
        with (
            AisClient(ais_emulator.url, credentials, timezone=EMULATED_ZONE) as ais,
            ZohoClient(oauth, edition="enterprise") as zoho,
        ):
            yield Systems(ais=ais, zoho=zoho, ais_emulator=ais_emulator, zoho_emulator=zoho_emulator)


@contextmanager
def systems(
    *,
    customers: int = 12,
    notify: bool = False,
    payment_terms: Sequence[str] | None = None,
    extra_zoho_fields: Mapping[str, Sequence[ZohoField]] | None = None,
) -> Iterator[Systems]:
    """Your systems when ``AIS_BASE_URL`` is set, else the seeded emulators (see :func:`emulated_systems`).

    Args:
        customers: JDE customers to seed into the emulators.
        notify: Whether the Zoho emulator posts notifications.
        payment_terms: The emulated ``Payment_Terms`` picklist values.
        extra_zoho_fields: More fields per emulated module.

    Yields:
        The clients (and the emulators, when used).
    """
    if os.environ.get("AIS_BASE_URL"):
        with real_systems() as found:
            yield found
        return
    with emulated_systems(
        customers=customers,
        notify=notify,
        payment_terms=payment_terms,
        extra_zoho_fields=extra_zoho_fields,
    ) as found:
        yield found
