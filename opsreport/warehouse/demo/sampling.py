"""Deterministic random streams and the vectorised primitives the simulation is built from.

Every random draw of the demo data comes from `stream(seed, shop, part)`: one independent numpy
Generator per (seed, shop, component), never from time, hashing or dict order, so adding a
component (or a report family's tables) never changes the draws of another.
"""

from __future__ import annotations

import zlib

import numpy as np

SEC_BITS = 28  # seconds since window start fit in 28 bits for up to 3,100 days


def stream(seed: int, shop: int, part: str) -> np.random.Generator:
    """An independent, reproducible stream per (seed, shop, component)."""
    return np.random.default_rng([seed, shop, zlib.crc32(part.encode())])


def draw_rows(cdf_rows: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw per element from the categorical distribution of its row: one vectorised
    searchsorted over all rows (row r's cumulative probabilities are shifted by r)."""
    n_rows, k = cdf_rows.shape
    cdf = cdf_rows / cdf_rows[:, -1:]
    cdf[:, -1] = 1.0
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()
    idx = np.searchsorted(flat, row + u, side="right") - row * k
    return np.minimum(idx, k - 1)


def argsort_unique(key: np.ndarray) -> np.ndarray:
    """argsort of non-negative int64 keys, ties broken by position (deterministic, and much
    faster than a stable argsort: the position is packed into the low bits and sorted once)."""
    n = len(key)
    bits = max(1, int(n).bit_length())
    if int(key.max(initial=0)).bit_length() + bits <= 63:
        return (np.sort((key.astype(np.int64) << bits) | np.arange(n, dtype=np.int64)) & ((1 << bits) - 1))
    return np.argsort(key, kind="stable")


def distinct_count(group: np.ndarray, cust: np.ndarray, n_groups: int, n_cust: int) -> np.ndarray:
    """Distinct customers per group (0 <= group < n_groups)."""
    keys = np.sort(group.astype(np.int64) * n_cust + cust)
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, bool)
    return np.bincount(keys[first] // n_cust, minlength=n_groups)
