"""Configuration fails closed (issue 14, item 3).

Before: any PLAYGROUND_ENV other than exactly `production` gave development behaviour
(automatic sign-in as a superuser, insecure cookies); X-Forwarded-Proto was believed from
any client in production; nothing refused an unsafe production configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from playground.checks import environment_check

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PLAYGROUND_ENV": "production",
    "SECRET_KEY": "test-only-" + "k" * 60,
    "KEY_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "ALLOWED_HOSTS": "playground.example",
}
PRINT_SETTING = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'playground.settings');"
    "django.setup(); from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))"
)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PLAYGROUND_", "SECURE_")) and k not in ("ALLOWED_HOSTS", "SECRET_KEY")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["Production", "prod", "production ", "staging"])
def test_an_unknown_environment_name_stops_start_up(name):
    done = _run({**PRODUCTION, "PLAYGROUND_ENV": name}, "-c", PRINT_SETTING.format(name="AUTO_LOGIN_USER"))
    assert done.returncode != 0
    assert "PLAYGROUND_ENV must be one of development, production" in done.stderr


def test_production_with_auto_login_is_refused_by_manage_check_and_by_the_server():
    env = {**PRODUCTION, "PLAYGROUND_AUTO_LOGIN_USER": "demo"}
    check = _run(env, "manage.py", "check")
    assert check.returncode != 0
    assert "playground.E003" in check.stderr
    server = _run(env, "-c", "import playground.asgi")
    assert server.returncode != 0
    assert "playground.E003" in server.stderr


def test_production_without_https_redirect_or_hsts_is_refused():
    done = _run({**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}, "manage.py", "check")
    assert done.returncode != 0
    assert "playground.E002" in done.stderr
    assert "SECURE_SSL_REDIRECT" in done.stderr and "SECURE_HSTS_SECONDS" in done.stderr


def test_the_documented_production_settings_pass_the_deploy_check():
    done = _run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr


def test_forwarded_proto_is_believed_only_when_the_operator_says_so():
    assert _run(PRODUCTION, "-c", PRINT_SETTING.format(name="SECURE_PROXY_SSL_HEADER")).stdout.strip() == "None"
    trusted = _run({**PRODUCTION, "PLAYGROUND_TRUSTED_PROXY": "1"}, "-c",
                   PRINT_SETTING.format(name="SECURE_PROXY_SSL_HEADER"))
    assert trusted.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_checks_refuse_each_unsafe_production_setting(settings):
    settings.PLAYGROUND_ENV = "production"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.AUTO_LOGIN_REQUESTED = settings.AUTO_LOGIN_USER = None
    settings.DEBUG_REQUESTED = False
    settings.ALLOWED_HOSTS = ["playground.example"]
    assert environment_check() == []
    settings.SESSION_COOKIE_SECURE = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG_REQUESTED = True
    assert {e.id for e in environment_check()} == {"playground.E002", "playground.E004", "playground.E005"}
    settings.PLAYGROUND_ENV = "Production"
    assert [e.id for e in environment_check()] == ["playground.E001"]


def test_development_passes_the_checks():
    assert environment_check() == []
