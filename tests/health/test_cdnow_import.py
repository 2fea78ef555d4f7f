"""The CDNOW sample through the CSV import (issue 18): dates alone are local days, so the
scan reproduces the published BG/NBD fit and the backtest fits exactly the same model."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
#: Fader, Hardie & Lee (2005), weeks; alpha is in days here.
PUBLISHED = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def write_csvs(folder: Path) -> dict[str, Path]:
    """The sample as the import's staff, accounts and orders files: one date alone per order."""
    rows = []
    for line in CDNOW.read_text().splitlines():
        fields = line.split()
        if fields and fields[0].isdigit():
            day = fields[2]
            rows.append((fields[1], f"{day[:4]}-{day[4:6]}-{day[6:]}", fields[4]))
    files = {
        "staff": (["email", "name", "department", "role"],
                  [["owner@vendor.test", "Owner", "sales", "member"]]),
        "accounts": (["external_id", "name", "kind", "industry", "tier", "owner_email"],
                     [[c, f"Customer {c}", "customer", "other", "standard", "owner@vendor.test"]
                      for c in sorted({r[0] for r in rows})]),
        "orders": (["external_id", "account", "placed_at", "total", "channel"],
                   [[f"O{n}", c, d, v, "rep"] for n, (c, d, v) in enumerate(rows)]),
    }
    paths = {}
    for name, (header, data) in files.items():
        paths[name] = folder / f"{name}.csv"
        with paths[name].open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(data)
    return paths


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_it_gives_the_published_fit_through_the_csv_import_scan_and_backtest(tmp_path):
    for kind, path in write_csvs(tmp_path).items():
        call_command("import", kind, str(path), "--quiet", stdout=StringIO())
    out = StringIO()
    call_command("scan", "--as-of", "1997-09-30", "--json", stdout=out)
    scanned = next(m for m in json.loads(out.getvalue())["models"] if m["stream"] == "orders")
    assert scanned["kind"] == "bgnbd" and scanned["n"] == 2357
    for name, value in PUBLISHED.items():
        assert scanned["params"][name] == pytest.approx(value, rel=0.01), name
    out = StringIO()
    call_command("backtest", "--as-of", "1997-09-30", "--horizon", "273", "--json", stdout=out)
    backtested = json.loads(out.getvalue())["model"]
    assert backtested["params"] == scanned["params"]
    assert backtested["log_likelihood"] == scanned["log_likelihood"]
