"""What the upstream client needs to know about one provider, and the lookup errors.

Plain Python, no Django: `ProviderConfig` is built from a `Provider` row (or from the
environment for the Anthropic default, or as the constant in-process simulator) and handed
to `playground.upstream.open`. The key and extra headers are kept out of `repr` so a
config never leaks a secret into a log line or a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_ANTHROPIC_VERSION = "2023-06-01"
SIMULATOR_NAME = "simulator"
SIMULATOR_BASE_URL = "http://simulator.local"
SIMULATOR_PATTERNS = ("sim*",)
ANTHROPIC_NAME = "anthropic"
ANTHROPIC_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_PATTERNS = ("claude-*",)
AUTH_STYLES = ("x-api-key", "bearer", "none")


class UnknownModel(LookupError):
    """No provider serves this model id; the proxy answers 404 `model: <id>`."""

    def __init__(self, model: str) -> None:
        super().__init__(f"model: {model}")
        self.model = model


class ProviderUnavailable(Exception):
    """The provider exists in name only: disabled, unknown, or its key cannot be read."""


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    auth_style: str = "x-api-key"  # "x-api-key" | "bearer" | "none"
    api_key: str | None = field(default=None, repr=False, compare=False)
    extra_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    allow_private_network: bool = False
    # Forward the caller's own key instead of the stored one (proxy only; never stored).
    passthrough: bool = False
    simulator: bool = False
    connect_timeout: float = 10.0
    # Until the response headers: a non-streaming call may think for minutes (the SDK's
    # own default is 10 minutes).
    first_byte_timeout: float = 600.0
    # Between two body chunks once the response started (the API pings while it thinks).
    idle_timeout: float = 300.0
    anthropic_version: str = DEFAULT_ANTHROPIC_VERSION
    # A file of PEM certificates to verify the provider's TLS with instead of certifi's
    # roots (a local model server behind a private CA).
    ca_bundle: str = ""
    # Use the environment's proxy settings (HTTPS_PROXY, NO_PROXY) for this provider.
    use_env_proxy: bool = False


SIMULATOR = ProviderConfig(
    name=SIMULATOR_NAME,
    base_url=SIMULATOR_BASE_URL,
    auth_style="none",
    simulator=True,
)
