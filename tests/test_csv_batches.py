"""A large CSV order feed read in batches of rows (issue 14 item 4): parsers.csv_orders over the file's
byte chunks gives the orders, lines (row-number lineage) and findings of the whole-file read, whatever
the chunk and batch sizes; intake reads such a file from its archive in chunks, never whole. Memory is
shown by what is handed on (rows per batch, chunks consumed), never by RSS or time."""

from __future__ import annotations

import sqlite3

import pytest

from flows import intake as intake_flow
from parsers import csv_common
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from schemas.profile import load_profiles
from tests.support import REPO, corpus_dir, make_workspace

SAMPLES = REPO / "sample_files"
UMBRELLA = load_profiles(REPO / "partners")["umbrella"].fulfilment.csv_orders
HEADER = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Description;Currency;Ship To\r\n"


def _row(po: str, line: int, qty: str = "12", date: str = "26.11.2026", text: str = "Pens", ship: str = "S-1") -> str:
    return f"{po};{date};{line};{qty};EA;1,50;VP-{line:04d};{text};USD;{ship}\r\n"


def _feed() -> bytes:
    """Rows of a PO far apart; a PO whose bad row comes long after its good ones; a later row that
    disagrees with its PO's first; a quoted line break; a malformed row; blank rows; a BOM."""
    rows = []
    for k in range(60):
        rows.append(_row(f"P{k % 7}", k, text='"Pens;\r\nblue"' if k == 11 else "Pens",
                         ship="S-2" if k == 20 else "S-1"))
        if k == 30:
            rows.append("only;three;fields\r\n")
        if k == 40:
            rows.append(";;;;;;;;;\r\n")
    rows.append(_row("P3", 99, qty="many"))  # P3's rows before are good: P3 is still left out
    rows.append(_row("P8", 100))
    return ("\ufeff" + HEADER + "".join(rows)).encode("utf-8")


def _facts(r) -> tuple:
    return r.orders.to_pylist(), r.lines.to_pylist(), [f.to_dict() for f in r.findings], r.rejected


def _chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


def _files():
    yield _feed(), UMBRELLA
    for path in sorted((SAMPLES / "csv").glob("*.csv")):
        yield path.read_bytes(), UMBRELLA if "hooli" in path.name else CsvOrderMapping()
    yield (SAMPLES / "drops" / "umbrella" / "umbrella-orders-20261126.csv").read_bytes(), UMBRELLA
    feed = corpus_dir() / "csv" / "stedi-inventory-feed__sample-feed.csv"
    if feed.is_file():
        yield feed.read_bytes(), CsvOrderMapping(po_number="Handle", quantity="Quantity", unit_price="Price",
                                                 vendor_part="SKU", description="Title", line_id=None, po_date=None,
                                                 unit=None, upc=None, buyer_part=None, currency=None,
                                                 requested_ship_date=None, ship_to_id=None, ship_to_name=None,
                                                 ship_to_address1=None, ship_to_city=None, ship_to_state=None,
                                                 ship_to_postal_code=None, ship_to_country=None)


@pytest.mark.parametrize("chunk,batch", [(1, 1), (3, 2), (64, 5), (1 << 20, 10_000)])
def test_batches_give_the_whole_file_s_orders_lines_and_findings(chunk, batch):
    for data, mapping in _files():
        whole = read_csv_orders(data, mapping, partner="p", file="f.csv", source_sha256="s")
        parts = read_csv_orders(_chunked(data, chunk), mapping, partner="p", file="f.csv", source_sha256="s",
                                batch_rows=batch)
        assert _facts(parts) == _facts(whole)


def test_the_feed_s_lineage_and_findings_read_in_batches():
    got = read_csv_orders(_chunked(_feed(), 5), UMBRELLA, partner="p", file="f.csv", batch_rows=4)
    assert got.rejected == ("P3",)
    assert "P3" not in got.orders["po_number"].to_pylist()
    p0 = [ln for ln in got.lines.to_pylist() if ln["po_number"] == "P0"]
    assert [ln["file_segment"] for ln in p0] == [2, 9, 16, 23, 30, 38, 46, 53, 60] and \
        [ln["line_number"] for ln in p0] == list(range(1, 10))  # 7 rows apart (+1 past the malformed row, +1 the blank)
    assert {ln["order_ref"] for ln in p0} == {"CSV-1-0002"}
    assert [ln["description"] for ln in got.lines.to_pylist() if ln["file_segment"] == 13] == ["Pens;\r\nblue"]
    assert [(f.code, f.location.row) for f in got.findings] == [
        ("CSV_ORDER_INCONSISTENT", 22), ("CSV_ROW_MALFORMED", 33), ("CSV_NUMBER_INVALID", 64)]


