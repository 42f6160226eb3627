"""Reading configuration from the environment, failing loudly on bad values.

Secrets for the development default (the Django secret key and the key that encrypts
provider API keys) are generated once and kept in `.local/secrets.json`, so a fresh
checkout runs with no setup. Production (`PLAYGROUND_ENV=production`) refuses to start
without them in the environment.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    pass


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices`, exactly as spelled; anything else stops start-up (fail closed)."""
    value = env_str(name, default)
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def local_secrets(folder: Path) -> dict[str, str]:
    """The development secrets, generated on first use and then kept stable."""
    path = folder / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Fernet keys are 32 url-safe base64-encoded bytes.
        "KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def required_secret(name: str, production: bool, fallback: dict[str, str]) -> str:
    value = env_str(name)
    if value:
        return value
    if production:
        raise ConfigurationError(f"{name} must be set in the environment in production")
    return fallback[name]
