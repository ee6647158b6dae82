"""Real-file round 99: CSV order feeds as other companies' systems write them, read through a real night on
Umbrella's profile (tests/csv_feed_support.py: ";"-separated, day-first dates, decimal commas). Our own samples.

- A DOS end-of-file mark (SUB, Ctrl-Z, 0x1A) after the last row, as IBM i Access's data transfer, ``copy /a`` and
  DOS-era programs write it, or NULs padding the file to its block: no row. The mark used to be read as a row of one
  field naming a PO "\\x1a": CSV_ROW_MALFORMED, the file quarantined, and an acknowledgment for that "PO" held for its
  control character (OUTBOUND_CONTROL_CHARACTER).
- A database client's output used as the export (a scheduled ``sqlcmd -s ";"``, SQL*Plus's spool, psql, DB2's CLP):
  the header underlined with dashes and the row count after the rows ("(2 rows affected)", "2 rows selected."). The
  underline was read as a PO "---------" and the count as a PO "(2 rows affected)": both refused in the CSV
  acknowledgment sent to the partner (two IR rows for POs it never sent), the file quarantined.
- A date with its month named in English (Oracle's default DD-MON-RR "26-NOV-26", Excel's d-mmm-yyyy, NetSuite's and
  QuickBooks' "Nov 26, 2026") in a feed whose layout writes its dates otherwise: one reading, read whatever the format
  (it was CSV_DATE_INVALID, the PO left out and refused whole).
"""

from __future__ import annotations

import pytest

from parsers.csv_common import parse_date
from parsers.csv_orders import read_csv_orders
from tests.csv_feed_support import HEAD, MAPPING, feed, run_feed

ROWS = ("U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;",
        "U-3;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;;;;;")


def _facts(got) -> tuple:
    return ([(o["po_number"], str(o["po_date"])) for o in got.orders.to_pylist()],
            [(ln["po_number"], ln["line_id"], ln["quantity"], ln["unit_price"], ln["vendor_part"])
             for ln in got.lines.to_pylist()],
            sorted((f.code, f.location.row) for f in got.findings))


def _chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


def _quarantined(ws) -> list[str]:
    return sorted(p.name for p in (ws.drop_root / "umbrella" / "quarantine").glob("*"))


def test_a_dos_end_of_file_mark_after_the_last_row_is_no_row_in_a_real_night(tmp_path):
    _ws0, plain_found, plain_acks = run_feed(tmp_path / "plain", feed(*ROWS))
    ws, found, rows = run_feed(tmp_path / "ws", feed(*ROWS) + b"\x1a")
    assert found == plain_found
    assert not [f for f in found if f[1] in ("CSV_ROW_MALFORMED", "OUTBOUND_CONTROL_CHARACTER")]
    assert _quarantined(ws) == []
    assert (ws.drop_root / "umbrella" / "processed" / "feed.csv").exists()
    assert rows == plain_acks
    assert [(r["po_number"], r["line_id"], r["status"]) for r in rows] == [("U-3", "1", "IA"), ("U-3", "2", "IB")]


@pytest.mark.parametrize("tail", [b"\x1a", b"\x1a\r\n", b"\x1a\x1a", b"\x00" * 300, (b"\x00" * 40 + b"\r\n") * 3,
                                  b"\x1a" + b"\x00" * 127])
def test_end_of_file_marks_and_padding_read_as_the_file_without_them(tail):
    want = _facts(read_csv_orders(feed(*ROWS), MAPPING, partner="p", file="f.csv"))
    assert want[0] and want[1] and not want[2]
    data = feed(*ROWS) + tail
    assert _facts(read_csv_orders(data, MAPPING, partner="p", file="f.csv")) == want
    assert _facts(read_csv_orders(_chunked(data, 5), MAPPING, partner="p", file="f.csv", batch_rows=1)) == want
    lf = data.replace(b"\r\n", b"\n")  # the fast path of lines ending in LF alone
    assert _facts(read_csv_orders(lf, MAPPING, partner="p", file="f.csv")) == want


