"""End to end in headless Chromium (issue 11, early intake): a provider sends an early
signal with the form; the zorgkantoor's coordinator finds the assessment in its inbox
and starts the case from it; the provider sees that a case was started."""

from __future__ import annotations

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium

ASSESS = "Signaal beoordelen: casus starten, advies geven of niet nodig"


async def test_provider_signals_early_and_the_zorgkantoor_starts_the_case(api, live_url):
    require_chromium()
    from playwright.async_api import Page, async_playwright, expect

    async def sign_in(page: Page, user: str) -> None:
        await page.goto(live_url + "/")
        await page.get_by_label("Sleutel").fill(api.tokens[user])
        await page.get_by_role("button", name="Aanmelden").click()
        await expect(page.get_by_role("heading", name="Goedendag")).to_be_visible()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            provider = await (await browser.new_context()).new_page()
            await sign_in(provider, "aanbieder")
            await provider.get_by_role("navigation").get_by_role("link", name="Signalen").click()
            await expect(provider.get_by_role("heading", name="Signalen")).to_be_visible()
            await provider.get_by_role("link", name="Nieuw signaal versturen").click()
            await provider.get_by_role("radio", name="Vroegtijdig informeren").check()
            await provider.get_by_label("Bij vroegtijdig informeren: waarvoor?").select_option(
                "sparring"
            )
            await provider.get_by_label("Cliëntreferentie").fill("CR-BROWSER-11")
            await provider.get_by_label("Sector").select_option("GGZ")
            await provider.get_by_label("Regio").select_option("Groningen")
            await provider.get_by_label("Wat speelt er?").fill("Onrust op de groep; sparren?")
            await provider.get_by_role("button", name="Signaal versturen").click()
            await expect(
                provider.get_by_role("heading", name="Signaal over CR-BROWSER-11")
            ).to_be_visible()
            await expect(provider.get_by_role("status")).to_contain_text(
                "het zorgkantoor beoordeelt het signaal"
            )

            coordinator = await (await browser.new_context()).new_page()
            await sign_in(coordinator, "coordinator")
            await coordinator.get_by_role("link", name="Nieuwe signalen om te beoordelen").click()
            await coordinator.get_by_role("link", name="CR-BROWSER-11").click()
            await coordinator.get_by_role("link", name="Naar de taak: signaal beoordelen").click()
            await expect(coordinator.get_by_role("heading", name=ASSESS)).to_be_visible()
            await expect(coordinator.get_by_role("heading", name="Het signaal")).to_be_visible()
            await expect(coordinator.get_by_text("Onrust op de groep; sparren?")).to_be_visible()
            await coordinator.get_by_label("Casus starten met de gegevens van het signaal").check()
            await coordinator.get_by_role("button", name="Taak afronden").click()
            await expect(
                coordinator.get_by_role("heading", name="Casus CR-BROWSER-11")
            ).to_be_visible()
            await expect(coordinator.get_by_role("link", name="een vroeg signaal")).to_be_visible()
            case_url = coordinator.url

            await provider.reload()
            await expect(provider.get_by_role("status")).to_contain_text("Casus gestart")
            await provider.get_by_role("link", name="Naar de casus").click()
            assert case_url.startswith(provider.url)
        finally:
            await browser.close()

    signals = (await api.as_("aanbieder", "GET", "/api/signals")).json()["items"]
    assert [(s["status"], s["client_ref"]) for s in signals] == [("case_started", "CR-BROWSER-11")]
    case = (await api.as_("aanbieder", "GET", f"/api/cases/{signals[0]['case_id']}")).json()
    assert case["signal_id"] == signals[0]["id"] and case["entry"] == "care_not_suitable"
