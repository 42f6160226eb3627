"""Loads the demo data of the embedded default (idempotent).

The demo user and team, then a real two-step tool loop run against the in-process simulator
through the same code as the playground's auto-run (`run_request` + mocks), so the Exchanges
page has its recordings and a thread, and the whole conversation opened as the demo user's
working copy so the playground opens on it. Running it again changes nothing while the demo
user has a copy open; when every copy was closed, the conversation is reopened from the
recorded loop without a new run (`--force` runs the loop again and opens it as a new copy).
"""

from __future__ import annotations

import asyncio
import copy

from django.core.management.base import BaseCommand, CommandError

from playground.composer.workcopies import copies_for, open_working_copy
from playground.teams.ops import current_team, ensure_local_user

DEMO_THREAD = "demo-tool-loop"
DEMO_TITLE = "Demo tool loop"

DEMO_REQUEST: dict = {
    "model": "sim-1",
    "max_tokens": 1024,
    "system": "You are a concise travel assistant. Use the tools, then answer in two sentences.",
    "tools": [
        {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "input_schema": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name, e.g. Lisbon"}},
                "required": ["city"],
            },
        },
        {
            "name": "find_restaurants",
            "description": "Restaurants open tonight in a city, best rated first.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "cuisine": {"type": "string", "enum": ["any", "seafood", "vegetarian", "local"]},
                },
                "required": ["city"],
            },
        },
    ],
    # One call per step, so the demo shows a two-step loop rather than parallel calls.
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
    "messages": [
        {
            "role": "user",
            "content": "I am in Lisbon tonight. Use get_weather first, then find_restaurants, "
            "and tell me where to eat.",
        }
    ],
}

DEMO_MOCKS: dict = {
    "get_weather": {
        "type": "template",
        "template": '{"city": "{{input.city}}", "temp_c": 19, "sky": "clear", "wind_kmh": 12}',
    },
    "find_restaurants": {
        "type": "static",
        "value": [
            {"name": "Cervejaria Ramiro", "cuisine": "seafood", "rating": 4.6},
            {"name": "Prado", "cuisine": "local", "rating": 4.5},
        ],
    },
}

MAX_STEPS = 4


async def run_demo(team_id: int, user_id: int) -> tuple[dict, str, int]:
    """Run the demo loop for real; returns (conversation, stop reason, steps)."""
    from playground import recording, upstream
    from playground.composer.loops import autorun
    from playground.composer.runs import run_request

    async def step(_n: int, request: dict):
        return await run_request(
            request,
            provider=None,
            headers={},
            source="playground",
            team_id=team_id,
            user_id=user_id,
            thread=DEMO_THREAD,
        )

    try:
        outcome = await autorun(copy.deepcopy(DEMO_REQUEST), DEMO_MOCKS, MAX_STEPS, step)
    finally:
        await recording.flush()
        await upstream.aclose()  # this loop's pooled clients end with it
    return outcome.request, outcome.reason, outcome.steps


def recorded_demo(team) -> dict | None:
    """The whole demo conversation from its last recorded step, when the loop was recorded."""
    from playground.recording.models import Exchange
    from playground.recording.queries import get_request_body

    last = (
        Exchange.objects.for_team(team)
        .filter(thread_hint=DEMO_THREAD, outcome="completed", stop_reason="end_turn")
        .order_by("-started_at", "-id")
        .first()
    )
    if last is None or not isinstance(last.message, dict):
        return None
    request = get_request_body(last)
    if not isinstance(request, dict):
        return None
    request = {k: v for k, v in request.items() if k != "stream"}
    request["messages"] = [
        *request.get("messages", []),
        {"role": "assistant", "content": last.message.get("content") or []},
    ]
    return request


def demo_state(request: dict) -> dict:
    """The finished loop, left ready for the user's next turn (an empty user turn after the
    model's answer, so the last turn is not taken for a prefill)."""
    messages = list(request.get("messages") or [])
    if messages and messages[-1].get("role") == "assistant":
        messages.append({"role": "user", "content": [{"type": "text", "text": ""}]})
    return {"request": {**request, "messages": messages}, "provider": None, "headers": {}, "mocks": DEMO_MOCKS}


def demo_thread_path(team) -> str | None:
    from playground.recording.models import Exchange

    thread = (
        Exchange.objects.for_team(team).filter(thread_hint=DEMO_THREAD, thread__isnull=False)
        .select_related("thread").order_by("-started_at", "-id").first()
    )
    return f"/exchanges/threads/{thread.thread.public_id}/" if thread else None


class Command(BaseCommand):
    help = "Create the local demo user and team, and the demo tool-loop conversation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="run the demo loop again")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server's address, for the links printed")

    def ready(self, team, url: str, what: str) -> None:
        url = url.rstrip("/")
        self.stdout.write(f"Demo data ready{what}.")
        self.stdout.write(f"  The playground: {url}/")
        thread = demo_thread_path(team)
        if thread:
            self.stdout.write(f"  The recorded tool loop: {url}{thread}")

    def handle(self, *args, **options) -> None:
        user = ensure_local_user("demo")
        team = current_team(user)
        if copies_for(user, team).exists() and not options["force"]:
            self.ready(team, options["url"], " (already loaded)")
            return
        recorded = None if options["force"] else recorded_demo(team)
        if recorded is not None:
            # The loop was recorded before (its copy was closed since): open it again.
            open_working_copy(user, team, demo_state(recorded), DEMO_TITLE)
            self.ready(team, options["url"], " (reopened from the recorded loop)")
            return
        try:
            conversation, reason, steps = asyncio.run(run_demo(team.pk, user.pk))
        except Exception as exc:
            raise CommandError(f"the demo tool loop could not run: {exc}") from exc
        if reason != "end_turn":
            raise CommandError(f"the demo tool loop ended with {reason} after {steps} steps")
        open_working_copy(user, team, demo_state(conversation), DEMO_TITLE)
        self.ready(team, options["url"], f": a tool loop of {steps} requests, recorded")
