"""The model catalogue: what each model id accepts, as data.

Two views of one table:
- `MODELS` / `get_model(id)`: `ModelInfo` dicts shaped exactly like the API's
  `GET /v1/models` entries (type, id, display_name, created_at, max_input_tokens,
  max_tokens, capabilities, lifecycle), for the proxy's and the simulator's listings.
- `model_rules(id)`: the playground's own knowledge of request rules the API enforces per
  model (prefill, thinking modes, sampling parameters, effort levels, forced tool use),
  which the validator applies only when the model is known.

Policy: limits and capabilities come from MESSAGES_API.md §12-13 and the captures; where a
fact is unknown the rule is `None` and the validator does not check it (the upstream has
the final word). Aliases and pinned ids resolve to the same entry. Models whose id begins
with `sim` are the built-in simulator's: they accept everything, up to 128,000 output
tokens. Unknown ids are not an error here: 404 for unknown models is the proxy's and the
simulator's job. Dates for models whose release date is not in the sources are the date in
their pinned id, or the start of their release month.
"""

from __future__ import annotations

import copy

EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")


def _entry(
    model_id: str,
    display_name: str,
    created_at: str,
    max_input_tokens: int | None,
    max_tokens: int | None,
    *,
    aliases: tuple[str, ...] = (),
    lifecycle: str = "active",
    prefill: bool = True,
    thinking: tuple[str, ...] = ("enabled",),
    thinking_always_on: bool = False,
    thinking_default: bool = False,
    sampling: bool | None = True,
    sampling_exclusive: bool = False,
    effort: tuple[str, ...] | None = (),
    forced_tool: bool = True,
    structured_outputs: bool = True,
    images: int = 100,
) -> dict:
    return {
        "id": model_id,
        "display_name": display_name,
        "created_at": created_at,
        "max_input_tokens": max_input_tokens,
        "max_tokens": max_tokens,
        "aliases": aliases,
        "lifecycle": lifecycle,
        "rules": {
            # False: a trailing assistant turn is rejected (4.6 and later)
            "prefill": prefill,
            # thinking.type values accepted besides "disabled"
            "thinking": thinking,
            "thinking_always_on": thinking_always_on,
            # thinks (adaptively) when the request has no `thinking` field
            "thinking_default": thinking_default or thinking_always_on,
            # temperature / top_p / top_k accepted at all; None = unknown
            "sampling": sampling,
            # 4.5 generation: temperature and top_p cannot both be sent
            "sampling_exclusive": sampling_exclusive,
            # accepted output_config.effort levels; () = no effort support; None = unknown
            "effort": effort,
            # tool_choice any/tool accepted
            "forced_tool": forced_tool,
            "structured_outputs": structured_outputs,
            "max_images": images,
        },
    }


_M = 1_000_000
_NEW = {"prefill": False, "thinking": ("adaptive",), "sampling": False, "images": 600}

_CATALOGUE: list[dict] = [
    # In the SDK's model list (2.17) with no published limits yet: rules as the 5.1
    # generation, limits unknown (not checked).
    _entry("claude-fable-5-2", "Claude Fable 5.2", "2026-11-01T00:00:00Z", None, None,
           thinking_always_on=True, forced_tool=False, effort=None, **_NEW),
    _entry("claude-mythos-5-2", "Claude Mythos 5.2", "2026-11-01T00:00:00Z", None, None,
           thinking_always_on=True, effort=None, **_NEW),
    # "Claude Mythos Preview does not support forced tool use" (the tool use guide)
    _entry("claude-mythos-preview", "Claude Mythos Preview", "2026-04-01T00:00:00Z", None, None,
           effort=None, forced_tool=False, **_NEW),
    _entry("claude-fable-5-1", "Claude Fable 5.1", "2026-10-01T00:00:00Z", _M, 128_000,
           thinking_always_on=True, forced_tool=False, **_NEW),
    _entry("claude-mythos-5-1", "Claude Mythos 5.1", "2026-10-01T00:00:00Z", _M, 128_000,
           thinking_always_on=True, **_NEW),
    _entry("claude-opus-5-5", "Claude Opus 5.5", "2026-09-01T00:00:00Z", _M, 128_000,
           thinking_always_on=True, forced_tool=False, effort=None, **_NEW),
    _entry("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-01T00:00:00Z", _M, 128_000,
           forced_tool=False, effort=None, **_NEW),
    _entry("claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-07T00:00:00Z", _M, 128_000,
           prefill=False, thinking=("adaptive",), sampling=None, effort=None, images=600),
    _entry("claude-fable-5", "Claude Fable 5", "2026-08-01T00:00:00Z", _M, 128_000,
           thinking_always_on=True, **_NEW),
    _entry("claude-mythos-5", "Claude Mythos 5", "2026-08-01T00:00:00Z", _M, 128_000,
           thinking_always_on=True, **_NEW),
    _entry("claude-opus-5", "Claude Opus 5", "2026-07-24T00:00:00Z", _M, 128_000,
           effort=None, thinking_default=True, **_NEW),
    _entry("claude-sonnet-5", "Claude Sonnet 5", "2026-06-30T00:00:00Z", _M, 128_000,
           effort=None, **_NEW),
    _entry("claude-opus-4-8", "Claude Opus 4.8", "2026-05-01T00:00:00Z", None, None,
           effort=None, **_NEW),
    _entry("claude-opus-4-7", "Claude Opus 4.7", "2026-04-01T00:00:00Z", None, None,
           effort=None, **_NEW),
    _entry("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", _M, 128_000,
           prefill=False, thinking=("enabled", "adaptive"),
           effort=("low", "medium", "high", "max"), images=600),
    # temperature with top_p refused as on 4.5 (Vali-98/ChatterUI#564, skydiscover-ai/skydiscover#15)
    _entry("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z", _M, 128_000,
           prefill=False, thinking=("enabled", "adaptive"), effort=None, images=600,
           sampling_exclusive=True),
    _entry("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z", 200_000,
           64_000, aliases=("claude-opus-4-5",), sampling_exclusive=True,
           effort=("low", "medium", "high")),
    _entry("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z",
           200_000, 64_000, aliases=("claude-sonnet-4-5",), sampling_exclusive=True),
    _entry("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", 200_000,
           64_000, aliases=("claude-haiku-4-5",), sampling_exclusive=True),
    _entry("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", 200_000,
           32_000, aliases=("claude-opus-4-1",), lifecycle="retired"),
    _entry("claude-opus-4-20250514", "Claude Opus 4", "2025-05-14T00:00:00Z", 200_000,
           32_000, aliases=("claude-opus-4-0", "claude-4-opus-20250514"), lifecycle="retired"),
    _entry("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z", 200_000,
           64_000, aliases=("claude-sonnet-4-0", "claude-4-sonnet-20250514"),
           lifecycle="retired"),
    _entry("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-19T00:00:00Z",
           200_000, 64_000, aliases=("claude-3-7-sonnet-latest",), lifecycle="retired"),
    _entry("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z", 200_000,
           8192, aliases=("claude-3-5-haiku-latest",), lifecycle="retired", thinking=(),
           structured_outputs=False),
    _entry("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07T00:00:00Z", 200_000,
           4096, lifecycle="deprecated", thinking=(), structured_outputs=False),
    # The built-in simulator: accepts everything.
    _entry("sim-1", "Simulator 1", "2026-01-01T00:00:00Z", _M, 128_000,
           thinking=("enabled", "adaptive"), effort=EFFORT_LEVELS, images=600),
    _entry("sim-1-fast", "Simulator 1 Fast", "2026-01-01T00:00:00Z", _M, 128_000,
           thinking=("enabled", "adaptive"), effort=EFFORT_LEVELS, images=600),
]

