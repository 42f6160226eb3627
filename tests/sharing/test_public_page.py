"""A share opens for anyone with the link, signed in or not, and says noindex / no-referrer."""

from __future__ import annotations

import pytest
from django.test import Client

from playground.recording.models import Exchange
from tests.inspector.loop import record_loop
from tests.sharing.support import record_simple, share_link

pytestmark = pytest.mark.django_db


def test_a_visitor_who_is_not_signed_in_sees_the_exchange(alice, anonymous):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    visitor = Client()
    response = visitor.get(path)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    html = response.content.decode()
    assert "What is the capital of Ruritania?" in html and "Strelsau is the capital of Ruritania." in html
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex">' in html
    # Tabs switch in place (htmx) and by plain links, both without signing in.
    assert visitor.get(f"{path}?tab=request").status_code == 200
    partial = visitor.get(f"{path}?tab=response", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_the_development_auto_login_changes_nothing(alice, settings):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    settings.AUTO_LOGIN_USER = "demo"
    # The development user is logged in only for loopback requests.
    signed_in_as_demo = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1").get(path)
    assert signed_in_as_demo.wsgi_request.user.get_username() == "demo"  # demo is not in acme
    settings.AUTO_LOGIN_USER = None
    nobody = Client().get(path)
    assert signed_in_as_demo.status_code == nobody.status_code == 200
    assert "Strelsau is the capital of Ruritania." in nobody.content.decode()
    # What is shared reads the same (the top bar differs only by the sign-in hint and CSRF token).
    shown = lambda r: r.content.decode().split('<section class="summary"', 1)[1]  # noqa: E731
    assert shown(signed_in_as_demo) == shown(nobody)


def test_a_member_of_another_team_sees_it_too(alice, bob):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    client = Client()
    client.force_login(bob)
    assert client.get(path).status_code == 200
    # ... but not the exchange's own page: that stays acme's.
    assert client.get(exchange.get_absolute_url()).status_code == 404


def test_a_thread_share_shows_the_loop_without_links_into_the_team(alice, anonymous):
    step0, step1, step2 = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    path = share_link(alice, "thread", thread.public_id)
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "18°C and sunny" in html and "unknown city: Atlantis" in html
    assert "Loop ended: the model finished its turn (end_turn)." in html
    assert "/exchanges/" not in html
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_an_image_in_a_shared_exchange_is_served_through_the_share(alice, anonymous):
    from tests.inspector.recorded import record
    from tests.sharing.support import REPLY

    png = "iVBORw0KGgo" + "A" * 300_000  # large enough to go to the blob store
    body = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png}}]}]}
    exchange = record(alice, body, response=REPLY)
    sha = exchange.blobs.get(media_type="image/png").sha256
    path = share_link(alice, "exchange", exchange.public_id)
    html = Client().get(path).content.decode()
    assert f'src="{path}/media/{sha}/"' in html
    media = Client().get(f"{path}/media/{sha}/")
    assert media.status_code == 200 and media.headers["Content-Type"] == "image/png"
    assert Client().get(f"{path}/media/{'0' * 64}/").status_code == 404
