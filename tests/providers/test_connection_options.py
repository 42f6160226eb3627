"""Per-provider connection options: a CA bundle and the opt-in environment proxy, set by
`addprovider` flags and checked when saved."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from playground import providers


@pytest.mark.django_db
def test_addprovider_sets_a_ca_bundle_and_the_env_proxy_opt_in(tmp_path):
    import certifi

    call_command("addprovider", "local-tls", base_url="https://models.example.com", models="loc-*",
                 auth="none", ca_bundle=certifi.where(), env_proxy=True)
    config = providers.get("local-tls")
    assert (config.ca_bundle, config.use_env_proxy) == (certifi.where(), True)
    call_command("addprovider", "local-tls", base_url="https://models.example.com", models="loc-*", auth="none")
    config = providers.get("local-tls")
    assert (config.ca_bundle, config.use_env_proxy) == ("", False)  # off unless asked for


@pytest.mark.django_db
def test_it_refuses_a_ca_bundle_it_cannot_load(tmp_path):
    bogus = tmp_path / "not-a-bundle.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(CommandError, match="ca_bundle"):
        call_command("addprovider", "bad-tls", base_url="https://models.example.com", auth="none",
                     ca_bundle=str(bogus))
    with pytest.raises(CommandError, match="ca_bundle"):
        call_command("addprovider", "bad-tls", base_url="https://models.example.com", auth="none",
                     ca_bundle=str(tmp_path / "missing.pem"))
