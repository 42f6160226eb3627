"""The simulated `web_search` server tool: a search that never leaves the machine.

Policy: when the request offers the server tool (`{"type": "web_search_2025…", "name":
"web_search"}`) and the task asks for it (it names `web_search`, says "web search" or
"search the web", or `tool_choice` names `web_search`), the answer holds what the API sends
for a server tool turn (CAP 17): a short text, a `server_tool_use` with `{"query": …}`, its
`web_search_tool_result` (two deterministic results on example.com, delivered whole), then
text blocks carrying `web_search_result_location` citations. One search per task: a task
whose turn already holds a `web_search` call is answered without searching again.
`usage.server_tool_use.web_search_requests` counts it. `tool_choice: none` never searches.
"""

from __future__ import annotations

import base64
import hashlib
import re

from playground.simulator.conversation import Conversation

_ASKS = re.compile(r"\bweb[_ ]search\b|\bsearch the (web|internet)\b|\bsearch online\b", re.IGNORECASE)
_RESULTS = 2


def search_tool(body: dict) -> dict | None:
    """The request's web_search server tool definition, if it offers one."""
    for tool in body.get("tools") or ():
        if isinstance(tool, dict) and str(tool.get("type", "")).startswith("web_search_"):
            return tool
    return None


def wants_search(body: dict, convo: Conversation, forced: bool = False) -> bool:
    """Whether this turn searches; `forced` (the `x-sim-server-tool: web_search` control)
    searches once per task even when the request neither offers nor asks for it."""
    if forced:
        return not convo.prefill and not convo.searched
    if search_tool(body) is None or convo.prefill:
        return False
    choice = body.get("tool_choice") if isinstance(body.get("tool_choice"), dict) else {}
    if choice.get("type") == "none" or convo.searched:
        return False
    if choice.get("type") == "tool":
        return choice.get("name") == "web_search"
    return bool(_ASKS.search(convo.task))


def _opaque(seed: str, salt: str) -> str:
    # Stands in for the API's encrypted blobs: opaque, stable, base64 like theirs.
    return base64.b64encode(hashlib.sha256(f"{seed}:{salt}".encode()).digest() * 2).decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "query"


def search_blocks(query: str, tool_id: str, seed: str) -> list[dict]:
    """server_tool_use, its result, and the cited answer text, as planned blocks."""
    results = []
    for n in range(1, _RESULTS + 1):
        results.append(
            {
                "type": "web_search_result",
                "title": f"{query} — result {n}",
                "url": f"https://example.com/{_slug(query)}/{n}",
                "encrypted_content": _opaque(seed, f"content:{n}"),
                "page_age": f"{n} day{'s' if n > 1 else ''} ago",
            }
        )
    blocks: list[dict] = [
        {"type": "text", "text": "I'll search the web for that."},
        {"type": "server_tool_use", "id": tool_id, "name": "web_search", "input": {"query": query}},
        {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results},
        {"type": "text", "text": f'Here is what the web says about "{query}":\n\n'},
    ]
    for n, result in enumerate(results, start=1):
        cited = f"Result {n} on example.com covers {query}"
        citation = {
            "type": "web_search_result_location",
            "cited_text": cited,
            "url": result["url"],
            "title": result["title"],
            "encrypted_index": _opaque(seed, f"index:{n}"),
        }
        blocks.append({"citations": [citation], "type": "text", "text": cited})
        blocks.append({"type": "text", "text": ".\n" if n < len(results) else "."})
    return blocks
