"""Rewrite the generated step-plan tables in docs/process.md from the definitions."""

from __future__ import annotations

from pathlib import Path

from domain.definitions import DEFINITIONS
from domain.describe import BEGIN, END, process_tables

DOC = Path(__file__).resolve().parent.parent / "docs" / "process.md"


def main() -> None:
    text = DOC.read_text()
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    tables = "\n\n".join(process_tables(d) for _, d in sorted(DEFINITIONS.items()))
    DOC.write_text(f"{before}{BEGIN}\n{tables}\n{END}{after}")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
