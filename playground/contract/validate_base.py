"""The validator's vocabulary: `Finding`, the collector every rule writes to, and the
pydantic-style type checks the Messages API answers with.

Policy: a rule never raises on odd input. Every check first confirms the JSON type it needs,
records a finding when it is wrong, and carries on with what it can still check, so one
request yields every problem at once. Locations are kept as tuples and only formatted
when a finding is made, which keeps the clean path (the common case) cheap.

Two locations per finding: `path` is ours (`messages[3].content[0].tool_use_id`) and points
at the exact value; `api_path` is the dotted prefix the API puts in front of its message
(`messages.3.content.0.tool_use.id`, with the union tag the API's schema errors carry), or
`""` when the API's message has no prefix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from playground.contract.errors import status_for

Loc = tuple  # parts: str keys and int indices


@dataclass(frozen=True)
class Finding:
    path: str  # our JSON path: "messages[3].content[0].tool_use_id"
    api_path: str  # the API's dotted location: "messages.3.content.0.tool_use_id"
    message: str  # the API's wording where known (without the location prefix)
    severity: str  # "error" (the API would reject) | "warning" (accepted, a known trap)
    error_type: str  # "invalid_request_error" | "request_too_large" | "not_found_error"
    status: int

    def api_message(self) -> str:
        """The message as the API prints it: `<api_path>: <message>`."""
        return f"{self.api_path}: {self.message}" if self.api_path else self.message

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "api_path": self.api_path,
            "message": self.message,
            "severity": self.severity,
            "error_type": self.error_type,
            "status": self.status,
        }


def format_path(loc: Iterable) -> str:
    out = []
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append("." + part)
        else:
            out.append(part)
    return "".join(out)


def format_api_path(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


def choices(values: Iterable[str]) -> str:
    """pydantic's literal wording: `'a', 'b' or 'c'`."""
    quoted = [f"'{v}'" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


# Every `anthropic-beta` name this validator knows (the official SDK's `AnthropicBetaParam`;
# tests/contract/test_validate_sdk_drift.py fails when the SDK knows one that is not here).
# A request that sends any other beta may use shapes this validator has never seen: those
# are warnings, not errors (docs/contract.md, "What the validator cannot know").
KNOWN_BETAS = frozenset({
    "admin-user-sign-out-2026-10-08", "advisor-tool-2026-03-01", "agent-memory-2026-07-22",
    "analytics-usage-cost-2026-08-24", "cache-diagnosis-2026-04-07",
    "ce-claude-code-managed-settings-2026-10-06", "ce-plugins-2026-09-01",
    "ce-user-management-2026-07-13", "code-execution-2025-05-22", "compact-2026-01-12",
    "compact-2026-09-04", "computer-use-2024-10-22", "computer-use-2025-01-24",
    "computer-use-2025-11-24", "context-1m-2025-08-07", "context-management-2025-06-27",
    "dev-full-thinking-2025-05-14", "dreaming-2026-04-21", "efs-2026-10-01",
    "experimental-claude-tag-2026-10-21", "extended-cache-ttl-2025-04-11",
    "fallback-credit-2026-06-01", "fallback-credit-2026-07-01", "fast-mode-2026-02-01",
    "files-api-2025-04-14", "google-managed-data-controls-2026-09-01",
    "inline-tools-2026-09-15", "interleaved-thinking-2025-05-14", "managed-agents-2026-04-01",
    "mcp-client-2025-04-04", "mcp-client-2025-11-20", "mcp-client-2026-09-15",
    "mcp-tunnels-2026-06-22", "message-batches-2024-09-24", "message-threads-2026-08-12",
    "mid-conversation-output-config-2026-07-01", "mid-conversation-system-clear-at-2026-08-21",
    "mid-conversation-tool-changes-2026-07-01", "model-context-window-exceeded-2025-08-26",
    "output-128k-2025-02-19", "output-300k-2026-03-24", "pdfs-2024-09-25",
    "prompt-caching-2024-07-31", "server-side-fallback-2026-06-01",
    "server-side-fallback-2026-07-01", "skills-2025-10-02", "spend-limit-reads-2026-09-26",
    "structured-outputs-2025-11-13", "task-budgets-2026-03-13",
    "telemetry-destinations-2026-08-11", "thinking-binding-controls-2026-08-01",
    "thinking-display-updates-2026-08-18", "thinking-token-count-2026-05-13",
    "token-counting-2024-11-01", "token-efficient-tools-2025-02-19", "user-profiles-2026-03-24",
    "user-profiles-2026-08-18", "user-profiles-2026-09-04", "user-profiles-billing-2026-10-01",
    "webhooks-2026-10-07",
})
UNKNOWN_SHAPE = "not known to this validator"

MAX_FINDINGS = 1000  # a 32 MB body could otherwise yield millions of findings
MAX_BLOCKS = 200_000  # blocks checked one by one; beyond this a request is only partly checked


class StopChecking(Exception):  # noqa: N818 (a signal, not an error)
    """Raised when a request exceeds the work bounds; the reason becomes a warning."""


class Ctx:
    """Collects findings for one request, with what later rules need to know."""

    def __init__(self, endpoint: str, betas: tuple[str, ...]) -> None:
        self.findings: list[Finding] = []
        self.endpoint = endpoint
        self.betas = betas
        self.model_id: str | None = None
        self.model: dict | None = None  # catalogue entry (internal form) when known
        self.thinking: str | None = None  # "enabled" | "adaptive" | "disabled" | None
        self.thinking_display: str | None = None
        self.budget_tokens: int | None = None
        self.max_tokens: int | None = None
        self.tool_names: set[str] = set()
        self.has_tools = False
        self.forced_tool = False
        self.output_format = False  # output_config.format (structured outputs) is set
        # cache_control markers in processing order: (loc, ttl)
        self.cache_markers: list[tuple[Loc, str]] = []
        # images seen: (loc, api loc of the data, width, height)
        self.images: list[tuple[Loc, Loc, int | None, int | None]] = []
        self.pdf_pages: list[tuple[Loc, Loc, int]] = []  # loc, api loc, pages
        self.documents: list[tuple[Loc, bool]] = []  # document blocks: loc, citations on
        self.media_bytes = 0  # base64 payload characters seen, for the request size cap
        self.blocks = 0  # content blocks checked, against MAX_BLOCKS
        # betas sent that this validator does not know: they may bring shapes it has not seen
        self.unknown_betas = tuple(b for b in betas if b not in KNOWN_BETAS)

    def has_beta(self, prefix: str | tuple[str, ...]) -> bool:
        return any(b.startswith(prefix) for b in self.betas)

    def add(
        self,
        severity: str,
        loc: Loc,
        message: str,
        api: Loc | str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        if api is None:
            api_path = format_api_path(loc)
        elif isinstance(api, str):
            api_path = api
        else:
            api_path = format_api_path(api)
        if len(self.findings) >= MAX_FINDINGS:
            raise StopChecking(f"more than {MAX_FINDINGS} findings: the rest are not listed")
        self.findings.append(
            Finding(format_path(loc), api_path, message, severity, error_type, status_for(error_type))
        )

    def error(self, loc: Loc, message: str, api: Loc | str | None = None,
              error_type: str = "invalid_request_error") -> None:
        self.add("error", loc, message, api, error_type)

    def warn(self, loc: Loc, message: str, api: Loc | str | None = None) -> None:
        self.add("warning", loc, message, api)

    def unknown(self, loc: Loc, message: str, api: Loc | str | None = None) -> None:
        """A field, block type or value this validator does not know: the API's error, or a
        warning when the request sends a beta this validator does not know (that beta may
        be what makes it valid, so the upstream decides)."""
        if self.unknown_betas:
            self.warn(loc, f"{message} ({UNKNOWN_SHAPE}; accepted because the request sends "
                      f"the beta `{self.unknown_betas[0]}`, which it does not know either: "
                      "the upstream decides)", api)
        else:
            self.error(loc, message, api)


# -- pydantic-style checks -------------------------------------------------------------

_TYPE_MESSAGES = {
    "str": "Input should be a valid string",
    "int": "Input should be a valid integer",
    "number": "Input should be a valid number",
    "bool": "Input should be a valid boolean",
    "list": "Input should be a valid list",
    "dict": "Input should be a valid dictionary",
}


def is_type(value: object, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    raise ValueError(kind)


def check_type(ctx: Ctx, value: object, kind: str, loc: Loc, api: Loc | None = None) -> bool:
    if is_type(value, kind):
        return True
    message = _TYPE_MESSAGES[kind]
    if kind == "int" and isinstance(value, float):
        message += ", got a number with a fractional part"
    ctx.error(loc, message, api)
    return False


def check_keys(ctx: Ctx, obj: dict, allowed: frozenset | set, loc: Loc, api: Loc | None = None,
               required: Iterable[str] = ()) -> None:
    """Unknown keys are rejected by the API (`Extra inputs are not permitted`)."""
    api = loc if api is None else api
    for key in obj:
        if key not in allowed:
            ctx.unknown((*loc, key), "Extra inputs are not permitted", (*api, key))
    for key in required:
        if key not in obj:
            ctx.error((*loc, key), "Field required", (*api, key))


def check_literal(ctx: Ctx, value: object, allowed: tuple, loc: Loc, api: Loc | None = None) -> bool:
    if isinstance(value, str) and value in allowed:
        return True
    if isinstance(value, str):
        ctx.unknown(loc, f"Input should be {choices(allowed)}", api)
    else:
        ctx.error(loc, f"Input should be {choices(allowed)}", api)
    return False


def get_int(value: object) -> int | None:
    if is_type(value, "int"):
        return int(value)
    return None