def test_a_mark_right_after_the_last_row_and_a_file_concatenated_after_its_mark():
    want = _facts(read_csv_orders(feed(*ROWS), MAPPING, partner="p", file="f.csv"))
    no_end = feed(*ROWS)[:-2] + b"\x1a"  # the mark right after the last cell, no line end before it
    assert _facts(read_csv_orders(no_end, MAPPING, partner="p", file="f.csv")) == want
    second = feed("U-4;26.11.2026;1;5;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;")
    joined = feed(*ROWS) + b"\x1a" + second  # copy /a a.csv + b.csv: a's mark before b's header
    got = _facts(read_csv_orders(joined, MAPPING, partner="p", file="f.csv"))
    assert got[0] == [("U-3", "2026-11-26"), ("U-4", "2026-11-26")]
    assert [ln[:2] for ln in got[1]] == [("U-3", "1"), ("U-3", "2"), ("U-4", "1")]
    assert got[2] == []


def test_a_sub_or_nul_inside_a_row_is_still_a_control_character_said():
    for mark in ("\x1a", "\x00"):  # in an id: read with a blank and said, as any control character there
        data = feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-10{mark}10;04.12.2026;UMB-9;;;;;")
        got = read_csv_orders(data, MAPPING, partner="p", file="f.csv")
        assert [f.code for f in got.findings] == ["CONTROL_CHARACTER_REPLACED"]
        assert got.lines.column("vendor_part").to_pylist() == ["VP-10 10"]


# --- a database client's output -------------------------------------------------------------------------------


def _sqlcmd(rows: tuple[str, ...] = ROWS, footer: str = "(2 rows affected)") -> bytes:
    """sqlcmd's output without -W: every column padded to its width, the header underlined, a blank line and the
    row count after the rows."""
    heads = HEAD.split(";")
    cells = [r.split(";") for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]

    def line(cs: list[str]) -> str:
        return ";".join(c.ljust(w) for c, w in zip(cs, widths, strict=True))

    return ("\r\n".join([line(heads), ";".join("-" * w for w in widths), *(line(c) for c in cells), "", footer])
            + "\r\n").encode()


def test_sqlcmd_s_underline_and_row_count_are_no_orders_in_a_real_night(tmp_path):
    _ws0, plain_found, plain_acks = run_feed(tmp_path / "plain", feed(*ROWS))
    ws, found, rows = run_feed(tmp_path / "ws", _sqlcmd())
    assert found == plain_found
    assert _quarantined(ws) == []
    assert rows == plain_acks  # the acknowledgment names U-3 alone, as for the plain feed
    assert [(r["po_number"], r["line_id"], r["status"]) for r in rows] == [("U-3", "1", "IA"), ("U-3", "2", "IB")]


def test_sql_plus_s_row_count_is_no_order_in_a_real_night(tmp_path):
    data = ("\r\n".join([HEAD, *ROWS, "", "2 rows selected.", ""]) + "\r\n").encode()
    ws, found, rows = run_feed(tmp_path / "ws", data)
    assert not [f for f in found if f[0] == "intake"]
    assert _quarantined(ws) == []
    assert {r["po_number"] for r in rows} == {"U-3"}


@pytest.mark.parametrize("footer", ["(2 rows affected)", "(1 row affected)", "(2 row(s) affected)", "(2 rows)",
                                    "2 rows selected.", "no rows selected", "  2 record(s) selected.",
                                    "2 rows in set (0.00 sec)", "Completion time: 2026-11-26T22:00:01.5230000+01:00",
                                    "(2 rows affected);;;;;;;;;;;;;"])
def test_a_database_client_s_row_count_is_passed_over(footer):
    want = _facts(read_csv_orders(feed(*ROWS), MAPPING, partner="p", file="f.csv"))
    assert _facts(read_csv_orders(_sqlcmd(footer=footer), MAPPING, partner="p", file="f.csv")) == want
    assert _facts(read_csv_orders(_chunked(_sqlcmd(footer=footer), 7), MAPPING, partner="p", file="f.csv",
                                  batch_rows=1)) == want


