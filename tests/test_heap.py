"""Start-up objects are kept out of the garbage collector's full walks (core/heap.py)."""

from __future__ import annotations

import gc

from core.heap import freeze_startup_objects


def test_the_objects_of_start_up_are_frozen_and_garbage_is_not():
    class Cycle:
        pass

    garbage = Cycle()
    garbage.me = garbage  # type: ignore[attr-defined]
    collected: list[object] = []
    gc.callbacks.append(lambda phase, info: collected.append(info) if phase == "stop" else None)
    try:
        del garbage
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
        assert any(info["collected"] for info in collected)  # the cycle went first
    finally:
        gc.callbacks.pop()
        gc.unfreeze()
