"""Version 1 of the step plan *passende plek* (docs/process.md describes it task by task).

Joint tasks ("aanbieder + zorgkantoor ...") are one task owned by the aanbieder, which
leads while the client is in its care, with the zorgkantoor in ``supports``. Where the
step plan gives the zorgkantoor its own accountable act (reviewing a cost estimate,
monitoring progress from its duty of care) that is a separate zorgkantoor task.
"""

from __future__ import annotations

from domain.labels import PHASE_TITLES
from domain.messages import CaseActionKind
from domain.process import (
    NOTIFICATION_FAILED,
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
CLOSE_PLACED = Effect(close=CaseOutcome.PLACED)

BRIDGING = FieldSpec("bridging_care", "Overbruggingszorg (indien wachttijd)", FieldKind.LONG_TEXT)
PROVIDER = FieldSpec("provider_org", "Aanbieder", FieldKind.ORGANISATION)
PROVIDERS = FieldSpec("providers", "Benaderde aanbieders", FieldKind.ORGANISATIONS)
COST = FieldSpec("cost_estimate", "Kostenraming (EUR)", FieldKind.MONEY)
PLACE = FieldSpec("placed_at", "Plaatsing bij aanbieder", FieldKind.ORGANISATION)


# the named provider becomes the case's (intended) provider and decides anew
REGISTER_NEXT_PROVIDER = RegisterProvider(
    field="provider_org", capacity="intended_provider", opens=("decide_dossierhouder",)
)


def phase(p: Phase, *tasks: TaskDef, counts_meetings: bool = False) -> PhaseDef:
    return PhaseDef(phase=p, title=PHASE_TITLES[p], tasks=tasks, counts_meetings=counts_meetings)


DOSSIERHOUDER_SEARCH = phase(
    Phase.DOSSIERHOUDER_SEARCH,
    TaskDef(
        "inform_client_about_oco",
        "Cliënt informeren over onafhankelijke cliëntondersteuning",
        Z,
        DONE,
        condition=Condition.NO_OCO,
        description="Wijs de cliënt op de mogelijkheid van een onafhankelijke cliëntondersteuner.",
    ),
    TaskDef(
        "help_with_registration_form",
        "Praktische hulp bij het invullen van het aanmeldformulier",
        O,
        DONE,
        condition=Condition.OCO_INVOLVED,
    ),
    TaskDef(
        "inform_client_about_preferred_provider",
        "Cliënt informeren over een voorkeursaanbieder en wat de aanmelding nodig heeft",
        Z,
        DONE,
        supports=(O,),
        description="Woonprofiel, wensprofiel, diagnostiek en eventuele CCE-informatie.",
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
        fields=(FieldSpec("reason_code", "Reden van weigering"),),
        requires={"declined": ("reason_code", "note")},
        description="Besluit binnen de termijn of u dossierhouder wordt; motiveer een weigering.",
    ),
    TaskDef(
        "arrange_care",
        "Passende zorg regelen als dossierhouder",
        A,
        {"placed": CLOSE_PLACED, "no_place": Effect(goto=Phase.SEARCH_OTHER_PROVIDER)},
        on_phase_start=False,
        fields=(PLACE, BRIDGING),
        requires={"no_place": ("note",)},
    ),
    TaskDef(
        "follow_up_overdue_decision",
        "Besluit over dossierhouderschap is te laat: opvolgen",
        Z,
        DONE,
        on_phase_start=False,
        description=(
            "De beslistermijn is verstreken zonder besluit. Neem contact op met de aanbieder."
        ),
    ),
    TaskDef(
        "register_with_next_provider",
        "Nieuwe aanmelding bij een andere aanbieder",
        Z,
        {"registered": Effect(register_provider=REGISTER_NEXT_PROVIDER)},
        supports=(O,),
        on_phase_start=False,
        fields=(PROVIDER,),
        requires={"registered": ("provider_org",)},
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
        fields=(PROVIDER,),
        requires={"registered": ("provider_org",), "escalate": ("note",)},
    ),
)

CURRENT_PLACE_REVIEW = phase(
    Phase.CURRENT_PLACE_REVIEW,
    TaskDef(
        "advise_client_about_oco",
        "Cliënt adviseren over ondersteuning door een OCO",
        A,
        DONE,
        condition=Condition.NO_OCO,
    ),
    TaskDef(
        "inform_zorgkantoor_early",
        "Zorgkantoor vroegtijdig informeren",
        A,
        {"for_information": Effect(), "sparring": Effect()},
        supports=(Z,),
        description="Ter informatie (notitie, geen actie gevraagd) of om te sparren (telefonisch).",
    ),
    TaskDef(
        "explore_solutions_in_place",
        "Oplossingen op de huidige plek verkennen",
        A,
        DONE,
        supports=(Z, O),
        description="Gedragsdeskundige, CCE/COT-expertise, mediation, samenwerking; "
        "zorgkantoor: meerzorg en maatwerk.",
    ),
    TaskDef(
        "establish_place_not_suitable",
        "Vaststellen of de huidige plek met de huidige zorg nog passend is",
        A,
        {
            "solved_in_place": Effect(close=CaseOutcome.SOLVED_IN_PLACE),
            "not_suitable": Effect(goto=Phase.SEARCH_OTHER_PROVIDER),
        },
        supports=(Z, O),
        requires={"not_suitable": ("note",), "solved_in_place": ("note",)},
    ),
)

SEARCH_OTHER_PROVIDER = phase(
    Phase.SEARCH_OTHER_PROVIDER,
    TaskDef(
        "complete_client_information",
        "Cliëntinformatie compleet en actueel maken (persoonsbeeld, indicatie, zorgvraag)",
        A,
        DONE,
    ),
    TaskDef(
        "define_wanted_place",
        "Kenmerken van de gewenste plek bepalen",
        A,
        DONE,
        supports=(O,),
        description="Expertise, locatie en zorg; OCO aanwezig op verzoek of in belang van cliënt.",
    ),
    TaskDef(
        "share_provider_knowledge",
        "Kennis delen over aanbieders in andere regio's",
        Z,
        DONE,
    ),
    TaskDef(
        "first_registration_round",
        "Eerste aanmeldronde: beoogde aanbieders benaderen",
        A,
        {"placed": CLOSE_PLACED, "no_place": Effect(goto=Phase.REGULAR_STEPS_FAILED)},
        supports=(Z,),
        fields=(PROVIDERS, PLACE, BRIDGING),
        requires={"no_place": ("providers", "note"), "placed": ("placed_at",)},
    ),
    TaskDef(
        "guard_information_transfer",
        "Bewaken dat de juiste informatie wordt overgedragen",
        Z,
        DONE,
    ),
    TaskDef(
        "estimate_funding",
        "Financieringsmogelijkheden en kostenraming voor de nieuwe plek",
        A,
        {"done": Effect(opens=("review_cost_estimate",)), "not_applicable": Effect()},
        fields=(COST,),
        requires={"done": ("cost_estimate",)},
        description="Alleen in uitzonderlijke situaties nodig.",
    ),
    TaskDef(
        "review_cost_estimate",
        "Kostenraming beoordelen",
        Z,
        {"approved": Effect(), "rejected": Effect(opens=("estimate_funding",))},
        on_phase_start=False,
        requires={"rejected": ("note",)},
    ),
)

REGULAR_STEPS_FAILED = phase(
    Phase.REGULAR_STEPS_FAILED,
    TaskDef(
        "document_attempts",
        "Vastleggen wat al is geprobeerd en delen met het zorgkantoor",
        A,
        DONE,
    ),
    TaskDef(
        "second_registration_round",
        "Tweede aanmeldronde met wachtlijstbemiddeling",
        Z,
        {"placed": CLOSE_PLACED, "no_place": Effect(goto=Phase.WHOLE_SYSTEM_MEETING)},
        supports=(A,),
        fields=(PROVIDERS, PLACE, BRIDGING),
        requires={"no_place": ("providers", "note"), "placed": ("placed_at",)},
        description="Het zorgkantoor bemiddelt; de aanbieder beslist over de wachtlijstvolgorde.",
    ),
    TaskDef(
        "find_creative_solutions",
        "Creatieve oplossingen zoeken (uitwisseling cliënten of personeel, maatwerk)",
        A,
        DONE,
        supports=(Z, O),
    ),
    TaskDef(
        "agree_funding_of_solutions",
        "Afspraken maken over financiering van gevonden oplossingen",
        Z,
        {"done": Effect(), "not_applicable": Effect()},
    ),
    TaskDef(
        "review_termination_grounds",
        "Gronden voor zorgbeëindiging toetsen op de kwaliteit van het proces",
        Z,
        {"done": Effect(), "not_applicable": Effect()},
        description="Alleen wanneer een aanbieder de zorg beëindigt.",
    ),
)

WHOLE_SYSTEM_MEETING = phase(
    Phase.WHOLE_SYSTEM_MEETING,
    TaskDef(
        "organise_meeting",
        "Deelnemers uitnodigen, locatie of online bijeenkomst regelen, voorzitter en notulist",
        A,
        DONE,
        supports=(Z,),
        fields=(
            FieldSpec("meeting_at", "Datum en tijd", FieldKind.DATETIME),
            FieldSpec("location", "Locatie of online link"),
            FieldSpec("chair", "Voorzitter"),
            FieldSpec("minute_taker", "Notulist"),
            FieldSpec("invitees", "Uitgenodigde organisaties", FieldKind.ORGANISATIONS),
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
        "Overzicht bijwerken van alles wat tot nu toe is gedaan",
        A,
        DONE,
        supports=(Z,),
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
        description="Zonder OCO en bij een verstoorde relatie kan het zorgkantoor dit overnemen.",
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
            FieldSpec("meeting_at", "Datum en tijd", FieldKind.DATETIME),
            FieldSpec("participants", "Deelnemers (met of zonder mandaat)", FieldKind.PARTICIPANTS),
            FieldSpec("agreements", "Gemaakte afspraken", FieldKind.LONG_TEXT),
        ),
        requires={
            "solution": ("meeting_at", "participants", "agreements"),
            "no_solution": ("meeting_at", "participants", "note"),
        },
    ),
    TaskDef(
        "monitor_agreements",
        "Gemaakte afspraken monitoren tot plaatsing",
        A,
        {"placed": CLOSE_PLACED, "agreements_failed": Effect(goto=Phase.PLAN_OF_ACTION)},
        supports=(Z,),
        on_phase_start=False,
        fields=(PLACE, BRIDGING),
        requires={"placed": ("placed_at",), "agreements_failed": ("note",)},
    ),
    counts_meetings=True,
)

PLAN_OF_ACTION = phase(
    Phase.PLAN_OF_ACTION,
    TaskDef(
        "evaluate_meeting",
        "Bijeenkomst evalueren: kansen benut, voldoende mandaat aanwezig?",
        A,
        {
            "continue_with_plan": Effect(
                opens=("make_plan_of_action", "contact_provider_about_progress", "report_progress")
            ),
            "new_meeting": Effect(goto=Phase.WHOLE_SYSTEM_MEETING),
        },
        supports=(Z,),
        requires={"new_meeting": ("note",)},
        description="Afwijken van in- en exclusiecriteria, route via aanbieder A naar B, "
        "proactieve afspraken bij escalatie.",
    ),
    TaskDef(
        "make_plan_of_action",
        "Plan van aanpak en creatieve oplossingen opstellen",
        A,
        {"done": Effect(opens=("direct_plan_of_action",))},
        supports=(Z, O),
        on_phase_start=False,
        description="Zo nodig met informeel advies van het Praktijkteam VWS.",
    ),
    TaskDef(
        "direct_plan_of_action",
        "Regie voeren op het plan van aanpak en de uitvoering monitoren",
        A,
        DONE,
        supports=(Z,),
        on_phase_start=False,
    ),
    TaskDef(
        "contact_provider_about_progress",
        "Proactief contact met de aanbieder over de voortgang",
        Z,
        DONE,
        on_phase_start=False,
    ),
    TaskDef(
        "report_progress",
        "Zorgkantoor informeren over de voortgang van het plan van aanpak",
        A,
        {"progress": Effect(opens=("report_progress",)), "placed": CLOSE_PLACED},
        supports=(Z,),
        on_phase_start=False,
        due=Due.PROGRESS_REPORT_DAYS,
        on_overdue="follow_up_missed_report",
        fields=(PLACE, BRIDGING),
        requires={"progress": ("note",), "placed": ("placed_at",)},
    ),
    TaskDef(
        "follow_up_missed_report",
        "Voortgangsrapportage gemist: contact opnemen met de aanbieder",
        Z,
        DONE,
        on_phase_start=False,
    ),
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
        "Advies van het Praktijkteam VWS vastleggen",
        Z,
        {"answered": Effect()},
        on_phase_start=False,
        fields=(FieldSpec("advice", "Advies", FieldKind.LONG_TEXT),),
        requires={"answered": ("advice",)},
        opened_by=CaseActionKind.REQUEST_ADVICE,
        # the answer reaches the zorgkantoor and the party that asked
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
)

STAPPENPLAN_V1 = ProcessDefinition(
    version=1,
    phases=(
        DOSSIERHOUDER_SEARCH,
        CURRENT_PLACE_REVIEW,
        SEARCH_OTHER_PROVIDER,
        REGULAR_STEPS_FAILED,
        WHOLE_SYSTEM_MEETING,
        PLAN_OF_ACTION,
    ),
    any_phase_tasks=ANY_PHASE,
)
STAPPENPLAN_V1.validate()
