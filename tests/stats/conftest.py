"""CDNOW data (tests/data/cdnow, see PROVENANCE.md) and the published figures the models must reproduce."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from aftersale.stats import EventSummary, RhythmModel, fit_bgnbd, summarise

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow"

#: End of the calibration period in Fader, Hardie & Lee (2005).
CALIBRATION_END = np.datetime64("1997-09-30", "D").astype(np.int64)

PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BGNBD_LL = -9582.4
#: End of the hold-out period (39 weeks after the calibration end, weeks 40 to 78).
HOLDOUT_END = np.datetime64("1998-06-30", "D").astype(np.int64)


@dataclass(frozen=True)
class CdnowEvents:
    account_idx: NDArray[np.int64]
    day: NDArray[np.int64]  # days since 1970-01-01
    n_accounts: int


@pytest.fixture(scope="session")
def cdnow_events() -> CdnowEvents:
    """Every purchase in CDNOW_sample.txt: account = sample customer id - 1, day number of the date."""
    raw = np.loadtxt(CDNOW / "CDNOW_sample.txt", dtype=np.int64, usecols=(1, 2))
    dates = raw[:, 1]
    iso = [f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" for d in dates]
    day = np.array(iso, dtype="datetime64[D]").astype(np.int64)
    return CdnowEvents(account_idx=raw[:, 0] - 1, day=day, n_accounts=int(raw[:, 0].max()))


@pytest.fixture(scope="session")
def cdnow_published_summary() -> NDArray[np.float64]:
    """The published calibration summary: columns ID, x, t_x, T (weeks, 2 decimals)."""
    return np.loadtxt(CDNOW / "cdnow_customers_summary.csv", delimiter=",", skiprows=1)


@pytest.fixture(scope="session")
def cdnow_weeks(cdnow_events: CdnowEvents) -> EventSummary:
    return summarise(cdnow_events.account_idx, cdnow_events.day, int(CALIBRATION_END),
                     n_accounts=cdnow_events.n_accounts, time_unit="week")


@pytest.fixture(scope="session")
def cdnow_days(cdnow_events: CdnowEvents) -> EventSummary:
    return summarise(cdnow_events.account_idx, cdnow_events.day, int(CALIBRATION_END),
                     n_accounts=cdnow_events.n_accounts, time_unit="day")


@pytest.fixture(scope="session")
def cdnow_bgnbd(cdnow_weeks: EventSummary) -> RhythmModel:
    return fit_bgnbd(*cdnow_weeks.calibration(), time_unit="week")


@pytest.fixture(scope="session")
def cdnow_holdout(cdnow_events: CdnowEvents) -> NDArray[np.int64]:
    """Each customer's distinct purchase days in the hold-out (after 1997-09-30, up to 1998-06-30)."""
    pairs = np.unique(np.column_stack((cdnow_events.account_idx, cdnow_events.day)), axis=0)
    later = pairs[(pairs[:, 1] > CALIBRATION_END) & (pairs[:, 1] <= HOLDOUT_END)]
    return np.bincount(later[:, 0], minlength=cdnow_events.n_accounts)
