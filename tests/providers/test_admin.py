"""The admin form: the API key is write-only (never rendered back), an empty field keeps
it, and the base URL guard runs when the form is saved."""

from __future__ import annotations

from playground import providers
from playground.providers.models import Provider
from playground.providers.ops import save_provider
from tests.providers.conftest import form_data

KEY = "sk-ant-admin-secret-123"


def test_it_stores_a_new_key_encrypted_and_never_shows_it(staff_client):
    response = staff_client.post("/admin/providers/provider/add/", form_data(api_key=KEY))
    assert response.status_code == 302, response.content[:2000]
    row = Provider.objects.get(name="gw")
    assert KEY not in row.api_key_encrypted
    assert providers.get("gw").api_key == KEY
    page = staff_client.get(f"/admin/providers/provider/{row.pk}/change/")
    assert page.status_code == 200
    assert KEY.encode() not in page.content
    assert row.api_key_encrypted.encode() not in page.content
    listing = staff_client.get("/admin/providers/provider/")
    assert KEY.encode() not in listing.content


def test_it_keeps_the_key_when_the_field_is_left_empty(staff_client):
    row = save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key=KEY)
    response = staff_client.post(f"/admin/providers/provider/{row.pk}/change/",
                                 form_data(base_url="https://gw2.example.com"))
    assert response.status_code == 302
    config = providers.get("gw")
    assert (config.base_url, config.api_key) == ("https://gw2.example.com", KEY)


def test_it_clears_the_key_on_request(staff_client):
    row = save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key=KEY)
    staff_client.post(f"/admin/providers/provider/{row.pk}/change/", form_data(clear_api_key="on"))
    assert providers.get("gw").api_key is None


def test_it_refuses_a_private_base_url_in_the_form(staff_client):
    response = staff_client.post("/admin/providers/provider/add/", form_data(base_url="http://[::ffff:127.0.0.1]:8080"))
    assert response.status_code == 200
    assert b"loopback" in response.content
    assert not Provider.objects.filter(name="gw").exists()
