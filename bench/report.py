"""Run every benchmark (`bench/bench_*.py`) and write their figures to bench/REPORT.md.

    .venv/bin/python bench/report.py [--only sse,proxy]     (what `make bench` runs)

Each benchmark runs in its own process, in name order; its output goes to the terminal as
it comes and into the report, with the machine, the load and the commit measured, so a
figure is always read beside the conditions it was taken in. A benchmark that fails is
reported as failed and the others still run; the command then exits non-zero. With
`--only`, the named benchmarks' sections are replaced and the others' are kept as they were
(each section says when and at which commit it ran).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
REPORT = BENCH / "REPORT.md"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
    return out + (" (with uncommitted changes)" if dirty.strip() else "")


def run(script: Path) -> tuple[int, str, float]:
    """(exit status, output, seconds) of one benchmark, echoing its output as it runs."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    return proc.wait(), "".join(lines), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated names, e.g. sse,proxy")
    args = parser.parse_args()
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    scripts = [s for s in sorted(BENCH.glob("bench_*.py")) if not wanted or s.stem[6:] in wanted]
    header = [
        "# Benchmark report",
        "",
        "Written by `make bench` (`bench/report.py`); each section is one benchmark's own output.",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "",
    ]
    sections = _kept_sections() if wanted else {}
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        load = os.getloadavg()[0]
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        status, output, seconds = run(script)
        if status:
            failed.append(script.name)
        verdict = f"exit status {status}" if status else "ok"
        sections[script.name] = "\n".join([
            f"## {script.name} ({verdict}, {seconds:.0f} s)", "",
            f"{when}, commit {_commit()}; load average {load:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end", "", "```", output.rstrip(), "```", "",
        ])
    body = [sections[name] for name in sorted(sections)]
    REPORT.write_text("\n".join(header + body))
    print(f"wrote {REPORT}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


def _kept_sections() -> dict[str, str]:
    """The sections of the report as it is, by benchmark file name."""
    if not REPORT.exists():
        return {}
    sections: dict[str, str] = {}
    for part in REPORT.read_text().split("\n## ")[1:]:
        name = part.split(" ", 1)[0]
        sections[name] = "## " + part.rstrip("\n") + "\n"
    return sections


if __name__ == "__main__":
    main()
