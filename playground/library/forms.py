"""Reading the library's HTML forms: plain fields in, values for the ops functions out."""

from __future__ import annotations

import json

from playground.library.state import StateError

MAX_FORM_TAGS_CHARS = 10_000


def parse_tags(text: object) -> list[str]:
    """Tags typed as one field: separated by commas or new lines."""
    text = str(text or "")[:MAX_FORM_TAGS_CHARS]
    return [t for t in text.replace("\r", "\n").replace("\n", ",").split(",") if t.strip()]


def tags_text(tags: list[str]) -> str:
    return ", ".join(tags)


def parse_state(text: object) -> object:
    """A state pasted as JSON text, or StateError saying where it stops being JSON."""
    try:
        return json.loads(str(text or ""))
    except json.JSONDecodeError as exc:
        raise StateError([("state", f"is not JSON: {exc}")]) from None
    except RecursionError:
        raise StateError([("state", "is nested too deeply")]) from None
