"""Provider test helpers: a staff client and the provider form's fields."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(user)
    return client


def form_data(**overrides):
    """The provider form's fields, as the staff page and the admin post them."""
    data = {
        "name": "gw", "base_url": "https://gw.example.com", "auth_style": "x-api-key", "api_key": "",
        "model_patterns": "claude-*", "extra_headers": "{}", "enabled": "on", "team": "",
        "anthropic_version": "2023-06-01", "connect_timeout": "10", "first_byte_timeout": "600",
        "idle_timeout": "300",
    }
    data.update(overrides)
    return data
