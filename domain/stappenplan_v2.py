"""Version 2 of the step plan *passende plek*: faithful to its central rules.

What changed since version 1 (docs/process.md has the full table):

- continuity of care: a provider's notice of ending care is reviewed by the zorgkantoor
  (``review_termination_grounds``, any phase); ending care keeps the case open and the
  search going, and the zorgkantoor monitors the bridging (``monitor_bridging``);
- nothing is skipped silently: tasks left open when a phase ends are ``skipped`` with a
  timeline event, and preconditions are gates (the meeting is prepared before it is
  held; the information transfer is guarded before a placement);
- every phase has a maximum duration; past it the zorgkantoor follows up the stall;
- the provider first investigates internally before external options;
- the decision clock starts at the registration date; a declining provider leaves the
  case; a next registration records the client's consent; decline reasons are codes;
- a placement closes the case and leaves the zorgkantoor an evaluation some weeks later;
- titles in the step plan's own words.
"""

from __future__ import annotations

from domain.codes import DECLINE_REASONS, MEETING_TYPES, SOLUTION_KINDS
from domain.labels import PHASE_TITLES
from domain.messages import CaseActionKind
from domain.process import (
    CARE_ENDED,
    NOTIFICATION_FAILED,
    PHASE_STALLED,
    Condition,
    CountDecline,
    Due,
    Effect,
    FieldKind,
    FieldSpec,
    Notice,
    Party,
    PhaseDef,
    ProcessDefinition,
    RegisterProvider,
    TaskDef,
)
from domain.vocabulary import CaseOutcome, NotificationEvent, Phase, Role

A, Z, O = Role.AANBIEDER, Role.ZORGKANTOOR, Role.OCO  # noqa: E741 (O: the OCO, as in the step plan)
DONE = {"done": Effect()}
# a placement closes the case; the zorgkantoor evaluates it some weeks later
PLACED = Effect(close=CaseOutcome.PLACED, follow_up=("evaluate_placement",))

BRIDGING = FieldSpec(
    "bridging_care", "Overbruggingszorg (als er een wachttijd is)", FieldKind.LONG_TEXT
)
PROVIDER = FieldSpec("provider_org", "Aanbieder", FieldKind.ORGANISATION)
PROVIDERS = FieldSpec("providers", "Benaderde aanbieders", FieldKind.ORGANISATIONS)
COST = FieldSpec("cost_estimate", "Kostenraming (euro)", FieldKind.MONEY)
PLACE = FieldSpec("placed_at", "Geplaatst bij aanbieder", FieldKind.ORGANISATION)
SOLUTION = FieldSpec(
    "solution_kind", "Soort oplossing die werkte", FieldKind.CHOICE, SOLUTION_KINDS
)
ROUND_RESULTS = FieldSpec(
    "round_results", "Benaderde aanbieders en hun antwoord", FieldKind.PROVIDER_RESULTS
)
FINDING = FieldSpec("finding", "Bevinding", FieldKind.LONG_TEXT)
CONSENT = FieldSpec(
    "consent", "Toestemming van de cliënt om informatie te delen", FieldKind.CONSENT
)
REGISTERED_AT = FieldSpec("registered_at", "Datum van aanmelding", FieldKind.DATE)
MEETING_AT = FieldSpec("meeting_at", "Datum en tijd", FieldKind.DATETIME)
OVERRIDE = FieldSpec(
    "override_gates",
    "Toch afronden zonder de voorbereidende stappen (zorgkantoor)",
    FieldKind.YES_NO,
)

# the named provider becomes the case's intended provider and decides anew (new clock)
REGISTER_NEXT_PROVIDER = RegisterProvider(
    field="provider_org", capacity="intended_provider", opens=("decide_dossierhouder",)
)


def phase(p: Phase, *tasks: TaskDef, max_days: int, counts_meetings: bool = False) -> PhaseDef:
    return PhaseDef(
        phase=p,
        title=PHASE_TITLES[p],
        tasks=tasks,
        counts_meetings=counts_meetings,
        max_days=max_days,
    )


