"""Saved requests as a JSON file, and back: the `messages-playground.requests` format.

Format, version 1 (documented in docs/library.md)::

    {
      "format": "messages-playground.requests",
      "version": 1,
      "exported_at": "2026-12-07T10:00:00+00:00",
      "requests": [
        {
          "name": "Weather loop",
          "description": "",
          "tags": ["weather"],
          "versions": [
            {"number": 1, "created": "...", "author": "alice", "message": "Created",
             "state": {"request": {...}, "provider": null, "headers": {...}, "mocks": {},
                       "notes": "", "variables": {"sets": [], "active": null}}}
          ]
        }
      ]
    }

Policy:

* Export never carries a secret: states pass the same check as a save (credential headers
  dropped), providers are named, never their keys or URLs; internal ids are left out.
* Import checks the whole file first and reports every problem with its JSON path
  (`$.requests[0].versions[1].state.request`); only a file without problems is imported,
  in one transaction, so an import is all or nothing. Imported requests are new saved
  requests of the importing team; version authors are kept when a member of that team has
  the same user name, else the importer is the author.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from playground.library import ops
from playground.library.models import SavedRequest, Version
from playground.library.state import StateError, check_state, serialize_state

FORMAT = "messages-playground.requests"
FORMAT_VERSION = 1
REQUEST_KEYS = {"name", "description", "tags", "versions"}
VERSION_KEYS = {"number", "created", "author", "message", "state"}
MAX_PROBLEMS = 200


class ImportProblems(ValueError):
    """The file cannot be imported; `problems` lists (JSON path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        more = len(problems) - len(self.problems)
        lines = [f"{path}: {message}" for path, message in self.problems]
        if more:
            lines.append(f"… and {more} more")
        super().__init__("\n".join(lines))


@dataclass
class ImportResult:
    requests: list[SavedRequest]
    versions: int


def _version_entry(version: Version, state: dict) -> dict:
    return {
        "number": version.number,
        "created": version.created.isoformat(),
        "author": version.author.get_username() if version.author else None,
        "message": version.message,
        "state": state,
    }


def export_entry(saved: SavedRequest, latest_only: bool = False) -> dict:
    """One saved request as its file entry (every version, or only the latest)."""
    versions = saved.versions.select_related("author").order_by("number")
    if latest_only:
        versions = versions.filter(number=saved.latest_number)
    entries = []
    for version in versions:
        # The same check as a save: a state stored before a header became secret still
        # leaves it out of the file.
        state, _ = check_state(version.state)
        entries.append(_version_entry(version, state))
    return {
        "name": saved.name,
        "description": saved.description,
        "tags": list(saved.tags),
        "versions": entries,
    }


def export_document(requests: Iterable[SavedRequest], latest_only: bool = False) -> dict:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "requests": [export_entry(saved, latest_only) for saved in requests],
    }


def export_text(requests: Iterable[SavedRequest], latest_only: bool = False) -> str:
    """The file's text (UTF-8 JSON, indented so it diffs well in a repository)."""
    text = json.dumps(export_document(requests, latest_only), ensure_ascii=False, indent=2)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(export_document(requests, latest_only), indent=2)
    return text + "\n"


def _created(value: object, path: str, problems: list) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else timezone.make_aware(parsed, timezone.utc)
    problems.append((path, "must be an ISO 8601 date and time, or null"))
    return None


def _check_version(entry: object, path: str, problems: list) -> dict | None:
    if not isinstance(entry, dict):
        problems.append((path, "must be an object"))
        return None
    extra = sorted(set(entry) - VERSION_KEYS)
    if extra:
        problems.append((path, f"unknown keys: {', '.join(extra)}"))
    if "state" in entry:
        state, state_problems = check_state(entry["state"], f"{path}.state")
        problems.extend(state_problems)
    else:
        state, state_problems = {}, [(path, "has no `state`")]
        problems.extend(state_problems)
    if not state_problems:
        try:
            serialize_state(state)  # the size limits
        except StateError as exc:
            problems.extend((f"{path}.{where}", why) for where, why in exc.problems)
    number = entry.get("number")
    if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
        problems.append((f"{path}.number", "must be a whole number from 1"))
    author = entry.get("author")
    if author is not None and not isinstance(author, str):
        problems.append((f"{path}.author", "must be a user name or null"))
    message = entry.get("message", "")
    try:
        message = ops.check_details("-", "", (), message if message is not None else "")[3]
    except StateError as exc:
        problems.extend((f"{path}.message", why) for _, why in exc.problems)
    return {
        "state": state,
        "number": number,
        "author": author if isinstance(author, str) else None,
        "message": message if isinstance(message, str) else "",
        "created": _created(entry.get("created"), f"{path}.created", problems),
    }


