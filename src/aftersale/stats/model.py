"""What the rhythm fits share: the fitted-model record, input checks and the optimiser."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

#: Log-parameters are kept inside this box: far outside anything a real
#: population produces, and it keeps special functions away from overflow.
LOG_BOUND = 12.0


class ModelKind(StrEnum):
    BGNBD = "bgnbd"


PARAM_NAMES: dict[ModelKind, tuple[str, ...]] = {
    ModelKind.BGNBD: ("r", "alpha", "a", "b"),
}


@dataclass(frozen=True)
class RhythmModel:
    """A population rhythm model fitted by maximum likelihood.

    ``params`` are in ``time_unit`` (``alpha`` carries the unit: the
    same data in days gives 7 times the weekly ``alpha``). ``log_likelihood`` is
    the maximised value on the fitted data in that unit, ``n`` the number of
    accounts fitted. ``converged`` is False when the optimiser stopped early or
    a parameter ran to the edge of the search box (the data do not pin it down,
    e.g. nobody ever drops out).
    """

    kind: ModelKind
    params: dict[str, float]
    log_likelihood: float
    n: int
    time_unit: str
    converged: bool
    iterations: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``scan --json`` reports it under ``models``)."""
        return {
            "kind": str(self.kind),
            "params": dict(self.params),
            "log_likelihood": self.log_likelihood,
            "n": self.n,
            "time_unit": self.time_unit,
            "converged": self.converged,
        }


ParamsLike = RhythmModel | Mapping[str, float]


def param_values(params: ParamsLike, kind: ModelKind) -> tuple[float, ...]:
    """The model's parameters in canonical order, checking kind and positivity."""
    if isinstance(params, RhythmModel):
        if params.kind != kind:
            raise ValueError(f"expected a {kind} model, got {params.kind}")
        params = params.params
    names = PARAM_NAMES[kind]
    missing = [name for name in names if name not in params]
    if missing:
        raise ValueError(f"{kind} parameters missing: {', '.join(missing)}")
    values = tuple(float(params[name]) for name in names)
    bad = [name for name, value in zip(names, values, strict=True) if not (np.isfinite(value) and value > 0)]
    if bad:
        raise ValueError(f"{kind} parameters must be positive and finite: {', '.join(bad)}")
    return values


class InsufficientData(ValueError):
    """The data cannot identify the model (for example: no account has a repeat event)."""


@dataclass(frozen=True)
class Calibration:
    """Checked fitting data as float arrays, with optional per-row weights (counts)."""

    x: NDArray[np.float64]
    t_x: NDArray[np.float64]
    T: NDArray[np.float64]
    weights: NDArray[np.float64] | None

    @property
    def total_weight(self) -> float:
        return float(self.x.size if self.weights is None else self.weights.sum())

    def wsum(self, values: NDArray[np.float64], rows: NDArray[np.intp] | None = None) -> float:
        """Weighted sum of per-row ``values`` (over ``rows`` when given)."""
        if self.weights is None:
            return float(values.sum())
        weights = self.weights if rows is None else self.weights[rows]
        return float(weights @ values)


def check_calibration(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None, *, allow_empty: bool = False
) -> Calibration:
    """Validate ``(x, t_x, T)``: same shape, finite, ``x`` whole, ``0 <= t_x <= T``."""
    arrays = {}
    for name, values in (("x", x), ("t_x", t_x), ("T", T)):
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} holds non-finite values (accounts without history must be left out)")
        if np.any(array < 0):
            raise ValueError(f"{name} must not be negative")
        arrays[name] = array
    xs, tx, tt = arrays["x"], arrays["t_x"], arrays["T"]
    if not (xs.shape == tx.shape == tt.shape):
        raise ValueError(f"x, t_x and T must have the same length, got {xs.size}, {tx.size}, {tt.size}")
    if not allow_empty and xs.size == 0:
        raise ValueError("no accounts to fit")
    if np.any(xs != np.round(xs)):
        raise ValueError("x must hold whole numbers of repeat events")
    if np.any(tx > tt * (1 + 1e-12)):
        raise ValueError("t_x must not exceed T (the last event cannot be after the as-of date)")
    if np.any((xs > 0) & (tx <= 0)):
        raise ValueError("t_x must be positive where x > 0 (repeat events happen after the first)")
    if np.any((xs == 0) & (tx != 0)):
        raise ValueError("t_x must be 0 where x == 0")
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != xs.shape:
            raise ValueError(f"weights must have one entry per account, got {w.size} for {xs.size}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights must be finite and non-negative")
    return Calibration(x=xs, t_x=tx, T=np.maximum(tt, tx), weights=w)


def require_repeat_events(data: Calibration) -> None:
    """A rhythm needs at least one account with two event days; without one the rates are not identified."""
    repeats = data.x > 0 if data.weights is None else (data.x > 0) & (data.weights > 0)
    if not np.any(repeats):
        raise InsufficientData("no account has a repeat event, so no rhythm can be estimated")


def time_scale(data: Calibration) -> float:
    """A characteristic time (mean exposure) to fit in, so the optimiser starts near the answer."""
    mean_T = float(np.average(data.T, weights=data.weights)) if data.total_weight > 0 else 0.0
    return mean_T if mean_T > 0 else 1.0


Objective = Callable[[NDArray[np.float64]], Any]


@dataclass(frozen=True)
class Optimum:
    log_params: NDArray[np.float64]
    converged: bool
    iterations: int


@cache
def thread_pools() -> ThreadpoolController:
    """Found once: inspecting the loaded libraries is not free."""
    return ThreadpoolController()


def maximise(objective: Objective, start: Sequence[float], *, jac: bool) -> Optimum:
    """Minimise ``objective`` (the mean negative log-likelihood) over log-parameters with L-BFGS-B.

    ``jac=True`` means ``objective`` returns ``(value, gradient)``; otherwise
    the gradient is taken by forward differences of the vectorised objective.
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(start)
    # L-BFGS-B makes many BLAS calls on 4x4 matrices; waking OpenBLAS's thread pool for each
    # costs more than the call when the cores are busy, so run it on one thread.
    with thread_pools().limit(limits=1, user_api="blas"):
        result = minimize(
            objective,
            np.asarray(start, dtype=np.float64),
            jac=True if jac else None,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 500, "ftol": 1e-13, "gtol": 1e-7},
        )
    at_edge = bool(np.any(np.abs(result.x) >= LOG_BOUND - 1e-6))
    converged = bool(result.success) and not at_edge
    return Optimum(log_params=result.x, converged=converged, iterations=int(result.nit))