DOSSIERHOUDER_SEARCH = phase(
    Phase.DOSSIERHOUDER_SEARCH,
    TaskDef(
        "inform_client_about_oco",
        "Cliënt informeren over ondersteuning door een onafhankelijke cliëntondersteuner",
        Z,
        DONE,
        condition=Condition.NO_OCO,
        description="Wijs de cliënt op de mogelijkheid van een onafhankelijke cliëntondersteuner.",
    ),
    TaskDef(
        "help_with_registration_form",
        "Praktische ondersteuning bij het invullen van het aanmeldformulier",
        O,
        DONE,
        condition=Condition.OCO_INVOLVED,
        documents=("aanmeldformulier",),
    ),
    TaskDef(
        "inform_client_about_preferred_provider",
        "Cliënt informeren over de waarde van een voorkeursaanbieder en de benodigde informatie",
        Z,
        DONE,
        supports=(O,),
        description="Woonprofiel, wensprofiel, diagnostiek en eventueel informatie van het CCE.",
        documents=("woonprofiel", "wensprofiel", "diagnostiek", "cce_informatie"),
    ),
    TaskDef(
        "decide_dossierhouder",
        "Besluiten over dossierhouderschap",
        A,
        {
            "accepted": Effect(opens=("arrange_care",)),
            "declined": Effect(
                count_decline=CountDecline(
                    opens=("register_with_next_provider",), at_limit_opens=("take_over_mediation",)
                )
            ),
        },
        due=Due.DECISION_DAYS,
        remind=True,
        on_overdue="follow_up_overdue_decision",
        fields=(
            FieldSpec("reason_code", "Reden van weigering", FieldKind.CHOICE, DECLINE_REASONS),
        ),
        requires={"declined": ("reason_code", "note")},
        description=(
            "Besluit binnen de termijn (gerekend vanaf de aanmelding) of u dossierhouder "
            "wordt. Motiveer een weigering."
        ),
    ),
    TaskDef(
        "arrange_care",
        "Passende zorg regelen als dossierhouder",
        A,
        {"placed": PLACED, "no_place": Effect(goto=Phase.SEARCH_OTHER_PROVIDER)},
        on_phase_start=False,
        fields=(PLACE, SOLUTION, BRIDGING),
        requires={"no_place": ("note",), "placed": ("placed_at",)},
    ),
    TaskDef(
        "follow_up_overdue_decision",
        "Beslistermijn dossierhouderschap verstreken: contact opnemen met de aanbieder",
        Z,
        DONE,
        on_phase_start=False,
        description=(
            "De aanbieder heeft niet binnen de termijn besloten. Neem als zorgkantoor "
            "contact op met de aanbieder en spreek de vervolgstap af."
        ),
    ),
    TaskDef(
        "register_with_next_provider",
        "Nieuwe aanmelding bij een andere aanbieder",
        Z,
        {"registered": Effect(register_provider=REGISTER_NEXT_PROVIDER)},
        supports=(O,),
        on_phase_start=False,
        fields=(PROVIDER, REGISTERED_AT, CONSENT),
        requires={"registered": ("provider_org", "consent")},
        description=(
            "Leg vast bij welke aanbieder de cliënt is aangemeld en dat de cliënt "
            "toestemming gaf om informatie met die aanbieder te delen."
        ),
    ),
    TaskDef(
        "take_over_mediation",
        "Bemiddeling overnemen na herhaalde weigeringen",
        Z,
        {
            "registered": Effect(register_provider=REGISTER_NEXT_PROVIDER),
            "escalate": Effect(goto=Phase.REGULAR_STEPS_FAILED),
        },
        on_phase_start=False,
        fields=(PROVIDER, REGISTERED_AT, CONSENT),
        requires={"registered": ("provider_org", "consent"), "escalate": ("note",)},
    ),
    max_days=30,
)

