"""Keeping the garbage collector off the static heap (reference data, classification).

A service loads a large, never-freed object graph at start (ward polygons, lookups). Python's
cyclic collector would otherwise re-scan it at every full collection, which during a bulk
import happens many times a second. :func:`freeze_static` moves everything allocated so far
into the permanent generation; objects allocated afterwards are collected as usual.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNG_COLLECTION_EVERY: Final = 50_000
"""Allocations between collections of the youngest generation for a batch folder (700 by
default)."""


def freeze_static() -> None:
    """Call once the composition root has loaded its static data."""
    gc.collect()
    gc.freeze()


def collect_for_batches() -> None:
    """For a service folding consumed batches of thousands of events: each batch allocates
    tens of thousands of short-lived objects (freed by reference counting, not the cyclic
    collector), and collecting the youngest generation every 700 allocations promotes the
    batch's live objects into older generations whose collections then rescan the growing
    state. Collect the youngest every ``YOUNG_COLLECTION_EVERY`` allocations instead."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, oldest)
