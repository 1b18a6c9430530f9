"""The benchmark's quick mode runs end to end on both databases (CI checks it runs, not its numbers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.scenarios import NAMES

ROOT = Path(__file__).resolve().parents[1]


def test_quick_mode_runs_every_scenario(backend: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--db", backend],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert "machine" in lines[0]
    results = [line for line in lines if "scenario" in line]
    assert not [r for r in results if "error" in r]
    assert {r["scenario"] for r in results} >= set(NAMES)
    assert all(r["db"] == backend for r in results)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == len(results) + 1
