"""The CLI's exit codes and output, checked in real subprocesses (``os._exit`` path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.config import get_settings
from core.security import hash_token
from db.engine import engine_for
from db.models import Organisation, User

CLI = [sys.executable, "-m", "cli.main"]


def casusregie(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200", **env},
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_user_add_prints_token_last_and_stores_only_its_hash() -> None:
    result = casusregie(
        "user",
        "add",
        "--name",
        "Ada Jansen",
        "--role",
        "coordinator",
        "--org",
        "Zorgkantoor Utrecht",
        "--region",
        "utrecht",
        "--email",
        "ada@zk.invalid",
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    with Session(engine_for(get_settings().effective_database_url)) as session:
        user = session.exec(select(User)).one()
        org = session.get(Organisation, user.org_id)
    assert user.token_hash == hash_token(token) and token not in user.token_hash
    assert (user.role, user.email) == ("coordinator", "ada@zk.invalid")
    assert (org.name, org.kind, org.region) == ("Zorgkantoor Utrecht", "zorgkantoor", "Utrecht")

    second = casusregie("user", "add", "--name", "Bo", "--role", "auditor", "--org", "NZa")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] != token

    third = casusregie("user", "add", "--name", "Cas", "--role", "beheerder", "--org", "Beheer")
    assert third.returncode == 0, third.stderr
    assert "(beheerder) added to new beheer organisation 'Beheer'" in third.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--role", "boss", "--org", "X"], "--role"),
        (["--role", "zorgkantoor", "--org", "X", "--region", "Atlantis"], "--region"),
        (["--role", "aanbieder", "--org", "   "], "--org"),
    ],
)
def test_user_add_rejects_bad_input_with_exit_code_2(args: list[str], field: str) -> None:
    result = casusregie("user", "add", "--name", "N", *args)
    assert result.returncode == 2
    assert field in result.stderr and result.stdout == ""


def test_user_add_refuses_role_that_does_not_fit_the_organisation() -> None:
    assert (
        casusregie(
            "user", "add", "--name", "A", "--role", "aanbieder", "--org", "Zorggroep Noord"
        ).returncode
        == 0
    )
    result = casusregie(
        "user", "add", "--name", "B", "--role", "coordinator", "--org", "Zorggroep Noord"
    )
    assert result.returncode == 2 and "kind aanbieder" in result.stderr


def test_migrate_and_unknown_command() -> None:
    result = casusregie("migrate")
    assert result.returncode == 0 and "database at revision" in result.stdout
    assert casusregie("no-such-command").returncode == 2


def test_worker_exits_1_when_temporal_is_unreachable() -> None:
    result = casusregie("worker", CASUSREGIE_TEMPORAL_ADDRESS="127.0.0.1:1")
    assert result.returncode == 1 and "worker_failed" in result.stderr


def test_rotate_token_revoke_and_the_organisation_registry() -> None:
    added = casusregie("user", "add", "--name", "Ada", "--role", "aanbieder", "--org", "Noord")
    old = added.stdout.strip().splitlines()[-1]
    assert "valid until" in added.stdout

    rotated = casusregie("user", "rotate-token", "Ada")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().splitlines()[-1]
    with Session(engine_for(get_settings().effective_database_url)) as session:
        user = session.exec(select(User)).one()
    assert new != old and user.token_hash == hash_token(new) and user.token_expires_at

    revoked = casusregie("user", "revoke", user.id)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    with Session(engine_for(get_settings().effective_database_url)) as session:
        user = session.exec(select(User)).one()
    assert not user.active and user.revoked_at and user.token_hash != hash_token(new)
    assert casusregie("user", "rotate-token", "Ada").returncode == 2
    assert casusregie("user", "revoke", "Nobody").returncode == 2
    assert "revoked" in casusregie("user", "list").stdout

    org = casusregie(
        "org", "add", "--name", "MEE Noord", "--kind", "oco", "--email", "mee@noord.invalid"
    )
    assert org.returncode == 0, org.stderr
    assert casusregie("org", "add", "--name", "MEE Noord", "--kind", "oco").returncode == 2
    assert casusregie("org", "add", "--name", "X\x1b", "--kind", "oco").returncode == 2
    assert casusregie("org", "add", "--name", "Y", "--kind", "bank").returncode == 2
    zk = casusregie("org", "add", "--name", "ZK", "--kind", "zorgkantoor")
    assert zk.returncode == 0
    assert casusregie("org", "set-region", "--name", "ZK", "--region", "twente").returncode == 0
    listed = casusregie("org", "list").stdout
    assert "MEE Noord" in listed and "mee@noord.invalid" in listed and "Twente" in listed
