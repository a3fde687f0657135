"""``casusregie keys``: the key ring (docs/security.md, "Keys and rotation").

- ``generate``: print a new ``id:key`` entry for ``CASUSREGIE_SECRET_KEYS``;
- ``list``: the ring's key ids (never the keys), which one is active, and how many
  case data keys each master key wraps;
- ``rotate [--reencrypt]``: a new active key. With a key file it is added to the file
  (the old keys stay, to decrypt); with ``CASUSREGIE_SECRET_KEYS`` the new value to set
  is printed. ``--reencrypt`` then runs ``reencrypt`` (key file only: with the
  environment, set the new value, restart, then run ``reencrypt``);
- ``reencrypt``: re-wrap the case data keys under the active key and seal what is not
  sealed under it (``db/rekey.py``).
"""

from __future__ import annotations

from typing import Annotated

import typer

keys_app = typer.Typer(
    help="The key ring: list, generate, rotate, re-encrypt.", no_args_is_help=True
)


@keys_app.command("generate")
def generate() -> None:
    """Print a new key entry (id:key) for CASUSREGIE_SECRET_KEYS."""
    from core.keys import new_key_id, new_key_material

    typer.echo(f"{new_key_id()}:{new_key_material()}")


@keys_app.command("list")
def list_keys() -> None:
    """The key ids of the ring (active first) and the case keys each one wraps."""
    from core.config import get_settings
    from core.keys import key_ring
    from db.case_keys import store_for
    from db.engine import get_engine

    settings = get_settings()
    ring = key_ring(settings, refresh=True)
    counts = store_for(get_engine()).kek_counts()
    where = ring.path if ring.path else "CASUSREGIE_SECRET_KEYS/CASUSREGIE_SECRET_KEY"
    typer.echo(f"key ring from {ring.source} ({where})")
    for key_id in ring.ids:
        mark = "active" if key_id == ring.active.id else "decrypt only"
        legacy = ", CASUSREGIE_SECRET_KEY" if ring.keys[key_id].legacy else ""
        typer.echo(f"  {key_id:<24} {mark}{legacy}; wraps {counts.pop(key_id, 0)} case key(s)")
    for key_id, count in counts.items():
        typer.echo(f"  {key_id:<24} NOT IN THE RING; wraps {count} case key(s)")


@keys_app.command("rotate")
def rotate(
    reencrypt_too: Annotated[
        bool, typer.Option("--reencrypt", help="Then re-wrap and re-seal under the new key.")
    ] = False,
) -> None:
    """Make a new active key; the old ones keep decrypting."""
    from core.config import get_settings
    from core.keys import key_file_entries, key_file_path, key_ring, new_key_id, new_key_material

    settings = get_settings()
    ring = key_ring(settings, refresh=True)
    new_id, material = new_key_id(ring.ids), new_key_material()
    path = key_file_path(settings)
    if path is None:
        current = settings.secret_keys.get_secret_value() if settings.secret_keys else ""
        value = ",".join(filter(None, [f"{new_id}:{material}", current]))
        typer.echo(
            "The keys come from the environment. Set, for every process (API, worker, CLI):\n"
            f"CASUSREGIE_SECRET_KEYS={value}\n"
            "restart them, then run `casusregie keys reencrypt`. Keep the old entries "
            "(and CASUSREGIE_SECRET_KEY, if set) until `casusregie keys list` shows they "
            "wrap nothing and no history under them is still needed."
        )
        raise typer.Exit(0)
    from core.keys import write_key_file

    _active, entries = key_file_entries(path)
    write_key_file(path, new_id, {new_id: material, **entries})
    ring = key_ring(settings, refresh=True)
    typer.echo(f"new active key {new_id} in {path}; decrypt only: {', '.join(ring.ids[1:])}")
    if reencrypt_too:
        reencrypt()


@keys_app.command("reencrypt")
def reencrypt() -> None:
    """Re-wrap case data keys under the active key; seal what is not sealed under it."""
    from db.engine import get_engine
    from db.rekey import reencrypt as run

    report = run(get_engine())
    typer.echo(f"re-wrapped {report.rewrapped} case key(s)")
    for table, count in report.resealed.items():
        typer.echo(f"  {table}: {count} row(s) sealed again")
    if report.skipped_shredded:
        typer.echo(f"  skipped {report.skipped_shredded} row(s) of shredded cases")
