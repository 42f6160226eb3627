"""`manage.py addprovider NAME --base-url URL [--models P,...] [--auth x-api-key|bearer|none]
[--api-key-env VAR] [--allow-private-network] [--passthrough] [--ca-bundle PATH] [--env-proxy]`

Creates the provider, or updates it when NAME exists. The key is read from the named
environment variable, never from the command line (where it would land in shell history
and `ps`), and stored encrypted. A refused base URL is an error with the reason and a
non-zero exit.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from playground.providers.config import AUTH_STYLES
from playground.providers.ops import save_provider
from playground.providers.urlguard import URLRefused, check_base_url


class Command(BaseCommand):
    help = "Add or update a model provider (the API key comes from an environment variable)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--models", default="", help="Comma-separated model id patterns, e.g. claude-*")
        parser.add_argument("--auth", default="x-api-key", choices=AUTH_STYLES)
        parser.add_argument("--api-key-env", default=None, metavar="VAR",
                            help="Environment variable holding the API key.")
        parser.add_argument("--allow-private-network", action="store_true")
        parser.add_argument("--passthrough", action="store_true",
                            help="The proxy forwards the caller's own key instead of the stored one.")
        parser.add_argument("--ca-bundle", default="", metavar="PATH",
                            help="PEM file of CA certificates to verify the provider's TLS with.")
        parser.add_argument("--env-proxy", action="store_true",
                            help="Connect through the proxy in HTTPS_PROXY/HTTP_PROXY (off by default).")

    def handle(self, *args, **options) -> None:
        try:
            # Before any database work, so a refused URL fails fast and changes nothing.
            check_base_url(options["base_url"], allow_private=options["allow_private_network"])
        except URLRefused as exc:
            raise CommandError(f"provider {options['name']} refused: base_url: {exc}") from None
        kwargs: dict = {}
        var = options["api_key_env"]
        if var:
            key = os.environ.get(var, "")
            if not key.strip():
                raise CommandError(f"environment variable {var} is not set or empty")
            kwargs["api_key"] = key.strip()
        try:
            row = save_provider(
                options["name"],
                base_url=options["base_url"],
                model_patterns=[p for p in options["models"].split(",") if p.strip()],
                auth_style=options["auth"],
                allow_private_network=options["allow_private_network"],
                passthrough=options["passthrough"],
                ca_bundle=options["ca_bundle"],
                use_env_proxy=options["env_proxy"],
                **kwargs,
            )
        except ValidationError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(f"provider {options['name']} refused: {details}") from None
        key_note = "key stored encrypted" if row.has_key else "no key"
        self.stdout.write(f"provider {row.name}: {row.base_url} ({row.auth_style}, {key_note})")
