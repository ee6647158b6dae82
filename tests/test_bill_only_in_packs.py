"""A bill-only order line in packs is placed, acknowledged and billed in its own unit (engine.kept_stock.service_rows):
the rg73 bill-only PO (tests.test_bill_only_orders) with its line 1 ordered as 2 CA of RG73-05 (a case of 10, at
4,120.00 the case). Its 855 said IQ 20 CA and its 810 billed 20 CA (TDS 83,650.00): the line's 20 eaches were
multiplied by the case's 10 again when placed. It is IA 2 CA, billed 2 CA (TDS 9,490.00)."""

from __future__ import annotations

import shutil

from connectors.state import StateStore
from tests.support import run_stages
from tests.test_bill_only_orders import (
    BILL_ONLY,
    FIXTURES,
    NIGHT,
    WAREHOUSES,
    of_its_own,
    po_segments,
    recounted,
    segments,
)


def test_a_bill_only_line_in_cases_is_acknowledged_and_billed_as_ordered(tmp_path):
    copy = tmp_path / "rg73"
    shutil.copytree(FIXTURES, copy)
    items = copy / "reference" / "items.csv"
    items.write_text(items.read_text().replace("Cancellous bone screw 6.5 x 40 mm,EA,1,1",
                                               "Cancellous bone screw 6.5 x 40 mm,EA,10,1"))
    for f in (copy / "drops" / "mayo").iterdir():
        f.unlink()
    text = BILL_ONLY.read_bytes()
    assert b"PO1*1*2*EA*412*" in text
    (copy / "drops" / "mayo" / BILL_ONLY.name).write_bytes(recounted(text.replace(b"PO1*1*2*EA*412*",
                                                                                  b"PO1*1*2*CA*4120*")))
    ws = of_its_own(copy, tmp_path / "ws", {"mayo": [BILL_ONLY.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    acks = [s[:4] for s in po_segments(segments(ws, "mayo", "855"), "MC7300406", "BAK") if s[0] == "ACK"]
    assert acks == [["ACK", "IA", "2", "CA"], ["ACK", "IA", "1", "EA"]]
    billed = [s[:5] if s[0] == "IT1" else s for s in po_segments(segments(ws, "mayo", "810"), "MC7300406", "BIG")
              if s[0] in ("IT1", "TDS")]
    assert billed == [["IT1", "1", "2", "CA", "4120"], ["IT1", "2", "1", "EA", "1250"], ["TDS", "949000"]]
    state = StateStore(ws.state_path)
    try:
        assert [(int(ln.ordered), ln.unit, ln.allocated, int(ln.shipped), ln.state.value)
                for ln in state.order_lines("mayo", "MC7300406")] == [(2, "CA", 2, 2, "invoiced"),
                                                                      (1, "EA", 1, 1, "invoiced")]
        assert not state.order_reservations("mayo", "MC7300406")
    finally:
        state.close()
