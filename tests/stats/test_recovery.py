"""Fitting simulated populations gives back the parameters they were drawn from."""

from __future__ import annotations

import numpy as np
import pytest

from aftersale.stats import fit_bgnbd, summarise
from aftersale.stats.simulate import simulate_bgnbd, simulate_event_days

BGNBD = {"r": 0.8, "alpha": 30.0, "a": 0.6, "b": 3.0}
# Tolerances are about three standard errors at these sizes (measured over ten seeds).
BGNBD_TOLERANCE = {"r": 0.06, "alpha": 0.07, "a": 0.12, "b": 0.13}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_it_recovers_bgnbd_parameters_from_simulated_accounts(seed):
    rng = np.random.default_rng(seed)
    sim = simulate_bgnbd(BGNBD, 20_000, rng.uniform(60, 730, 20_000), rng)
    model = fit_bgnbd(sim.x, sim.t_x, sim.T)
    assert model.converged
    for name, value in BGNBD.items():
        assert model.params[name] == pytest.approx(value, rel=BGNBD_TOLERANCE[name]), name


def test_it_recovers_bgnbd_parameters_from_simulated_event_days():
    """The whole path the engine takes: dated events -> summarise -> fit, in days.

    Same-day events merge, which slightly lowers the rates of the busiest
    accounts; a population with a slower rhythm keeps that effect small.
    """
    slow = {**BGNBD, "alpha": 120.0}
    rng = np.random.default_rng(11)
    n, as_of = 30_000, 20_000
    sim = simulate_bgnbd(slow, n, rng.integers(60, 1095, n).astype(float), rng)
    account, day = simulate_event_days(sim, as_of - sim.T.astype(np.int64), rng)
    summary = summarise(account, day, as_of, n_accounts=n)
    assert summary.has_history.all()
    assert summary.x.sum() <= sim.x.sum()
    model = fit_bgnbd(*summary.calibration())
    tolerance = {"r": 0.06, "alpha": 0.08, "a": 0.15, "b": 0.2}
    for name, value in slow.items():
        assert model.params[name] == pytest.approx(value, rel=tolerance[name]), name