_BY_ID: dict[str, dict] = {}
for _e in _CATALOGUE:
    _BY_ID[_e["id"]] = _e
    for _a in _e["aliases"]:
        _BY_ID[_a] = _e


def _supported(flag: bool) -> dict:
    return {"supported": bool(flag)}


def _model_info(entry: dict) -> dict:
    rules = entry["rules"]
    effort = rules["effort"]
    effort_known = EFFORT_LEVELS if effort is None else effort
    thinking = rules["thinking"]
    return {
        "type": "model",
        "id": entry["id"],
        "display_name": entry["display_name"],
        "created_at": entry["created_at"],
        "max_input_tokens": entry["max_input_tokens"],
        "max_tokens": entry["max_tokens"],
        "lifecycle": entry["lifecycle"],
        "deprecated_at": None,
        "retires_at": None,
        "capabilities": {
            "batch": _supported(True),
            "citations": _supported(True),
            "code_execution": _supported(bool(thinking)),
            "context_management": {"supported": bool(thinking)},
            "effort": {
                "supported": bool(effort_known),
                **{level: _supported(level in effort_known) for level in EFFORT_LEVELS},
            },
            "image_input": _supported(True),
            "pdf_input": _supported(True),
            "server_tools": {
                "supported": True,
                "code_execution": _supported(True),
                "web_search": _supported(True),
            },
            "structured_outputs": _supported(rules["structured_outputs"]),
            "thinking": {
                "supported": bool(thinking),
                "types": {
                    "enabled": _supported("enabled" in thinking),
                    "adaptive": _supported("adaptive" in thinking),
                    "disabled": _supported(not rules["thinking_always_on"]),
                    "between_tools": _supported(False),
                },
            },
        },
    }


_INFOS: dict[str, dict] = {e["id"]: _model_info(e) for e in _CATALOGUE}

MODELS: list[dict] = [_INFOS[e["id"]] for e in _CATALOGUE]
"""ModelInfo dicts for `GET /v1/models`, newest first (as the API lists them)."""


def is_simulated(model_id: str) -> bool:
    return isinstance(model_id, str) and model_id.startswith("sim")


def get_model(model_id: str) -> dict | None:
    """The ModelInfo for an id or alias (a copy, safe to modify), or None when unknown.

    Any `sim*` id is a simulator model; unlisted ones get `sim-1`'s capabilities."""
    if not isinstance(model_id, str):
        return None
    entry = _BY_ID.get(model_id)
    if entry is not None:
        return copy.deepcopy(_INFOS[entry["id"]])
    if is_simulated(model_id):
        info = copy.deepcopy(_INFOS["sim-1"])
        info["id"] = model_id
        info["display_name"] = model_id
        return info
    return None


def model_rules(model_id: str) -> dict | None:
    """Per-model request rules (see `_entry`), or None when the model is unknown.
    Shared, read-only: do not modify."""
    if not isinstance(model_id, str):
        return None
    entry = _BY_ID.get(model_id)
    if entry is None and is_simulated(model_id):
        entry = _BY_ID["sim-1"]
    return entry["rules"] if entry else None


def model_limits(model_id: str) -> tuple[int | None, int | None]:
    """(max_input_tokens, max_tokens) for a known model, else (None, None)."""
    entry = _BY_ID.get(model_id) if isinstance(model_id, str) else None
    if entry is None and is_simulated(model_id):
        entry = _BY_ID["sim-1"]
    if entry is None:
        return None, None
    return entry["max_input_tokens"], entry["max_tokens"]
