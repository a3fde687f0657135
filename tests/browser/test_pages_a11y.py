"""The pages as people use them all day (issue 17), in Debian's headless Chromium:

- every page state of every role (pages, filled-in errors, confirmations): axe-core
  (WCAG 2.0/2.1/2.2 A and AA) finds 0 violations at 1366 px and at 320 px, and at 320 px
  (= 1280 px at 400 % zoom) nothing scrolls sideways;
- a keyboard-only walk completes a task after a validation error and its correction;
- an outcome that closes the case asks for confirmation on a page of its own;
- a form keeps its input after an error (a BSN, a wrong organisation) and after an
  expired session (sign in again, the filled form comes back).

Screenshots of the main pages at 1366×768 and 390×844 are written to
``build/screenshots/`` (or ``$CASUSREGIE_SCREENSHOTS``), with ``report.json`` (the
figures); they are test artefacts and not committed (``build/`` is ignored).
axe-core is vendored under ``tests/browser/vendor/axe-core`` (MPL-2.0) so the test
needs no network."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("CASUSREGIE_SCREENSHOTS") or ROOT / "build" / "screenshots")
WIDE, NARROW, PHONE = (1366, 768), (320, 640), (390, 844)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


class Checker:
    """Runs the checks on the page state the browser shows now and keeps the figures."""

    def __init__(self) -> None:
        self.states: list[dict[str, Any]] = []
        self.problems: list[str] = []

    async def __call__(self, page: Any, name: str, shot: bool = False) -> None:
        found: dict[str, Any] = {"state": name, "url": page.url}
        for label, (width, height) in (("wide", WIDE), ("narrow", NARROW)):
            await page.set_viewport_size({"width": width, "height": height})
            if await page.evaluate("typeof axe === 'undefined'"):
                await page.add_script_tag(path=str(AXE))
            violations = await page.evaluate(RUN_AXE, AXE_TAGS)
            found[f"axe_{label}"] = len(violations)
            if violations:
                self.problems.append(f"{name} ({label}): axe {violations}")
            if label == "narrow":
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                found["scroll_width_320"] = scroll
                if scroll > NARROW[0]:
                    self.problems.append(f"{name}: {scroll} px wide at 320 px")
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            for width, height in (WIDE, PHONE):
                await page.set_viewport_size({"width": width, "height": height})
                await page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
        await page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
        self.states.append(found)

    def report(self) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        summary = {
            "states": len(self.states),
            "axe_violations": sum(s["axe_wide"] + s["axe_narrow"] for s in self.states),
            "max_scroll_width_at_320": max(s["scroll_width_320"] for s in self.states),
            "details": self.states,
        }
        (SHOTS / "report.json").write_text(json.dumps(summary, indent=2))
        print(
            f"\npages: {summary['states']} states checked, axe violations: "
            f"{summary['axe_violations']}, widest at 320 px: {summary['max_scroll_width_at_320']}"
        )
        assert not self.problems, "\n".join(self.problems)


async def sign_in(page: Any, base: str, token: str) -> None:
    from playwright.async_api import expect

    await page.goto(base + "/")
    await page.get_by_label("Sleutel").fill(token)
    await page.get_by_role("button", name="Aanmelden").click()
    await expect(page.get_by_role("heading", name="Goedendag")).to_be_visible()


async def launch(pw: Any) -> Any:
    return await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


async def new_page(browser: Any) -> Any:
    context = await browser.new_context(
        viewport={"width": WIDE[0], "height": WIDE[1]}, bypass_csp=True, locale="nl-NL"
    )
    return await context.new_page()


async def test_every_page_state_is_accessible_and_fits_320_px(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    case = await api.start_case()
    other = await api.start_case(client_ref="CR-2026-0002", entry="care_not_suitable")
    signal = await api.as_(
        "aanbieder",
        "POST",
        "/api/signals",
        json={
            "kind": "early_information",
            "mode": "sparring",
            "sector": "GZ",
            "region": "Groningen",
            "client_ref": "CR-VROEG-7",
            "provider_org": "Zorggroep Noord",
            "note": "Toenemende incidenten op de groep.",
        },
    )
    assert signal.status_code == 201, signal.text
    task = await api.open_task(case["id"], "decide_dossierhouder")
    closing = await api.open_task(other["id"], "establish_place_not_suitable", user="aanbieder")
    check = Checker()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser)
            await page.goto(live_url + "/")
            await check(page, "aanmelden", shot=True)
            await page.get_by_label("Sleutel").fill("fout")
            await page.get_by_role("button", name="Aanmelden").click()
            await expect(
                page.get_by_role("heading", name="Aanmelden is niet gelukt")
            ).to_be_visible()
            await check(page, "aanmelden-fout")
            await page.goto(live_url + "/begrippen")
            await check(page, "begrippen")

            # a provider
            await sign_in(page, live_url, api.tokens["aanbieder"])
            await check(page, "start-aanbieder", shot=True)
            await page.goto(live_url + "/inbox")
            await check(page, "inbox", shot=True)
            await page.goto(live_url + "/inbox?te_laat=1&sorteer=fase&zoek=CR-2026-0001")
            await check(page, "inbox-gefilterd")
            await page.goto(f"{live_url}/tasks/{task['id']}")
            await check(page, "taak", shot=True)
            await page.get_by_label("Geweigerd (met reden)").check()
            await page.get_by_role("button", name="Taak afronden").click()
            await expect(page).to_have_title(
                "Fout: " + task["title"] + " · CR-2026-0001 · casusregie"
            )
            await check(page, "taak-fout", shot=True)
            await page.goto(f"{live_url}/tasks/{closing['id']}")
            await page.get_by_label("Opgelost op de huidige plek").check()
            await page.get_by_label("Toelichting of motivatie").fill("Met meerzorg lukt het.")
            await page.get_by_role("button", name="Taak afronden").click()
            await check(page, "taak-bevestigen", shot=True)
            await page.goto(f"{live_url}/cases/{case['id']}")
            await check(page, "casus", shot=True)
            await page.goto(f"{live_url}/cases/{case['id']}/acties/signal_stagnation")
            await page.get_by_role("button", name="Verder").click()
            await check(page, "actie-fout")
            await page.get_by_label("Wat loopt er vast").fill("Geen reactie op onze vraag.")
            await page.get_by_role("button", name="Verder").click()
            await expect(page.get_by_role("heading", name="Weet u het zeker?")).to_be_visible()
            await check(page, "actie-bevestigen", shot=True)
            await page.goto(f"{live_url}/cases/{case['id']}/bijeenkomsten")
            await check(page, "bijeenkomsten")
            await page.goto(live_url + "/signalen")
            await check(page, "signalen")
            await page.goto(f"{live_url}/signalen/{signal.json()['id']}")
            await check(page, "signaal")
            await page.goto(live_url + "/signalen/nieuw")
            await check(page, "signaal-nieuw")
            await page.get_by_role("button", name="Signaal versturen").click()
            await check(page, "signaal-nieuw-fout")
            await page.goto(live_url + "/mijn-gegevens")
            await check(page, "mijn-gegevens")
            await page.get_by_label("Uw e-mailadres").fill("geen-adres")
            await page.get_by_role("button", name="Opslaan").click()
            await check(page, "mijn-gegevens-fout")
            await page.goto(live_url + "/cases/bestaat-niet")
            await check(page, "niet-gevonden")

            # a coordinator
            page = await new_page(browser)
            await sign_in(page, live_url, api.tokens["coordinator"])
            await check(page, "start-zorgbemiddelaar", shot=True)
            await page.goto(live_url + "/cases")
            await check(page, "casussen", shot=True)
            await page.goto(live_url + "/cases?zoek=CR-2026-0002&sorteer=dagen&regio=Groningen")
            await check(page, "casussen-gezocht")
            await page.goto(live_url + "/cases/new")
            await check(page, "casus-nieuw", shot=True)
            await page.get_by_label("Cliëntreferentie").fill("123456789")
            await page.get_by_role("button", name="Casus starten").click()
            await check(page, "casus-nieuw-fout")
            await page.goto(f"{live_url}/cases/{other['id']}")
            await check(page, "casus-zorgbemiddelaar")
            await page.goto(f"{live_url}/cases/{other['id']}/acties/add_participant")
            await check(page, "actie-deelnemer")
            await page.goto(f"{live_url}/cases/{other['id']}/acties/withdraw")
            await check(page, "actie-intrekken")
            await page.goto(live_url + "/monitor")
            await check(page, "monitor", shot=True)
            await page.goto(live_url + "/reflectie")
            await check(page, "reflectie")
            await page.goto(f"{live_url}/cases/{other['id']}/controle")
            await check(page, "controle")

            # an auditor and a functional administrator
            page = await new_page(browser)
            await sign_in(page, live_url, api.tokens["auditor"])
            await check(page, "start-toezichthouder", shot=True)
            await page.goto(f"{live_url}/cases/{case['id']}")
            await check(page, "casus-toezichthouder")
            page = await new_page(browser)
            await sign_in(page, live_url, api.tokens["beheerder"])
            await check(page, "start-beheerder")
            await page.goto(live_url + "/beheer")
            await check(page, "beheer", shot=True)
            await page.get_by_role("link", name="Zorggroep Noord").click()
            await check(page, "beheer-organisatie")
            await page.get_by_label("Webhook (voor een eigen systeem)").check()
            await page.get_by_role("button", name="Opslaan").click()
            await check(page, "beheer-organisatie-fout")
            await page.goto(live_url + "/beheer")
            await page.get_by_role("link", name="aanbieder2").click()
            await check(page, "beheer-gebruiker")

            # the header folds into "Menu" on a small screen, and opens with the keyboard
            await page.set_viewport_size({"width": NARROW[0], "height": NARROW[1]})
            await expect(page.get_by_text("Menu", exact=True)).to_be_visible()
            await page.get_by_text("Menu", exact=True).focus()
            await page.keyboard.press("Enter")
            menu = page.get_by_role("navigation", name="Hoofdmenu")
            await expect(menu.get_by_role("link", name="Beheer", exact=True)).to_be_visible()
            await check(page, "menu-open")
        finally:
            await browser.close()
    check.report()


async def tab_to(page: Any, condition: str, limit: int = 60) -> None:
    """Press Tab until ``condition`` (a JS expression on ``el``) holds for the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(
            f"(() => {{ const el = document.activeElement; return {condition}; }})()"
        ):
            return
    raise AssertionError(f"not reachable with Tab: {condition}")


