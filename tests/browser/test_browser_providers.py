"""The providers page in Chromium: the URL guard's verdict appears under the field as the
base URL is typed, a refused URL is an inline error on save, and the page has no sideways
scroll on a phone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from playground import providers

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(transactional_db):
    return get_user_model().objects.create_user("root", password="root-password", is_staff=True)


def test_it_shows_the_url_guards_verdict_while_typing_then_saves(page_for, staff):
    page = page_for(staff)
    page.goto("/providers/new/")
    verdict = page.locator("[data-testid=url-verdict]")
    page.fill("[name=name]", "gateway")
    page.fill("[name=base_url]", "http://10.0.0.7:8080")
    expect(verdict).to_contain_text("Refused")
    page.check("[name=allow_private_network]")
    expect(verdict).to_contain_text("Allowed: http://10.0.0.7:8080")
    page.uncheck("[name=allow_private_network]")
    expect(verdict).to_contain_text("Refused")
    page.click("[data-testid=save-provider]")
    expect(page.locator("[data-testid=error-base_url]")).to_be_visible()
    page.fill("[name=base_url]", "https://gateway.example.com")
    expect(verdict).to_contain_text("Allowed: https://gateway.example.com")
    page.fill("[name=api_key]", "sk-ant-browser-secret-9")
    page.click("[data-testid=save-provider]")
    expect(page.locator("[data-testid=notice]")).to_contain_text("gateway")
    row = page.locator("[data-testid=provider-row][data-name=gateway]")
    expect(row).to_contain_text("stored")
    assert "sk-ant-browser-secret-9" not in page.content()
    assert providers.get("gateway").api_key == "sk-ant-browser-secret-9"


def test_the_list_fits_a_phone(page_for, staff):
    page = page_for(staff, viewport=(390, 844))
    page.goto("/providers/")
    expect(page.locator("[data-testid=providers]")).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
