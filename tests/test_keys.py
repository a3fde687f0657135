"""The key ring (issue 13, item 2) and the codec's refusals (item 1), without a server."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext

from core.codec import ENCODING, KEY_ID_META, REJECTED, EncryptionCodec
from core.config import Settings, get_settings
from core.keys import (
    LEGACY_KEY_ID,
    KeyRingError,
    key_ring,
    load_key_ring,
    new_key_material,
    parse_env_keys,
)
from core.temporal import data_converter, tls_config
from db.case_keys import store_for
from tests.keys import LEGACY_DEV_SECRET

K1, K2 = new_key_material(), new_key_material()


def _settings(tmp_path: Path, **values: object) -> Settings:
    base: dict[str, object] = {"data_dir": tmp_path, "secret_keys": None, "secret_key": None}
    return Settings(**(base | values))


def test_env_ring_first_key_is_active_and_all_decrypt(tmp_path: Path) -> None:
    ring = load_key_ring(_settings(tmp_path, secret_keys=f"new:{K2}, old:{K1}"))
    assert ring.active.id == "new" and ring.ids == ["new", "old"]
    assert ring.derive("x") != ring.derive("x", "old")
    assert "material" not in repr(ring.active) and K2 not in repr(ring.active)


@pytest.mark.parametrize(
    "value",
    ["nocolon", f"{LEGACY_KEY_ID}:{K1}", "a:short", f"a:{K1},a:{K2}", "bad id!:" + K1, " , "],
)
def test_malformed_env_rings_are_refused(value: str) -> None:
    with pytest.raises(KeyRingError):
        parse_env_keys(value)


def test_development_generates_a_random_key_file_once(tmp_path: Path) -> None:
    first = load_key_ring(_settings(tmp_path / "a"))
    again = load_key_ring(_settings(tmp_path / "a"))
    other = load_key_ring(_settings(tmp_path / "b"))
    assert first.active.material == again.active.material != other.active.material
    path = tmp_path / "a" / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["active"] == first.active.id


def test_production_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no encryption key"):
        _settings(tmp_path, environment="production")
    with pytest.raises(ValidationError, match="published"):
        _settings(tmp_path, environment="production", secret_key=LEGACY_DEV_SECRET)
    missing = _settings(tmp_path, environment="production", key_file=tmp_path / "none.json")
    with pytest.raises(KeyRingError, match="does not exist"):
        load_key_ring(missing)  # production never generates one
    ok = _settings(tmp_path, environment="production", secret_keys=f"p1:{K1}")
    assert load_key_ring(ok).active.id == "p1"


def test_the_old_single_secret_stays_readable_as_casusregie_1(tmp_path: Path) -> None:
    only = load_key_ring(_settings(tmp_path, secret_key="an old secret"))
    assert only.active.id == LEGACY_KEY_ID and only.active.legacy
    both = load_key_ring(_settings(tmp_path, secret_keys=f"k1:{K1}", secret_key="an old secret"))
    assert both.active.id == "k1" and both.get(LEGACY_KEY_ID) is not None


def _codec(tmp_path: Path, workflow_id: str | None, **values: object) -> EncryptionCodec:
    settings = _settings(tmp_path, **values)
    codec = data_converter(settings, store_for_settings_like(settings)).payload_codec
    assert isinstance(codec, EncryptionCodec)
    if workflow_id is None:
        return codec
    return codec.with_context(WorkflowSerializationContext("default", workflow_id))


def store_for_settings_like(settings: Settings):  # the test DB of the fixture
    from db.engine import get_engine

    return store_for(get_engine())


def _plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())


async def test_codec_accepts_only_what_a_key_holder_encrypted(tmp_path: Path, engine) -> None:
    ring_codec = _codec(tmp_path, None, secret_keys=f"k1:{K1}")
    [sealed] = await ring_codec.encode([_plain("geheim")])
    assert sealed.metadata[KEY_ID_META] == b"k1" and b"geheim" not in sealed.data
    assert (await ring_codec.decode([sealed]))[0].data == b'"geheim"'

    # plain JSON (what the temporal CLI sends) and another ring's ciphertext: rejected
    stranger = _codec(tmp_path, None, secret_keys=f"k1:{K2}")
    [forged] = await stranger.encode([_plain("Mallory")])
    for payload in (_plain("Mallory"), forged):
        [out] = await ring_codec.decode([payload])
        assert out.metadata["encoding"] == REJECTED and b"Mallory" not in out.data
    # a flipped bit
    tampered = Payload()
    tampered.CopyFrom(sealed)
    tampered.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    assert (await ring_codec.decode([tampered]))[0].metadata["encoding"] == REJECTED


async def test_case_payloads_use_the_case_key_and_stay_in_their_case(
    tmp_path: Path, engine
) -> None:
    codec_a = _codec(tmp_path, "case-a", secret_keys=f"k1:{K1}")
    [sealed] = await codec_a.encode([_plain("notitie")])
    assert sealed.metadata[KEY_ID_META] == b"case:a"
    assert (await codec_a.decode([sealed]))[0].data == b'"notitie"'
    # decoding needs no context (history export, codec endpoint)
    assert (await _codec(tmp_path, None, secret_keys=f"k1:{K1}").decode([sealed]))[0].data
    # a ciphertext of case a sent to case b is not accepted
    codec_b = _codec(tmp_path, "case-b", secret_keys=f"k1:{K1}")
    assert (await codec_b.decode([sealed]))[0].metadata["encoding"] == REJECTED
    # moving it by rewriting the metadata breaks the associated data
    moved = Payload()
    moved.CopyFrom(sealed)
    moved.metadata[KEY_ID_META] = b"case:b"
    assert (await codec_b.decode([moved]))[0].metadata["encoding"] == REJECTED


async def test_rotation_keeps_old_payloads_readable(tmp_path: Path, engine) -> None:
    old = _codec(tmp_path, None, secret_keys=f"k1:{K1}")
    [before] = await old.encode([_plain("voor de rotatie")])
    case_before = await _codec(tmp_path, "case-r", secret_keys=f"k1:{K1}").encode([_plain("c")])
    rotated = _codec(tmp_path, None, secret_keys=f"k2:{K2},k1:{K1}")
    [after] = await rotated.encode([_plain("na")])
    assert after.metadata[KEY_ID_META] == b"k2"
    decoded = await rotated.decode([before, after, *case_before])
    assert [p.data for p in decoded] == [b'"voor de rotatie"', b'"na"', b'"c"']


async def test_payloads_of_the_old_secret_decode_without_associated_data(tmp_path: Path) -> None:
    legacy = _codec(tmp_path, None, secret_key=LEGACY_DEV_SECRET)
    [sealed] = await legacy.encode([_plain("oud")])
    assert sealed.metadata == {"encoding": ENCODING, KEY_ID_META: LEGACY_KEY_ID.encode()}
    ring = _codec(tmp_path, None, secret_keys=f"k1:{K1}", secret_key=LEGACY_DEV_SECRET)
    assert (await ring.decode([sealed]))[0].data == b'"oud"'


def test_the_test_ring_is_explicit() -> None:
    settings = get_settings()
    assert key_ring(settings).active.id == "test-1"
    assert os.environ["CASUSREGIE_SECRET_KEYS"].startswith("test-1:")


def test_tls_config_reads_client_certificate_key_and_ca(tmp_path: Path) -> None:
    for name in ("client.pem", "client.key", "ca.pem"):
        (tmp_path / name).write_bytes(f"-----{name}-----".encode())
    settings = _settings(
        tmp_path,
        temporal_tls_cert=tmp_path / "client.pem",
        temporal_tls_key=tmp_path / "client.key",
        temporal_tls_ca=tmp_path / "ca.pem",
        temporal_tls_server_name="temporal",
    )
    tls = tls_config(settings)
    assert not isinstance(tls, bool)
    assert tls.client_cert == b"-----client.pem-----"
    assert tls.client_private_key == b"-----client.key-----"
    assert tls.server_root_ca_cert == b"-----ca.pem-----" and tls.domain == "temporal"
    assert tls_config(_settings(tmp_path)) is False
    with pytest.raises(ValidationError, match="together"):
        _settings(tmp_path, temporal_tls_cert=tmp_path / "client.pem")


def test_the_processes_refuse_to_start_in_production_without_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import run

    monkeypatch.setenv("CASUSREGIE_ENVIRONMENT", "production")
    monkeypatch.delenv("CASUSREGIE_SECRET_KEYS")
    monkeypatch.delenv("CASUSREGIE_SECRET_KEY")
    get_settings.cache_clear()
    for command in ("worker", "api"):
        assert run([command]) != 0
        assert "no encryption key" in capsys.readouterr().err
    monkeypatch.setenv("CASUSREGIE_KEY_FILE", "/nonexistent/keys.json")
    get_settings.cache_clear()
    assert run(["worker"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_keys_never_appear_in_a_repr_of_the_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, secret_keys=f"k1:{K1}", secret_key="old-secret-value")
    text = repr(settings) + str(settings.model_dump())
    assert K1 not in text and "old-secret-value" not in text
    # compose passes an empty CASUSREGIE_SECRET_KEY when none is set: that is no key
    with pytest.raises(ValidationError, match="no encryption key"):
        _settings(tmp_path, environment="production", secret_key="")
