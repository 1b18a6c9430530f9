"""The benchmark scenarios, in the order they run against each library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import Context, Profile, Result
from bench.scenarios import (
    bulk_edit,
    concurrent,
    delta,
    download_memory,
    full_sync,
    ingest,
    mirror_verify,
    repair,
    sync_extensions,
    timeline,
    upload_memory,
    v2_full,
    web_timeline,
)
from bench.scenarios import search as search_scenario


@dataclass(frozen=True)
class Scenario:
    name: str
    sizes: Callable[[Profile], list[int]]
    run: Callable[[Context], Result]
    summarize: Callable[[list[Result]], list[Result]] = field(default=lambda results: [])


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(full_sync.NAME, lambda p: [p.small, p.medium], full_sync.run),
    Scenario(v2_full.NAME, lambda p: [p.medium, p.large], v2_full.run),
    Scenario(concurrent.NAME, lambda p: [p.medium], concurrent.run),
    Scenario(delta.NAME, lambda p: [p.small, p.large], delta.run, delta.summarize),
    Scenario(bulk_edit.NAME, lambda p: [p.small], bulk_edit.run),
    Scenario(ingest.NAME, lambda p: [p.small], ingest.run),
    Scenario(upload_memory.NAME, lambda p: [p.small], upload_memory.run),
    Scenario(timeline.NAME, lambda p: [p.small, p.large], timeline.run, timeline.summarize),
    Scenario(download_memory.NAME, lambda p: [p.small], download_memory.run),
    Scenario(
        search_scenario.NAME, lambda p: [p.small, p.large], search_scenario.run, search_scenario.summarize
    ),
    Scenario(
        sync_extensions.NAME, lambda p: [p.small, p.large], sync_extensions.run, sync_extensions.summarize
    ),
    Scenario(repair.NAME, lambda p: [p.large], repair.run),
    Scenario(mirror_verify.NAME, lambda p: [p.large], mirror_verify.run),
    Scenario(web_timeline.NAME, lambda p: [p.medium], web_timeline.run),
)
NAMES = tuple(s.name for s in SCENARIOS)
