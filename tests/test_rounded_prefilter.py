"""parsers.orders_850._rounded's byte-level pre-check (_may_be_past_4_places): it may only skip the regex where
the regex finds nothing, so the *_sent columns (a price or quantity rounded to 4 places, kept as sent) are the
same with it as without."""

import random
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from parsers.orders_850 import _PAST_4_PLACES, _may_be_past_4_places, _rounded


def _regex_hits(values: pa.Array) -> bool:
    return bool(len(values)) and pc.any(pc.fill_null(pc.match_substring_regex(values, _PAST_4_PLACES), False)).as_py()


def test_values_past_four_places_are_never_skipped():
    for values in (["1.00001"], ["12", "0.123456"], ["1E5"], ["2.5e-1"], [None, "3.00000001"], ["7.", "1.23451"]):
        arr = pa.array(values, pa.string())
        assert _regex_hits(arr) and _may_be_past_4_places(arr), values


def test_plain_values_skip_the_regex():
    for values in (["24.04", "12", "0.5"], ["1.2345", None, ""], [], [None, None], ["10.00000"]):
        arr = pa.array(values, pa.string())
        assert not _regex_hits(arr)
        assert not _may_be_past_4_places(arr) or values == ["10.00000"], values


def test_slices_and_random_values_agree_with_the_regex():
    rng = random.Random(850)
    alphabet = "0123456789.eE-+ x\u0663"
    for _ in range(3000):
        values = [None if rng.random() < 0.2 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
                  for _ in range(rng.randint(0, 6))]
        arr = pa.array(values, pa.string())
        for part in (arr, arr.slice(1), arr.slice(0, max(0, len(arr) - 1))):
            assert not _regex_hits(part) or _may_be_past_4_places(part), part.to_pylist()


def test_rounded_keeps_what_was_sent_past_four_places():
    texts = pa.array(["0.012345", "24.04", "1.5E1", None], pa.string())
    values = pa.array([Decimal("0.0123"), Decimal("24.04"), Decimal("15"), None], pa.decimal128(18, 4))
    assert _rounded(texts, values).to_pylist() == ["0.012345", None, None, None]
    plain = pa.array(["24.04", "12"], pa.string())
    assert _rounded(plain, pa.array([Decimal("24.04"), Decimal("12")], pa.decimal128(18, 4))).null_count == 2