def _check_request(entry: object, path: str, problems: list) -> dict | None:
    if not isinstance(entry, dict):
        problems.append((path, "must be an object"))
        return None
    extra = sorted(set(entry) - REQUEST_KEYS)
    if extra:
        problems.append((path, f"unknown keys: {', '.join(extra)}"))
    details = None
    try:
        details = ops.check_details(
            entry.get("name"), entry.get("description", ""), entry.get("tags", [])
        )
    except StateError as exc:
        problems.extend((f"{path}.{field}", why) for field, why in exc.problems)
    versions = entry.get("versions")
    checked = []
    if not isinstance(versions, list) or not versions:
        problems.append((f"{path}.versions", "must be a non-empty list of versions"))
    else:
        numbers = []
        for j, version in enumerate(versions):
            item = _check_version(version, f"{path}.versions[{j}]", problems)
            if item is not None:
                checked.append(item)
                if isinstance(item["number"], int):
                    numbers.append(item["number"])
        if numbers != sorted(set(numbers)):
            problems.append((f"{path}.versions", "version numbers must increase"))
    if details is None:
        return None
    name, description, tags, _ = details
    return {"name": name, "description": description, "tags": tags, "versions": checked}


def check_document(text: str | bytes) -> list[dict]:
    """The requests of a file, checked; ImportProblems listing every problem otherwise."""
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblems([("$", f"is not JSON: {exc}")]) from None
    except RecursionError:
        raise ImportProblems([("$", "is nested too deeply")]) from None
    if not isinstance(document, dict):
        raise ImportProblems([("$", "must be an object")])
    problems: list[tuple[str, str]] = []
    if document.get("format") != FORMAT:
        problems.append(("$.format", f"must be {FORMAT!r}"))
    if document.get("version") != FORMAT_VERSION:
        problems.append(("$.version", f"must be {FORMAT_VERSION} (this server reads version {FORMAT_VERSION})"))
    requests = document.get("requests")
    checked: list[dict] = []
    if not isinstance(requests, list):
        problems.append(("$.requests", "must be a list"))
    else:
        for i, entry in enumerate(requests):
            item = _check_request(entry, f"$.requests[{i}]", problems)
            if item is not None:
                checked.append(item)
    if problems:
        raise ImportProblems(problems)
    return checked


def import_document(team, user, text: str | bytes) -> ImportResult:
    """Check the file, then create every request in it in one transaction (or none)."""
    checked = check_document(text)
    # A name no column can hold (NUL, a lone surrogate) names no member.
    usernames = {
        v["author"] for r in checked for v in r["versions"]
        if v["author"] and ops.storable(v["author"]) is None
    }
    members = {
        u.get_username(): u
        for u in get_user_model().objects.filter(
            username__in=usernames, memberships__team=team
        )
    }
    created: list[SavedRequest] = []
    count = 0
    try:
        with transaction.atomic():
            for item in checked:
                versions = [
                    {**v, "author": members.get(v["author"], user)} for v in item["versions"]
                ]
                created.append(
                    ops.import_saved_request(
                        team, user, item["name"], item["description"], item["tags"], versions
                    )
                )
                count += len(versions)
    except StateError as exc:
        # check_document has checked everything a save checks; this is a backstop.
        raise ImportProblems([(f"$.requests[{len(created)}]", str(exc))]) from None
    return ImportResult(created, count)
