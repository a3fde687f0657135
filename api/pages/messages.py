# ruff: noqa: E501  (a table of Dutch sentences reads best one per line)
"""Dutch (B1) messages for the pages, and the errors of a form.

The services and the workflow's rules answer in English for API clients
(``domain/permissions.py``, ``api/services/*``). A page never shows those texts: it
checks what it can itself with Dutch messages, and translates what still comes back
here (known refusals by pattern, anything else by its HTTP status). One wording per
term: see ``domain/glossary.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# (pattern of an English message, Dutch text); the first match wins
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

_BY_STATUS = {
    400: "Het verzoek is niet goed. Probeer het opnieuw vanaf de vorige pagina.",
    401: "U bent niet aangemeld.",
    403: "U heeft geen toegang tot deze pagina of handeling.",
    404: "Deze pagina bestaat niet, of u heeft er geen toegang toe.",
    405: "Dit kan op deze pagina niet.",
    409: "Dit kan nu niet meer: de casus of taak is intussen veranderd. Laad de pagina opnieuw.",
    422: "Niet alles is goed ingevuld. Ga terug en controleer het formulier.",
    500: "Er ging iets mis in casusregie. Er is niets veranderd. Probeer het later opnieuw; "
    "blijft het misgaan, geef dan de foutcode hieronder door aan uw beheerder.",
    503: "Het systeem is even niet bereikbaar. Er is niets veranderd. Probeer het over een "
    "paar minuten opnieuw.",
}

TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Niet mogelijk",
    409: "Niet meer mogelijk",
    422: "Niet goed ingevuld",
    500: "Er ging iets mis",
    503: "Even niet bereikbaar",
}

# Dutch texts written by the pages themselves start with one of these or a capital and
# contain a Dutch word; English service texts are translated
_DUTCH_HINT = re.compile(
    r"\b(de|het|een|niet|is|u|uw|kan|kunt|deze|dit|van|voor|geen)\b", re.IGNORECASE
)
_ENGLISH_HINT = re.compile(r"\b(the|is a|must|only|required|not found|may|use)\b")


def dutch(status: int, detail: Any) -> str:
    """A Dutch message for an error a page shows."""
    text = str(detail or "")
    for pattern, dutch_text in _KNOWN:
        match = re.search(pattern, text)
        if match:
            return dutch_text.format(*match.groups())
    if text and _DUTCH_HINT.search(text) and not _ENGLISH_HINT.search(text):
        return text
    return _BY_STATUS.get(status, "Er ging iets mis. Probeer het opnieuw.")


# --- pydantic errors of a form body, in Dutch ---------------------------------------

_PYDANTIC = (
    (r"looks like a BSN", "Dit lijkt een BSN (9 cijfers). Gebruik een pseudoniem, nooit een BSN."),
    (r"cannot be in the future", "De datum mag niet in de toekomst liggen."),
    (r"unknown region", "Kies een regio uit de lijst."),
    (r"mode is required", "Kies waarvoor u vroegtijdig informeert."),
    (
        r"should be a valid date|valid date|date_from",
        "Vul een geldige datum in, bijvoorbeeld 31-12-2026.",
    ),
    (r"at least 1 character|missing|Field required", "Vul dit veld in."),
    (r"at most (\d+) character", "Gebruik hoogstens {0} tekens."),
    (r"Input should be", "Kies een waarde uit de lijst."),
)


def pydantic_message(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", ""))
    for pattern, text in _PYDANTIC:
        match = re.search(pattern, msg)
        if match:
            return text.format(*match.groups())
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
