"""What the change5 and shipgaps3 rounds left: a rebuilt store restates CTP05-priced lines as the night did; the 880
check of an RZ to another item counts the new item's pack; GS1 lengths per X12 product id qualifier; Guam's ChST and
French/Spanish Java dates in shipment confirmations."""

from __future__ import annotations

from datetime import datetime

# 1. a rebuilt store restates a line priced by a CTP per another unit, as intake did -----------------------------

CTP_LINE = b"PO1*4*50*EA***CB*LUG-2AWG*VP*RG46-06~\nCTP**UCP*18.60*1*BX~\nPID*F****MECHANICAL LUG 2 AWG~\n"


def test_a_rebuilt_night_restates_a_line_priced_per_its_ctp05_as_the_night_did(tmp_path):
    """Rexel's 850 with a 4th line, ``PO1*4*50*EA`` of RG46-06 priced ``CTP**UCP*18.60*1*BX`` (a box of 25 in
    item_units): the night took it in at 0.744 per EA (flows.intake.by_ctp_units), price_unit_sent BX. The rebuild
    replayed the archive without that step: its stored line stayed 18.60 per BX (price_unit BX)."""
    import pyarrow.parquet as pq

    from tests.retailer_support import recounted
    from tests.test_rebuild_new_features import _copy, _live_and_rebuilt, _same

    fixtures = _copy("rg46", tmp_path)
    [po] = (fixtures / "drops" / "rexel").iterdir()
    data = po.read_bytes()
    assert b"CTT*3*1008" in data
    data = data.replace(b"CTT*3*1008~", CTP_LINE + b"CTT*4*1058~", 1)
    po.write_bytes(recounted(data))
    live, lost, _done = _live_and_rebuilt(fixtures, tmp_path, datetime(2026, 11, 25, 2), keep=("rexel",))
    lines = [r for p in (live / "state" / "orders").rglob("*.lines.parquet") for r in pq.read_table(p).to_pylist()
             if r["line_number"] == 4]
    assert [(str(r["unit_price"]), r["price_unit"], r["price_unit_sent"]) for r in lines] == [("0.7440", None, "BX")]
    rebuilt = [r for p in (lost / "state" / "orders").rglob("*.lines.parquet") for r in pq.read_table(p).to_pylist()
               if r["line_number"] == 4]
    assert [(str(r["unit_price"]), r["price_unit"], r["price_unit_sent"]) for r in rebuilt] == [("0.7440", None, "BX")]
    _same(live, lost)
