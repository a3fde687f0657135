"""Print the score of the last ``mutmut run`` and fail below the floor.

    .venv/bin/python scripts/mutation_score.py        # after `mutmut run` (make mutation)

A mutant counts as found when a test failed (killed) or the tests no longer finished in
time (timeout: the walk over the step plan runs away). Survivors and mutants no test
reaches count against the score; docs/development.md lists the ones judged equivalent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FLOOR = 85.0  # percent found (issue 9)
STATS = Path("mutants/mutmut-cicd-stats.json")


def main() -> int:
    mutmut = Path(sys.executable).parent / "mutmut"
    subprocess.run([mutmut, "export-cicd-stats"], check=True)  # noqa: S603 (our venv tool)
    s = json.loads(STATS.read_text())
    found = s["killed"] + s["timeout"]
    score = 100.0 * found / s["total"] if s["total"] else 0.0
    print(
        f"mutation score {score:.1f}%: {found}/{s['total']} found "
        f"({s['killed']} killed, {s['timeout']} timed out); "
        f"{s['survived']} survived, {s['no_tests']} without tests, "
        f"{s['suspicious']} suspicious, {s['skipped']} skipped"
    )
    if score < FLOOR:
        print(f"below the floor of {FLOOR:.0f}%: see `.venv/bin/mutmut results`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
