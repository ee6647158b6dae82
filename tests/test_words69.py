"""s68 words69: numbers and words people read, by their currency and unit. A CSV order feed writing its units as
words ("Each", "Case", "Dozen", "Pallet") is read through a real night as the X12 codes those words name (the same
partner's shipment file already read them so); a word no code names is refused with a message saying how the
layout's unit_names reads it."""

from __future__ import annotations

import shutil
from datetime import datetime

from connectors.state import StateStore
from tests.support import REPO, make_workspace, run_night

NIGHT1 = datetime(2026, 11, 27, 2)
FEED = "\r\n".join([
    "PO Number,Line,Quantity,Unit,Unit Price,Vendor Part,Ship To",
    "W-1,1,10,Each,26.25,VP-1010,UMB-9",  # row 2: an English unit word, no unit_names
    "W-3,1,2,Cases,262.50,VP-1010,UMB-9",  # row 3: a plural word: CA (the item's case of 10)
    "W-2,1,10,Inners,26.25,VP-1010,UMB-9",  # row 4: a word no X12 unit is named
]) + "\r\n"


def _night(root, *, unit_names: str = ""):
    ws = make_workspace(root, partners=("umbrella", "acme"))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = (REPO / "partners" / "umbrella.toml").read_text()
    start = text.index("[fulfilment.csv_orders]")
    end = text.index("[fulfilment.csv_ack]")
    layout = '[fulfilment.csv_orders]\nvendor_part = "Vendor Part"\nline_id = "Line"\n' + unit_names
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + layout + "\n" + text[end:])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "orders.csv").write_bytes(FEED.encode())
    run_night(ws, NIGHT1)
    state = StateStore(ws.state_path)
    try:
        return ws, [f for f in state.findings() if f["partner"] == "umbrella"]
    finally:
        state.close()


def test_an_order_feed_s_unit_words_read_as_x12_codes_and_an_unknown_one_says_unit_names(tmp_path):
    ws, found = _night(tmp_path / "ws")
    by_po = {}
    for f in found:
        by_po.setdefault(f["po_number"], []).append(f)
    assert "W-1" not in by_po and "W-3" not in by_po  # "Each", "Cases": EA, CA (were EACH, CASES: UNIT_UNKNOWN)
    (unknown,) = by_po["W-2"]
    assert (unknown["code"], unknown["row_number"], unknown["column_name"]) == ("UNIT_UNKNOWN", 4, "Unit")
    assert unknown["message"] == (
        "column 'Unit' 'INNERS' is not a unit of measure code (X12 data element 355). If it is a unit the partner "
        "uses, add it to the CSV layout's unit_names with the X12 unit code it means: "
        'unit_names = { "INNERS" = "<code>" } under [fulfilment.csv_orders].')
    # the partner's acknowledgment says what is wrong, not what to change in our settings
    acks = "".join(p.read_text(encoding="utf-8-sig") for p in (ws.drop_root / "umbrella" / "outbox").glob("*ack*.csv"))
    assert "W-2;1;IR;Rejected;10;0;0;INNERS;" in acks and "unit_names" not in acks
    assert "'INNERS' is not a unit of measure code (X12 data element 355)." in acks
    assert "W-1;1;IA;Accepted;10;10;0;EA;" in acks and "W-3;1;IA;Accepted;2;2;0;CA;" in acks


def test_the_partner_s_unit_names_read_its_own_word(tmp_path):
    _, found = _night(tmp_path / "ws", unit_names='unit_names = { Inners = "EA" }\n')
    assert [f["po_number"] for f in found if f["code"].startswith("UNIT_")] == []
