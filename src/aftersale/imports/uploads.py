"""Uploaded files kept between preview and confirmation.

They live under ``var/imports/`` (never under a static or media URL), named by
a random token that only the uploader's session knows, and are removed on
confirmation, on cancel, or after a day.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(token: str) -> Path | None:
    """The stored file of ``token``, if the token is well-formed and the file still exists."""
    if not TOKEN.match(token):
        return None
    path = upload_dir() / f"{token}.csv"
    return path if path.is_file() else None


def keep(upload: UploadedFile) -> str:
    """Store the upload and return its token; old uploads nobody confirmed are removed."""
    remove_stale()
    token = secrets.token_urlsafe(16)
    with open(upload_dir() / f"{token}.csv", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def discard(token: str) -> None:
    path = path_for(token)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_stale(now: float | None = None) -> int:
    now = time.time() if now is None else now
    removed = 0
    for path in upload_dir().glob("*.csv"):
        if now - path.stat().st_mtime > MAX_AGE_SECONDS:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
