"""One glossary for every page, the help texts and ``docs/glossary.md`` (generated from
this list by ``scripts/glossary.py``; ``tests/test_docs.py`` keeps them equal).

Each term once, in plain Dutch (B1): the word the pages use, a short explanation, and
where it lives in the code. The pages link a term to ``/begrippen#<key>``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str  # anchor on /begrippen
    term: str  # the word the pages use
    explanation: str  # Dutch, B1
    in_code: str = ""  # where it lives in the code (for developers; not on the page)
    avoid: str = ""  # words the pages do not use for it


GLOSSARY: tuple[Term, ...] = (
    Term(
        "casus",
        "Casus",
        "Een cliënt voor wie het gewone zoeken naar zorg is vastgelopen. Het zorgkantoor "
        "regelt dan samen met anderen een oplossing, in stappen.",
        "`Case`, one `CaseWorkflow` per case",
        "dossier (dat is iets anders, zie dossierhouder)",
    ),
    Term(
        "stappenplan",
        "Stappenplan",
        "De afspraken over hoe een casus verloopt: zes fasen, met per fase de taken en termijnen.",
        "`domain/stappenplan_v1.py`, `domain/stappenplan_v2.py`",
        "proces, workflow",
    ),
    Term(
        "fase",
        "Fase",
        "Een deel van het stappenplan. Er zijn zes fasen: 1 Dossierhouder zoeken, 2 Zorg "
        "op huidige plek niet meer passend, 3 Zoeken bij andere aanbieders, 4 Reguliere "
        "stappen leveren geen plek op, 5 Whole system in the room, 6 Plan van aanpak.",
        "`Phase`",
    ),
    Term(
        "taak",
        "Taak",
        "Iets wat één organisatie in een fase moet doen, vaak met een termijn. U rondt een "
        "taak af met een uitkomst.",
        "`Task`, `TaskDef`",
    ),
    Term(
        "uitkomst",
        "Uitkomst",
        "Wat er uit een taak kwam. Een uitkomst kan de casus naar een andere fase brengen "
        "of de casus sluiten. Dat ziet u bij elke uitkomst staan.",
        "`outcome`, `Effect`",
    ),
    Term(
        "termijn",
        "Termijn",
        "De datum waarop een taak af moet zijn. Is die voorbij, dan is de taak te laat.",
        "`due_at`, `overdue`",
        "deadline",
    ),
    Term(
        "oppakken",
        "Taak oppakken",
        "Laten zien dat u met een taak bezig bent. Collega's zien dan uw naam. U kunt een "
        "taak ook toewijzen aan een collega van uw organisatie.",
        "`ClaimTask`",
        "claimen",
    ),
    Term(
        "clientreferentie",
        "Cliëntreferentie",
        "Een code voor de cliënt, bijvoorbeeld CR-2026-0042. Nooit een BSN of naam. Zoeken "
        "gaat alleen op de precieze code.",
        "`client_ref`",
    ),
    Term(
        "zorgkantoor",
        "Zorgkantoor",
        "Het regionale kantoor dat zorgt dat cliënten met een Wlz-indicatie zorg krijgen "
        "(zorgplicht). Het zorgkantoor heeft de regie in een casus.",
        "role `zorgkantoor`; `zorgkantoor_org`",
    ),
    Term(
        "zorgbemiddelaar",
        "Zorgbemiddelaar",
        "Medewerker van het zorgkantoor die casussen start en stuurt.",
        "role `coordinator`",
        "coördinator",
    ),
    Term(
        "zorgaanbieder",
        "Zorgaanbieder",
        "De organisatie die de zorg geeft of gaat geven.",
        "role `aanbieder`; `provider_org`",
        "aanbieder (alleen in samenstellingen)",
    ),
    Term(
        "dossierhouder",
        "Dossierhouder",
        "De zorgaanbieder die het dossier van de cliënt beheert en het zoeken naar een plek "
        "leidt. Een aanbieder beslist binnen 5 of 10 dagen of hij dossierhouder wordt.",
        "task `decide_dossierhouder`; phase `dossierhouder_search`",
    ),
    Term(
        "oco",
        "Cliëntondersteuner (OCO)",
        "Een onafhankelijke cliëntondersteuner: staat aan de kant van de cliënt en helpt "
        "hem. Alleen betrokken als de cliënt dat wil.",
        "role `oco`; `oco_org`",
        "onafhankelijke cliëntondersteuning, OCO alleen",
    ),
    Term(
        "toestemming",
        "Toestemming",
        "De cliënt (of zijn vertegenwoordiger) zegt dat een organisatie zijn gegevens mag "
        "zien. U legt vast wie toestemming gaf, waarvoor, wanneer en hoe.",
        "`consents`, `CONSENT_FIELDS`",
    ),
    Term(
        "vroegtijdig-informeren",
        "Vroegtijdig informeren",
        "Een zorgaanbieder vertelt het zorgkantoor vroeg dat het op de huidige plek "
        "moeilijk gaat: alleen ter kennisgeving, of om samen te sparren.",
        "signal `kind` `early_information`",
    ),
    Term(
        "signaal",
        "Signaal",
        "Een melding over een cliënt aan het zorgkantoor, vóór er een casus is. Het "
        "zorgkantoor beoordeelt het signaal: het start een casus, geeft advies, of legt uit "
        "waarom het niet nodig is.",
        "`Signal`, `SignalWorkflow`, task `assess_signal`",
    ),
    Term(
        "wsitr",
        "Whole system in the room",
        "Een bijeenkomst met iedereen die nodig is voor een oplossing: cliënt, "
        "cliëntondersteuner, aanbieders, zorgkantoor en zo nodig gemeente. De bijeenkomst "
        "stopt pas als er een oplossing is. Het is de naam die het stappenplan zelf gebruikt.",
        "phase `whole_system_meeting`; `organise_meeting`, `hold_meeting`",
        "WSITR",
    ),
    Term(
        "plan-van-aanpak",
        "Plan van aanpak",
        "De afspraken na een bijeenkomst zonder oplossing: wie doet wat, en wanneer.",
        "phase `plan_of_action`",
    ),
    Term(
        "overbruggingszorg",
        "Overbruggingszorg",
        "Tijdelijke zorg voor de cliënt zolang er nog geen nieuwe, passende plek is.",
        "`bridging_care`, `bridging_solution`",
    ),
    Term(
        "opzegging",
        "Opzegging van de zorg",
        "Een zorgaanbieder wil stoppen met de zorg. Het zorgkantoor toetst eerst de "
        "afwijsgronden: de redenen waarom de aanbieder mag stoppen.",
        "`give_notice`, `review_termination_grounds`",
    ),
    Term(
        "meerzorg",
        "Meerzorg en maatwerk",
        "Extra zorg of een afspraak op maat, met de financiering die erbij hoort.",
        "`explore_solutions_in_place`, `agree_funding_of_solutions`",
    ),
    Term(
        "kostenraming",
        "Kostenraming",
        "Een schatting van wat de zorg op een nieuwe plek kost.",
        "`estimate_funding`, `review_cost_estimate`",
    ),
    Term(
        "praktijkteam",
        "Praktijkteam VWS",
        "Een team van het ministerie van VWS dat informeel advies geeft. Het kan niemand "
        "iets verplichten.",
        "case action `request_praktijkteam_advice`",
    ),
    Term(
        "stagnatie",
        "Stagnatie",
        "De casus komt niet verder. Een zorgaanbieder of cliëntondersteuner kan dat melden "
        "aan het zorgkantoor. Een casus staat stil als hij langer in een fase is dan het "
        "stappenplan toestaat.",
        "case action `signal_stagnation`; `stalled`",
    ),
    Term(
        "overgeslagen",
        "Overgeslagen",
        "Een taak die niet is gedaan omdat de fase al voorbij was. Een fase is overgeslagen "
        "als de casus er nooit in kwam.",
        "task status `skipped`",
    ),
    Term(
        "tijdlijn",
        "Tijdlijn",
        "Alles wat er in een casus gebeurde, met wie, wanneer en waarom. Niemand kan de "
        "tijdlijn veranderen.",
        "`audit_events`",
    ),
    Term(
        "controle",
        "Controle van de vastlegging",
        "Voor de toezichthouder: een controle of alles wat in de casus is vastgelegd klopt "
        "en compleet is. Komt het overzicht overeen met wat er echt is gebeurd?",
        "`audit/replay.py`, `audit/reconcile.py`",
        "replay, run, leesmodel",
    ),
    Term(
        "sleutel",
        "Sleutel",
        "Uw persoonlijke code om aan te melden. U krijgt hem van uw beheerder. Deel hem met "
        "niemand.",
        "API token",
        "token, wachtwoord",
    ),
    Term(
        "beheerder",
        "Functioneel beheerder",
        "Beheert de adressen voor meldingen: e-mailadressen en webhooks van organisaties, "
        "en e-mailadressen en voorkeuren van gebruikers. Ziet geen casussen.",
        "role `beheerder`",
    ),
    Term(
        "melding",
        "Melding",
        "Een bericht van casusregie per e-mail of webhook, bijvoorbeeld over een nieuwe taak "
        "of een termijn. U kiest: direct, of één overzicht per dag.",
        "`NotificationOutbox`, `users.notify`",
        "notificatie",
    ),
    Term(
        "webhook",
        "Webhook",
        "Een adres van een eigen systeem van een organisatie. casusregie stuurt meldingen "
        "daarheen, ondertekend met een geheim.",
        "`organisations.webhook_url`",
    ),
    Term(
        "toezichthouder",
        "Toezichthouder",
        "Kijkt mee in alle casussen (bijvoorbeeld de NZa) en verandert niets.",
        "role `auditor`",
    ),
    Term(
        "wlz",
        "Wlz",
        "Wet langdurige zorg: de wet voor mensen die blijvend veel zorg nodig hebben.",
        "",
    ),
    Term(
        "sectoren",
        "VV, GZ, GGZ",
        "De sectoren: verpleging en verzorging (VV), gehandicaptenzorg (GZ) en geestelijke "
        "gezondheidszorg (GGZ).",
        "`Sector`",
    ),
)

TERMS = {t.key: t for t in GLOSSARY}