async def test_keyboard_only_walk_completes_a_task_after_an_error(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    case = await api.start_case()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser)
            await page.goto(live_url + "/")
            await tab_to(page, "el.id === 'token'")
            # the focus indicator: 3 px, near-black on white (16:1; at least 3:1 needed)
            outline = await page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
            )
            assert outline == ["solid", "3px", "rgb(27, 31, 36)"], outline
            await page.keyboard.type(api.tokens["aanbieder"])
            await page.keyboard.press("Enter")
            await expect(page.get_by_role("heading", name="Goedendag")).to_be_visible()
            await tab_to(page, "el.textContent.includes('Nieuw: nog door niemand opgepakt')")
            await page.keyboard.press("Enter")
            await expect(page.get_by_role("heading", name="Mijn taken")).to_be_visible()
            await tab_to(page, "el.textContent === 'Besluiten over dossierhouderschap'")
            await page.keyboard.press("Enter")
            await expect(page.get_by_text("CR-2026-0001").first).to_be_visible()

            # choose "declined" with the arrow keys and send without a reason
            await tab_to(page, "el.name === 'outcome'")
            await page.keyboard.press("ArrowDown")
            assert await page.evaluate("document.activeElement.value") == "declined"
            await tab_to(page, "el.textContent === 'Taak afronden'")
            await page.keyboard.press("Enter")
            # the error summary has the focus and links to the fields
            await expect(page.locator("#foutmeldingen")).to_be_focused()
            await expect(page).to_have_title(
                "Fout: Besluiten over dossierhouderschap · CR-2026-0001 · casusregie"
            )
            await tab_to(page, "el.getAttribute('href') === '#f-declined-reason_code'")
            await page.keyboard.press("Enter")
            await tab_to(page, "el.id === 'f-declined-reason_code'")
            assert (
                await page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
            )
            await page.keyboard.press("ArrowDown")
            await page.keyboard.press("ArrowDown")
            assert await page.evaluate("document.activeElement.value") != ""
            await tab_to(page, "el.id === 'f-note'")
            await page.keyboard.type("Geen plek voor deze zorgvraag.")
            await tab_to(page, "el.textContent === 'Taak afronden'")
            await page.keyboard.press("Enter")
            status = page.get_by_role("status")
            await expect(status).to_contain_text("Taak afgerond")
            await expect(status).to_contain_text("De casus staat nu in fase 1")
        finally:
            await browser.close()
    timeline = (await api.as_("aanbieder", "GET", f"/api/cases/{case['id']}/timeline")).json()
    done = [e for e in timeline if e["action"] == "task_completed"]
    assert done and done[0]["detail"]["outcome"] == "declined"
    assert done[0]["motivation"] == "Geen plek voor deze zorgvraag."


