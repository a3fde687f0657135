"""The database layer. Importing it installs the sealing hooks (``db/sealing.py``) and
registers the per-case data keys (``db/case_keys.py``) as the codec's key source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.keys import set_case_key_source
from db import sealing

if TYPE_CHECKING:
    from core.config import Settings
    from db.case_keys import CaseKeyStore


def _case_keys(settings: Settings) -> CaseKeyStore:
    from db.case_keys import store_for_settings

    return store_for_settings(settings)


sealing.install()
set_case_key_source(_case_keys)
