"""The structured data of a case: what the reflection and the matching of a place look
at. All optional at start and completable later; every edit is an audited update
(the case action ``update_case_data``). Codes come from ``domain/codes.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.codes import (
    CARE_NEED_TYPES,
    DELIVERY_FORMS,
    DOCUMENT_KINDS,
    DOMAINS,
    ESCALATION_CAUSES,
    URGENCIES,
    WAITING_REASONS,
)
from domain.process import FieldKind, FieldSpec

CASE_DATA_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("care_need_type", "Type zorgvraag", FieldKind.CHOICE, CARE_NEED_TYPES),
    FieldSpec("escalation_cause", "Oorzaak van de escalatie", FieldKind.CHOICE, ESCALATION_CAUSES),
    FieldSpec("domain", "Domein", FieldKind.CHOICE, DOMAINS),
    FieldSpec("sub_region", "Subregio (gemeente)"),
    FieldSpec("urgency", "Urgentie", FieldKind.CHOICE, URGENCIES),
    FieldSpec("waiting_reason", "Reden van wachten", FieldKind.CHOICE, WAITING_REASONS),
    FieldSpec("delivery_form", "Leveringsvorm", FieldKind.CHOICE, DELIVERY_FORMS),
    FieldSpec("wanted_expertise", "Gewenste plek: benodigde expertise", FieldKind.LONG_TEXT),
    FieldSpec("wanted_location", "Gewenste plek: kenmerken van de locatie", FieldKind.LONG_TEXT),
    FieldSpec("wanted_care", "Gewenste plek: kenmerken van de zorg", FieldKind.LONG_TEXT),
)
# the fields counted in the reflection (codes, never free text)
COUNTED_FIELDS = tuple(f.name for f in CASE_DATA_FIELDS if f.kind is FieldKind.CHOICE)
# free text about the client: kept apart and encrypted at rest (the read model's
# ``cases.case_text``), so that the codes stay countable after a case is shredded
FREE_TEXT_FIELDS = tuple(f.name for f in CASE_DATA_FIELDS if f.kind is FieldKind.LONG_TEXT)


def split_free_text(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``values`` as (codes and short facts, free text)."""
    codes = {k: v for k, v in values.items() if k not in FREE_TEXT_FIELDS}
    return codes, {k: v for k, v in values.items() if k in FREE_TEXT_FIELDS}


# a document reference (case action ``add_document``): never the content
DOCUMENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", "Soort document", FieldKind.CHOICE, DOCUMENT_KINDS),
    FieldSpec("date", "Datum van het document", FieldKind.DATE),
    FieldSpec("holder_org", "Organisatie die het document heeft", FieldKind.ORGANISATION),
    FieldSpec("url", "Link (optioneel)", FieldKind.URL),
    FieldSpec("task_id", "Voor taak"),
)
