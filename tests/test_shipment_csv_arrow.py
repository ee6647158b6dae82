"""A warehouse CSV confirmation read by Arrow's CSV reader (parsers.csv_common.read_columns) gives
exactly what the csv module's reading gives: the same SHIPMENT_LINES, row numbers and findings, for
files Arrow reads and for files it leaves to the csv module (quotes, rows of the wrong width, bytes
that do not decode, blank rows, another encoding)."""

from __future__ import annotations

import pytest

from parsers import csv_common
from parsers.shipments_csv import read_shipment_csv
from schemas.fulfilment import ShipmentCsvMapping
from tests.support import REPO

SAMPLES = REPO / "sample_files" / "shipments"
HEADER = "Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"


def _row(k: int, *, qty: str = "4", day: str = "2026-11-27", line: str = "1") -> str:
    return f"BS-{k:06d},{day},14:30,UPSN,1Z{k:016d},BENCH-{k:06d},{line},SKU-{k % 7},{qty},EA,BC-{k:06d}-0\n"


def _clean(n: int = 30) -> str:
    return HEADER + "".join(_row(k, line=str(k % 5 + 1)) for k in range(n))


FILES = {
    "clean": _clean(),
    "crlf": _clean().replace("\n", "\r\n"),
    "bom": "\ufeff" + _clean(),
    "no final newline": _clean().rstrip("\n"),
    "bad values": HEADER + _row(1) + _row(2, qty="two") + _row(3, day="2026-11-31") + _row(4, qty="-1")
    + _row(5, qty="1.23456") + _row(6),
    "missing values": HEADER + _row(1) + ",2026-11-27,14:30,UPSN,1Z,BENCH-1,1,SKU-1,4,EA,C-1\n" + _row(2),
    "blank rows": HEADER + _row(1) + ",,,,,,,,,,\n" + " , , ,\t, , , , , , , \n" + _row(2),
    "blank row of unicode spaces": HEADER + _row(1) + "\u00a0,,,,,,,,,,\n" + "\u2003,\u00a0,,,,,,,,,\n" + _row(2),
    "non-ascii values": HEADER + _row(1).replace("UPSN", "ÜPSN") + _row(2).replace("SKU-2", "SKU-é"),
    "empty line": HEADER + _row(1) + "\n" + _row(2),
    "quoted": HEADER + _row(1) + _row(2).replace("BC-000002-0", '"BC-000002-0"'),
    "quoted line break": HEADER + _row(1) + _row(2).replace("BC-000002-0", '"BC-0000\n02-0"') + _row(3),
    "wrong width": HEADER + _row(1) + "BS-1,2026-11-27,14:30\n" + _row(2),
    "whitespace line": HEADER + _row(1) + "   \n" + _row(2),
    # neither UTF-8 nor Windows-1252 (0x81 is undefined there); all Windows-1252: read so (csvreal)
    "not utf-8": (HEADER + _row(1)).encode() + b"BS-\xff\x81,2026-11-27,14:30,UPSN,1Z,BENCH-1,1,SKU-1,4,EA,C-1\n",
    "windows-1252": (HEADER + _row(1)).encode() + b"BS-\xff\xfe,2026-11-27,14:30,UPSN,1Z,BENCH-1,1,SKU-1,4,EA,C-1\n",
    "lone CR": HEADER.replace("\n", "\r") + _row(1).replace("\n", "\r") + _row(2),
    "NUL": HEADER + _row(1) + _row(2).replace("UPSN", "UP\x00SN"),
    "missing column": HEADER.replace("Quantity", "Qty") + _row(1),
    "header only": HEADER,
    "repeated header name": HEADER.replace("Carton ID", "Quantity") + _row(1),
    "sample": (SAMPLES / "warehouse-confirmations.csv").read_bytes(),
    "sample bad": (SAMPLES / "warehouse-confirmations-bad.csv").read_bytes(),
    # a report's page line, and a two-row header (a group cell "Packing" over "Unit, Carton ID"): the csv module's
    "page line": HEADER + _row(1) + "Page 1 of 2,,,,,,,,,,\n" + _row(2) + ",,,- 2 -,,,,,,,\n",
    "two-row header": HEADER.replace("Unit,Carton ID", "Packing,") + ",,,,,,,,,Unit,Carton ID\n" + _row(1) + _row(2),
}