async def test_a_closing_outcome_asks_for_confirmation(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    case = await api.start_case(entry="care_not_suitable")
    task = await api.open_task(case["id"], "establish_place_not_suitable")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser)
            await sign_in(page, live_url, api.tokens["aanbieder"])
            await page.goto(f"{live_url}/tasks/{task['id']}")
            outcome = page.get_by_label("Opgelost op de huidige plek")
            await expect(page.locator("#o-solved_in_place-effect")).to_have_text(
                "Sluit de casus. Vraagt een toelichting."
            )
            await outcome.check()
            await page.get_by_label("Toelichting of motivatie").fill("Met meerzorg lukt het.")
            await page.get_by_role("button", name="Taak afronden").click()
            await expect(page.get_by_role("heading", name="Weet u het zeker?")).to_be_visible()
            await expect(page.get_by_text("Dit sluit de casus.")).to_be_visible()
            # going back keeps what was typed
            await page.get_by_role("button", name="Nee, terug naar het formulier").click()
            await expect(page.get_by_label("Toelichting of motivatie")).to_have_value(
                "Met meerzorg lukt het."
            )
            await expect(outcome).to_be_checked()
            await page.get_by_role("button", name="Taak afronden").click()
            await page.get_by_role("button", name="Ja, casus sluiten").click()
            await expect(page.get_by_role("status")).to_contain_text(
                "De casus is afgesloten: Opgelost op de huidige plek."
            )
        finally:
            await browser.close()
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["status"] == "closed" and detail["outcome"] == "solved_in_place"


