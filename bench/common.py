"""What every scenario shares: the run profile, the library context, timing and /proc readings."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bench.generate import Library
from bench.server import Server

T = TypeVar("T")
Result = dict[str, Any]


@dataclass(frozen=True)
class Profile:
    """Sizes and repetitions; `--quick` shrinks everything so CI can run it in seconds."""

    small: int
    medium: int
    large: int
    changes: int
    clients: int
    requests_per_client: int
    photos: int
    runs: int
    quick: bool


FULL = Profile(10_000, 100_000, 1_000_000, 100, 50, 20, 30, 3, False)
QUICK = Profile(1_000, 2_000, 4_000, 20, 5, 3, 3, 1, True)


@dataclass
class Context:
    """One generated library behind one running server."""

    backend: str
    profile: Profile
    database_url: str
    engine: Engine
    server: Server
    library: Library
    work_dir: Path


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def latency_rounds(profile: Profile) -> int:
    """Rounds of a latency loop: at least five, so that one slow request never is the median."""
    return max(5, profile.runs * 5)


@dataclass
class Timings:
    """One call's durations (seconds) over a latency loop, and what it returned last."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    last: Any = None

    @property
    def median_ms(self) -> float:
        return round(median(self.seconds) * 1000, 2)

    @property
    def cpu_ms(self) -> float:
        """The server's CPU time per call (mean): unlike latency, it hardly moves when other
        work shares the machine, so it shows what a call costs on a quiet one."""
        return round(sum(self.cpu_seconds) / max(1, len(self.cpu_seconds)) * 1000, 2)


def time_rounds(rounds: int, *calls: Callable[[], Any], pid: int | None = None) -> list[Timings]:
    """Each call timed once per round for `rounds` rounds, the calls taking turns within a
    round, so that all of them meet the server in the same states; one `Timings` per call.
    With the server's `pid`, its CPU time per call is recorded too."""
    found = [Timings() for _ in calls]
    for _ in range(rounds):
        for call, timings in zip(calls, found, strict=True):
            before = cpu_time(pid) if pid is not None else 0.0
            seconds, timings.last = timed(call)
            timings.seconds.append(seconds)
            if pid is not None:
                timings.cpu_seconds.append(cpu_time(pid) - before)
    return found


def cpu_time(pid: int) -> float:
    """User and system CPU seconds of process `pid` and its threads so far (`/proc/PID/stat`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def iso(value: datetime) -> str:
    """Naive UTC as the ISO string with `Z` that Immich clients send."""
    return value.isoformat(timespec="microseconds") + "Z"


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> None:
    """Make VmHWM start again from the current RSS (Linux `clear_refs` value 5)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def rss(pid: int) -> int:
    return _status(pid)["VmRSS"]


def peak_rss(pid: int) -> int:
    return _status(pid)["VmHWM"]


MIB = 1024 * 1024


def scaling(name: str, results: list[Result], ratios: dict[str, str]) -> list[Result]:
    """The `<name>-scaling` line of a scenario run on a small and a large library: for each
    `output: figure` of `ratios`, the large library's figure over the small one's."""
    done = sorted((r for r in results if "error" not in r), key=lambda r: int(r["assets"]))
    if len(done) < 2:
        return []
    small, large = done[0], done[-1]
    line: Result = {"scenario": name + "-scaling", "assets": f"{small['assets']} -> {large['assets']}"}
    for output, figure in ratios.items():
        line[output] = round(large[figure] / max(small[figure], 0.01), 2)
    return [line]
