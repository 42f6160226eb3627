"""What the composer page needs to know about the API, in one JSON-able dict.

The page's pickers and ranges come from here: the models per provider (the simulator
always listed), parameter defaults and ranges (from the contract reference), the block
types each role may carry, the server tool types and known beta names. Models come from
the contract's model catalogue matched against the team's providers; the simulator's
models are always offered, so the page works offline.
"""

from __future__ import annotations

import fnmatch

from playground.contract import catalogue

SIM_MODELS = ["sim-1", "sim-1-fast"]

# Contract reference §2 and §5.1: defaults and accepted ranges.
PARAMETERS = {
    "max_tokens": {"min": 0, "default": 1024},
    "temperature": {"min": 0, "max": 1, "step": 0.05, "default": 1},
    "top_p": {"min": 0, "max": 1, "step": 0.01},
    "top_k": {"min": 0, "step": 1},
    "budget_tokens": {"min": 1024, "default": 2048},
    "effort": ["low", "medium", "high", "xhigh", "max"],
    "service_tier": ["auto", "standard_only"],
    "cache_ttl": ["5m", "1h"],
    "max_breakpoints": 4,
    "max_image_bytes": 5 * 1024 * 1024,
}

# Contract reference §3.3: what each role may carry ("+ block" offers these).
BLOCKS_BY_ROLE = {
    "user": ["text", "image", "document", "tool_result", "search_result"],
    "assistant": ["text", "tool_use", "thinking", "redacted_thinking"],
}
NO_CACHE_CONTROL = ["thinking", "redacted_thinking"]
IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]

# Contract reference §4.2: server tool types and their fixed names.
SERVER_TOOLS = [
    {"type": "web_search_20250305", "name": "web_search"},
    {"type": "web_search_20260209", "name": "web_search"},
    {"type": "web_fetch_20250910", "name": "web_fetch"},
    {"type": "web_fetch_20260209", "name": "web_fetch"},
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"type": "code_execution_20260120", "name": "code_execution"},
    {"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
    {"type": "tool_search_tool_bm25_20251119", "name": "tool_search_tool_bm25"},
    {"type": "bash_20250124", "name": "bash"},
    {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"},
    {"type": "memory_20250818", "name": "memory"},
]

BETAS = [
    "interleaved-thinking-2025-05-14", "context-management-2025-06-27", "files-api-2025-04-14",
    "mcp-client-2025-11-20", "code-execution-2025-05-22", "extended-cache-ttl-2025-04-11",
    "context-1m-2025-08-07", "computer-use-2025-01-24", "fast-mode-2026-02-01",
    "output-300k-2026-03-24", "token-efficient-tools-2025-02-19",
]


def _catalogue_ids() -> list[str]:
    """Real model ids from the contract catalogue, newest first, retired ones left out."""

    return [
        info["id"]
        for info in catalogue.MODELS
        if not catalogue.is_simulated(info["id"]) and info.get("lifecycle") != "retired"
    ]


def model_groups(team=None) -> list[dict]:
    """[{"provider": name | None, "label": str, "models": [ids]}], the simulator first.

    A provider's models are the catalogue ids its patterns match, plus its literal
    (wildcard-free) patterns; the Anthropic provider from ANTHROPIC_API_KEY serves claude-*.
    Reads start from the team: shared providers and the team's own.
    """
    from django.conf import settings

    from playground.providers.config import ANTHROPIC_NAME, ANTHROPIC_PATTERNS
    from playground.providers.models import Provider

    groups = [{"provider": None, "label": "Simulator (offline)", "models": list(SIM_MODELS)}]
    known = _catalogue_ids()
    rows = Provider.objects.for_team(team).filter(enabled=True, builtin=False).order_by("name")
    for row in rows:
        literal = [p for p in row.patterns() if not any(c in p for c in "*?[")]
        models = [m for m in known if row.serves(m)] + [m for m in literal if m not in known]
        if models:
            groups.append({"provider": row.name, "label": row.name, "models": models})
    if getattr(settings, "ANTHROPIC_API_KEY", None) and all(g["provider"] != ANTHROPIC_NAME for g in groups):
        models = [m for m in known if any(fnmatch.fnmatchcase(m, p) for p in ANTHROPIC_PATTERNS)]
        groups.append({"provider": ANTHROPIC_NAME, "label": "Anthropic", "models": models})
    return groups


def model_limits() -> dict:
    """{model id: max output tokens} from the contract's model catalogue."""

    return {
        info["id"]: info["max_tokens"]
        for info in catalogue.MODELS
        if isinstance(info.get("max_tokens"), int)
    }


def model_rules() -> dict:
    """{model id: rules} for the models the picker offers (the page flags rejected parameters)."""

    rules = {}
    for info in catalogue.MODELS:
        rule = catalogue.model_rules(info["id"])
        if rule:
            rules[info["id"]] = {k: list(v) if isinstance(v, tuple) else v for k, v in rule.items()}
    return rules


def page_config(team=None) -> dict:
    return {
        "modelGroups": model_groups(team),
        "modelLimits": model_limits(),
        "modelRules": model_rules(),
        "parameters": PARAMETERS,
        "blocksByRole": BLOCKS_BY_ROLE,
        "noCacheControl": NO_CACHE_CONTROL,
        "imageMediaTypes": IMAGE_MEDIA_TYPES,
        "serverTools": SERVER_TOOLS,
        "betas": BETAS,
        "defaultVersion": "2023-06-01",
    }


def finding_json(finding) -> dict:
    return {
        "path": finding.path,
        "api_path": finding.api_path,
        "message": finding.message,
        "severity": finding.severity,
        "error_type": finding.error_type,
        "status": finding.status,
    }
