"""engine.columnar's conversions to Python values, each distinct value converted once: stored decimal
texts (null and "" as the caller's null) and amounts in cents."""

from decimal import Decimal

import numpy as np
import pyarrow as pa

from engine.columnar import cents_decimals, decimals


def test_decimal_texts_become_decimals_and_empty_ones_the_callers_null():
    texts = pa.chunked_array([["1.5", None, "", "1.5"], ["-0.0001", "12"]])
    assert decimals(texts) == [Decimal("1.5"), None, None, Decimal("1.5"), Decimal("-0.0001"), Decimal("12")]
    assert decimals(texts, null=Decimal(0))[1:3] == [Decimal(0), Decimal(0)]
    assert decimals(pa.array([], pa.string())) == []


def test_cents_become_decimals_of_two_places():
    got = cents_decimals(np.array([125, -3, 0, 125], np.int64))
    assert got == [Decimal("1.25"), Decimal("-0.03"), Decimal("0.00"), Decimal("1.25")]
    assert [str(v) for v in got] == ["1.25", "-0.03", "0.00", "1.25"]
