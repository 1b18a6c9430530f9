"""One typed settings object, read once from `FILMROLL_*` variables and CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["debug", "info", "warning", "error"]

MAX_JSON_BYTES = 10 * 1024 * 1024
"""Immich's own JSON body limit (10 MiB), so every body its apps send fits; the largest are
bulk id lists, and the id-count cap of the DTOs keeps those well under it."""


class SettingsError(Exception):
    """Every invalid setting at once, formatted for an operator."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid settings:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


class Settings(BaseSettings):
    """Server settings; each field is `FILMROLL_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="FILMROLL_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=Path("filmroll-data"), description="Where originals, thumbnails and SQLite live."
    )
    database_url: str | None = Field(
        default=None,
        description="sqlite:///path or postgresql://user:pass@host/db (default: SQLite in data_dir).",
    )
    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=2283, ge=1, le=65535, description="Port to listen on.")
    log_level: LogLevel = Field(default="info", description="debug, info, warning or error.")
    storage: Literal["local", "s3"] = Field(default="local", description="Where originals are kept.")
    s3_bucket: str | None = Field(default=None, description="S3 bucket (storage=s3).")
    s3_endpoint_url: str | None = Field(default=None, description="S3-compatible endpoint URL.")
    s3_region: str | None = Field(default=None, description="S3 region.")
    s3_access_key_id: str | None = Field(default=None, description="S3 access key id.")
    s3_secret_access_key: str | None = Field(default=None, description="S3 secret access key.")
    s3_prefix: str = Field(default="", description="Key prefix inside the bucket.")
    session_days: int = Field(default=400, ge=1, description="Login session lifetime in days.")
    db_pool_size: int = Field(default=8, ge=1, le=200, description="Database connections for readers.")
    jobs_enabled: bool = Field(default=True, description="Run background jobs in this process.")
    job_concurrency: int = Field(default=2, ge=1, le=64, description="Background jobs run at once.")
    job_lease_seconds: int = Field(
        default=60,
        ge=3,
        le=3600,
        description="A running job's lease: a job whose process died is taken over after this long.",
    )
    workers: int = Field(default=1, ge=1, le=64, description="API processes `serve` starts on its port.")
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db for live events across processes (several API or worker "
        "processes); not needed with one process.",
    )
    max_json_bytes: int = Field(
        default=MAX_JSON_BYTES,
        ge=64 * 1024,
        description="Largest request body accepted outside streamed uploads (413 above it).",
    )
    max_image_pixels: int = Field(
        default=50_000_000,
        ge=1_000_000,
        description="Pixels one image decode may hold (about 4 bytes each); larger images get no thumbnails.",
    )
    user_directory: Literal["all", "related"] = Field(
        default="all",
        description="Users each user can list and sync: all active users (Immich's behaviour) or "
        "only related ones (themselves, partners either way, members of albums they share).",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            return value
        raise ValueError("must start with sqlite:/// or postgresql://")

    @model_validator(mode="after")
    def _s3_complete(self) -> Settings:
        if self.storage == "s3" and not self.s3_bucket:
            raise ValueError("storage=s3 needs FILMROLL_S3_BUCKET")
        return self

    @property
    def single_process(self) -> bool:
        """Whether this is the only process using the database and storage: one API process
        running the jobs itself and no Redis (a cluster sets `FILMROLL_REDIS_URL`)."""
        return self.workers == 1 and self.jobs_enabled and self.redis_url is None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'filmroll.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides (CLI flags win)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            f"{'FILMROLL_' + '_'.join(str(p) for p in err['loc']).upper() if err['loc'] else 'settings'}: "
            f"{err['msg']}"
            for err in exc.errors()
        ]
        raise SettingsError(problems) from exc
