"""Set-up shared by the benchmark scripts (run as ``python bench/NAME.py``)."""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(db: Path, *, fresh: bool = True) -> None:
    """Point Django at the SQLite file ``db`` unless ``DATABASE_URL`` is already set, and
    set Django up. ``fresh`` deletes the file (and its WAL) first, for a run that builds
    its own data; without it a previous run's database is timed again."""
    if "DATABASE_URL" not in os.environ:
        db.parent.mkdir(exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    import django

    django.setup()
