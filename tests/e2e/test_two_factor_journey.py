"""Journey: a clinician sets up two-step login from their account page (reading the key off the
page, as someone who cannot scan would), saves the recovery codes, logs out, and logs in again
with their password and a code from the app. Once with JavaScript on a desktop, once without
it on a phone 390 px wide; axe checks each page of the way, and the CSP is never broken.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from portal.models import utcnow

from .browser import assert_no_problems, axe_violations, describe_violations, screenshot
from .conftest import _serve
from .helpers import DESKTOP, EMAILS, PASSWORD, PHONE, Visitor


def code_for(secret: str, steps_from_now: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + steps_from_now)


def check_page(page, name: str, js: bool) -> None:
    """No axe violation, no sideways scrolling, no script or CSP error, and a screenshot.
    Without JavaScript axe cannot run (its timers never fire): the no-JS build of these pages
    is the same HTML, checked with scripts refused in test_accessibility.py's sweep."""
    if js:
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name
    assert_no_problems(page)
    screenshot(page, f"journey-{name}")


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_a_clinician_sets_up_two_step_login_and_logs_in_with_a_code(site, visit, js):
    clinician = visit("neurologist", js=js, viewport=DESKTOP if js else PHONE)

    # From the account page to the setup page.
    clinician.goto("/account")
    panel = clinician.locator("section", has=clinician.locator("#two-step-heading"))
    expect(panel).to_contain_text("Off.")
    panel.get_by_role("link", name="Set up two-step login").click()
    clinician.wait_for_url(re.compile(r"/account/two-step/set-up$"))
    expect(clinician.get_by_role("img", name="QR code")).to_be_visible()
    check_page(clinician, f"two-step-set-up-{'js' if js else 'no-js'}", js)

    # Someone who cannot scan types the key; the test reads it and plays the app.
    secret = clinician.locator("#two-step-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    link = clinician.get_by_role("link", name="Open the key in your authenticator app")
    expect(link).to_have_attribute("href", re.compile(rf"^otpauth://totp/.*secret={secret}"))

    # A mistyped code first: said beside the field, nothing turned on.
    code_box = clinician.get_by_label("6-digit code from your app")
    expect(code_box).to_have_attribute("inputmode", "numeric")
    expect(code_box).to_have_attribute("autocomplete", "one-time-code")
    code_box.fill("000000")
    clinician.get_by_role("button", name="Turn on two-step login").click()
    expect(clinician.locator("#code-error")).to_contain_text("not right")
    expect(clinician.get_by_label("6-digit code from your app")).to_have_value("000000")
    assert secret == clinician.locator("#two-step-secret").inner_text().replace(" ", "")

    clinician.get_by_label("6-digit code from your app").fill(code_for(secret))
    clinician.get_by_role("button", name="Turn on two-step login").click()
    expect(clinician.get_by_role("heading", level=1)).to_have_text("Two-step login is on")
    codes = clinician.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check_page(clinician, f"two-step-recovery-codes-{'js' if js else 'no-js'}", js)
    clinician.get_by_role("link", name="I have saved them: continue").click()
    expect(clinician.locator("#recovery-codes-left")).to_contain_text("10 unused recovery codes")
    check_page(clinician, f"two-step-settings-on-{'js' if js else 'no-js'}", js)

    # Log out, and in again: the password, then the code.
    clinician.get_by_role("button", name="Log out").click()
    clinician.wait_for_url(lambda url: "/account" not in url)
    clinician.goto("/login?next=/clinic/questions")
    clinician.get_by_label("Email", exact=True).fill(EMAILS["neurologist"])
    clinician.get_by_label("Password", exact=True).fill(PASSWORD)
    clinician.get_by_role("button", name="Log in").click()
    clinician.wait_for_url(re.compile(r"/login/two-step$"))
    check_page(clinician, f"two-step-login-code-{'js' if js else 'no-js'}", js)
    # Not logged in yet: the half-done login opens nothing.
    expect(clinician.get_by_role("button", name="Log out")).to_have_count(0)

    # The setup used this half minute's code; the app's next one is new.
    clinician.get_by_label("6-digit code from your app").fill(code_for(secret, 1))
    clinician.get_by_role("button", name="Log in").click()
    clinician.wait_for_url(re.compile(r"/clinic/questions$"))
    expect(clinician.locator(".flash")).to_contain_text("Welcome back, Helen Marsh")
    assert_no_problems(clinician)


@pytest.fixture()
def strict_site(tmp_path, databases):
    """A live site as deployments run it: staff must use two-step login."""
    with _serve(tmp_path, databases, {"PORTAL_STAFF_TWO_FACTOR": "1"}) as live:
        yield live


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_an_admin_is_walked_through_setting_it_up_before_the_staff_pages(browser, strict_site, js):
    visitor = Visitor(browser, strict_site)
    try:
        admin = visitor.page(js=js, viewport=DESKTOP if js else PHONE)
        admin.goto("/login?next=/moderation")
        admin.get_by_label("Email", exact=True).fill(EMAILS["admin"])
        admin.get_by_label("Password", exact=True).fill(PASSWORD)
        admin.get_by_role("button", name="Log in").click()
        # Straight to the setup, not the queue.
        admin.wait_for_url(re.compile(r"/account/two-step/set-up\?next=/moderation$"))
        expect(admin.locator("main")).to_contain_text("the staff pages stay closed")
        # The staff pages wait, however they are reached.
        admin.goto("/moderation/users")
        admin.wait_for_url(re.compile(r"/account/two-step/set-up"))
        expect(admin.locator(".flash")).to_contain_text("needs two-step login")

        admin.goto("/account/two-step/set-up?next=/moderation")
        secret = admin.locator("#two-step-secret").inner_text().replace(" ", "")
        admin.get_by_label("6-digit code from your app").fill(code_for(secret))
        admin.get_by_role("button", name="Turn on two-step login").click()
        expect(admin.locator(".recovery-codes li")).to_have_count(10)
        admin.get_by_role("link", name="I have saved them: continue").click()
        admin.wait_for_url(re.compile(r"/moderation$"))
        expect(admin.get_by_role("heading", level=1)).to_contain_text("Moderation")
        assert_no_problems(admin)
    finally:
        visitor.close()
