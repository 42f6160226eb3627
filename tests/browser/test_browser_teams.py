"""Teams in the browser, signing in with real credentials on the sign-in page (the
development auto-login is off): an owner invites bob, who signs in on the invite page,
joins, and switches teams; a viewer cannot run or edit."""

from __future__ import annotations

import pytest

from playground.composer.models import WorkingCopy
from playground.recording.models import Exchange
from playground.teams.invites import create_invite
from playground.teams.models import Membership
from playground.teams.ops import ensure_team
from tests.browser.conftest import settle
from tests.browser.test_browser_a11y import violations

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_page(browser, asgi_server, transactional_db, settings):
    """fresh_page() -> a page in a new, signed-out browser context."""
    settings.AUTO_LOGIN_USER = None
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=asgi_server)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.set_default_timeout(15_000)
        return page

    yield make
    errors = [e for context in contexts for page in context.pages for e in page.errors]
    settle(contexts)
    assert errors == [], f"uncaught errors in the page: {errors}"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/exchanges/")
    page.wait_for_selector("[data-testid=sign-in-form]")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=sign-in]")
    page.wait_for_selector(f"[data-testid=current-user]:text-is('{username}')")


def current_team(page) -> str:
    return page.text_content("[data-testid=current-team]")


def test_it_invites_a_user_who_signs_in_accepts_and_switches_teams(fresh_page, alice, bob):
    owner = fresh_page()
    sign_in(owner, "alice", "alice-password")
    assert owner.url.endswith("/exchanges/")  # back where the sign-in page was asked for
    owner.goto("/teams/")
    owner.select_option("[data-testid=invite-role]", "member")
    owner.click("[data-testid=create-invite]")
    link = owner.text_content("[data-testid=invite-url]").strip()
    assert "/invites/pgi-" in link

    guest = fresh_page()
    guest.goto(link)
    guest.wait_for_selector("h1:text-is('Join acme')")
    guest.fill("#sign-in-username", "bob")
    guest.fill("#sign-in-password", "not-bobs-password")
    guest.click("[data-testid=invite-sign-in-button]")
    guest.wait_for_selector("[data-testid=invite-sign-in] .errorlist")
    guest.fill("#sign-in-username", "bob")
    guest.fill("#sign-in-password", "bob-password")
    guest.click("[data-testid=invite-sign-in-button]")
    guest.wait_for_selector("[data-testid=current-user]:text-is('bob')")
    assert current_team(guest) == "acme"
    assert Membership.objects.get(user=bob, team__name="acme").role == "member"

    # The switcher in the rail: back to globex, and the choice outlives the session.
    guest.goto("/exchanges/")
    guest.click("[data-testid=team-switcher] summary")
    guest.click("[data-testid=switch-team]:text-is('globex')")
    guest.wait_for_selector("[data-testid=current-team]:text-is('globex')")
    assert guest.url.endswith("/exchanges/")
    guest.click("[data-testid=sign-out]")
    guest.wait_for_selector("[data-testid=sign-in-form]")
    guest.goto("/")
    assert "/accounts/login/" in guest.url  # signed out stays signed out
    sign_in(guest, "bob", "bob-password")
    assert current_team(guest) == "globex"

    # The link worked once.
    response = fresh_page().goto(link)
    assert response.status == 404
    owner.goto("/teams/")
    owner.wait_for_selector("[data-testid=member-bob]")


def test_it_shows_a_viewer_that_they_cannot_run_or_edit(fresh_page, alice, victor):
    page = fresh_page()
    sign_in(page, "victor", "victor-password")
    page.goto("/")
    page.wait_for_selector("#conversation .turn")
    assert page.is_disabled("[data-testid=run]")
    assert "viewer" in page.text_content("[data-testid=viewer-notice]")
    # The keyboard shortcut still sends a run: the server refuses it, visibly.
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#response-area :text('viewers cannot run requests')")
    # An edit stays in the page: nothing is stored for a viewer, as the notice says.
    page.fill("[data-testid=turn-0] textarea.text-input", "A change a viewer may not keep.")
    assert "not run or save" in page.text_content("[data-testid=viewer-notice]")
    page.reload()
    page.wait_for_selector("#conversation .turn")
    assert page.input_value("[data-testid=turn-0] textarea.text-input") != "A change a viewer may not keep."
    assert not WorkingCopy.objects.filter(user=victor).exists()
    assert not Exchange.objects.exists()


def test_the_account_and_team_pages_have_no_serious_accessibility_violation(fresh_page, alice, bob):
    _invite, token = create_invite(ensure_team("acme"), "member", created_by=alice)
    found = {}
    visitor = fresh_page()
    for path in ("/accounts/login/", f"/invites/{token}/"):
        visitor.goto(path)
        if problems := violations(visitor):
            found[path] = problems
    owner = fresh_page()
    sign_in(owner, "alice", "alice-password")
    for path in ("/teams/", "/teams/new/", f"/invites/{token}/"):
        owner.goto(path)
        if problems := violations(owner):
            found[path] = problems
    owner.goto("/teams/")
    owner.click("[data-testid=create-invite]")
    owner.wait_for_selector("[data-testid=invite-url]")
    if problems := violations(owner):
        found["/teams/ (new invite)"] = problems
    assert found == {}, found
