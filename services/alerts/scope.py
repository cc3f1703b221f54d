"""What each caller may see and touch in the alerts service: alerts, silences and the
boroughs named in filters. Central and system see everything; a borough lead their boroughs;
a cluster inspector their wards. Out of scope is ``Forbidden`` (HTTP 403, with the reason).

A silence is a write that acts on other people's alerts, so a caller without the MPS-wide
view may only make one whose matchers cannot reach outside their scope: it must name a
borough (or a ward, whose borough is then recorded as a matcher too) that they may see.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass

from services.alerts.domain.lifecycle import Alert
from services.alerts.domain.routing import Silence
from shared.auth import Forbidden, Principal, Role

BoroughOf = Callable[[str], str | None]
MPS = "MPS"


@dataclass(frozen=True, slots=True)
class Matchers:
    """Where a new silence applies: the area (ward or borough) and the borough."""

    area_code: str | None
    borough_code: str | None


class SilenceConflictError(ValueError):
    """Matchers that contradict each other (a ward with another borough): match nothing."""


class AlertScope:
    def __init__(self, borough_of: BoroughOf, boroughs: Container[str]) -> None:
        self._borough_of = borough_of
        self._boroughs = boroughs

    def known(self, code: str) -> bool:
        """``MPS``, an MPS borough, or a ward of the reference data."""
        return code == MPS or code in self._boroughs or self._borough_of(code) is not None

    def borough(self, area_code: str | None, borough_code: str | None) -> str | None:
        """The borough an alert or silence belongs to (None: MPS-wide or unknown)."""
        if borough_code is not None:
            return borough_code
        if area_code is None or area_code == MPS:
            return None
        return area_code if area_code.startswith("E09") else self._borough_of(area_code)

    def sees_alert(self, principal: Principal, alert: Alert) -> bool:
        if alert.level == "mps":
            return principal.can_see_mps()
        borough = self.borough(alert.area_code, alert.borough_code) or ""
        if alert.level == "borough":
            return principal.can_see_borough(alert.area_code)
        return principal.can_see_ward(alert.area_code, borough)

    def require_alert(self, principal: Principal, alert: Alert) -> None:
        if not self.sees_alert(principal, alert):
            raise Forbidden(f"out of scope: alert {alert.alert_id} is not in your scope")

    def sees_silence(self, principal: Principal, silence: Silence) -> bool:
        """Central and system see every silence; others those wholly inside their scope."""
        if principal.can_see_mps():
            return True
        borough = self.borough(silence.area_code, silence.borough_code)
        if borough is None or borough == MPS:
            return False
        if _is_ward(silence.area_code):
            return principal.can_see_ward(str(silence.area_code), borough)
        return principal.can_see_borough(borough)

    def require_borough_filter(self, principal: Principal, borough_code: str) -> None:
        """A list filtered by a borough: 403 unless the caller sees some of it."""
        if principal.can_see_borough(borough_code):
            return
        if principal.role is Role.CLUSTER_INSPECTOR and any(
            self._borough_of(ward) == borough_code for ward in principal.wards
        ):
            return
        raise Forbidden(f"out of scope: borough {borough_code} is not in your scope")

    def silence_matchers(self, principal: Principal, area_code: str | None,
                         borough_code: str | None) -> Matchers:  # fmt: skip
        """The matchers to store for a new silence, the ward's borough filled in; Forbidden
        if it could hold an alert outside the caller's scope, SilenceConflictError if it can
        match nothing."""
        if _is_ward(borough_code):  # a ward given as the borough (an alert with no borough)
            if area_code not in (None, borough_code):
                raise SilenceConflictError(f"{borough_code} is a ward, not a borough")
            area_code, borough_code = borough_code, None
        ward_borough = self._borough_of(area_code) if area_code and _is_ward(area_code) else None
        if ward_borough and borough_code and ward_borough != borough_code:
            raise SilenceConflictError(
                f"ward {area_code} is in borough {ward_borough}, not {borough_code}"
            )
        if area_code and area_code.startswith("E09") and borough_code not in (None, area_code):
            raise SilenceConflictError(f"area {area_code} and borough {borough_code} differ")
        borough = self.borough(area_code, borough_code)
        if not principal.can_see_mps():
            _require_confined(principal, area_code, borough)
        return Matchers(area_code, borough)


def _require_confined(principal: Principal, area_code: str | None, borough: str | None) -> None:
    if borough is None or borough == MPS:
        raise Forbidden(
            "out of scope: a silence without a borough_code or area_code in your scope "
            "could hold other boroughs' alerts; name your borough or ward"
        )
    if _is_ward(area_code):
        principal.require_ward(str(area_code), borough)
    elif principal.role is Role.CLUSTER_INSPECTOR:
        raise Forbidden("out of scope: a cluster inspector may silence only their own wards")
    else:
        principal.require_borough(borough)


def _is_ward(code: str | None) -> bool:
    return code is not None and code.startswith("E05")