@pytest.mark.parametrize("underline", ["-" * 9 + ";" + "-" * 10 + ";-;-;-;-;-;-;-;-;-;-;-;-",
                                       "=========;==========;====;========", "---------"])
def test_a_header_underlined_with_dashes_or_equals_signs_is_passed_over(underline):
    want = _facts(read_csv_orders(feed(*ROWS), MAPPING, partner="p", file="f.csv"))
    data = ("\r\n".join([HEAD, underline, *ROWS]) + "\r\n").encode()
    assert _facts(read_csv_orders(data, MAPPING, partner="p", file="f.csv")) == want


def test_a_row_with_a_po_or_more_than_a_count_is_still_read_as_a_row():
    """Only a row of nothing but dashes, or a count alone on its row, is the client's: a PO's row with a dash for a
    value, and a count beside a value, are read (and refused) as before."""
    dash = read_csv_orders(feed(*ROWS, "U-4;26.11.2026;1;-;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;"), MAPPING,
                           partner="p", file="f.csv")
    assert [(f.code, f.location.row) for f in dash.findings] == [("CSV_NUMBER_INVALID", 4)]
    beside = read_csv_orders(feed(*ROWS, "(2 rows affected);;;5;;;;;;;;;;"), MAPPING, partner="p", file="f.csv")
    assert "(2 rows affected)" in beside.orders.column("po_number").to_pylist()
    single = read_csv_orders(feed(*ROWS, "-;;;;;;;;;;;;;"), MAPPING, partner="p", file="f.csv")
    assert single.findings  # one dash alone is no underline: read as before


# --- dates with their month named -------------------------------------------------------------------------------


def test_dates_with_their_month_named_read_in_a_real_night_whatever_the_layout_s_format(tmp_path):
    """Umbrella's layout says dd.mm.yyyy; an export of Oracle's default DD-MON-RR ("26-NOV-26", SQL*Plus's spool) and
    NetSuite's long date ("Dec 4, 2026") used to be CSV_DATE_INVALID at the row and the PO left out (the
    acknowledgment refusing every line, IR): one reading each, as Java's Date.toString() already was."""
    _ws0, plain_found, plain_acks = run_feed(tmp_path / "plain", feed(*ROWS))
    named = tuple(r.replace("26.11.2026", "26-NOV-26").replace("04.12.2026", '"Dec 4, 2026"') for r in ROWS)
    ws, found, rows = run_feed(tmp_path / "ws", feed(*named))
    assert found == plain_found and _quarantined(ws) == []
    assert rows == plain_acks
    assert [(r["po_number"], r["status"]) for r in rows] == [("U-3", "IA"), ("U-3", "IB")]


@pytest.mark.parametrize(("text", "day"), [
    ("26-Nov-2026", "2026-11-26"), ("26-NOV-26", "2026-11-26"), ("26 November 2026", "2026-11-26"),
    ("Nov 26, 2026", "2026-11-26"), ("November 26 2026", "2026-11-26"), ("Nov. 26, 2026", "2026-11-26"),
    ("Sept 3, 2026", "2026-09-03"), ("3/Sep/2026", "2026-09-03"), ("1-mar-2027", "2027-03-01"),
    ("26-Nov-2026 10:30:00", "2026-11-26"), ("Nov 26, 2026 9:14 AM", "2026-11-26"), ("29-Feb-2028", "2028-02-29")])
def test_a_date_with_its_month_named_in_english_is_its_date_in_any_layout(text, day):
    from schemas.fulfilment import CsvOrderMapping

    for layout in (MAPPING, CsvOrderMapping(date_format="%m/%d/%Y"), CsvOrderMapping(date_format="%Y%m%d")):
        assert str(parse_date(text, layout)) == day


@pytest.mark.parametrize("text", ["31-Nov-2026", "29-Feb-2027", "26-Foo-2026", "Nov 26", "26-Nov", "26-Nov/2026",
                                  "26 Nov, 2026", "26-Nov-026", "Mai 26, 2026", "Nov 26, 26", "26-Nov-2026 noon"])
def test_a_named_month_without_one_reading_stays_refused(text):
    assert parse_date(text, MAPPING) is None
