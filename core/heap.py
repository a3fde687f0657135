"""The garbage collector in long-running processes.

Python's full collection walks every object that is tracked, and most of the objects in
a server process are there from start-up on: modules, classes, SQLAlchemy's and
pydantic's tables. In the API that walk took about 120 ms, every seventh or eighth
reflection report (docs/benchmarks.md): a request that allocates a few hundred thousand
short-lived objects sets it off. ``gc.freeze()`` after start-up moves those objects out
of the collector's sight (they stay alive; reference counting still frees what becomes
unreachable without cycles), and a full collection then takes about a millisecond.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once, after the process has imported and built what it serves with."""
    gc.collect()  # what is garbage now is not kept for good
    gc.freeze()
