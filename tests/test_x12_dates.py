"""X12 dates are read strictly (parsers.x12_dates): CCYYMMDD, or YYMMDD for the versions before 004010;
anything else is no date, never a neighbouring day (Arrow's strptime alone rolls 20260230 into March and
reads 2026112 as November 2nd). The column reader and the one-value reader agree."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pyarrow as pa
import pytest

from parsers import x12_dates
from parsers.functional_acks import _created_at
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
    assert _created_at(ic, SimpleNamespace(date="261127", time="0230")) == datetime(2026, 11, 27, 2, 30)  # 003060 GS04
    assert _created_at(ic, SimpleNamespace(date="20260230", time="0230")) == datetime(2026, 11, 26, 1, 0)  # no day
