"""README.md documents every setting and keeps the two commands at the top."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [
        f"CASUSREGIE_{name.upper()}"
        for name in Settings.model_fields
        if f"| `CASUSREGIE_{name.upper()}` |" not in README
    ]
    assert not missing, f"document these settings in README.md: {missing}"


def test_two_commands_and_api_section() -> None:
    top = README[: README.index("## Architecture")]
    assert "make run" in top and "make check" in top
    assert "\n## API\n" in README


def test_glossary_doc_is_generated_from_the_list() -> None:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "glossary.py"
    spec = importlib.util.spec_from_file_location("glossary_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUT.read_text() == module.render(), "run scripts/glossary.py"
