"""What each role may see, table-driven."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.auth import Forbidden, Principal, Role

CAMDEN, WESTMINSTER = "E09000007", "E09000033"
CAMDEN_WARD, OTHER_CAMDEN_WARD = "E05013652", "E05013653"

SYSTEM = Principal("t-sys", "ingest feed", Role.SYSTEM)
CENTRAL = Principal("t-cen", "central performance unit", Role.CENTRAL)
LEAD = Principal("t-lead", "Camden SN lead", Role.BOROUGH_LEAD, boroughs=frozenset({CAMDEN}))
INSPECTOR = Principal(
    "t-insp", "Cluster 2 inspector", Role.CLUSTER_INSPECTOR, wards=frozenset({CAMDEN_WARD})
)


@pytest.mark.parametrize(
    ("principal", "mps", "camden", "westminster"),
    [
        (SYSTEM, True, True, True),
        (CENTRAL, True, True, True),
        (LEAD, False, True, False),
        (INSPECTOR, False, False, False),
    ],
)
def test_mps_and_borough_visibility(
    principal: Principal, mps: bool, camden: bool, westminster: bool
) -> None:
    assert principal.can_see_mps() is mps
    assert principal.can_see_borough(CAMDEN) is camden
    assert principal.can_see_borough(WESTMINSTER) is westminster


@pytest.mark.parametrize(
    ("principal", "ward", "borough", "visible"),
    [
        (CENTRAL, OTHER_CAMDEN_WARD, WESTMINSTER, True),
        (LEAD, OTHER_CAMDEN_WARD, CAMDEN, True),
        (LEAD, CAMDEN_WARD, WESTMINSTER, False),
        (INSPECTOR, CAMDEN_WARD, CAMDEN, True),
        (INSPECTOR, CAMDEN_WARD, WESTMINSTER, True),
        (INSPECTOR, OTHER_CAMDEN_WARD, CAMDEN, False),
    ],
)
def test_ward_visibility(principal: Principal, ward: str, borough: str, visible: bool) -> None:
    assert principal.can_see_ward(ward, borough) is visible


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: LEAD.require_borough(WESTMINSTER), "borough E09000033 is not in your scope"),
        (lambda: INSPECTOR.require_ward(OTHER_CAMDEN_WARD, CAMDEN), "ward E05013653 is not in"),
        (lambda: LEAD.require_mps(), "MPS-wide view needs the system or central role"),
        (lambda: CENTRAL.require_role(Role.SYSTEM), "role central may not do this"),
    ],
)
def test_require_raises_forbidden_saying_why(check: Callable[[], None], message: str) -> None:
    with pytest.raises(Forbidden, match=message):
        check()


def test_require_passes_silently_in_scope() -> None:
    LEAD.require_borough(CAMDEN)
    LEAD.require_ward(CAMDEN_WARD, CAMDEN)
    INSPECTOR.require_ward(CAMDEN_WARD, CAMDEN)
    CENTRAL.require_mps()
    SYSTEM.require_role(Role.SYSTEM, Role.CENTRAL)


def test_principal_is_frozen() -> None:
    with pytest.raises(AttributeError):
        LEAD.role = Role.CENTRAL  # type: ignore[misc]
