"""The app served by real uvicorn processes on loopback, for tests that need several server
processes (sharing one database and Redis, as in a deployment with several workers) or a
server that is killed and started again.

    with shared_database(tmp_path) as url:
        env = server_env(url)
        out = run_python(SETUP, env)            # migrate, make a key...: its last line
        with servers(tmp_path, env, 2) as (a, b):
            a.port, a.kill(), a.start() ...

A server's output goes to a file (a pipe nobody reads could block it); the last lines of
each are printed when the servers stop, which pytest shows when a test fails. The database
is one SQLite file, or in the suite's PostgreSQL phase a PostgreSQL database of its own,
made and dropped here. Redis is the suite's REDIS_URL, else Redis's first database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "playground.settings", "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL, "PLAYGROUND_AUTO_LOGIN_USER": "", "LOG_LEVEL": "WARNING", **extra}


def run_python(code: str, env: dict[str, str]) -> str:
    """Run `code` in a fresh interpreter of the project; its last line of output."""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


class Server:
    """One uvicorn process serving the app; `start()` again after `kill()` is a restart on
    the same port."""

    def __init__(self, env: dict[str, str], log_path: Path, production_protocol: bool = False) -> None:
        self.env = env
        self.log_path = log_path
        self.production_protocol = production_protocol
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [sys.executable, "-m", "uvicorn", "playground.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--log-level", "warning"]
        if self.production_protocol:
            args += ["--http", "playground.http_protocol:HttpProtocol"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no atexit (a crashed worker)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def servers(tmp_path: Path, env: dict[str, str], count: int = 2, *,
            production_protocol: bool = False) -> Iterator[list[Server]]:
    started = [Server(env, tmp_path / f"server-{i}.log", production_protocol) for i in range(count)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()
        for server in started:
            if server.log_path.exists():
                tail = server.log_path.read_text(errors="replace")[-3000:]
                if tail.strip():
                    print(f"--- {server.log_path.name}\n{tail}")


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A database URL the servers share: a PostgreSQL database of its own when the suite runs
    on PostgreSQL, else one SQLite file."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_two_{uuid.uuid4().hex[:8]}"
    conninfo = {"host": params.get("HOST") or "127.0.0.1", "port": params.get("PORT") or 5432,
                "user": params.get("USER") or "postgres", "password": params.get("PASSWORD") or None,
                "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        user = conninfo["user"] + (f":{conninfo['password']}" if conninfo["password"] else "")
        yield f"postgres://{user}@{conninfo['host']}:{conninfo['port']}/{name}"
    finally:
        with psycopg.connect(**conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
