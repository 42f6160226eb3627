"""Template filters of the sharing app."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def at(mapping: object, key: object) -> list:
    """`comments|at:link`: the comments on one block (none when the page has no comments)."""
    if isinstance(mapping, dict):
        return mapping.get(key, [])
    return []
