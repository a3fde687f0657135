"""Code lists with Dutch labels: values that are counted, so they are chosen from a list
instead of typed (the reflection on cases looks for patterns in them)."""

from __future__ import annotations

# why a provider declines to become dossierhouder (step plan v2)
DECLINE_REASONS: tuple[tuple[str, str], ...] = (
    ("inclusion_exclusion_criteria", "Valt buiten de in- of exclusiecriteria"),
    ("no_capacity", "Geen plek of capaciteit"),
    ("expertise_lacking", "Benodigde expertise ontbreekt"),
    ("other", "Anders (met toelichting)"),
)

# the kind of Whole-system meeting (step plan: zorgconferentie, MDO, taskforce, regiotafel)
MEETING_TYPES: tuple[tuple[str, str], ...] = (
    ("zorgconferentie", "Zorgconferentie"),
    ("mdo", "Multidisciplinair overleg (MDO)"),
    ("taskforce", "Taskforce"),
    ("regional_table", "Regionale tafel"),
    ("case_meeting", "Casusoverleg voor deze cliënt"),
)

# who gave consent to share client data
CONSENT_GIVERS: tuple[tuple[str, str], ...] = (
    ("client", "Cliënt"),
    ("representative", "Wettelijk vertegenwoordiger"),
)


def codes(choices: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(code for code, _ in choices)