CURRENT_PLACE_REVIEW = phase(
    Phase.CURRENT_PLACE_REVIEW,
    TaskDef(
        "advise_client_about_oco",
        "Adviseren over de inzet van een onafhankelijke cliëntondersteuner",
        A,
        DONE,
        condition=Condition.NO_OCO,
    ),
    TaskDef(
        "investigate_internally",
        "Eerst intern onderzoeken hoe de zorg passend kan worden",
        A,
        DONE,
        supports=(Z,),
        description=(
            "Bijvoorbeeld extra of gespecialiseerd personeel, de kamer anders inrichten "
            "of hulpmiddelen inzetten."
        ),
    ),
    TaskDef(
        "inform_zorgkantoor_early",
        "Zorgkantoor vroegtijdig informeren over problemen op de huidige plek",
        A,
        {"for_information": Effect(), "sparring": Effect()},
        supports=(Z,),
        description=(
            "Ter kennisgeving (een notitie, er wordt nog geen actie gevraagd) of om te "
            "sparren (telefonisch)."
        ),
    ),
    TaskDef(
        "explore_solutions_in_place",
        "Oplossingen op de huidige plek verkennen",
        A,
        DONE,
        supports=(Z, O),
        description=(
            "Gedragsdeskundige, expertise van CCE of COT, bemiddeling tussen cliënt en "
            "aanbieder, samenwerking met andere aanbieders. Het zorgkantoor denkt mee over "
            "meerzorg en maatwerk en de financiering daarvan."
        ),
    ),
    TaskDef(
        "establish_place_not_suitable",
        "Vaststellen dat de huidige plek met huidige zorg niet langer passend is",
        A,
        {
            "solved_in_place": Effect(close=CaseOutcome.SOLVED_IN_PLACE),
            "not_suitable": Effect(goto=Phase.SEARCH_OTHER_PROVIDER),
        },
        supports=(Z, O),
        fields=(OVERRIDE,),
        requires={"not_suitable": ("note",), "solved_in_place": ("note",)},
        gates={"not_suitable": ("investigate_internally", "explore_solutions_in_place")},
    ),
    max_days=42,
)

SEARCH_OTHER_PROVIDER = phase(
    Phase.SEARCH_OTHER_PROVIDER,
    TaskDef(
        "complete_client_information",
        "Informatie over de cliënt volledig en actueel maken "
        "(persoonsbeeld, indicatie, zorgvraag en woonzorgprofiel)",
        A,
        DONE,
        documents=("persoonsbeeld", "indicatiebesluit", "woonzorgprofiel"),
    ),
    TaskDef(
        "define_wanted_place",
        "Kenmerken van de gewenste plek bepalen",
        A,
        DONE,
        supports=(O,),
        description=(
            "Benodigde expertise, kenmerken van de locatie en van de zorg. De "
            "cliëntondersteuner is aanwezig op verzoek of in het belang van de cliënt."
        ),
    ),
    TaskDef(
        "share_provider_knowledge",
        "Kennis delen over het aanbod van aanbieders in andere regio's",
        Z,
        DONE,
    ),
    TaskDef(
        "first_registration_round",
        "Eerste aanmeldronde: beoogde aanbieders benaderen en informatie verstrekken",
        A,
        {"placed": PLACED, "no_place": Effect(goto=Phase.REGULAR_STEPS_FAILED)},
        supports=(Z,),
        fields=(PROVIDERS, ROUND_RESULTS, PLACE, SOLUTION, BRIDGING),
        requires={"no_place": ("providers", "note"), "placed": ("placed_at",)},
        gates={"placed": ("guard_information_transfer",)},
    ),
    TaskDef(
        "guard_information_transfer",
        "Bewaken dat de juiste informatie wordt doorgegeven aan de volgende aanbieder",
        Z,
        DONE,
        shows=("complete_client_information", "define_wanted_place"),
        description="Zo voorkomt u dat het probleem zich alleen verplaatst.",
    ),
    TaskDef(
        "estimate_funding",
        "Financieringsmogelijkheden verkennen en een kostenraming maken",
        A,
        {"done": Effect(opens=("review_cost_estimate",)), "not_applicable": Effect()},
        fields=(COST,),
        requires={"done": ("cost_estimate",)},
        description="Alleen in uitzonderlijke situaties nodig.",
        documents=("kostenraming",),
    ),
    TaskDef(
        "review_cost_estimate",
        "Kostenraming beoordelen",
        Z,
        {"approved": Effect(), "rejected": Effect(opens=("estimate_funding",))},
        on_phase_start=False,
        requires={"rejected": ("note",)},
        shows=("estimate_funding",),
    ),
    max_days=42,
)

