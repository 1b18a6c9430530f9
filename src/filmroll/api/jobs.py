"""Routes: /api/jobs, queue counts in the shape of Immich's `AllJobStatusResponseDto`.

Each queue name maps to `{jobCounts: {active, completed, failed, delayed, waiting, paused},
queueStatus: {isActive, isPaused}}`. Finished jobs are removed from the table, so
`completed` is always 0; `failed` counts jobs that ran out of retries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from filmroll.api.deps import Perm, Svc
from filmroll.jobs.assets import QUEUES
from filmroll.repositories import jobs as jobs_repo
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/jobs", tags=["Jobs"])


def queue_status(counts: dict[str, int]) -> dict[str, Any]:
    job_counts = {
        "active": counts.get("running", 0),
        "completed": 0,
        "failed": counts.get("failed", 0),
        "delayed": counts.get("delayed", 0),
        "waiting": counts.get("queued", 0),
        "paused": 0,
    }
    return {"jobCounts": job_counts, "queueStatus": {"isActive": job_counts["active"] > 0, "isPaused": False}}


@router.get("")
async def job_counts(_auth: Annotated[AuthContext, Perm("job.read", admin=True)], svc: Svc) -> dict[str, Any]:
    counts = await svc.db.read(jobs_repo.counts)
    return {name: queue_status(counts.get(name, {})) for name in QUEUES}
