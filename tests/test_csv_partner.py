"""A partner without EDI for orders, end to end: its CSV purchase orders land in the same canonical
tables (lineage: file and row), pass the same rules and allocation, are answered with the CSV
acknowledgment (or an 855 when the profile says so), ship with an 856 and are invoiced with an 810.
Bad rows are findings with their row and column; the profile says what a CSV partner is and is checked."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from schemas.errors import ConfigError
from schemas.profile import load_profile
from tests.support import REPO, deliver_all, drop_confirmations, make_workspace, run_stages, ship_stages

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
UMBRELLA = REPO / "partners" / "umbrella.toml"


def workspace(root, *, profile_text: str | None = None):
    ws = make_workspace(root, partners=("umbrella",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    if profile_text is not None:
        (ws.partners_dir / "umbrella.toml").write_text(profile_text)
    return ws


def test_a_csv_partner_end_to_end(tmp_path):
    ws = workspace(tmp_path / "ws")
    (results := run_stages(ws, NIGHT1))
    umbrella = next(r for r in results[0] if r.partner == "umbrella")
    assert (umbrella.files, umbrella.processed, umbrella.orders, umbrella.accepted, dict(umbrella.documents)) == (
        1, 1, 1, 1, {"CSV": 1})
    state = StateStore(ws.state_path)
    order = state.order("umbrella", "UMB-6001")
    assert (order.state.value, order.source_file, order.isa13, order.gs06, order.st02, order.answered_with,
            order.ack_type) == ("acknowledged", "umbrella-orders-20261126.csv", "CSV", "1", "0002", "CSV", "AC")
    assert [(ln.line_id, ln.sku, ln.state.value, ln.allocated, ln.backordered) for ln in
            state.order_lines("umbrella", "UMB-6001")] == [("1", "SKU-1010", "allocated", 20, 0),
                                                          ("2", "SKU-1005", "backordered", 0, 10),
                                                          ("3", "SKU-1013", "allocated", 12, 0)]
    (ack,) = (ws.drop_root / "umbrella" / "outbox").glob("*.csv")
    assert ack.name == "umbrella-csv-ack-000000001.csv"
    assert ack.read_bytes().decode("utf-8-sig").splitlines() == [
        "po_number;line_id;status;status_text;quantity_ordered;quantity_accepted;quantity_backordered;unit;"
        "unit_price;promised_date;reason;reason_text",  # the reason in words beside its code
        "UMB-6001;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled;accepted in full from stock",
        "UMB-6001;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered;"
        "not in stock now: backordered, to ship on the promised date",
        "UMB-6001;3;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled;accepted in full from stock"]
    docs = state.documents_for_order("umbrella", "UMB-6001")
    assert [(d["doc_type"], d["isa13"], d["file_name"]) for d in docs] == [("CSV", "", ack.name)]
    state.close()
    drop_confirmations(ws, "warehouse-drops")  # the east DC ships lines 1 and 3 on a pallet
    ship_stages(ws, DAY1)
    deliver_all(ws, DAY1)
    state = StateStore(ws.state_path)
    assert state.order("umbrella", "UMB-6001").state.value == "partially_shipped"
    kinds = sorted(p.name for p in (ws.drop_root / "umbrella" / "outbox").glob("*.x12"))
    assert kinds == ["umbrella-810-000000002.x12", "umbrella-856-000000001.x12"]
    rows = read_interchanges((ws.drop_root / "umbrella" / "outbox" / kinds[1]).read_bytes()).segments
    segs = rows.elements.to_pylist()
    assert [s[3] for s in segs if s[0] == "HL"] == ["S", "O", "T", "P", "I", "P", "I"]  # S-O-T-P-I, one pallet
    assert ["N1", "ST", "Umbrella Store 9", "92", "UMB-9"] == next(s for s in segs if s[:2] == ["N1", "ST"])[:5]
    (inv,) = state.invoices_for_order("umbrella", "UMB-6001")
    assert [(ln.line_id, ln.quantity, str(ln.unit_price)) for ln in inv.lines] == [("1", 20, "26.25"),
                                                                                  ("3", 12, "25.7")]
    state.close()


def test_a_csv_partner_answered_with_an_855(tmp_path):
    text = UMBRELLA.read_text().replace('receives = ["csv_ack", "856", "810"]', 'receives = ["855", "856", "810"]')
    ws = workspace(tmp_path / "ws", profile_text=text)
    run_stages(ws, NIGHT1)
    (doc,) = (ws.drop_root / "umbrella" / "outbox").glob("*")
    assert doc.name == "umbrella-855-000000001.x12"
    segs = read_interchanges(doc.read_bytes()).segments.elements.to_pylist()
    assert next(s for s in segs if s[0] == "BAK")[:4] == ["BAK", "00", "AC", "UMB-6001"]
    assert [s[1] for s in segs if s[0] == "ACK"] == ["IA", "IB", "IA"]


def test_bad_rows_are_findings_with_row_and_column_and_their_po_is_left_out(tmp_path):
    ws = workspace(tmp_path / "ws")
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "bad.csv").write_bytes(
        b"PO Number;Quantity;SKU;PO Date\nU-1;2;VP-1010;26.11.2026\nU-1;zwei;VP-1013;26.11.2026\n"
        b"U-2;3;VP-1010;31.11.2026\nU-3;4;VP-1010;26.11.2026\n")
    results, _ = run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    found = [(f["code"], f["row_number"], f["column_name"], f["consequence"]) for f in state.findings()
             if f["stage"] == "intake"]
    assert found == [("CSV_NUMBER_INVALID", 3, "Quantity", "the row's PO was not taken; file quarantined"),
                     ("CSV_DATE_INVALID", 4, "PO Date", "the row's PO was not taken; file quarantined")]
    assert [o.po_number for o in state.orders(partner="umbrella")] == ["U-3"]  # U-1 and U-2 left out whole
    assert (ws.drop_root / "umbrella" / "quarantine" / "bad.csv").exists()
    umbrella = next(r for r in results if r.partner == "umbrella")
    assert {(f["code"], f["location"].get("row"), f["location"].get("column")) for f in umbrella.findings} >= {
        ("CSV_NUMBER_INVALID", 3, "Quantity"), ("CSV_DATE_INVALID", 4, "PO Date")}


def test_the_profile_says_what_a_csv_partner_is(tmp_path):
    text = UMBRELLA.read_text()
    no_x12 = text.split("[x12]")[0] + "[fulfilment.csv_orders]" + text.split("[fulfilment.csv_orders]")[1]
    only_csv = no_x12.replace('receives = ["csv_ack", "856", "810"]', 'receives = ["csv_ack"]')
    for body, ok, message in [
        (text, True, ""),
        (only_csv.split("[fulfilment.sscc]")[0] + "[drop]" + only_csv.split("[drop]")[1], True, ""),  # no X12 at all
        (no_x12, False, "needs an \\[x12\\] table"),  # 856/810 need our envelope
        (text.replace('accepts = ["csv"]', 'accepts = ["csv", "850"]').split("[x12]")[0]
         + "[fulfilment.csv_orders]" + text.split("[fulfilment.csv_orders]")[1], False, "needs an \\[x12\\]"),
        (text.replace("[fulfilment.csv_orders]", "[fulfilment.unused]"), False, "invalid partner profile"),
        (text.replace('receives = ["csv_ack", "856", "810"]', 'receives = ["856", "810"]'), False,
         "answered with"),
        (text.replace("delimiter = \";\"\ndecimal", "delimiter = \";;\"\ndecimal", 1), False, "delimiter"),
        (text.replace('accepts = ["csv"]', 'accepts = ["csv", "edifact"]'), False, "accepts"),
    ]:
        (tmp_path / "umbrella.toml").write_text(body)
        if ok:
            p = load_profile(tmp_path / "umbrella.toml")
            assert p.csv_orders and p.is_csv_file("orders.txt")
        else:
            with pytest.raises(ConfigError, match=message):
                load_profile(tmp_path / "umbrella.toml")
    both = load_profile(UMBRELLA).model_copy(update={"accepts": ("850", "csv")})
    assert both.is_csv_file("x.CSV") and not both.is_csv_file("x.x12")
    assert not load_profile(REPO / "partners" / "acme.toml").is_csv_file("x.csv")


def test_the_same_orders_as_an_excel_export_are_answered_alike(tmp_path):
    """Umbrella's feed as a German Excel writes it: the "sep=;" hint, the header and rows ending in a
    separator, dates with a midnight time, a header name with a doubled blank, Windows-1252 text."""
    ws = workspace(tmp_path / "ws", profile_text=UMBRELLA.read_text().replace(
        'date_format = "%d.%m.%Y"\n', 'date_format = "%d.%m.%Y"\nencoding = "cp1252"\n', 1))
    inbox = ws.drop_root / "umbrella" / "inbox"
    (feed,) = inbox.glob("*.csv")
    text = feed.read_bytes().decode("utf-8-sig").replace("Unit Price", "Unit  Price").replace(
        "26.11.2026", "26.11.2026 00:00").replace("Sticky notes yellow", "Sticky notes gelb ’Büro’")
    feed.write_bytes(("sep=;\r\n" + text.replace("\r\n", ";\r\n")).encode("cp1252"))
    run_stages(ws, NIGHT1)
    (ack,) = (ws.drop_root / "umbrella" / "outbox").glob("*.csv")
    assert ack.read_bytes().decode("utf-8-sig").splitlines()[1:] == [
        "UMB-6001;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled;accepted in full from stock",
        "UMB-6001;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered;"
        "not in stock now: backordered, to ship on the promised date",
        "UMB-6001;3;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled;accepted in full from stock"]
    state = StateStore(ws.state_path)
    assert state.order("umbrella", "UMB-6001").st02 == "0003"
    state.close()
