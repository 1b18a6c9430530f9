"""`python -m bench`: generate libraries, start a real server on each, run the scenarios.

Every scenario prints one JSON line and one markdown table row on stdout (progress goes to
stderr). In `--quick` mode any failing scenario makes the exit status non-zero; in full mode
a failing scenario reports `{"error": ...}` and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import FULL, QUICK, Context, Profile, Result
from bench.generate import generate
from bench.scenarios import NAMES, SCENARIOS, Scenario
from bench.server import POSTGRES_URL, fresh_database, serve
from filmroll.db.engine import admin_engine


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _emit(line: Result, out: Path | None) -> None:
    text = json.dumps(line, sort_keys=False)
    print(text, flush=True)
    figures = ", ".join(f"{k}={v}" for k, v in line.items() if k not in ("scenario", "db", "assets"))
    print(f"| {line.get('scenario')} | {line.get('db')} | {line.get('assets', '')} | {figures} |", flush=True)
    if out is not None:
        with out.open("a") as fh:
            fh.write(text + "\n")


def machine(backend: str) -> dict[str, Any]:
    mem = next(
        (
            int(x.split()[1]) * 1024
            for x in Path("/proc/meminfo").read_text().splitlines()
            if x.startswith("MemTotal")
        ),
        0,
    )
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    if backend == "postgres":
        engine = admin_engine(POSTGRES_URL)
        try:
            with engine.connect() as conn:
                info["postgres"] = conn.execute(sa.text("SHOW server_version")).scalar_one()
        finally:
            engine.dispose()
    return info


def _library_run(
    backend: str, profile: Profile, size: int, wanted: list[Scenario], work_dir: Path, out: Path | None
) -> list[tuple[Scenario, Result]]:
    results: list[tuple[Scenario, Result]] = []
    try:
        with fresh_database(backend, work_dir) as url:
            engine = admin_engine(url)
            try:
                start = time.perf_counter()
                library = generate(engine, size)
                seconds = time.perf_counter() - start
                _emit({"scenario": "generate", "db": backend, "assets": size, "seconds": round(seconds, 2),
                       "assets_per_s": round(size / seconds)}, out)  # fmt: skip
                with serve(url, work_dir) as server:
                    for scenario in wanted:
                        _log(f"{scenario.name} on {size} assets ({backend})")
                        ctx = Context(backend, profile, url, engine, server, library, work_dir)
                        results.append((scenario, _attempt(scenario, ctx, backend, size, out)))
            finally:
                engine.dispose()
    except Exception as exc:
        for scenario in wanted[len(results) :]:
            line = {"scenario": scenario.name, "db": backend, "assets": size, "error": f"library: {exc!r}"}
            _emit(line, out)
            results.append((scenario, line))
    return results


def _attempt(scenario: Scenario, ctx: Context, backend: str, size: int, out: Path | None) -> Result:
    head: Result = {"scenario": scenario.name, "db": backend, "assets": size}
    try:
        line = {**head, **scenario.run(ctx)}
    except Exception as exc:
        line = {**head, "error": repr(exc)[:500]}
    _emit(line, out)
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (CI)")
    parser.add_argument("--scenario", choices=NAMES, action="append", help="run only this (repeatable)")
    parser.add_argument("--out", type=Path, help="append the JSON lines to this file")
    parser.add_argument("--small", type=int, help="small library size (full: 10,000)")
    parser.add_argument("--medium", type=int, help="medium library size (full: 100,000)")
    parser.add_argument("--large", type=int, help="large library size (full: 1,000,000)")
    parser.add_argument("--runs", type=int, help="runs per figure (median; full: 3)")
    args = parser.parse_args(argv)

    profile = QUICK if args.quick else FULL
    overrides = {k: getattr(args, k) for k in ("small", "medium", "large", "runs") if getattr(args, k)}
    profile = replace(profile, **overrides)
    wanted = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    started = time.perf_counter()
    print(json.dumps({"machine": machine(args.db), "db": args.db, "quick": profile.quick}), flush=True)
    print("| scenario | db | assets | figures |\n|---|---|---|---|", flush=True)

    sizes = sorted({size for s in wanted for size in s.sizes(profile)})
    results: list[tuple[Scenario, Result]] = []
    with tempfile.TemporaryDirectory(prefix="filmroll-bench-") as tmp:
        for size in sizes:
            here = [s for s in wanted if size in s.sizes(profile)]
            _log(f"library of {size} assets on {args.db}: {', '.join(s.name for s in here)}")
            results += _library_run(args.db, profile, size, here, Path(tmp), args.out)
    for scenario in wanted:
        for line in scenario.summarize([r for s, r in results if s is scenario]):
            _emit({"db": args.db, **line}, args.out)
    failed = [r for _, r in results if "error" in r]
    _log(f"done in {time.perf_counter() - started:.1f} s, {len(failed)} failed")
    return 1 if failed and profile.quick else 0


if __name__ == "__main__":
    sys.exit(main())
