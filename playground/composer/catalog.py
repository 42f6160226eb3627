"""What the composer page needs to know about the API, in one JSON-able dict.

The page's pickers and ranges come from here: the models per provider (the simulator
always listed), parameter defaults and ranges (from the contract reference), the block
types each role may carry, the server tool types and known beta names. The contract's
model catalogue and the providers app are read when they are present; the simulator's
models are always offered so the page works offline.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

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


def model_groups(team=None) -> list[dict]:
    """[{"provider": name | None, "label": str, "models": [ids]}], the simulator first."""
    groups = [{"provider": None, "label": "Simulator (offline)", "models": list(SIM_MODELS)}]
    try:
        from playground.providers import listing  # the providers app, when it offers a listing
    except ImportError:
        listing = None
    if listing is not None:
        try:
            for group in listing.model_groups(team):
                if group.get("models") and group.get("provider") != "simulator":
                    groups.append(
                        {
                            "provider": group["provider"],
                            "label": group.get("label") or group["provider"],
                            "models": list(group["models"]),
                        }
                    )
        except Exception:  # a broken provider row must not take the page down
            log.exception("listing providers for the composer failed")
    return groups


def model_limits() -> dict:
    """{model id: max output tokens} from the contract's model catalogue."""
    from playground.contract import models as catalogue

    return {
        info["id"]: info["max_tokens"]
        for info in catalogue.MODELS
        if isinstance(info.get("max_tokens"), int)
    }


def model_rules() -> dict:
    """{model id: rules} for the models the picker offers (the page flags rejected parameters)."""
    from playground.contract import models as catalogue

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
