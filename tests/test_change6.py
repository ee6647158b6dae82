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


# 2. the 880 check of an RZ to another item: the new item's case pack and minimum -----------------------------------

def _880_change(tmp_path, line: str, poc: str):
    """acme billed by the 880 (tests/test_880_partial_dozen_billing's grocer) with PO-1 of ``line``, then an 860 of
    ``poc``: (findings of PO-1, its story, the 865's BCA and ACK segments)."""
    from tests.test_880_changes import _865, _change
    from tests.test_880_partial_dozen_billing import _grocer, _look

    ws = _grocer(tmp_path, line)
    _change(ws, poc, datetime(2026, 11, 28, 2))
    found, told = _look(ws)
    return found, told, [s[:2] for s in _865(ws) if s[0] in ("BCA", "ACK")]


def test_an_rz_to_an_item_in_cases_of_12_is_checked_for_the_880_by_that_case(tmp_path):
    """24 EA of SKU-1011 (sold singly) at 54.73 per dozen, changed by ``POC*1*RZ*20*24*EA*470.41*PD*VN*VP-1003`` to
    20 EA of SKU-1003 at 470.41 per dozen, a case of 12 (minimum 12): as the 855 answers it, 24 EA in whole cases, 2
    dozens the 880 states. It was judged by SKU-1011's pack of 1 (20 EA: 1.666.. DZ, 39.200833.. per EA, no
    statement) and refused, PRICE_BASIS_NOT_ON_880."""
    found, told, acks = _880_change(tmp_path, "PO1*1*24*EA*54.73*PD*VN*VP-1011",
                                    "POC*1*RZ*20*24*EA*470.41*PD*VN*VP-1003")
    assert "PRICE_BASIS_NOT_ON_880" not in [f["code"] for f in found], [f["message"] for f in found]
    assert ["ACK", "IR"] not in acks, acks
    assert told["order"]["state"] == "acknowledged", told["order"]
    # (answered in whole cases of 12: CASE_PACK_ROUNDED, 24 EA)
    assert [(ln["sku"], ln["ordered"], ln["unit_price"]) for ln in told["lines"]] == [("SKU-1003", "24", "470.41")]


def test_an_rz_to_an_item_sold_singly_is_checked_for_the_880_by_that_item(tmp_path):
    """The other way: 24 EA of SKU-1003 (a case of 12) at 470.41 per dozen changed by
    ``POC*1*RZ*20*24*EA*54.73*PD*VN*VP-1011`` to 20 EA of SKU-1011, sold singly: 1.666.. dozens at 54.73 per dozen,
    which the 880 cannot state. It was judged by SKU-1003's case (answered as 24 EA: 2 dozens) and applied, to be
    held at decide at the 850's PO102. Now refused at its POC03, the line left as it was."""
    found, told, acks = _880_change(tmp_path, "PO1*1*24*EA*470.41*PD*VN*VP-1003",
                                    "POC*1*RZ*20*24*EA*54.73*PD*VN*VP-1011")
    [f] = [f for f in found if f["code"] == "PRICE_BASIS_NOT_ON_880"]
    assert (f["file"], f["segment_id"], f["element"], f["value"]) == ("chg.x12", "POC", "POC03", "20"), f
    assert ["ACK", "IR"] in acks, acks
    assert [(ln["sku"], ln["ordered"]) for ln in told["lines"]] == [("SKU-1003", "24")], told["lines"]

