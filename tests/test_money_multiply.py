"""engine.columnar.multiply: exact quantity x price in 10^-4 units, rounded half away from zero, the same
whether the whole column is checked at once (every product far from int64's limits) or row by row (some
products need Python decimals)."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from engine.columnar import SCALE, multiply


def _exact(q: int, p: int) -> int:
    return int((Decimal(q) * Decimal(p) / SCALE).to_integral_value(rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("seed", range(3))
def test_multiply_is_exact_with_and_without_big_products(seed):
    rng = np.random.default_rng(seed)
    q = rng.integers(-10**9, 10**9, 500, dtype=np.int64)
    p = rng.integers(-10**8, 10**8, 500, dtype=np.int64)
    q[:3], p[:3] = [5_000, -5_000, 15_000], [1, 1, 1]  # exact halves round away from zero
    small = multiply(q, p)  # every product far from the limits: the column at once
    assert small.tolist() == [_exact(int(a), int(b)) for a, b in zip(q, p, strict=True)]
    big_q, big_p = q.copy(), p.copy()
    big_q[-1], big_p[-1] = 3 * 10**12, 10**9  # one product past 2^62: that row through Python decimals
    mixed = multiply(big_q, big_p)
    assert mixed[:-1].tolist() == small[:-1].tolist()
    assert int(mixed[-1]) == _exact(3 * 10**12, 10**9)


def test_multiply_of_no_rows():
    assert multiply(np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == []
