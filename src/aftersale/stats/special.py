"""A dependable 2F1(1, b; c; z) for the Pareto/NBD likelihood.

scipy's ``hyp2f1`` is fast and accurate almost everywhere, but for z close
to 1 it returns inf, NaN or even a wrong finite value when c - 1 - b is an
integer (the degenerate case of its 1 - z transformation; r = 1 or s = 1 hits
it) and for large b and c. Those entries are recomputed from the continued
fraction of the incomplete beta function (DLMF 8.17.22), which with
a = c - 1 and q = b - c + 1 is exactly 1 / (1 + d1 / (1 + d2 / (1 + ...))) and
converges for every 0 <= z < 1, evaluated by the modified Lentz method.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import hyp2f1

_TINY = 1e-300


def hyp2f1_one_cf(
    b: ArrayLike, c: ArrayLike, z: ArrayLike, *, max_terms: int = 100_000, tol: float = 1e-15
) -> NDArray[np.float64]:
    """2F1(1, b; c; z) for c > 1 and 0 <= z < 1 by the continued fraction (slow near z = 1, exact)."""
    bs, cs, zs = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (b, c, z)))
    shape = zs.shape
    a = (cs - 1.0).ravel()
    q = (bs - cs + 1.0).ravel()
    zz = zs.ravel()
    result = np.ones(zz.size)
    # Only the entries still converging are carried from one term to the next: near z = 1 a
    # few need tens of thousands of terms while the rest are done after a few dozen.
    idx = np.arange(zz.size)
    f = np.ones(zz.size)
    big_c = np.ones(zz.size)
    d_lentz = np.zeros(zz.size)
    with np.errstate(all="ignore"):
        for k in range(1, max_terms):
            if not idx.size:
                break
            m = k // 2
            if k % 2:
                d = -(a + m) * (a + q + m) * zz / ((a + 2 * m) * (a + 2 * m + 1))
            else:
                d = m * (q - m) * zz / ((a + 2 * m - 1) * (a + 2 * m))
            d_lentz = 1.0 + d * d_lentz
            d_lentz = np.where(np.abs(d_lentz) < _TINY, _TINY, d_lentz)
            big_c = 1.0 + d / big_c
            big_c = np.where(np.abs(big_c) < _TINY, _TINY, big_c)
            d_lentz = 1.0 / d_lentz
            delta = big_c * d_lentz
            f = f * delta
            done = np.abs(delta - 1.0) < tol
            if done.any():
                result[idx[done]] = f[done]
                keep = ~done
                idx, a, q, zz = idx[keep], a[keep], q[keep], zz[keep]
                f, big_c, d_lentz = f[keep], big_c[keep], d_lentz[keep]
    result[idx] = f  # entries that ran out of terms keep their last value
    return (1.0 / result).reshape(shape)


def hyp2f1_one(b: ArrayLike, c: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """2F1(1, b; c; z) for b > 0, c > max(b, 1), 0 <= z < 1: scipy where it is reliable, else the fraction.

    Every term of the series is positive, so a value below 1 is as wrong as a
    non-finite one; entries with c - 1 - b within 1e-7 of an integer are not
    trusted either.
    """
    bs, cs, zs = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (b, c, z)))
    value = np.asarray(hyp2f1(1.0, bs, cs, zs), dtype=np.float64).copy()
    gap = cs - 1.0 - bs
    suspect = ~np.isfinite(value) | (value < 1.0) | (np.abs(gap - np.round(gap)) < 1e-7)
    suspect &= zs > 0
    if suspect.any():
        value[suspect] = hyp2f1_one_cf(bs[suspect], cs[suspect], zs[suspect])
    return np.where(zs > 0, value, 1.0)
