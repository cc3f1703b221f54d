"""2018-set wards apportioned to 2022-set wards, for comparisons across the 2022 boundary
change.

A 2018-set ward whose code is not in the 2022 set (its boundary changed) is split among the
2022-set wards by the Census 2021 residents of the LSOAs they share: every LSOA whose code is
in both the 2011 LSOA → 2018 ward lookup and the 2021 LSOA → 2022 ward lookup (the LSOAs the
2021 census did not re-draw) gives its residents to the pair (its 2018 ward, its 2022 ward).
Each old ward's shares are divided by their sum, so they add up to exactly 1: apportioning
keeps every count (a borough's total is unchanged). A ward whose code is in both sets is the
same area and is never apportioned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from shared.reference.errors import ReferenceDataError

Crosswalk = dict[str, tuple[tuple[str, float], ...]]
"""2022-set ward code → ((2018-set ward code, share of that ward's counts), …)."""


def build_crosswalk(lsoa11: Mapping[str, str], lsoa21: Mapping[str, str],
                    residents: Mapping[str, int], codes_2018: Collection[str],
                    codes_2022: Collection[str]) -> Crosswalk:  # fmt: skip
    """The shares from LSOA → ward lookups of both vintages and residents per 2021 LSOA."""
    shared: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lsoa, new in lsoa21.items():
        old = lsoa11.get(lsoa)
        if old is not None and old not in codes_2022:
            shared[old][new] += residents.get(lsoa, 0)
    changed = [code for code in codes_2018 if code not in codes_2022]
    unmatched = sorted(code for code in changed if not sum(shared.get(code, {}).values()))
    if unmatched:
        raise ReferenceDataError(
            f"2018-set wards with no residents in an LSOA shared with the 2022 set: {unmatched}"
        )
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for old in sorted(changed):
        total = sum(shared[old].values())
        for new, residents_shared in sorted(shared[old].items()):
            if residents_shared:
                out[new].append((old, residents_shared / total))
    return {new: tuple(parts) for new, parts in out.items()}
