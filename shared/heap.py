"""Keeping the garbage collector off the static heap (reference data, classification).

A service loads a large, never-freed object graph at start (ward polygons, lookups). Python's
cyclic collector would otherwise re-scan it at every full collection, which during a bulk
import happens many times a second. :func:`freeze_static` moves everything allocated so far
into the permanent generation; objects allocated afterwards are collected as usual.
"""

from __future__ import annotations

import gc


def freeze_static() -> None:
    """Call once the composition root has loaded its static data."""
    gc.collect()
    gc.freeze()
