"""Writers on a SQLite database take turns at the write gate (db/write_gate.py): the gate
is held from a connection's first write until its transaction ends, in this process and
against other processes; reads never wait for it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import engine_for
from db.write_gate import WriteGate, gate_for

OTHER_PROCESS_TRIES_THE_GATE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("held")
else:
    print("free")
"""


def gate_seen_from_another_process(gate: WriteGate) -> str:
    return subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS_TRIES_THE_GATE, str(gate.path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "gate.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    return str(path)


def test_a_write_holds_the_gate_until_its_transaction_ends(database: str) -> None:
    engine = engine_for(f"sqlite:///{database}")
    gate = gate_for(database, 10)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
        assert gate_seen_from_another_process(gate) == "free"  # reads do not take it
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert gate_seen_from_another_process(gate) == "held"
        conn.commit()
        assert gate_seen_from_another_process(gate) == "free"
        conn.execute(text("INSERT INTO t VALUES (2)"))
        assert gate_seen_from_another_process(gate) == "held"
        conn.rollback()
        assert gate_seen_from_another_process(gate) == "free"
        with pytest.raises(Exception, match="no such table"):
            conn.execute(text("INSERT INTO missing VALUES (1)"))  # fails before BEGIN
        assert gate_seen_from_another_process(gate) == "free"


def test_a_second_writer_waits_for_the_first_and_a_reader_does_not(database: str) -> None:
    engine = engine_for(f"sqlite:///{database}")
    order: list[str] = []
    with engine.connect() as first:
        first.execute(text("INSERT INTO t VALUES (1)"))

        def write() -> None:
            with engine.begin() as second:
                second.execute(text("INSERT INTO t VALUES (2)"))
                order.append("second wrote")

        def read() -> None:
            with engine.connect() as reader:
                reader.execute(text("SELECT count(*) FROM t")).scalar()
                order.append("read")

        writer = threading.Thread(target=write)
        writer.start()
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)
        assert order == ["read"]  # the writer still waits at the gate
        order.append("first commits")
        first.commit()
        writer.join(5)
    assert order == ["read", "first commits", "second wrote"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_a_writer_that_cannot_get_the_gate_in_time_fails_as_on_a_locked_database(
    database: str,
) -> None:
    gate = WriteGate(Path(database), timeout=0.2)
    holder = sqlite3.connect(database, factory=gate.connection_class)
    holder.execute("INSERT INTO t VALUES (1)")
    waiter = sqlite3.connect(database, factory=gate.connection_class, check_same_thread=False)
    failed: list[BaseException] = []

    def write() -> None:
        try:
            waiter.execute("INSERT INTO t VALUES (2)")
        except sqlite3.OperationalError as exc:
            failed.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(5)
    assert failed and "database is locked" in str(failed[0])
    holder.close()  # closing gives it back too
    waiter.execute("INSERT INTO t VALUES (3)")
    waiter.commit()
    waiter.close()
