"""The Dutch sentences behind the stable error codes of the JSON API (B1 language).

The API answers ``{"detail": <English>, "code": <code>}``; a page shows the sentence
for the code, and for validation errors one sentence per field.
"""

from __future__ import annotations

from typing import Any

BY_CODE: dict[str, str] = {
    "bad_request": "Het verzoek klopt niet. Probeer het opnieuw.",
    "unauthenticated": "U bent niet aangemeld. Meld u opnieuw aan.",
    "token_expired": "Uw sleutel (token) is verlopen. Vraag uw beheerder om een nieuwe.",
    "session_expired": "U was te lang niet actief en bent afgemeld. Meld u opnieuw aan.",
    "forbidden": "U mag dit niet doen met uw rol of organisatie.",
    "read_only": "Als toezichthouder kunt u alles bekijken, maar niets wijzigen.",
    "csrf_invalid": (
        "Het formulier is verlopen of ongeldig (CSRF). "
        "Laad de pagina opnieuw en probeer het nog eens."
    ),
    "region_required": (
        "Uw organisatie heeft geen regio. Vraag uw beheerder om die in te stellen. "
        "Daarna kunt u casussen starten."
    ),
    "wrong_region": "U kunt alleen casussen starten in de regio van uw zorgkantoor.",
    "not_found": "Deze casus of taak bestaat niet, of u heeft er geen toegang toe.",
    "method_not_allowed": "Dit kan niet op deze pagina.",
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
        "Het systeem is even niet bereikbaar. Er is niets gewijzigd. Probeer het later opnieuw."
    ),
    "internal_error": "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
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
    "unknown_organisation": "is geen bekende organisatie.",
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
}


def for_code(code: str | None) -> str:
    return BY_CODE.get(code or "", BY_CODE["bad_request"])


def issue_sentence(issue: dict[str, Any]) -> str:
    """One validation error as a Dutch sentence naming the field."""
    loc = [str(p) for p in issue.get("loc", []) if p not in ("body", "query", "path")]
    field = loc[0] if loc else ""
    label = FIELD_LABELS.get(field, field) if field else "Invoer"
    kind = str(issue.get("type", ""))
    sentence = BY_ISSUE_TYPE.get(kind)
    if sentence is None:
        return f"{label}: {issue.get('msg', '')}"
    known = str(issue.get("msg", "")).partition("known: ")[2]
    if kind == "unknown_organisation" and known:
        sentence += f" Bekende organisaties: {known}."
    return f"{label} {sentence}"


def issue_sentences(issues: list[dict[str, Any]]) -> list[str]:
    return [issue_sentence(i) for i in issues if isinstance(i, dict)]


def explain(exc: Exception) -> str:
    """The Dutch sentence for an API error raised by a shared service."""
    code = getattr(exc, "code", None)
    if code is None:
        from api.errors import CODE_BY_STATUS

        code = CODE_BY_STATUS.get(getattr(exc, "status_code", 400), "bad_request")
    dutch = getattr(exc, "dutch", None)
    if dutch:
        return str(dutch)
    detail = getattr(exc, "detail", None)
    if code in ("invalid_input", "unknown_organisation") and isinstance(detail, list):
        return " ".join(issue_sentences(detail))
    return for_code(code)
