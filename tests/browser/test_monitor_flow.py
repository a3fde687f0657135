"""In headless Chromium: the zorgkantoor opens the monitor and follows a number to the
cases behind it (issue 12)."""

from __future__ import annotations

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium


async def test_zorgkantoor_follows_a_monitor_number_to_its_cases(api, live_url):
    require_chromium()
    from playwright.async_api import async_playwright, expect

    first = await api.start_case(client_ref="CR-MON-1")
    await api.start_case(client_ref="CR-MON-2", entry="care_not_suitable")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            await page.goto(live_url + "/")
            await page.get_by_label("Sleutel").fill(api.tokens["zorgkantoor"])
            await page.get_by_role("button", name="Aanmelden").click()
            await page.get_by_role("navigation").get_by_role("link", name="Monitor").click()
            await expect(page.get_by_role("heading", name="Monitor zorgplicht")).to_be_visible()
            await expect(page.get_by_role("img", name="Staafdiagram")).to_be_visible()
            row = page.get_by_role("row", name="Dossierhouder zoeken")
            await row.get_by_role("link", name="1").click()
            await expect(page.get_by_role("link", name="CR-MON-1")).to_be_visible()
            await expect(page.get_by_role("link", name="CR-MON-2")).to_have_count(0)
            assert f"cohort=phase:{first['phase']}" in page.url
        finally:
            await browser.close()