async def test_forms_keep_their_input_after_errors_and_an_expired_session(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    case = await api.start_case()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser)
            await sign_in(page, live_url, api.tokens["coordinator"])
            await page.goto(live_url + "/cases/new")
            await page.get_by_label("Cliëntreferentie").fill("123 456 789")
            await page.get_by_label("Zorgaanbieder (huidig of beoogd)").fill("Zorggroep Noord")
            await page.get_by_label("Samenvatting").fill("Lange tekst die niet weg mag.")
            await page.get_by_role("button", name="Casus starten").click()
            client_ref = page.get_by_label("Cliëntreferentie")
            await expect(client_ref).to_have_attribute("aria-invalid", "true")
            await expect(page.get_by_text("Dit lijkt een BSN").first).to_be_visible()
            await expect(page.get_by_label("Samenvatting")).to_have_value(
                "Lange tekst die niet weg mag."
            )
            # a wrong organisation (a zorgkantoor named as provider): same form, input kept
            await client_ref.fill("CR-2026-0099")
            await page.get_by_label("Zorgaanbieder (huidig of beoogd)").fill("Zorgkantoor Twente")
            await page.get_by_role("button", name="Casus starten").click()
            await expect(
                page.get_by_role("heading", name="De casus is nog niet gestart")
            ).to_be_visible()
            await expect(page.get_by_label("Zorgaanbieder (huidig of beoogd)")).to_have_attribute(
                "aria-invalid", "true"
            )
            await expect(page.get_by_label("Samenvatting")).to_have_value(
                "Lange tekst die niet weg mag."
            )
            await expect(client_ref).to_have_value("CR-2026-0099")

            # the session expires while a case action is being written
            await page.goto(f"{live_url}/cases/{case['id']}/acties/withdraw")
            await page.get_by_label("Waarom trekt u de casus in?").fill("De cliënt is verhuisd.")
            await page.context.clear_cookies(name="casusregie_session")
            await page.get_by_role("button", name="Verder").click()
            await expect(page.get_by_text("U was te lang niet actief")).to_be_visible()
            await page.get_by_label("Sleutel").fill(api.tokens["coordinator"])
            await page.get_by_role("button", name="Aanmelden").click()
            await expect(page.get_by_role("heading", name="Casus intrekken")).to_be_visible()
            await expect(page.get_by_label("Waarom trekt u de casus in?")).to_have_value(
                "De cliënt is verhuisd."
            )
            await page.get_by_role("button", name="Verder").click()
            await page.get_by_role("button", name="Ja, casus intrekken").click()
            await expect(page.get_by_role("status")).to_contain_text("De casus is ingetrokken.")
        finally:
            await browser.close()
    detail = (await api.as_("coordinator", "GET", f"/api/cases/{case['id']}")).json()
    assert detail["outcome"] == "withdrawn"
