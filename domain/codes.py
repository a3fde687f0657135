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


# ------------------------------------------------------------------ structured case data
# for matching and the case-transcending reflection: patterns by type of care need,
# domain and sub-region, structural shortages, what worked
CARE_NEED_TYPES: tuple[tuple[str, str], ...] = (
    ("behaviour", "Ernstig probleemgedrag"),
    ("psychiatric", "Psychiatrische problematiek"),
    ("dementia", "Dementie met probleemgedrag"),
    ("intellectual_disability", "Verstandelijke beperking met bijkomende problemen"),
    ("addiction", "Verslaving"),
    ("somatic_complex", "Complexe somatische zorg"),
    ("multiple", "Meervoudige problematiek"),
    ("other", "Anders"),
)
ESCALATION_CAUSES: tuple[tuple[str, str], ...] = (
    ("changed_care_need", "Veranderde zorgvraag"),
    ("incidents_client", "Incidenten met de cliënt"),
    ("incidents_relatives", "Incidenten met naasten"),
    ("disrupted_relation", "Verstoorde relatie met de aanbieder"),
    ("no_provider_found", "Geen aanbieder gevonden"),
    ("care_termination", "Zorgbeëindiging door de aanbieder"),
    ("other", "Anders"),
)
DOMAINS: tuple[tuple[str, str], ...] = (
    ("wlz", "Wet langdurige zorg (Wlz)"),
    ("wmo", "Samenloop met de Wmo"),
    ("zvw", "Samenloop met de Zorgverzekeringswet"),
    ("youth", "Samenloop met de Jeugdwet"),
    ("compulsory_care", "Gedwongen zorg (Wvggz of Wzd)"),
    ("forensic", "Forensische zorg"),
)
URGENCIES: tuple[tuple[str, str], ...] = (
    ("normal", "Normaal"),
    ("high", "Hoog"),
    ("crisis", "Crisis"),
)
WAITING_REASONS: tuple[tuple[str, str], ...] = (
    ("no_capacity", "Geen plek beschikbaar"),
    ("expertise_lacking", "Benodigde expertise ontbreekt"),
    ("client_preference", "Wens van de cliënt (voorkeursaanbieder)"),
    ("funding", "Financiering nog niet rond"),
    ("other", "Anders"),
)
DELIVERY_FORMS: tuple[tuple[str, str], ...] = (
    ("verblijf", "Verblijf in een instelling"),
    ("vpt", "Volledig pakket thuis (VPT)"),
    ("mpt", "Modulair pakket thuis (MPT)"),
    ("pgb", "Persoonsgebonden budget (pgb)"),
)
SOLUTION_KINDS: tuple[tuple[str, str], ...] = (
    ("regular_place", "Reguliere plek bij een aanbieder"),
    ("custom_arrangement", "Maatwerkarrangement"),
    ("route_a_to_b", "Route via aanbieder A naar aanbieder B"),
    ("criteria_deviation", "Beargumenteerd afwijken van in- of exclusiecriteria"),
    ("client_or_staff_exchange", "Uitwisseling van cliënten of personeel"),
    ("extra_care_in_place", "Meerzorg of extra inzet op de huidige plek"),
    ("other", "Anders"),
)
# the answer of a provider approached in a registration round
ROUND_RESULTS: tuple[tuple[str, str], ...] = (
    ("accepted", "Kan de cliënt plaatsen"),
    ("declined", "Weigert (met reden)"),
    ("waiting_list", "Wachtlijst"),
    ("no_response", "Geen reactie"),
)

# ------------------------------------------------------------------ documents
# documents are referenced (kind, date, who holds it, optional link), never stored
DOCUMENT_KINDS: tuple[tuple[str, str], ...] = (
    ("woonprofiel", "Woonprofiel"),
    ("wensprofiel", "Wensprofiel"),
    ("diagnostiek", "Diagnostiek"),
    ("cce_informatie", "Informatie van het CCE"),
    ("aanmeldformulier", "Aanmeldformulier"),
    ("persoonsbeeld", "Persoonsbeeld"),
    ("indicatiebesluit", "Indicatiebesluit"),
    ("woonzorgprofiel", "Woonzorgprofiel"),
    ("overzicht_geprobeerd", "Overzicht van wat al is geprobeerd"),
    ("kostenraming", "Kostenraming"),
    ("notulen", "Notulen van de bijeenkomst"),
    ("plan_van_aanpak", "Plan van aanpak"),
)


def label_of(choices: tuple[tuple[str, str], ...], code: str | None) -> str:
    """The Dutch label of a code (the code itself when unknown, "—" for none)."""
    return dict(choices).get(code or "", code or "—")
