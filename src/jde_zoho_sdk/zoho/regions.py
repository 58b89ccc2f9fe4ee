"""Zoho data centers: where to ask for tokens and which API hosts a token answer may route us to.

A Zoho org lives in one data center; its tokens are issued by that center's accounts server and only
work on that center's API hosts. The token answer names the API host to use (``api_domain``), and
:meth:`Region.accepts` is the check that keeps a token from ever being sent anywhere else.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final, Literal
from urllib.parse import urlsplit

import attrs
import httpx

from jde_zoho_sdk._redact import redact_text
from jde_zoho_sdk._urls import url_problem
from jde_zoho_sdk.zoho.errors import ZohoConfigError

__all__ = ["DATA_CENTERS", "Environment", "Region"]

Environment = Literal["production", "sandbox", "developer"]
"""A Zoho org's environment: its API host is ``www.``, ``sandbox.`` or ``developer.zohoapis.<tld>``."""

_PREFIX: Final[dict[str, str]] = {"production": "www", "sandbox": "sandbox", "developer": "developer"}


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""
    if not parsed.scheme or not parsed.host:
        return ""
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme.lower()}://{parsed.host.lower()}{port}"


@attrs.frozen
class Region:
    """A Zoho data center (or a custom set-up such as the emulator).

    Use the class attributes (``Region.US``, ``Region.EU``...), :meth:`with_environment` for sandbox and
    developer orgs, or :meth:`custom` for an emulator.

    Attributes:
        name: ``"US"``, ``"EU"``... or ``"custom"``.
        accounts_url: The accounts server that issues tokens (``https://accounts.zoho.eu``).
        api_domain: The API host used until a token answer names one.
        tld: The API host suffix (``"eu"`` for ``zohoapis.eu``), empty for a custom region.

    Example:
        >>> Region.EU.accounts_url
        'https://accounts.zoho.eu'
        >>> Region.EU.accepts("https://sandbox.zohoapis.eu"), Region.EU.accepts("https://www.zohoapis.com")
        (True, False)
    """

    name: str
    accounts_url: str
    api_domain: str
    tld: str = ""

    US: ClassVar[Region]
    EU: ClassVar[Region]
    IN: ClassVar[Region]
    AU: ClassVar[Region]
    JP: ClassVar[Region]
    CA: ClassVar[Region]
    CN: ClassVar[Region]
    SA: ClassVar[Region]
    UK: ClassVar[Region]

    @classmethod
    def named(cls, name: str) -> Region:
        """The data center called ``name``, in any case (``"eu"``, ``"US"``), as the config file names it.

        Args:
            name: ``us``, ``eu``, ``in``, ``au``, ``jp``, ``ca``, ``cn``, ``sa`` or ``uk``.

        Returns:
            The region.

        Raises:
            ZohoConfigError: No data center is called ``name`` (the names are listed).

        Example:
            >>> Region.named("eu") is Region.EU
            True
        """
        centers = {center.name.lower(): center for center in DATA_CENTERS}
        found = centers.get(str(name).strip().lower())
        if found is None:
            raise ZohoConfigError(
                f"unknown data center {name!r}: expected one of {', '.join(centers)}", path="zoho.region"
            )
        return found

    @classmethod
    def custom(cls, accounts_url: str, api_domain: str, *, allow_insecure_http: bool = False) -> Region:
        """A region for an emulator or a private set-up: the token answer must name exactly ``api_domain``.

        Args:
            accounts_url: Base URL of the token endpoint's server (``http://127.0.0.1:54321``).
            api_domain: The only API origin accepted from a token answer.
            allow_insecure_http: Accept ``http://`` URLs to another machine, which send the client secret
                and tokens unencrypted (``http://`` to a loopback address is always accepted).

        Returns:
            The region.

        Raises:
            ZohoConfigError: A URL is not absolute https (or http to this machine), or holds credentials.
        """
        for setting, url in (("accounts_url", accounts_url), ("api_domain", api_domain)):
            parts = urlsplit(url.strip())
            if not _origin(url) or parts.scheme not in ("http", "https"):
                raise ZohoConfigError(
                    f"{redact_text(url)!r} is not an absolute https URL", path=f"zoho.region.{setting}"
                )
            problem = url_problem(parts, allow_insecure_http=allow_insecure_http)
            if problem:
                raise ZohoConfigError(f"the URL is refused: {problem}", path=f"zoho.region.{setting}")
        return cls("custom", accounts_url.strip().rstrip("/"), api_domain.strip().rstrip("/"))

    def with_environment(self, environment: Environment) -> Region:
        """The same data center with the API host of a sandbox or developer org as the starting host.

        Args:
            environment: ``"production"``, ``"sandbox"`` or ``"developer"``.

        Returns:
            The region (tokens are still issued by the same accounts server).

        Raises:
            ZohoConfigError: For a custom region, whose host is given whole.
        """
        if not self.tld:
            raise ZohoConfigError("a custom region has no sandbox or developer variant", path="zoho.region")
        return attrs.evolve(self, api_domain=f"https://{_PREFIX[environment]}.zohoapis.{self.tld}")

    def accepts(self, api_domain: str) -> bool:
        """Tell whether a token answer's ``api_domain`` is an API host of this region.

        A data center accepts ``https://(www|sandbox|developer).zohoapis.<its tld>`` and nothing else; a
        custom region accepts exactly its configured origin.

        Args:
            api_domain: The URL from the token answer.

        Returns:
            True when calls may be routed there (with the token).
        """
        origin = _origin(api_domain)
        if not origin:
            return False
        if not self.tld:
            return origin == _origin(self.api_domain)
        pattern = rf"https://(www|sandbox|developer)\.zohoapis\.{re.escape(self.tld)}"
        return re.fullmatch(pattern, origin) is not None

    @property
    def token_url(self) -> str:
        """The token endpoint, ``{accounts_url}/oauth/v2/token``."""
        return f"{self.accounts_url}/oauth/v2/token"


def _data_center(name: str, accounts_url: str, tld: str) -> Region:
    return Region(name, accounts_url, f"https://www.zohoapis.{tld}", tld)


Region.US = _data_center("US", "https://accounts.zoho.com", "com")
Region.EU = _data_center("EU", "https://accounts.zoho.eu", "eu")
Region.IN = _data_center("IN", "https://accounts.zoho.in", "in")
Region.AU = _data_center("AU", "https://accounts.zoho.com.au", "com.au")
Region.JP = _data_center("JP", "https://accounts.zoho.jp", "jp")
Region.CA = _data_center("CA", "https://accounts.zohocloud.ca", "ca")
Region.CN = _data_center("CN", "https://accounts.zoho.com.cn", "com.cn")
Region.SA = _data_center("SA", "https://accounts.zoho.sa", "sa")
# UNCONFIRMED: Zoho Accounts documents accounts.zoho.uk; the CRM API host zohoapis.uk follows the pattern of
# the other centers but is not in the CRM docs we could read.
Region.UK = _data_center("UK", "https://accounts.zoho.uk", "uk")

DATA_CENTERS: Final = (
    Region.US,
    Region.EU,
    Region.IN,
    Region.AU,
    Region.JP,
    Region.CA,
    Region.CN,
    Region.SA,
    Region.UK,
)
"""Every Zoho data center, in the order the docs list them."""
