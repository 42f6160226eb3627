"""The server freezes its start-up heap, so the collector's full passes stay short while
streams are relayed (playground/asgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_server_freezes_what_it_loaded():
    script = (
        "import gc; assert gc.get_freeze_count() == 0; "
        "import playground.asgi; print(gc.get_freeze_count())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    # Django, the apps and the proxy's hot path: tens of thousands of objects.
    assert int(out.strip().splitlines()[-1]) > 20_000