def test_bytes_that_do_not_decode_after_batches_were_read_leave_only_their_finding():
    data = _feed() + _row("P9", 1, text="Cr\xe8me").encode("latin-1")
    whole = read_csv_orders(data, UMBRELLA, partner="p", file="f.csv")
    parts = read_csv_orders(_chunked(data, 7), UMBRELLA, partner="p", file="f.csv", batch_rows=2)
    assert _facts(parts) == _facts(whole)
    [f] = parts.findings
    assert f.code == "CSV_NOT_DECODABLE" and f"at byte {data.index(b'Cr') + 2 - 3}." in f.message  # after the BOM
    assert parts.orders.num_rows == parts.lines.num_rows == 0


@pytest.mark.parametrize("bom,encoding", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
                                          (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")])
def test_a_feed_with_a_utf16_or_utf32_byte_order_mark_reads_as_its_utf8_twin(bom, encoding):
    """A spreadsheet's "Unicode text" export is UTF-16 with its byte-order mark: a UTF-8 profile (the
    default) cannot mean it, and the mark settles it (it used to be CSV_NOT_DECODABLE, every order lost)."""
    text = _feed().decode("utf-8-sig")
    want = _facts(read_csv_orders(_feed(), UMBRELLA, partner="p", file="f.csv"))
    data = bom + text.encode(encoding)
    assert _facts(read_csv_orders(data, UMBRELLA, partner="p", file="f.csv")) == want
    assert _facts(read_csv_orders(_chunked(data, 3), UMBRELLA, partner="p", file="f.csv", batch_rows=2)) == want
    assert want[0]  # orders were read


def test_rows_are_handed_on_a_batch_at_a_time_as_the_chunks_are_read():
    data = _feed()
    consumed: list[int] = []

    def chunks():
        for i in range(0, len(data), 100):
            consumed.append(i)
            yield data[i:i + 100]

    out = csv_common.CsvRows(file="f.csv", columns={})
    seen = []
    for batch in csv_common.row_batches(chunks(), UMBRELLA, {"po_number": "PO Number"}, required=("po_number",),
                                        out=out, batch_rows=4):
        seen.append((len(batch), len(consumed)))
    assert all(n <= 4 for n, _ in seen) and len(seen) > 10
    assert seen[0][1] < len(range(0, len(data), 100)) / 4  # the first rows came before most of the file was read


# --- intake ------------------------------------------------------------------------------------------
def _dump(ws) -> dict:
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    out = {t: sorted(map(repr, db.execute(f"SELECT * FROM {t}").fetchall()))
           for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'") if t != "meta"}
    db.close()
    out["folders"] = sorted(str(p.relative_to(ws.drop_root)) for p in ws.drop_root.rglob("*") if p.is_file())
    return out


def _intake(ws):
    from datetime import datetime

    from connectors.local import LocalDrop
    from connectors.state import StateStore

    state = StateStore(ws.state_url)
    try:
        return intake_flow.intake_partner(ws, ws.partners()["umbrella"], state, LocalDrop(ws.drop_root / "umbrella"),
                                          now=datetime(2026, 11, 27, 2), run_id="r1")
    finally:
        state.close()


def test_intake_reads_a_large_csv_from_its_archive_in_chunks_with_the_whole_read_s_results(tmp_path, monkeypatch):
    from connectors.local import LocalDrop

    a, b = (make_workspace(tmp_path / k, partners=("umbrella",)) for k in "ab")
    for ws in (a, b):
        (ws.drop_root / "umbrella" / "inbox" / "feed.csv").write_bytes(_feed())
    whole = _intake(a)
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    given = []
    real_process, real_read = intake_flow.process_csv_file, LocalDrop.read

    def spy(data, **kw):
        given.append(data)
        return real_process(data, **kw)

    def read(self, folder, name, **kw):
        assert not name.endswith(".csv"), f"{name} was read whole"
        return real_read(self, folder, name, **kw)

    monkeypatch.setattr(intake_flow, "process_csv_file", spy)
    monkeypatch.setattr(LocalDrop, "read", read)
    streamed = _intake(b)
    assert len(given) == 2 and not any(isinstance(d, bytes) for d in given)  # both files, from their archives
    assert whole.to_dict() == streamed.to_dict()
    assert _dump(a) == _dump(b)
    assert (b.drop_root / "umbrella" / "quarantine" / "feed.csv").read_bytes() == _feed()
