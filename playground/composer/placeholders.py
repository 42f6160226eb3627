"""Findings for `{{name}}` placeholders: where each is, and which have no value.

The parser is the library's (`playground.library.variables`), the one a run resolves
with, so what the page flags is exactly what a run would refuse. With value sets, a
placeholder the active set has no value for is an error (the run is refused until it has
one); without value sets it is a warning (the request is sent as written).
"""

from __future__ import annotations

from playground.library.variables import occurrences


def active_set(variables: dict) -> dict | None:
    """The active value set of a checked `state.variables` (else the first, else None)."""
    sets = variables["sets"]
    for item in sets:
        if item["name"] == variables["active"]:
            return item
    return sets[0] if sets else None


def check(request: dict, variables: dict) -> tuple[dict[str, list[str]], list[dict]]:
    """(each placeholder with the paths that use it, findings in the validator's JSON shape)."""
    found = occurrences(request)
    chosen = active_set(variables)
    findings = []
    for name, paths in found.items():
        if chosen is None:
            severity = "warning"
            message = f"{{{{{name}}}}} is a placeholder, but the request has no value sets: it is sent as written"
        elif name not in chosen["values"]:
            severity = "error"
            message = f"{{{{{name}}}}} has no value in value set {chosen['name']!r}: a run is refused until it has one"
        else:
            continue
        for path in paths:
            findings.append(
                {
                    "path": path,
                    "api_path": path,
                    "message": message,
                    "severity": severity,
                    "error_type": "invalid_request_error" if severity == "error" else None,
                    "status": 400 if severity == "error" else None,
                }
            )
    return found, findings
