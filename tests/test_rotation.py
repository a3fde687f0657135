"""``casusregie keys rotate`` with a key file (issue 13, item 2): a new active key, old
columns still read, old histories still replay, and ``--reencrypt`` re-wraps the case
keys and re-seals what was under the old key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from audit.history import load_histories
from audit.replay import OK, make_replayer, replay
from cli.main import run
from core.config import get_settings
from core.keys import key_ring, new_key_material
from db.case_keys import store_for
from db.models import Case, Organisation
from workflows.registry import WORKFLOWS

GOLDEN = Path(__file__).resolve().parent / "histories" / "withdrawn.json"


def _raw(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


async def test_rotate_with_a_key_file_then_reencrypt(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"active": "k-old", "keys": {"k-old": new_key_material()}}))
    monkeypatch.delenv("CASUSREGIE_SECRET_KEYS")
    monkeypatch.setenv("CASUSREGIE_KEY_FILE", str(path))
    get_settings.cache_clear()
    assert key_ring(get_settings(), refresh=True).active.id == "k-old"

    with Session(engine) as session:
        session.add(Organisation(name="Zorggroep Noord", kind="aanbieder", webhook_secret="whsec"))
        session.add(
            Case(
                id="c-rot",
                workflow_id="case-c-rot",
                client_ref="CR-ROT",
                sector="GZ",
                region="Utrecht",
                entry="no_dossierhouder",
                provider_org="Zorggroep Noord",
                zorgkantoor_org="Zorgkantoor Utrecht",
                phase="dossierhouder_search",
                summary_encrypted="samenvatting voor de rotatie",
            )
        )
        session.commit()
    assert _raw(engine, "SELECT kek_id FROM case_keys") == [("k-old",)]
    assert str(_raw(engine, "SELECT webhook_secret FROM organisations")[0][0]).startswith(
        "enc1:r:k-old:"
    )

    assert run(["keys", "rotate"]) == 0
    new_id = json.loads(path.read_text())["active"]
    assert new_id != "k-old" and set(json.loads(path.read_text())["keys"]) == {new_id, "k-old"}
    store_for(engine).forget()
    with Session(engine) as session:  # old columns still read
        case = session.get(Case, "c-rot")
        assert case.client_ref == "CR-ROT"
        assert case.summary_encrypted == "samenvatting voor de rotatie"
    [history] = load_histories(GOLDEN)  # old histories still replay
    verdicts = [
        v async for v in replay([(history, "golden")], make_replayer(get_settings(), WORKFLOWS))
    ]
    assert [v.verdict for v in verdicts] == [OK]

    assert run(["keys", "reencrypt"]) == 0
    assert _raw(engine, "SELECT kek_id FROM case_keys") == [(new_id,)]
    assert str(_raw(engine, "SELECT webhook_secret FROM organisations")[0][0]).startswith(
        f"enc1:r:{new_id}:"
    )
    store_for(engine).forget()
    with Session(engine) as session:
        case = session.get(Case, "c-rot")
        assert case.client_ref == "CR-ROT"
        org = session.get(Organisation, session.exec(text("SELECT id FROM organisations")).one()[0])
        assert org.webhook_secret == "whsec"
    out = capsys.readouterr().out
    assert "re-wrapped 1 case key(s)" in out
    assert run(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{new_id}" in listed and "k-old" in listed and "material" not in listed


def test_rotate_with_keys_from_the_environment_prints_the_new_value(capsys) -> None:
    assert run(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "CASUSREGIE_SECRET_KEYS=" in out and ",test-1:" in out
    assert run(["keys", "generate"]) == 0
    entry = capsys.readouterr().out.strip()
    assert ":" in entry and len(entry.split(":", 1)[1]) >= 43
