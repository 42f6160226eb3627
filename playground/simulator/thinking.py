"""Thinking signatures: the simulator signs its thinking blocks and checks them on replay.

Policy: a signature is `SIMSIG1` + base64(sha256(thinking text)), so it is deterministic and
bound to the exact text the client saw (with `display: "omitted"` that text is empty). On the
way back in, a thinking block carrying one of our signatures that no longer matches its text
is rejected the way the API rejects an edited block. Signatures we did not make (a real
model's, replayed into a simulator conversation) are accepted unchecked: switching models
mid-conversation is a playground habit we keep working.
"""

from __future__ import annotations

import base64
import hashlib

PREFIX = "SIMSIG1"


def sign(thinking: str) -> str:
    digest = hashlib.sha256(b"sim-thinking:" + thinking.encode("utf-8")).digest()
    return PREFIX + base64.b64encode(digest).decode("ascii")


def tampered_block(body: dict) -> str | None:
    """The API path of the first of our thinking blocks whose signature does not match."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return None
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if not isinstance(block, dict) or block.get("type") != "thinking":
                continue
            signature = block.get("signature")
            thinking = block.get("thinking")
            ours = isinstance(signature, str) and signature.startswith(PREFIX)
            if ours and isinstance(thinking, str) and signature != sign(thinking):
                return f"messages.{i}.content.{j}"
    return None
