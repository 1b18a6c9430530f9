"""Routes: /api/jobs, queue counts in the shape of Immich's `AllJobStatusResponseDto`.

Each queue name maps to `{jobCounts: {active, completed, failed, delayed, waiting, paused},
queueStatus: {isActive, isPaused}}`. Finished jobs are removed from the table, so
`completed` is always 0; `failed` counts jobs that ran out of retries.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.jobs.assets import QUEUES
from filmroll.repositories import jobs as jobs_repo
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/jobs", tags=["Jobs"], route_class=GuardedRoute)


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


ManualJob = Literal[
    "person-cleanup", "tag-cleanup", "user-cleanup", "memory-cleanup", "memory-create", "backup-database"
]


class JobCreateDto(Model):
    name: ManualJob


@router.post("", status_code=204)
async def create_job(
    _auth: Annotated[AuthContext, Perm("job.create", admin=True)], svc: Svc, body: JobCreateDto
) -> Response:
    """Immich's manual jobs that filmroll has: memories now, and people cleanup, which has
    nothing to do without face recognition. Database backups, tag and user cleanup are not
    implemented and say so instead of pretending to run."""
    if body.name == "memory-create":
        await svc.memories.generate()
    elif body.name == "memory-cleanup":
        await svc.memories.cleanup()
    elif body.name != "person-cleanup":
        raise BadRequest(f"Job {body.name} is not supported by this server")
    return Response(status_code=204)
