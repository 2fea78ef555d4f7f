"""Production settings pass Django's deployment checklist with no warning (docs/deploy.md)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import aftersale

SRC = Path(aftersale.__file__).resolve().parent.parent


def check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(SRC),
        "AFTERSALE_HOME": str(tmp_path),
        # What docs/deploy.md's environment file sets; DEBUG is left unset.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "aftersale.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://aftersale.example.com",
        "BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'aftersale.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "aftersale", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.slow
def test_it_passes_check_deploy_without_a_warning_in_production_settings(tmp_path: Path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_it_catches_a_weakened_setting(tmp_path: Path):
    # The same check fails when HSTS is switched off, so the test above can fail.
    result = check_deploy(tmp_path, SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
