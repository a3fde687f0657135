"""The fixed names of the process (docs/api.md): roles, phases, outcomes, sectors, regions.

Plain ``StrEnum``s so they travel through Temporal payloads, JSON and SQL as strings.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    ZORGKANTOOR = "zorgkantoor"
    AANBIEDER = "aanbieder"
    OCO = "oco"
    AUDITOR = "auditor"
    # functional administrator: organisations' addresses and users' notification
    # settings; no access to cases or signals
    BEHEERDER = "beheerder"


class Phase(StrEnum):
    DOSSIERHOUDER_SEARCH = "dossierhouder_search"
    CURRENT_PLACE_REVIEW = "current_place_review"
    SEARCH_OTHER_PROVIDER = "search_other_provider"
    REGULAR_STEPS_FAILED = "regular_steps_failed"
    WHOLE_SYSTEM_MEETING = "whole_system_meeting"
    PLAN_OF_ACTION = "plan_of_action"
    CLOSED = "closed"


# The "phase" of the task that assesses an early signal: before (or without) a case.
INTAKE_PHASE = "intake"

# The six working phases in step-plan order (for progress displays).
WORKING_PHASES: tuple[Phase, ...] = tuple(p for p in Phase if p is not Phase.CLOSED)


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseOutcome(StrEnum):
    PLACED = "placed"
    SOLVED_IN_PLACE = "solved_in_place"
    WITHDRAWN = "withdrawn"
    CARE_ENDED_WITH_BRIDGING = "care_ended_with_bridging"


class Entry(StrEnum):
    NO_DOSSIERHOUDER = "no_dossierhouder"
    CARE_NOT_SUITABLE = "care_not_suitable"


ENTRY_PHASE: dict[Entry, Phase] = {
    Entry.NO_DOSSIERHOUDER: Phase.DOSSIERHOUDER_SEARCH,
    Entry.CARE_NOT_SUITABLE: Phase.CURRENT_PLACE_REVIEW,
}


class Sector(StrEnum):
    VV = "VV"  # verpleging en verzorging (nursing / elderly)
    GZ = "GZ"  # gehandicaptenzorg (disability)
    GGZ = "GGZ"  # geestelijke gezondheidszorg (mental health)


class NotificationEvent(StrEnum):
    TASK_ASSIGNED = "task_assigned"
    DEADLINE_REMINDER = "deadline_reminder"
    DEADLINE_MISSED = "deadline_missed"
    PHASE_CHANGED = "phase_changed"
    STAGNATION_SIGNAL = "stagnation_signal"
    ADVICE_REQUESTED = "advice_requested"
    ADVICE_ANSWERED = "advice_answered"
    MEETING_INVITATION = "meeting_invitation"
    CASE_CLOSED = "case_closed"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"  # step plan v1: left open when its phase ended
    SKIPPED = "skipped"  # since v2: left open when its phase ended, with a timeline event


# The 31 zorgkantoor regions, by the Wlz-uitvoerder that runs them (the zorgkantoren's
# procurement policy for client support, 2024-2025).
ZORGKANTOOR_REGIONS: dict[str, tuple[str, ...]] = {
    "Zilveren Kruis": (
        "Drenthe",
        "Zwolle",
        "Apeldoorn-Zutphen",
        "Utrecht",
        "Flevoland",
        "'t Gooi",
        "Kennemerland",
        "Zaanstreek/Waterland",
        "Amsterdam",
        "Rotterdam",
        "Friesland",
    ),
    "VGZ": (
        "Noord-Holland Noord",
        "Nijmegen",
        "Noord- en Midden-Limburg",
        "Waardenland",
        "Midden-Holland",
        "Midden-Brabant",
        "Noordoost-Brabant",
    ),
    "CZ": (
        "Haaglanden",
        "Zuid-Hollandse Eilanden",
        "Zeeland",
        "West-Brabant",
        "Zuidoost-Brabant",
        "Zuid-Limburg",
    ),
    "Menzis": ("Groningen", "Twente", "Arnhem"),
    "Zorg en Zekerheid": ("Amstelland en de Meerlanden", "Zuid-Holland Noord"),
    "DSW": ("Westland Schieland Delfland",),
    "Salland": ("Midden-IJssel",),
}

REGIONS: tuple[str, ...] = tuple(r for regions in ZORGKANTOOR_REGIONS.values() for r in regions)
assert len(REGIONS) == 31, len(REGIONS)
