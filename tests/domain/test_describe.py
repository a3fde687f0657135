"""docs/process.md shows the step plan as the data declares it."""

from __future__ import annotations

from pathlib import Path

from domain.definitions import DEFINITIONS
from domain.describe import BEGIN, END, process_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "process.md"


def test_the_process_tables_in_the_docs_are_generated_from_the_data() -> None:
    generated = DOC.read_text().split(BEGIN, 1)[1].split(END, 1)[0].strip()
    expected = "\n\n".join(process_tables(d) for _, d in sorted(DEFINITIONS.items()))
    assert generated == expected, "run: .venv/bin/python scripts/process_table.py"


def test_every_task_appears_with_its_owner() -> None:
    text = DOC.read_text()
    for defn in DEFINITIONS.values():
        for task in defn.all_tasks():
            assert f"| `{task.key}` | {task.title} | `{task.owner.value}` |" in text
