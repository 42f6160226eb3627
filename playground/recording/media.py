"""The media store: large base64 payloads stored once, by content, outside the request JSON.

Policy:

* In a parsed request, any `{"type": "base64", "data": "<string>", ...}` source whose data is
  longer than `INLINE_LIMIT` characters has its `data` replaced by a reference
  `{"$blob": sha256, "media_type": ..., "bytes": n}`. The blob holds the decoded bytes (so
  the same image sent twice is stored once and can be shown as a thumbnail). When the string
  is not canonical base64, the blob holds the string itself and the reference says
  `"encoding": "text"`, so rehydration always gives back the exact original string.
* `rehydrate()` only replaces dicts that have exactly the reference's keys and whose blob
  exists, so a tool input that happens to contain "$blob" is left alone.
* Large raw request bytes go to the same store (media type `application/json`), so the
  retries of a 32 MB request cost one copy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable

INLINE_LIMIT = 8 * 1024  # characters of base64 kept inline
RAW_INLINE_LIMIT = 256 * 1024  # raw request bytes kept inline on the exchange row
_REF_KEYS = {"$blob", "media_type", "bytes"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_blob(text: str, media_type: str) -> tuple[bytes, dict]:
    ascii_text = text.encode("utf-8", "surrogatepass")
    try:
        decoded = base64.b64decode(ascii_text, validate=True)
        exact = base64.b64encode(decoded) == ascii_text
    except (binascii.Error, ValueError):
        decoded, exact = b"", False
    if exact:
        return decoded, {"$blob": sha256(decoded), "media_type": media_type, "bytes": len(decoded)}
    return ascii_text, {
        "$blob": sha256(ascii_text),
        "media_type": media_type,
        "bytes": len(ascii_text),
        "encoding": "text",
    }


def extract_media(body: object) -> tuple[object, dict[str, tuple[str, bytes]]]:
    """(body with large base64 data replaced by references, {sha256: (media_type, bytes)})."""
    blobs: dict[str, tuple[str, bytes]] = {}

    def walk(node: object) -> object:
        if isinstance(node, dict):
            data = node.get("data")
            if (
                node.get("type") == "base64"
                and isinstance(data, str)
                and len(data) > INLINE_LIMIT
            ):
                media_type = node.get("media_type")
                media_type = media_type if isinstance(media_type, str) else ""
                stored, ref = _to_blob(data, media_type[:200])
                blobs[ref["$blob"]] = (media_type[:200], stored)
                return {k: (ref if k == "data" else walk(v)) for k, v in node.items()}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(body), blobs


def is_ref(node: object) -> bool:
    if not isinstance(node, dict) or "$blob" not in node:
        return False
    keys = set(node)
    return keys == _REF_KEYS or keys == _REF_KEYS | {"encoding"}


def refs_in(body: object) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if is_ref(node):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(body)
    return found


def rehydrate(body: object, load: Callable[[list[str]], dict[str, bytes]]) -> object:
    """The body with each reference replaced by the original string (`load` fetches blobs)."""
    refs = refs_in(body)
    if not refs:
        return body
    data = load(sorted({r["$blob"] for r in refs}))

    def walk(node: object) -> object:
        if is_ref(node) and node["$blob"] in data:
            stored = data[node["$blob"]]
            if node.get("encoding") == "text":
                return stored.decode("utf-8", "surrogatepass")
            return base64.b64encode(stored).decode("ascii")
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(body)


def summary(ref: dict) -> str:
    """A one-line description for list pages and logs: "application/pdf, 20.0 MB"."""
    size = ref.get("bytes") or 0
    if size >= 1024 * 1024:
        human = f"{size / (1024 * 1024):.1f} MB"
    elif size >= 1024:
        human = f"{size / 1024:.1f} KB"
    else:
        human = f"{size} B"
    return f"{ref.get('media_type') or 'unknown type'}, {human}"
