# ruff: noqa: E501  (a table of Dutch sentences reads best one per line)
"""Dutch (B1) messages for the pages: the sentence behind an error's stable code, the
refusals a page knows by their English text, and the errors of a form.

The API answers ``{"detail": <English>, "code": <code>}`` (``api/errors.py``); a page
never shows the English text or a field path. It checks what it can itself with Dutch
messages, and translates what still comes back here: a refusal it knows (by pattern:
more precise than its code), else the sentence of its code; validation errors one
sentence per field. One wording per term: see ``domain/glossary.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

BY_CODE: dict[str, str] = {
    "bad_request": "Het verzoek klopt niet. Probeer het opnieuw vanaf de vorige pagina.",
    "unauthenticated": "U bent niet aangemeld. Meld u opnieuw aan.",
    "token_expired": "Uw sleutel is verlopen. Vraag uw beheerder om een nieuwe.",
    "session_expired": "U was te lang niet actief en bent afgemeld. Meld u opnieuw aan.",
    "forbidden": "U mag dit niet doen met uw rol of organisatie.",
    "read_only": "U kunt alleen kijken: met uw rol verandert u niets in een casus.",
    "csrf_invalid": "Het formulier was verlopen. Uw invoer staat er nog: verstuur het opnieuw.",
    "region_required": (
        "Uw organisatie heeft geen regio. Vraag uw beheerder om die in te stellen. "
        "Daarna kunt u casussen starten."
    ),
    "wrong_region": "U kunt alleen casussen starten in de regio van uw zorgkantoor.",
    "not_found": "Deze pagina bestaat niet, of u heeft er geen toegang toe.",
    "method_not_allowed": "Dit kan op deze pagina niet.",
    "conflict": (
        "Dit kan niet meer. Misschien deed iemand anders het al, of is de casus gesloten. "
        "Laad de pagina opnieuw."
    ),
    "body_too_large": "Wat u stuurt is te groot. Maak de tekst korter en probeer het opnieuw.",
    "unsupported_media_type": "Dit soort bestand of formulier kunnen we niet lezen.",
    "invalid_input": "Niet alle gegevens kloppen. Kijk wat u invulde en verbeter het.",
    "unknown_organisation": "Deze organisatie kennen we niet. Kies een bekende organisatie.",
    "rate_limited": "U doet dit te vaak achter elkaar. Wacht even en probeer het dan opnieuw.",
    "unavailable": (
        "Het systeem is even niet bereikbaar. Er is niets veranderd. Probeer het over een "
        "paar minuten opnieuw."
    ),
    "internal_error": (
        "Er ging iets mis in casusregie. Er is niets veranderd. Probeer het later opnieuw; "
        "blijft het misgaan, geef dan de foutcode hieronder door aan uw beheerder."
    ),
    "oidc_failed": "Aanmelden via uw organisatie is niet gelukt. Probeer het opnieuw.",
    "no_account": (
        "U bent aangemeld bij uw organisatie, maar u heeft nog geen toegang tot casusregie. "
        "Vraag uw beheerder om uw rol en organisatie in te stellen."
    ),
}

# validation error types (the ``type`` of an item) with their own Dutch sentence
BY_ISSUE_TYPE: dict[str, str] = {
    "bsn": "lijkt op een BSN. Gebruik een pseudoniem kenmerk, nooit het BSN.",
    "control_characters": "bevat onzichtbare tekens. Typ de tekst opnieuw.",
    "missing": "is verplicht.",
    "string_too_long": "is te lang.",
    "too_long": "heeft te veel onderdelen.",
    "enum": "heeft geen geldige waarde. Kies uit de lijst.",
    "literal_error": "heeft geen geldige waarde. Kies uit de lijst.",
}

FIELD_LABELS: dict[str, str] = {
    "client_ref": "Cliëntkenmerk",
    "provider_org": "Zorgaanbieder",
    "oco_org": "Cliëntondersteuner (OCO)",
    "region": "Regio",
    "sector": "Sector",
    "entry": "Instroom",
    "summary": "Samenvatting",
    "decision_days": "Beslistermijn",
    "org": "Organisatie",
    "capacity": "Rol in de casus",
    "note": "Toelichting",
    "data": "Gegevens",
    "pagina": "Paginanummer",
    "zoek": "Zoeken",
}


def for_code(code: str | None) -> str:
    return BY_CODE.get(code or "", BY_CODE["bad_request"])


def issue_sentence(issue: Mapping[str, Any]) -> str:
    """One validation error as a Dutch sentence naming the field."""
    loc = [str(p) for p in issue.get("loc", []) if p not in ("body", "query", "path")]
    name = loc[0] if loc else ""
    label = FIELD_LABELS.get(name, name) if name else "Invoer"
    kind = str(issue.get("type", ""))
    if kind == "unknown_organisation":
        return organisation_sentence(issue, label)
    sentence = BY_ISSUE_TYPE.get(kind)
    if sentence is None:
        return f"{label}: {pydantic_message(issue)}"
    return f"{label} {sentence}"


def organisation_sentence(issue: Mapping[str, Any], label: str | None = None) -> str:
    """An ``unknown_organisation`` error: a registered organisation of another kind, or
    one not registered; with the registered ones of the right kind."""
    msg = str(issue.get("msg", ""))
    other_kind = re.search(r"organisation '(.+?)' is a (\w+), not a ([\w/]+)", msg)
    if other_kind:
        name, kind, wanted = other_kind.groups()
        sentence = f"‘{name}’ is geen {wanted} maar een {kind}. Kies een andere organisatie."
    else:
        sentence = f"{label or 'De organisatie'} is geen bekende organisatie."
    known = msg.partition("known: ")[2]
    return sentence + (f" Bekende organisaties: {known}." if known else "")


def issue_sentences(issues: Iterable[Any]) -> list[str]:
    return [issue_sentence(i) for i in issues if isinstance(i, Mapping)]


_KNOWN: tuple[tuple[str, str], ...] = (
    (r"^case \S+ not found", "Deze casus bestaat niet, of u heeft er geen toegang toe."),
    (r"^task \S+ not found", "Deze taak bestaat niet, of u heeft er geen toegang toe."),
    (r"^signal \S+ not found", "Dit signaal bestaat niet, of u heeft er geen toegang toe."),
    (r"does not exist in this case", "Deze taak hoort niet (meer) bij deze casus."),
    (r"^case \S+ is closed", "De casus is al afgesloten. U kunt niets meer veranderen."),
    (
        r"is no longer open",
        "Deze taak is al afgerond of vervallen. Kijk in Mijn taken wat er nu open staat.",
    ),
    (r"is no longer running", "De casus loopt niet meer. U kunt niets meer veranderen."),
    (
        r"may not act on it|belongs to",
        "Deze taak hoort bij een andere rol of organisatie. U kunt hem niet afronden.",
    ),
    (
        r"is already claimed by (.+?);",
        "Deze taak is al opgepakt door {0}. Neem de taak over als dat de bedoeling is.",
    ),
    (r"is claimed by (.+?);", "Deze taak is opgepakt door {0}."),
    (r"is not claimed", "Deze taak is door niemand opgepakt."),
    (
        r"read-only|change nothing",
        "U kunt alleen kijken: met uw rol verandert u niets in een casus.",
    ),
    (
        r"first required: .*\(Eerst nodig: (.+?)\)",
        "Eerst nodig: {0}. Alleen het zorgkantoor kan met een motivatie verder zonder deze stappen.",
    ),
    (
        r"only the case's zorgkantoor may complete this without",
        "Eerst zijn andere stappen nodig. Alleen het zorgkantoor kan zonder die stappen verder.",
    ),
    (
        r"note \(motivation\) is required to complete without",
        "Vul een motivatie in: u rondt af zonder de voorbereidende stappen.",
    ),
    (
        r"no zorgkantoor is registered for region",
        "Er is geen zorgkantoor voor deze regio in casusregie. Kies een andere regio of vraag uw beheerder.",
    ),
    (
        r"or ask a coordinator",
        "Alleen een zorgbemiddelaar kan een casus starten. Kies een andere uitkomst of vraag een zorgbemiddelaar.",
    ),
    (
        r"only the case's coordinator",
        "Alleen de zorgbemiddelaar van het zorgkantoor van deze casus kan dit doen.",
    ),
    (r"region: you start cases in (.+?) only", "U start alleen casussen in uw eigen regio ({0})."),
    (
        r"organisation '(.+?)' is a (\w+), not a (\w+)",
        "‘{0}’ is geen {2} maar een {1}. Kies een andere organisatie.",
    ),
    (r"already the case's OCO", "Deze organisatie is al de cliëntondersteuner van de casus."),
    (r"an OCO is already involved", "Er is al een cliëntondersteuner bij de casus betrokken."),
    (r"notice of ending care is already", "Er loopt al een opzegging van de zorg voor deze casus."),
    (
        r"only the case's current provider can give notice",
        "Alleen de huidige zorgaanbieder kan de zorg opzeggen.",
    ),
    (
        r"care can only end after the zorgkantoor agreed",
        "De zorg kan pas eindigen als het zorgkantoor akkoord is met de opzegging.",
    ),
    (
        r"a stagnation signal comes from",
        "Alleen een betrokken zorgaanbieder of cliëntondersteuner meldt stagnatie.",
    ),
    (
        r"only parties involved",
        "Alleen organisaties die bij de casus betrokken zijn, kunnen dit doen.",
    ),
    (
        r"only a supporting party",
        "Alleen een ondersteunende partij van deze taak kan een bijdrage toevoegen.",
    ),
    (
        r"is not part of step plan version",
        "Dit kan niet in de versie van het stappenplan waarmee deze casus werkt.",
    ),
    (
        r"Temporal|not reachable|unavailable|niet bereikbaar",
        "Het systeem is even niet bereikbaar. Er is niets veranderd. Probeer het over een paar minuten opnieuw.",
    ),
    (
        r"CSRF|verlopen of ongeldig",
        "Het formulier was verlopen. Uw invoer staat er nog: verstuur het opnieuw.",
    ),
)

# Dutch texts written by the pages themselves start with one of these or a capital and
# contain a Dutch word; English service texts are translated
_DUTCH_HINT = re.compile(
    r"\b(de|het|een|niet|is|u|uw|kan|kunt|deze|dit|van|voor|geen)\b", re.IGNORECASE
)
_ENGLISH_HINT = re.compile(r"\b(the|is a|must|only|required|not found|may|use)\b")


def dutch(status: int, detail: Any, code: str | None = None) -> str:
    """A Dutch message for an error a page shows: a refusal it knows by its (English)
    text, a text a page wrote in Dutch itself, else the sentence of the error's code
    (or of its HTTP status)."""
    text = "" if isinstance(detail, list) else str(detail or "")
    for pattern, dutch_text in _KNOWN:
        match = re.search(pattern, text)
        if match:
            return dutch_text.format(*match.groups())
    if text and _DUTCH_HINT.search(text) and not _ENGLISH_HINT.search(text):
        return text
    from api.errors import CODE_BY_STATUS

    return BY_CODE.get(code or "") or BY_CODE.get(
        CODE_BY_STATUS.get(status, ""), "Er ging iets mis. Probeer het opnieuw."
    )


def explain(exc: Exception) -> str:
    """The Dutch sentence for an error raised by a shared service: the service's own
    Dutch sentence (``ApiError.dutch``), one sentence per field of a validation error,
    or :func:`dutch`."""
    given = getattr(exc, "dutch", None)
    if given:
        return str(given)
    detail = getattr(exc, "detail", None)
    if isinstance(detail, list) and detail:
        return " ".join(issue_sentences(detail))
    return dutch(getattr(exc, "status_code", 400), detail, getattr(exc, "code", None))


# --- pydantic errors of a form body, in Dutch ---------------------------------------

_PYDANTIC = (
    (r"looks like a BSN", "Dit lijkt een BSN (9 cijfers). Gebruik een pseudoniem, nooit een BSN."),
    (
        r"control (or invisible )?characters",
        "Deze tekst bevat onzichtbare tekens. Typ de tekst opnieuw.",
    ),
    (r"cannot be in the future", "De datum mag niet in de toekomst liggen."),
    (r"unknown region", "Kies een regio uit de lijst."),
    (r"mode is required", "Kies waarvoor u vroegtijdig informeert."),
    (
        r"should be a valid date|valid date|date_from",
        "Vul een geldige datum in, bijvoorbeeld 31-12-2026.",
    ),
    (r"at least 1 character|missing|Field required", "Vul dit veld in."),
    (r"at most (\d+) character|longer than (\d+) characters", "Gebruik hoogstens {0} tekens."),
    (r"more than (\d+) items", "Gebruik hoogstens {0} onderdelen."),
    (r"Input should be|unknown outcome", "Kies een waarde uit de lijst."),
)


def pydantic_message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", ""))
    if error.get("type") == "unknown_organisation":
        return organisation_sentence(error, "Deze organisatie")
    for pattern, text in _PYDANTIC:
        match = re.search(pattern, msg)
        if match:
            return text.format(*(g for g in match.groups() if g))
    return "Controleer wat u hier invulde."


@dataclass
class FormErrors:
    """The errors of a form: a message per field id (for the inline error, the
    ``aria-invalid`` and the summary's link) or for the form as a whole."""

    items: list[tuple[str | None, str]] = field(default_factory=list)

    def add(self, message: str, field_id: str | None = None) -> None:
        if (field_id, message) not in self.items:
            self.items.append((field_id, message))

    def get(self, field_id: str) -> str | None:
        return next((m for f, m in self.items if f == field_id), None)

    def extend(self, messages: Iterable[tuple[str | None, str]]) -> None:
        for field_id, message in messages:
            self.add(message, field_id)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[str | None, str]]:
        return iter(self.items)


def plural(count: int, one: str, many: str) -> str:
    """'1 casus', '3 casussen'."""
    return f"{count} {one if count == 1 else many}"
