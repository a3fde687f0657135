"""End to end in headless Chromium: a provider signs in, opens the inbox, completes the
dossierhouder decision in the task form and sees the next task appear.

Debian's ``chromium`` driven by Python playwright (no browser download). Skipped only
where Chromium is not installed, and never in CI (``.ci/run`` installs it)."""

from __future__ import annotations

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium


async def test_provider_completes_decision_in_the_browser(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    case = await api.start_case()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            await page.goto(live_url + "/")
            await expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
            await page.get_by_label("Sleutel").fill(api.tokens["aanbieder"])
            await page.get_by_role("button", name="Aanmelden").click()

            await expect(page.get_by_role("heading", name="Goedendag")).to_be_visible()
            await page.get_by_role("link", name="Nieuw: nog door niemand opgepakt").click()
            await expect(page.get_by_role("heading", name="Mijn taken")).to_be_visible()
            decision = page.get_by_role("link", name="Besluiten over dossierhouderschap")
            await expect(decision).to_have_count(1)
            await decision.click()

            await expect(
                page.get_by_role("heading", name="Besluiten over dossierhouderschap")
            ).to_be_visible()
            await page.get_by_label("Geaccepteerd: wij worden dossierhouder").check()
            await page.get_by_label("Toelichting of motivatie").fill("Wij hebben plek.")
            await page.get_by_role("button", name="Taak afronden").click()

            status = page.get_by_role("status")
            await expect(status).to_contain_text("Taak afgerond")
            await expect(status).to_contain_text("Passende zorg regelen als dossierhouder")
            next_task = page.get_by_role("table").get_by_role(
                "link", name="Passende zorg regelen als dossierhouder"
            )
            await expect(next_task).to_be_visible()
            await expect(
                page.get_by_role("link", name="Besluiten over dossierhouderschap")
            ).to_have_count(0)
        finally:
            await browser.close()

    done = await api.as_("aanbieder", "GET", f"/api/cases/{case['id']}/timeline")
    completed = [e for e in done.json() if e["action"] == "task_completed"]
    assert completed[0]["motivation"] == "Wij hebben plek."
