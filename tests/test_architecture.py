"""The architecture holds: the import contracts in pyproject.toml are kept, a broken
one fails ``lint-imports`` (and so ``make check``, which CI runs), and the engine names
no task of the step plan."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = (
    "domain",
    "core",
    "db",
    "notifications",
    "activities",
    "workflows",
    "audit",
    "api",
    "cli",
)


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("domain/vocabulary.py", "import workflows.engine", "domain is the neutral vocabulary"),
        ("activities/read_model.py", "import workflows.engine", "never import workflow"),
        ("audit/log.py", "import api.scoping", "never import workflow or API code"),
        ("api/routes/tasks.py", "import activities.registry", "the API never calls activities"),
        ("workflows/engine.py", "import db.models", "workflows import only domain"),
        ("core/config.py", "import db.engine", "Layers"),
    ],
)
def test_a_broken_contract_fails(
    tmp_path: Path, module: str, forbidden_import: str, contract: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{forbidden_import}  # broken on purpose\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert re.search(rf"{re.escape(contract)}.*BROKEN", result.stdout), result.stdout


def test_make_check_runs_every_guard_and_ci_runs_make_check() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ncheck:", 1)[1].split("\n\n", 1)[0]
    for tool in ("ruff format --check", "ruff check", "mypy", "lint-imports", "pytest"):
        assert tool in recipe, tool
    assert re.search(r"^make check\b", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)


def test_the_engine_names_no_task_key() -> None:
    """Behaviour lives on the step plan's task specs: a new task is a data change."""
    from domain.definitions import DEFINITIONS

    keys = {t.key for d in DEFINITIONS.values() for t in d.all_tasks()}
    code = "\n".join(
        (ROOT / "workflows" / name).read_text()
        for name in ("engine.py", "case_actions.py", "case_workflow.py")
    )
    named = sorted(k for k in keys if f'"{k}"' in code)
    assert not named, f"task keys special-cased in workflow code: {named}"
