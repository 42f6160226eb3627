"""Real agents (Claude Code, the Claude Agent SDK, the Vercel AI SDK) against the proxy's
live test server, answered by the simulator. The proxy fixtures are the proxy tests' own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.proxy.conftest import _fast_password_hashes, acme_key, proxy_url  # noqa: F401

JS = Path(__file__).resolve().parent.parent / "js"
CLAUDE = JS / "node_modules" / ".bin" / "claude"

# The documented switches that keep Claude Code off the network beyond its API calls:
# no telemetry, error reports, auto-updates or other non-essential traffic.
QUIET = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_BUG_COMMAND": "1",
    "DISABLE_COST_WARNINGS": "1",
}


@pytest.fixture
def agent_env(tmp_path, proxy_url, acme_key):  # noqa: F811
    """An empty working directory and HOME, and an environment with nothing of the
    developer's: the proxy's URL and key, the quiet switches, PATH."""
    work = tmp_path / "work"
    home = tmp_path / "home"
    work.mkdir()
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": proxy_url,
        "ANTHROPIC_API_KEY": acme_key,
        **QUIET,
    }
    return work, env


def require(path: Path, what: str) -> None:
    if not path.exists() or shutil.which("node") is None:
        pytest.fail(f"{what} is required (scripts/test installs it: npm install in tests/js)")
