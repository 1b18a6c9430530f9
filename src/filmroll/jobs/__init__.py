"""Background work after uploads: a durable queue in the database and the asset jobs."""

from filmroll.jobs.runner import JobRunner, PermanentJobError

__all__ = ["JobRunner", "PermanentJobError"]
