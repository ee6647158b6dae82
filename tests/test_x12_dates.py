"""X12 dates are read strictly (parsers.x12_dates): CCYYMMDD, or YYMMDD for the versions before 004010;
anything else is no date, never a neighbouring day (Arrow's strptime alone rolls 20260230 into March and
reads 2026112 as November 2nd). The column reader and the one-value reader agree."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pyarrow as pa
import pytest

from parsers import x12_dates
from parsers.functional_acks import created_at
from parsers.sent_documents import _group_time, _moment
from parsers.warehouse_945 import x12_dates as used_by_945

CASES = [
    ("20261127", date(2026, 11, 27)),
    ("261127", date(2026, 11, 27)),  # YYMMDD (003010-003070)
    ("991231", date(1999, 12, 31)),  # POSIX %y: 69-99 are 19xx
    ("000229", date(2000, 2, 29)),
    ("20240229", date(2024, 2, 29)),
    ("20260229", None),  # 2026 is no leap year
    ("20260230", None),
    ("261131", None),
    ("2026112", None),  # 7 digits
    ("202611270", None),
    ("2026-11-27", None),
    ("ABCDEFGH", None),
    ("２０２６１１２７", None),  # digits, but not ASCII ones
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_dt_value_is_a_real_day_or_none(text, expected):
    assert x12_dates.parse(text) == expected


def test_the_column_reader_agrees_with_the_value_reader():
    column = x12_dates.dates(pa.array([t for t, _ in CASES], pa.string()))
    assert column.type == pa.date32()
    assert column.to_pylist() == [e for _, e in CASES]
    assert x12_dates.dates(pa.array([], pa.string())).to_pylist() == []


def test_the_other_readers_of_x12_dates_are_as_strict():
    assert used_by_945 is x12_dates  # the 945's ship dates
    moments = _moment(pa.array(["20261127", "261127", "20260230", None]), pa.array(["1430", None, "0101", "0900"]))
    assert moments.to_pylist() == [datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 27), None, None]
    assert _group_time("261127", "0200") == datetime(2026, 11, 27, 2, 0)
    assert _group_time("20260230", "0200") is None
    ic = SimpleNamespace(date="261126", time="0100")  # ISA09, ISA10
    assert created_at(ic, SimpleNamespace(date="261127", time="0230")) == datetime(2026, 11, 27, 2, 30)  # 003060 GS04
    assert created_at(ic, SimpleNamespace(date="20260230", time="0230")) == datetime(2026, 11, 26, 1, 0)  # no day


def _by_writing_back(values: list) -> list:
    text = pa.array(values, pa.string())
    return x12_dates._written_back(text, *x12_dates._kinds(text)).to_pylist()


@pytest.mark.parametrize("values", [
    [t for t, _ in CASES if t is None or len(t) != 6],  # no YYMMDD: checked by year, month and day
    ["20261127", "20240229", "20260229", "20261301", "20261100", "20261131", "99991231", "10000101", "19991232",
     None, "", "2026-11-27", "20261127 "],
    ["00010101", "09991231", "20261127"],  # a year below 1000: written back
    ["261127", "20261127"],  # a YYMMDD: written back
    [None, None], [],
])
def test_the_usual_column_is_read_as_by_writing_each_date_back(values):
    assert x12_dates.dates(pa.array(values, pa.string())).to_pylist() == _by_writing_back(values)
    assert x12_dates.dates(pa.array(values, pa.string())).type == pa.date32()


def test_every_day_of_four_years_and_their_neighbours_is_read_as_by_writing_it_back():
    days = [(date(2023, 1, 1) + timedelta(days=k)).strftime("%Y%m%d") for k in range(4 * 366)]
    wrong = [f"{y}{m:02d}{d:02d}" for y in (1900, 2000, 2024, 2026) for m in (0, 1, 2, 4, 12, 13)
             for d in (0, 28, 29, 30, 31, 32)]
    values = days + wrong
    got = x12_dates.dates(pa.array(values, pa.string())).to_pylist()
    assert got == _by_writing_back(values) == [x12_dates.parse(v) for v in values]