REGULAR_STEPS_FAILED = phase(
    Phase.REGULAR_STEPS_FAILED,
    TaskDef(
        "document_attempts",
        "Op papier zetten wat al is geprobeerd en dit delen met het zorgkantoor",
        A,
        DONE,
        documents=("overzicht_geprobeerd",),
    ),
    TaskDef(
        "second_registration_round",
        "Tweede aanmeldronde met wachtlijstbemiddeling",
        Z,
        {"placed": PLACED, "no_place": Effect(goto=Phase.WHOLE_SYSTEM_MEETING)},
        supports=(A,),
        fields=(PROVIDERS, ROUND_RESULTS, PLACE, SOLUTION, BRIDGING),
        requires={"no_place": ("providers", "note"), "placed": ("placed_at",)},
        description="Het zorgkantoor bemiddelt; de aanbieder beslist over de wachtlijstvolgorde.",
    ),
    TaskDef(
        "find_creative_solutions",
        "Creatieve oplossingen bedenken (uitwisselen van cliënten of personeel, maatwerk)",
        A,
        DONE,
        supports=(Z, O),
    ),
    TaskDef(
        "agree_funding_of_solutions",
        "Afspraken maken over de financiering van de bedachte oplossingen",
        Z,
        {"done": Effect(), "not_applicable": Effect()},
    ),
    max_days=42,
)

WHOLE_SYSTEM_MEETING = phase(
    Phase.WHOLE_SYSTEM_MEETING,
    TaskDef(
        "organise_meeting",
        "Deelnemers uitnodigen, locatie of online bijeenkomst regelen, "
        "voorzitter en notulist aanwijzen",
        A,
        DONE,
        supports=(Z,),
        fields=(
            MEETING_AT,
            FieldSpec("location", "Locatie of online link"),
            FieldSpec("chair", "Voorzitter"),
            FieldSpec("minute_taker", "Notulist"),
            FieldSpec("invitees", "Uitgenodigde organisaties", FieldKind.ORGANISATIONS),
            FieldSpec("meeting_type", "Soort bijeenkomst", FieldKind.CHOICE, MEETING_TYPES),
        ),
        requires={"done": ("meeting_at", "location", "chair", "minute_taker")},
        notice=Notice(
            NotificationEvent.MEETING_INVITATION,
            to=(Party.PARTICIPANTS,),
            to_fields=("invitees",),
            context_fields=("meeting_at", "location", "chair", "minute_taker"),
            with_meeting_number=True,
        ),
    ),
    TaskDef(
        "update_overview",
        "Overzicht actualiseren van alles wat al is gedaan",
        A,
        DONE,
        supports=(Z,),
        description="Met input van het zorgkantoor, op verzoek van de aanbieder.",
        documents=("overzicht_geprobeerd",),
    ),
    TaskDef(
        "inform_client_about_meeting",
        "Cliënt of vertegenwoordiger informeren over de bijeenkomst",
        A,
        {
            "done": Effect(),
            "ask_zorgkantoor": Effect(opens=("inform_client_about_meeting_for_provider",)),
        },
        supports=(O,),
        outcomes_without_oco=("ask_zorgkantoor",),
        description=(
            "Is de relatie met de cliënt verstoord en is er geen cliëntondersteuner, dan kan "
            "het zorgkantoor dit op uw verzoek doen."
        ),
    ),
    TaskDef(
        "inform_client_about_meeting_for_provider",
        "Cliënt informeren over de bijeenkomst (op verzoek van de aanbieder)",
        Z,
        DONE,
        on_phase_start=False,
    ),
    TaskDef(
        "hold_meeting",
        "Whole system in the room: bijeenkomst houden en uitkomst vastleggen",
        Z,
        {
            "solution": Effect(opens=("monitor_agreements",)),
            "no_solution": Effect(goto=Phase.PLAN_OF_ACTION),
        },
        supports=(A, O),
        fields=(
            MEETING_AT,
            FieldSpec("participants", "Deelnemers (met of zonder mandaat)", FieldKind.PARTICIPANTS),
            FieldSpec("agreements", "Gemaakte afspraken", FieldKind.LONG_TEXT),
            FieldSpec("follow_up_at", "Datum waarop de afspraken worden opgevolgd", FieldKind.DATE),
            OVERRIDE,
        ),
        requires={
            "solution": ("meeting_at", "participants", "agreements", "follow_up_at"),
            "no_solution": ("meeting_at", "participants", "note"),
        },
        gates={
            "solution": ("organise_meeting", "update_overview"),
            "no_solution": ("organise_meeting", "update_overview"),
        },
        documents=("notulen",),
        shows=("organise_meeting",),
        description=(
            "Deelnemers gaan pas weg als er een oplossing is. Een goede voorbereiding is "
            "de belangrijkste succesfactor."
        ),
    ),
    TaskDef(
        "monitor_agreements",
        "Follow-up: opvolging van de afspraken uit de bijeenkomst bewaken",
        A,
        {"placed": PLACED, "agreements_failed": Effect(goto=Phase.PLAN_OF_ACTION)},
        supports=(Z,),
        on_phase_start=False,
        due_from_field="follow_up_at",
        shows=("hold_meeting",),
        fields=(PLACE, SOLUTION, BRIDGING),
        requires={"placed": ("placed_at",), "agreements_failed": ("note",)},
    ),
    max_days=28,
    counts_meetings=True,
)

