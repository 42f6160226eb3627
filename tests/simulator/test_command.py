"""`manage.py simulator` serves the SDK on its own port and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anthropic

ROOT = Path(__file__).resolve().parents[2]


def test_it_serves_on_the_given_port_and_stops_on_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulator", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Simulator listening on http://127.0.0.1:"), line
        url = line.split()[-1]
        with anthropic.Anthropic(base_url=url, api_key="any", max_retries=0) as sdk:
            message = sdk.messages.create(
                model="sim-1", max_tokens=50, messages=[{"role": "user", "content": "ping over the port"}]
            )
            assert "ping over the port" in message.content[0].text
            assert [m.id for m in sdk.models.list()] == ["sim-1", "sim-1-fast"]
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Simulator stopped." in output
    assert "Traceback" not in output


def test_it_refuses_a_port_in_use():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "simulator", "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
