"""Template tags of the sharing app: the Share control and comments by block."""

from __future__ import annotations

from django import template

from playground.sharing.ops import EXPIRY_LABELS
from playground.teams.access import membership_for_request

register = template.Library()
MAX_VERSION_CHOICES = 50


@register.filter
def at(mapping: object, key: object) -> list:
    """`comments|at:link`: the comments on one block (none when the page has no comments)."""
    if isinstance(mapping, dict):
        return mapping.get(key, [])
    return []


@register.inclusion_tag("sharing/_share_form.html", takes_context=True)
def share_control(context, kind: str, target: str, latest_version: int | None = None) -> dict:
    """The Share form for writers of the team (nothing for viewers). A saved request passes
    its latest version number, so the form offers "latest" or one pinned version."""
    request = context.get("request")
    membership = membership_for_request(request) if request is not None else None
    versions = list(range(latest_version, max(latest_version - MAX_VERSION_CHOICES, 0), -1)) if latest_version else []
    return {
        "can_write": bool(membership and membership.can_write),
        "share_kind": kind,
        "share_target": target,
        "versions": versions,
        "expiry_choices": EXPIRY_LABELS,
        "csrf_token": context.get("csrf_token"),
    }