PLAN_OF_ACTION = phase(
    Phase.PLAN_OF_ACTION,
    TaskDef(
        "evaluate_meeting",
        "Evaluatie van de bijeenkomst: alle kansen en de ruimte binnen de regels verkend, "
        "voldoende mandaat aanwezig?",
        A,
        {
            "continue_with_plan": Effect(
                opens=("make_plan_of_action", "contact_provider_about_progress", "report_progress")
            ),
            "new_meeting": Effect(goto=Phase.WHOLE_SYSTEM_MEETING),
        },
        supports=(Z,),
        requires={"new_meeting": ("note",)},
        shows=("hold_meeting",),
        description=(
            "Opties: beargumenteerd afwijken van in- of exclusiecriteria, een route via "
            "aanbieder A naar aanbieder B, proactieve afspraken voor als de situatie escaleert."
        ),
    ),
    TaskDef(
        "make_plan_of_action",
        "Plan van aanpak maken en creatieve oplossingen bedenken",
        A,
        {"done": Effect(opens=("direct_plan_of_action",))},
        supports=(Z, O),
        on_phase_start=False,
        description="Zo nodig met informeel advies van het Praktijkteam van VWS.",
        documents=("plan_van_aanpak",),
    ),
    TaskDef(
        "direct_plan_of_action",
        "Regie voeren op het plan van aanpak en de uitvoering monitoren",
        A,
        {
            "done": Effect(),
            "failed_new_meeting": Effect(goto=Phase.WHOLE_SYSTEM_MEETING),
            "failed_escalate": Effect(opens=("record_praktijkteam_advice",)),
        },
        supports=(Z,),
        on_phase_start=False,
        requires={"failed_new_meeting": ("note",), "failed_escalate": ("note",)},
        description=(
            "Loopt het plan vast? Kies een nieuwe bijeenkomst of vraag advies aan het "
            "Praktijkteam van VWS."
        ),
    ),
    TaskDef(
        "contact_provider_about_progress",
        "Vanuit zorgplicht proactief contact zoeken met de aanbieder over de voortgang",
        Z,
        {"done": Effect(opens=("contact_provider_about_progress",))},
        on_phase_start=False,
        due=Due.PROGRESS_REPORT_DAYS,
        description="Dit contact komt terug zolang het plan van aanpak loopt.",
    ),
    TaskDef(
        "report_progress",
        "Zorgkantoor informeren over de voortgang van het plan van aanpak",
        A,
        {"progress": Effect(opens=("report_progress",)), "placed": PLACED},
        supports=(Z,),
        on_phase_start=False,
        due=Due.PROGRESS_REPORT_DAYS,
        on_overdue="follow_up_missed_report",
        fields=(PLACE, SOLUTION, BRIDGING),
        requires={"progress": ("note",), "placed": ("placed_at",)},
    ),
    TaskDef(
        "follow_up_missed_report",
        "Voortgangsrapportage niet ontvangen: contact opnemen met de aanbieder",
        Z,
        DONE,
        on_phase_start=False,
    ),
    max_days=90,
)

