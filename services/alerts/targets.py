"""Where a subscription may send: the allow-list an administrator configures.

A webhook URL must match an allowed origin (scheme, host and port; a host ``*.example.org``
allows its subdomains), carry no user name or password, and may reach this machine
(``localhost``, 127.0.0.0/8, ``::1``) only when loopback is explicitly allowed. An e-mail
address must be at an allowed domain. A Kafka target must be one of the alert topics, so a
subscription cannot write into another service's input. Anything else is refused with the
reason, before it is stored: a signed-in manager cannot make the service send elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
EMAIL: Final = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@([A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+)"
)
ALERT_TOPIC: Final = re.compile(r"snt\.alerts(\.[A-Za-z0-9_-]+)*\.v\d+")


@dataclass(frozen=True, slots=True)
class Origin:
    """An allowed webhook origin; ``host`` ``*.example.org`` matches its subdomains."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Origin:
        """``scheme://host[:port]`` (http or https, nothing after the port), or ValueError."""
        url = urlsplit(text.strip())
        host = (url.hostname or "").lower()
        if url.scheme not in DEFAULT_PORTS or not host or url.username or url.password:
            raise ValueError(f"{text!r} is not an origin scheme://host[:port] (http or https)")
        if url.path not in ("", "/") or url.query or url.fragment:
            raise ValueError(f"{text!r} is an origin: no path, query or fragment")
        return cls(url.scheme, host, _port(url))

    def allows(self, scheme: str, host: str, port: int) -> bool:
        if (scheme, port) != (self.scheme, self.port):
            return False
        if self.host.startswith("*."):
            return host.endswith(self.host[1:]) and len(host) > len(self.host) - 1
        return host == self.host


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """The configured allow-list; :meth:`problem` says why a target is refused (or None)."""

    origins: tuple[Origin, ...] = ()
    email_domains: tuple[str, ...] = ()
    loopback: bool = False

    @classmethod
    def of(cls, origins: Iterable[str], email_domains: Iterable[str],
           loopback: bool) -> TargetPolicy:  # fmt: skip
        return cls(tuple(Origin.parse(o) for o in origins),
                   tuple(d.strip().lower() for d in email_domains), loopback)  # fmt: skip

    def problem(self, channel: str, target: str) -> str | None:
        if channel == "webhook":
            return self._webhook(target)
        if channel == "email":
            return self._email(target)
        if not ALERT_TOPIC.fullmatch(target):
            return "a kafka target must be an alerts topic (snt.alerts[.name].vN)"
        return None

    def _webhook(self, target: str) -> str | None:
        try:
            url = urlsplit(target)
            port = _port(url)
        except ValueError:
            return "the webhook target is not a URL"
        host = (url.hostname or "").lower()
        if url.scheme not in DEFAULT_PORTS or not host:
            return "the webhook target must be an http or https URL"
        if url.username is not None or url.password is not None:
            return "the webhook target must not carry a user name or password"
        if is_loopback(host):
            return None if self.loopback else "webhooks to this machine are not allowed here"
        if any(o.allows(url.scheme, host, port) for o in self.origins):
            return None
        return f"{url.scheme}://{host}:{port} is not an allowed webhook origin"

    def _email(self, target: str) -> str | None:
        found = EMAIL.fullmatch(target)
        if found is None:
            return "the e-mail target is not an address (name@domain)"
        domain = found.group(1).lower()
        if any(domain == d or (d.startswith("*.") and domain.endswith(d[1:]))
               for d in self.email_domains):  # fmt: skip
            return None
        return f"e-mail to {domain} is not allowed"


def is_loopback(host: str) -> bool:
    """``localhost`` (and its subdomains), a loopback address (127.0.0.0/8, ::1) or the
    unspecified one (0.0.0.0, ::), which reaches this machine too."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    if mapped is not None:
        address = mapped
    return address.is_loopback or address.is_unspecified


def _port(url: SplitResult) -> int:
    """The URL's port, or its scheme's default (ValueError for a port out of range)."""
    return url.port or DEFAULT_PORTS.get(url.scheme, 0)
