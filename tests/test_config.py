"""Settings: read from FILMROLL_* variables, every bad value reported at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from filmroll.config import SettingsError, load_settings


def test_defaults_use_sqlite_in_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FILMROLL_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 2283)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'filmroll.db'}"


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMROLL_PORT", "3000")
    assert load_settings(port=4000).port == 4000
    assert load_settings().port == 3000


def test_every_problem_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMROLL_PORT", "99999")
    monkeypatch.setenv("FILMROLL_LOG_LEVEL", "loud")
    monkeypatch.setenv("FILMROLL_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError) as info:
        load_settings()
    text = str(info.value)
    for name in ("FILMROLL_PORT", "FILMROLL_LOG_LEVEL", "FILMROLL_DATABASE_URL"):
        assert name in text
    assert len(info.value.problems) == 3


def test_s3_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMROLL_STORAGE", "s3")
    with pytest.raises(SettingsError, match="FILMROLL_S3_BUCKET"):
        load_settings()


def test_cli_exits_non_zero_on_bad_settings(tmp_path: Path) -> None:
    env = {"FILMROLL_PORT": "not-a-port", "FILMROLL_DATA_DIR": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "filmroll", "migrate"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "FILMROLL_PORT" in result.stderr