ANY_PHASE = (
    TaskDef(
        "handle_stagnation_signal",
        "Signaal van stagnatie of onvrede opvolgen",
        Z,
        DONE,
        on_phase_start=False,
        opened_by=CaseActionKind.SIGNAL_STAGNATION,
    ),
    TaskDef(
        "record_praktijkteam_advice",
        "Advies van het Praktijkteam van VWS vastleggen",
        Z,
        {"answered": Effect()},
        on_phase_start=False,
        fields=(FieldSpec("advice", "Advies", FieldKind.LONG_TEXT),),
        requires={"answered": ("advice",)},
        opened_by=CaseActionKind.REQUEST_ADVICE,
        notice=Notice(
            NotificationEvent.ADVICE_ANSWERED,
            to=(Party.ZORGKANTOOR,),
            to_fields=("requested_by_org",),
        ),
    ),
    TaskDef(
        "resolve_failed_notification",
        "Melding kon niet worden bezorgd: contactgegevens nagaan",
        Z,
        DONE,
        on_phase_start=False,
        opened_by=NOTIFICATION_FAILED,
    ),
    TaskDef(
        "review_termination_grounds",
        "Bij zorgbeëindiging: afwijsgronden toetsen op de kwaliteit van het proces",
        Z,
        {
            "agreed": Effect(notice_review="agreed"),
            "objected": Effect(notice_review="objected"),
        },
        on_phase_start=False,
        opened_by=CaseActionKind.GIVE_NOTICE,
        fields=(FINDING,),
        requires={"agreed": ("finding", "note"), "objected": ("finding", "note")},
        description=(
            "De aanbieder heeft de zorg opgezegd. Toets de afwijsgronden op de kwaliteit van "
            "het proces (bijlage 1 van het document Rollen en verantwoordelijkheden). De "
            "cliënt kan pas uit zorg als er een (overbruggings)oplossing is."
        ),
    ),
    TaskDef(
        "monitor_bridging",
        "Overbrugging bewaken: wordt de wachttijd verantwoord overbrugd?",
        Z,
        {"checked": Effect(opens=("monitor_bridging",))},
        on_phase_start=False,
        opened_by=CARE_ENDED,
        due=Due.BRIDGING_CHECK_DAYS,
        fields=(FINDING,),
        requires={"checked": ("finding",)},
        description="Komt terug zolang de cliënt in overbruggingszorg is en de casus loopt.",
    ),
    TaskDef(
        "follow_up_stalled_case",
        "Casus staat langer stil dan de fase mag duren: vanuit zorgplicht opvolgen",
        Z,
        DONE,
        on_phase_start=False,
        opened_by=PHASE_STALLED,
        requires={"done": ("note",)},
    ),
    TaskDef(
        "evaluate_placement",
        "Plaatsing evalueren: was de bemiddeling passend?",
        Z,
        {"suitable": Effect(), "not_suitable": Effect()},
        on_phase_start=False,
        after_close=True,
        due=Due.EVALUATION_DAYS,
        fields=(FINDING,),
        requires={"suitable": ("finding",), "not_suitable": ("finding", "note")},
        description="Enkele weken na de plaatsing: past de plek bij de cliënt?",
    ),
)

STAPPENPLAN_V2 = ProcessDefinition(
    version=2,
    phases=(
        DOSSIERHOUDER_SEARCH,
        CURRENT_PLACE_REVIEW,
        SEARCH_OTHER_PROVIDER,
        REGULAR_STEPS_FAILED,
        WHOLE_SYSTEM_MEETING,
        PLAN_OF_ACTION,
    ),
    any_phase_tasks=ANY_PHASE,
    records_skipped=True,
    ending_care_keeps_case_open=True,
    declining_provider_leaves=True,
    consent_records_required=True,
    tasks_carry_request=True,
)
STAPPENPLAN_V2.validate()
