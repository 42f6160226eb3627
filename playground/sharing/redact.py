"""What a share may show of a recording: stricter than the recorder's own redaction.

The recorder (`playground.recording.redact`) already replaced credentials with
"[redacted]" at capture. A share goes further, because its reader is outside the team:

* Headers: only an allowlist of names that say how the API was called and answered
  (content-type, anthropic-version, anthropic-beta, request-id, retry-after and the
  rate-limit headers). Everything else is left out, not masked: a gateway's header names
  can name the provider, and a custom header can carry a credential the recorder never
  knew. A kept header whose value the recorder redacted is left out too.
* Provider: the name, base URL and host of the provider the exchange went to never
  appear. The summary omits them; the error message (written by the proxy, which may
  say "Provider x cannot be reached: host did not resolve") has them replaced.
* Proxy key names are never shown.
* Bodies (request, response, events) are shown exactly as recorded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playground.providers.models import Provider
from playground.recording.redact import REDACTED, redact_headers

SHOWN_HEADERS = frozenset(
    {"content-type", "anthropic-version", "anthropic-beta", "request-id", "retry-after"}
)
SHOWN_HEADER_PREFIXES = ("anthropic-ratelimit-",)
PROVIDER_HIDDEN = "[provider]"
# Words shorter than this are not replaced: a provider named "a" would eat every "a".
_MIN_WORD = 4


def shown_headers(headers: object) -> list[list[str]]:
    """The headers a share may show, in their recorded order."""
    kept = []
    for name, value in redact_headers(headers):
        lowered = name.lower()
        if lowered not in SHOWN_HEADERS and not lowered.startswith(SHOWN_HEADER_PREFIXES):
            continue
        if REDACTED in value:
            continue
        kept.append([name, value])
    return kept


def provider_words(provider_name: str) -> list[str]:
    """The strings that would identify the provider: its name, base URL and host."""
    words = {provider_name}
    provider = Provider.objects.filter(name=provider_name).only("base_url").first() if provider_name else None
    if provider is not None:
        words.add(provider.base_url)
        words.add(provider.base_url.rstrip("/"))
        parts = urlsplit(provider.base_url)
        words.update({parts.netloc, parts.hostname or ""})
    return sorted((w for w in words if len(w) >= _MIN_WORD), key=len, reverse=True)


def hide_provider(text: str, words: list[str]) -> str:
    for word in words:
        text = text.replace(word, PROVIDER_HIDDEN)
    return text
