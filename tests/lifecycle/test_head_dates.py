"""The decide plan reads its orders' head dates as Python dates through numpy
(engine.lifecycle.decisions._py_dates): exactly what pyarrow's to_pylist gives, nulls and dates at
datetime.date's limits included, a chunked column too; days outside its years 1-9999 fall back to
to_pylist (and fail as it does)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from engine.lifecycle.decisions import _py_dates

DAY = pa.date32()


@pytest.mark.parametrize("chunks", [
    [[date(2026, 11, 26), None, date(1970, 1, 1), date(1969, 12, 31)]],
    [[date(1, 1, 1), date(9999, 12, 31)], [None], [date(2000, 2, 29)]],
    [[None, None]],
    [[]],
])
def test_dates_as_to_pylist_gives_them(chunks):
    column = pa.chunked_array([pa.array(c, DAY) for c in chunks], DAY)
    got = _py_dates(column)
    assert got == column.to_pylist()
    assert all(type(v) is date or v is None for v in got)


def test_a_day_outside_python_dates_is_left_to_to_pylist():
    column = pa.chunked_array([pa.array([0, -800_000], DAY)])  # year 0: no datetime.date
    with pytest.raises(OverflowError):
        column.to_pylist()
    with pytest.raises(OverflowError):
        _py_dates(column)
    assert _py_dates(pa.chunked_array([pa.array([-719_162, -719_163], DAY)]).slice(0, 1)) == [date(1, 1, 1)]
