"""Write docs/glossary.md from domain/glossary.py (the one glossary of the pages).

    .venv/bin/python scripts/glossary.py

tests/test_docs.py fails when the file and the list differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "glossary.md"


def render() -> str:
    from domain.glossary import GLOSSARY

    lines = [
        "# Begrippen (glossary)",
        "",
        "The one list of terms the Dutch pages use, in plain Dutch (B1). Generated from",
        "`domain/glossary.py` by `scripts/glossary.py`; the page `/begrippen` shows the same",
        'list and other pages link a term to `/begrippen#<key>` ("Wat is dit?").',
        "Write a page with these words; the last column lists words the pages avoid.",
        "",
        "| term (key) | uitleg | in the code | not |",
        "|---|---|---|---|",
    ]
    for t in GLOSSARY:
        code, avoid = t.in_code or "—", t.avoid or "—"
        lines.append(f"| **{t.term}** (`{t.key}`) | {t.explanation} | {code} | {avoid} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT.relative_to(ROOT)}")
