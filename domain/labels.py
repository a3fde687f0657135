"""Dutch labels for the machine names shown on the pages, and date formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload
from zoneinfo import ZoneInfo

from domain.vocabulary import (
    INTAKE_PHASE,
    REGIONS,
    WORKING_PHASES,
    CaseOutcome,
    Entry,
    Phase,
    Sector,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

PHASE_TITLES: dict[Phase, str] = {
    Phase.DOSSIERHOUDER_SEARCH: "Dossierhouder zoeken",
    Phase.CURRENT_PLACE_REVIEW: "Zorg op huidige plek niet meer passend",
    Phase.SEARCH_OTHER_PROVIDER: "Zoeken bij andere aanbieders",
    Phase.REGULAR_STEPS_FAILED: "Reguliere stappen leveren geen plek op",
    Phase.WHOLE_SYSTEM_MEETING: "Whole system in the room",
    Phase.PLAN_OF_ACTION: "Plan van aanpak",
    Phase.CLOSED: "Afgesloten",
}

OUTCOME_TITLES: dict[CaseOutcome, str] = {
    CaseOutcome.PLACED: "Geplaatst",
    CaseOutcome.SOLVED_IN_PLACE: "Opgelost op de huidige plek",
    CaseOutcome.WITHDRAWN: "Ingetrokken",
    CaseOutcome.CARE_ENDED_WITH_BRIDGING: "Zorg beëindigd met overbruggingszorg",
}

# role names inside a sentence ("door de zorgaanbieder")
ROLE_NOUNS: dict[str, str] = {
    "aanbieder": "zorgaanbieder",
    "zorgkantoor": "zorgkantoor",
    "coordinator": "zorgbemiddelaar",
    "oco": "cliëntondersteuner",
    "auditor": "toezichthouder",
    "beheerder": "functioneel beheerder",
}

phases = WORKING_PHASES
regions = REGIONS
sectors = tuple(Sector)
entries = tuple(Entry)

ROLES = {
    "coordinator": "Zorgbemiddelaar",
    "zorgkantoor": "Zorgkantoor",
    "aanbieder": "Zorgaanbieder",
    "oco": "Cliëntondersteuner (OCO)",
    "auditor": "Toezichthouder",
    "beheerder": "Functioneel beheerder",
    "system": "Systeem",
}
ENTRIES = {
    "no_dossierhouder": "Indicatie, nog geen dossierhouder",
    "care_not_suitable": "Zorg op huidige plek niet meer passend",
}
SECTORS = {
    "VV": "VV (verpleging en verzorging)",
    "GZ": "GZ (gehandicaptenzorg)",
    "GGZ": "GGZ (geestelijke gezondheidszorg)",
}
CAPACITIES = {
    "provider": "Zorgaanbieder (dossierhouder)",
    "intended_provider": "Beoogde aanbieder",
    "round_provider": "Aanbieder in aanmeldronde",
    "zorgkantoor": "Zorgkantoor",
    "oco": "Cliëntondersteuner (OCO)",
    "adviser": "Adviseur (CCE, COT)",
    "bridging_provider": "Aanbieder van overbruggingszorg",
    "former_provider": "Eerdere aanbieder (niet meer betrokken)",
    "former_oco": "Eerdere cliëntondersteuner (niet meer betrokken)",
}
TASK_STATUS = {
    "open": "Open",
    "done": "Afgerond",
    "cancelled": "Vervallen",
    "skipped": "Overgeslagen",
}
CASE_STATUS = {"open": "Lopend", "closed": "Afgesloten"}
OUTCOMES = {
    "done": "Gedaan",
    "accepted": "Geaccepteerd: wij worden dossierhouder",
    "declined": "Geweigerd (met reden)",
    "placed": "Geplaatst",
    "no_place": "Geen passende plek gevonden",
    "registered": "Aangemeld bij een aanbieder",
    "escalate": "Escaleren naar de volgende stap",
    "for_information": "Ter kennisgeving (notitie)",
    "sparring": "Sparren (telefonisch)",
    "solved_in_place": "Opgelost op de huidige plek",
    "not_suitable": "Niet (meer) passend",
    "not_applicable": "Niet van toepassing",
    "approved": "Goedgekeurd",
    "rejected": "Afgekeurd",
    "ask_zorgkantoor": "Zorgkantoor vragen dit over te nemen",
    "solution": "Oplossing gevonden (met afspraken)",
    "no_solution": "Geen oplossing",
    "agreements_failed": "Afspraken leiden niet tot plaatsing",
    "continue_with_plan": "Verder met een plan van aanpak",
    "new_meeting": "Nieuwe bijeenkomst",
    "progress": "Voortgang gemeld",
    "answered": "Advies ontvangen",
    "agreed": "Akkoord met de opzegging",
    "objected": "Niet akkoord met de opzegging",
    "checked": "Overbrugging gecontroleerd",
    "suitable": "Plaatsing passend",
    "failed_new_meeting": "Plan loopt vast: nieuwe bijeenkomst",
    "failed_escalate": "Plan loopt vast: advies Praktijkteam VWS vragen",
    # the assessment of an early signal
    "start_case": "Casus starten met de gegevens van het signaal",
    "advice_given": "Advies gegeven (geen casus)",
    "not_needed": "Niet nodig (met motivatie)",
}
# early signals (issue 11)
SIGNAL_KINDS = {
    "early_information": "Vroegtijdig informeren",
    "request_mediation": "Verzoek om bemiddeling",
}
SIGNAL_MODES = {
    "for_information": "Ter kennisgeving",
    "sparring": "Om te sparren",
}
SIGNAL_STATUS = {
    "open": "Ontvangen: het zorgkantoor beoordeelt het signaal",
    "starting_case": "Besloten: er wordt een casus gestart",
    "case_started": "Casus gestart",
    "advice_given": "Advies gegeven",
    "not_needed": "Geen casus nodig",
}
ACTIONS = {
    "case_started": "Casus gestart",
    "phase_changed": "Fase gestart",
    "task_opened": "Taak geopend",
    "task_completed": "Taak afgerond",
    "task_claimed": "Taak opgepakt",
    "task_unclaimed": "Taak vrijgegeven",
    "escalation": "Escalatie",
    "provider_registered": "Aangemeld bij aanbieder",
    "case_closed": "Casus afgesloten",
    "deadline_reminder": "Herinnering termijn",
    "deadline_missed": "Termijn verstreken",
    "withdrawn": "Casus ingetrokken",
    "bridging_solution_recorded": "Overbruggingszorg vastgelegd",
    "stagnation_signal": "Signaal van stagnatie",
    "advice_requested": "Advies Praktijkteam gevraagd",
    "participant_added": "Deelnemer toegevoegd",
    "notification_failed": "Melding niet bezorgd",
    "task_skipped": "Taak overgeslagen",
    "gates_overridden": "Afgerond zonder de voorbereidende stappen",
    "phase_stalled": "Casus staat stil",
    "notice_given": "Zorg opgezegd door de aanbieder",
    "notice_reviewed": "Opzegging getoetst",
    "care_ended": "Zorg beëindigd met overbruggingszorg",
    "provider_left": "Aanbieder niet meer betrokken",
    "contribution_added": "Bijdrage toegevoegd",
    "oco_switched": "Andere cliëntondersteuner",
}
CASE_ACTIONS = {
    "signal_stagnation": "Stagnatie of onvrede melden",
    "request_praktijkteam_advice": "Advies van het Praktijkteam VWS vragen",
    "give_notice": "Zorg opzeggen",
    "end_care_with_bridging": "Zorg beëindigen met overbruggingszorg",
    "add_contribution": "Bijdrage toevoegen",
    "switch_oco": "Cliëntondersteuner wisselen",
    "add_participant": "Deelnemer toevoegen",
    "withdraw": "Casus intrekken",
}


def label(table: dict[str, str], key: str | None) -> str:
    return table.get(key or "", key or "—")


def phase_title(phase: str | None) -> str:
    if phase is None:
        return "—"
    if phase == INTAKE_PHASE:
        return "Signaal (voor een casus)"
    try:
        return PHASE_TITLES[Phase(phase)]
    except ValueError:
        return phase or "—"


def outcome_title(outcome: str | None) -> str:
    if outcome is None:
        return "—"
    try:
        return OUTCOME_TITLES[CaseOutcome(outcome)]
    except ValueError:
        return outcome or "—"


@overload
def _local(value: datetime) -> datetime: ...
@overload
def _local(value: None) -> None: ...
@overload
def _local(value: datetime | None) -> datetime | None: ...
def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(AMSTERDAM)


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_day(day: date) -> str:
    """26 november 2026"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_date(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        return dutch_day(value)
    local = _local(value)
    return dutch_day(local.date())


def format_datetime(value: datetime | None) -> str:
    local = _local(value)
    return f"{dutch_day(local.date())} {local:%H:%M}" if local else "—"


def format_money(value: float | int | None) -> str:
    """€ 1.250,50 (whole euros without cents: € 1.250)"""
    if value is None:
        return "—"
    whole = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return "€ " + (whole[:-3] if whole.endswith(",00") else whole)


def days(value: float | int | None) -> str:
    """'1 dag', '12 dagen' (whole days, rounded down); '—' when unknown."""
    if value is None:
        return "—"
    whole = max(int(value), 0)
    return "1 dag" if whole == 1 else f"{whole} dagen"


def format_days_left(value: datetime | None) -> str:
    """'vandaag', 'nog 3 dagen', '2 dagen te laat' for a due date."""
    if value is None:
        return "geen termijn"
    local, today = _local(value).date(), datetime.now(AMSTERDAM).date()
    days = (local - today).days
    if days == 0:
        return "vandaag"
    if days > 0:
        return "nog 1 dag" if days == 1 else f"nog {days} dagen"
    return "1 dag te laat" if days == -1 else f"{-days} dagen te laat"
