"""Compiled code kept for the workflow sandbox: the workflow modules', and the SDK's own
snippets.

The SDK's sandbox imports a workflow's module anew for every workflow instance it
creates (each case the worker starts, and again after an eviction from its cache). The
image runs with ``PYTHONDONTWRITEBYTECODE`` and no ``__pycache__``, so every such import
compiled the module's source again: about 2 ms of the worker's CPU per case start
(docs/benchmarks.md). The module is still executed anew in each sandbox, as before; only
compiling the same source again is skipped: the code object is kept per file together
with the source it came from, and used only while that source is unchanged.

The sandbox also runs each of its steps (an activation, and finding the serialization
context of every payload the worker decodes or encodes, several times per activation)
as a snippet of source through ``exec``, which compiled the snippet every time: 7 % of
the worker's CPU. They are a handful of fixed strings; each is compiled once.
"""

from __future__ import annotations
import __future__

import functools
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import CodeType
from typing import Any

import temporalio.worker.workflow_sandbox._runner as sandbox_runner


class _RememberingLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, code: dict[str, tuple[bytes, CodeType]]) -> None:
        super().__init__(fullname, path)
        self._code = code

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> CodeType:  # type: ignore[override]
        known = self._code.get(path)
        if known is not None and known[0] == data:
            return known[1]
        code = super().source_to_code(data, path, _optimize=_optimize)
        if isinstance(data, bytes):
            self._code[path] = (data, code)
        return code


class WorkflowCodeCache(importlib.abc.MetaPathFinder):
    """Finds the modules of ``packages`` as the path finder does, with a loader that
    compiles each source once per process."""

    def __init__(self, packages: Sequence[str]) -> None:
        self.packages = frozenset(packages)
        self.code: dict[str, tuple[bytes, CodeType]] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if (
            spec is not None
            and type(spec.loader) is importlib.machinery.SourceFileLoader
            and spec.origin is not None
        ):
            spec.loader = _RememberingLoader(fullname, spec.origin, self.code)
        return spec


@functools.lru_cache(maxsize=256)
def compiled_snippet(code: str) -> CodeType:
    """A sandbox snippet compiled as ``exec`` compiles it in the SDK's module (which has
    ``from __future__ import annotations``)."""
    flags = __future__.annotations.compiler_flag
    snippet: CodeType = compile(code, "<string>", "exec", flags=flags, dont_inherit=True)
    return snippet


def _compile_sandbox_snippets_once() -> None:
    instance = getattr(sandbox_runner, "_Instance", None)
    original = getattr(instance, "_run_code", None)
    if original is None or hasattr(original, "snippets"):
        return  # another SDK version (tests/workflows/test_sandbox_imports.py), or done

    def _run_code(self: Any, code: str, **extra_globals: Any) -> None:
        original(self, compiled_snippet(code), **extra_globals)

    _run_code.snippets = compiled_snippet  # type: ignore[attr-defined]
    setattr(instance, "_run_code", _run_code)  # noqa: B010 (a private class)


def remember_workflow_code(packages: Sequence[str] = ("workflows",)) -> WorkflowCodeCache:
    """Install the cache for ``packages`` (once per process; first on ``sys.meta_path``),
    and have the sandbox compile its snippets once."""
    _compile_sandbox_snippets_once()
    for finder in sys.meta_path:
        if isinstance(finder, WorkflowCodeCache) and finder.packages == frozenset(packages):
            return finder
    finder = WorkflowCodeCache(packages)
    sys.meta_path.insert(0, finder)
    return finder