def _read(data: str | bytes, mapping: ShipmentCsvMapping | None = None):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    table, findings = read_shipment_csv(raw, mapping or ShipmentCsvMapping(), file="conf.csv", source_sha256="abc")
    return table.to_pylist(), [f.to_dict() for f in findings]


@pytest.mark.parametrize("name", sorted(FILES))
def test_arrow_reading_equals_the_csv_modules(name, monkeypatch):
    fast = _read(FILES[name])
    monkeypatch.setattr(csv_common, "_arrow_columns", lambda *args: None)
    assert fast == _read(FILES[name])


def test_a_latin_1_layout_is_read_by_the_csv_module(monkeypatch):
    mapping = ShipmentCsvMapping(encoding="latin-1")
    data = (HEADER + _row(1).replace("UPSN", "ÜPSN")).encode("latin-1")
    fast = _read(data, mapping)
    monkeypatch.setattr(csv_common, "_arrow_columns", lambda *args: None)
    assert fast == _read(data, mapping) and fast[0][0]["carrier_scac"] == "ÜPSN"


def test_a_plain_file_is_read_by_arrow(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("the csv module read a file Arrow reads")

    monkeypatch.setattr(csv_common, "_batches", refused)
    rows, findings = _read(FILES["blank rows"])
    assert findings == [] and [r["row_number"] for r in rows] == [2, 5]
    rows, findings = _read(FILES["bad values"])
    assert [(f["code"], f["location"]["row"]) for f in findings] == [
        ("CSV_NUMBER_INVALID", 3), ("CSV_DATE_INVALID", 4), ("CSV_NUMBER_INVALID", 6)]
    assert [r["row_number"] for r in rows] == [2, 5, 7]


@pytest.mark.parametrize(("name", "code", "row"), [("wrong width", "CSV_ROW_MALFORMED", 3),
                                                    ("not utf-8", "CSV_NOT_DECODABLE", None),
                                                    ("windows-1252", "CSV_NOT_UTF8", None)])
def test_what_arrow_cannot_read_alike_keeps_its_findings(name, code, row):
    _rows, findings = _read(FILES[name])
    assert [(f["code"], f["location"].get("row")) for f in findings] == [(code, row)]


def test_cells_read_as_value_reads_each_one():
    """_Distinct.of_cells (each distinct cell read as _value reads it, the call skipped for a value starting and
    ending with an ASCII letter or digit) gives of(...).map(_value) for every kind of cell: blanks and Unicode
    spaces around a value or alone, Excel's ="..." guard, a line break inside, non-ASCII ends, empty and null."""
    import pyarrow as pa

    from parsers.shipments_csv import _Distinct, _value

    cells = ["A1", "1", " A1", "A1 ", "\u00a0A1", "A1\u2003", "\x1cA1\x1f", '="00123"', '= "0012"', '=" 7 "', "",
             " ", "\u00a0", None, "A\n1", "A1\n", "\nA1", "é", "Aé", "éA", "1Z0000", "7.71235E+11", "A1", None, "x"]
    column = pa.array(cells, pa.string())
    want = _Distinct.of(column).map(_value)
    got = _Distinct.of_cells(column)
    assert got.values == want.values and got.index.tolist() == want.index.tolist()
    assert [got.values[k] for k in got.index] == [_value(c) for c in cells]


PAGE_BODIES = [
    _clean(), _clean().replace("\n", "\r\n"), "Page 1 of 2\n", "x,PAGE 3,y\n", "Seite\t2\n", "P\u00c1GINA 2\n",
    "p\u00e1gina 2\n", "P\u00e1gina 2\n", "Blatt 4\n", "PG7\n", "Pag. 3\n", "pag.x 3\n", "page x\n", "pg\n3", "- 2 -\n",
    "a, - 12 - ,b\n", "a;-3-;b\n", "a|-3-|b\n", "a\t-3-\tb\n", "  -4-", "-4-\r\n", "-4-\rx", "a,-123456-,b\n",
    "a,2026-11-27,b\n", "a,-1,b\n", "a, -1-x\n", "SKU-1-2,x\n", "a,- 3 -\n", "\n-3-\n", "pagina\n3", "pa ge 3",
    "\u00a0-3-\n", "a,\u00a0-3-,b\n",
]


@pytest.mark.parametrize("body", PAGE_BODIES)
def test_a_page_line_is_found_as_the_pattern_finds_it(body):
    """_may_hold_page (the words in the bytes lowered, the dashed page only after a separator's dash) answers as
    _PAGE_WORD.search does: a file it calls clean is read by Arrow, any other row by row."""
    data = body.encode("utf-8")
    assert csv_common._may_hold_page(data) is (csv_common._PAGE_WORD.search(data) is not None)


def test_a_page_line_is_found_as_the_pattern_finds_it_in_random_bytes():
    import random

    rng = random.Random(66)
    alphabet = [b"a", b"P", b"g", b"e", b"A", b"G", b"E", b"-", b"1", b"2", b" ", b"\t", b",", b";", b"|", b"\n",
                b"\r", b".", b"\xc3", b"\xa1", b"\x81", b"pag", b"PAG", b"Seite", b"bLaTt", b"pg", b"i", b"n"]
    found = 0
    for _ in range(20000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        want = csv_common._PAGE_WORD.search(data) is not None
        found += want
        assert csv_common._may_hold_page(data) is want, data
    assert 1000 < found < 19000  # both answers met often


def test_a_page_line_is_found_as_the_pattern_finds_it_in_long_files():
    """Over _SHORT bytes _may_hold_page searches each pattern only where numpy finds a word's first bytes or a dash
    after a separator or a blank: the same answer as _PAGE_WORD.search on long bodies whose page words, dashes and
    separators stand anywhere (the first bytes, the last, among clean rows), and a clean confirmation is clean."""
    import random

    rng = random.Random(69)
    row = b"BS-000001,2026-11-27,01:45,UPSN,1Z0000000000000001,BENCH-000001,1,SKU-1012,12,EA,BC-000001-0\n"
    clean = b"Shipment ID,Ship Date,Ship Time,Carrier,Tracking Number,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n" \
        + row * 40
    assert len(clean) > csv_common._SHORT and not csv_common._may_hold_page(clean)
    pieces = [b"a", b"P", b"g", b"e", b"A", b"G", b"E", b"-", b"1", b"2", b" ", b"\t", b",", b";", b"|", b"\n",
              b"\r", b".", b"\xc3", b"\xa1", b"\x81", b"pag", b"PAG", b"Seite", b"bLaTt", b"pg", b"i", b"n", b"s",
              b"b", b"l", b"p", b"page 1", b"- 2 -", b",-3-,"]
    found = 0
    for _ in range(3000):
        bit = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        where = rng.choice(("start", "end", "middle", "twice"))
        if where == "start":
            data = bit + clean
        elif where == "end":
            data = clean + bit
        elif where == "middle":
            at = rng.randint(0, len(clean))
            data = clean[:at] + bit + clean[at:]
        else:
            data = bit + clean + bit
        want = csv_common._PAGE_WORD.search(data) is not None
        found += want
        assert csv_common._may_hold_page(data) is want, (where, bit)
    assert 300 < found < 2700, found  # both answers met often
    for tail in (b"page 2", b"Pg3", b"- 4 -", b"-7-", b"P\xc3\xa1gina 2", b"pagina 9", b"pag.1", b"blatt 1",
                 b"seite 2", b"pg", b"p", b"-"):
        for data in (tail + b"\n" + clean, clean + tail, clean + b"," + tail, clean[:-1] + tail):
            assert csv_common._may_hold_page(data) is (csv_common._PAGE_WORD.search(data) is not None), data
