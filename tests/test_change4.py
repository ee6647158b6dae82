"""What the change3 round (860 units and prices) left: an 850 line priced by a CTP whose CTP05 is another unit than
PO103 is priced per the line's unit through the item's pack (CTP05 is the unit CTP03 is per: X12 pairs CTP04/CTP05
and gives CTP03 no unit of its own). Built on tests/test_change_units_860's ACME SKU-1003 (a case of 12 eaches at
39.20 an each, 470.40 a case)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests.test_change_orders import docs
from tests.test_change_units_860 import _findings, _ordered

UPC = "614141100248"


def _line(ws) -> tuple:
    state = StateStore(ws.state_path)
    try:
        [line] = state.order_lines("acme", "PO-1")
        return line.ordered, line.unit, line.unit_price
    finally:
        state.close()


def _text(ws, kind: str) -> str:
    return "".join(p.read_text() for p in sorted(ws.drop_root.glob(f"acme/outbox/*-{kind}-*.x12")))


def _parsed(body: list[str]) -> list[tuple]:
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.support import x12_850

    result = read_interchanges(x12_850(["BEG*00*SA*PO-1**20261126", *body, "CTT*1"]))
    lines = read_orders(result, list(result.transaction_sets()), partner="acme")[1]
    return list(zip(*(lines[c].to_pylist() for c in ("unit_price", "price_basis", "price_unit")), strict=True))


@pytest.mark.parametrize(("body", "read"), [
    # CTP03 per its CTP05: kept per CA for the intake to restate (price_unit CA)
    ([f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*470.40*1*CA"], (Decimal("470.4"), None, "CA")),
    # per hundred CA (CTP09 HP): 4.704 per CA... restated per one CA by the basis, still per CA
    ([f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*47040*1*CA****HP"], (Decimal("470.4"), "PE", "CA")),
    # the line's own unit (in small letters too), no CTP05, or PO104 sent: nothing to restate
    ([f"PO1*1*24*ea***UP*{UPC}", "CTP**UCP*39.20*1*EA"], (Decimal("39.2"), None, None)),
    ([f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*39.20"], (Decimal("39.2"), None, None)),
    ([f"PO1*1*24*EA*39.20**UP*{UPC}", "CTP**UCP*470.40*1*CA"], (Decimal("39.2"), None, None)),
    # a price per each (CTP09 PE) is per each whatever CTP05 counts
    ([f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*39.20*1*CA****PE"], (Decimal("39.2"), "PE", None)),
], ids=["per-case", "per-hundred-cases", "own-unit", "no-ctp05", "po104-wins", "per-each"])
def test_the_850_reader_keeps_the_unit_a_ctp_price_is_per(body, read):
    """ORDER_LINES price_unit: the CTP05 of the cost CTP that priced the line where it is another unit than PO103."""
    assert _parsed(body) == [read]


# 1. the 850 side of CTP05 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("po1", "ctp", "stored"), [
    # 24 EA priced 470.40 per CA (a case of 12): 39.20 per EA, our price
    (f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*470.40*1*CA", (Decimal(24), "EA", Decimal("39.2"))),
    # 2 CA priced 39.20 per EA: 470.40 per CA
    (f"PO1*1*2*CA***UP*{UPC}", "CTP**UCP*39.20*1*EA", (Decimal(2), "CA", Decimal("470.4"))),
    # a per-many basis of its own (CTP09 HP): 47040 per hundred CA is 470.40 per CA, 39.20 per EA
    (f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*47040*1*CA****HP", (Decimal(24), "EA", Decimal("39.2"))),
], ids=["case-price-on-eaches", "each-price-on-cases", "per-hundred-cases"])
def test_an_850_line_priced_by_a_ctp_in_another_unit_is_priced_per_its_own_unit(tmp_path, po1, ctp, stored):
    """CTP03 is per one CTP05 unit: ``PO1*1*24*EA`` priced by ``CTP**UCP*470.40*1*CA`` is 39.20 per EA (a case of
    12), accepted as our price, stored and billed so. It was read as 470.40 per EA (twelve times), the order held
    as PRICE_OUT_OF_TOLERANCE (or, on a line in cases priced per each, a 92% discount)."""
    ws = _ordered(tmp_path, [po1, ctp])
    found = _findings(ws)
    assert not {"PRICE_OUT_OF_TOLERANCE", "DISCOUNT_OVER_THRESHOLD", "PRICE_MISSING"} & set(found), found
    assert _line(ws)[:3] == stored
    assert [a[:3] for _p, _t, a in docs(ws, "855")["PO-1"]][0][0][:3] == ["IA", str(stored[0]), stored[1]]
    # the 855's PO1 states the price per its PO103 unit (PO104 with no PO105), never the CTP's number per it
    assert f"PO1*1*{stored[0]}*{stored[1]}*{stored[2]}**" in _text(ws, "855")


def test_an_850_line_priced_by_a_ctp_in_a_unit_we_cannot_count_waits_saying_so(tmp_path):
    """A CTP per BX (a box of this item we know no count of eaches for): never taken per EA; the order waits
    (PRICE_BASIS_UNSUPPORTED at CTP05, naming the unit) and no 855 accepts it at 470.40 per EA."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*470.40*1*BX"])
    assert "PRICE_BASIS_UNSUPPORTED" in _findings(ws)
    assert "PO-1" not in docs(ws, "855") or all(a[0] != "IA" for _p, _t, acks in docs(ws, "855")["PO-1"]
                                                for a in acks)


# 3. a CTP-priced change in another unit, answered in the buyer's unit ----------------------------------------------


@pytest.mark.parametrize(("pocs", "echo", "ack"), [
    # no POC05: the buyer priced it per CA only (CTP05): 865 POC05 CA, POC06 36, ACK 1 CA
    (("POC*1*PC", "CTP**UCP*36*1*CA"), ["CA", "36", ""], ["ACK", "IP", "1", "CA"]),
    (("POC*1*PC", "CTP**UCP*3600*1*CA****HP"), ["CA", "36", ""], ["ACK", "IP", "1", "CA"]),
    # POC05 sent: its unit is echoed (the price per it) and the line answered in it, as before
    (("POC*1*PC***EA", "CTP**UCP*36*1*CA"), ["EA", "3", ""], ["ACK", "IP", "12", "EA"]),
], ids=["no-poc05", "no-poc05-per-hundred", "poc05-sent"])
def test_a_ctp_priced_change_is_answered_in_the_unit_the_buyer_priced_it_in(pocs, echo, ack):
    """``POC*1*PC`` with ``CTP**UCP*36*1*CA`` on line 1 (12 EA at 2.50, a case of 12): the 865 states the price per
    the CA the buyer priced it in (POC05 CA, POC06 36, no POC07) and acknowledges 1 CA; the line is billed as before,
    3.00 per EA. It was answered in the line's unit, ``ACK*IP*12*EA`` under POC06 3."""
    from tests.test_gaps860c import _changed as _applied

    segs, line = _applied(*pocs)
    assert line[:3] == (Decimal(12), "EA", Decimal(3))  # billed as before: 3.00 per EA
    assert segs[0][5:8] == echo and segs[1] == ack


# 2. an RZ that replaces the item without a price -------------------------------------------------------------------

NEW_UPC = "614141101641"  # SKU-1023, packing tape, 51.56 an each on ACME's price list (a case of 12)


def _replaced_and_billed(ws, poc: str = f"POC*1*RZ*24**EA***UP*{NEW_UPC}", sku: str = "SKU-1023"
                         ) -> tuple[list[str], str, list[list[str]]]:
    """ACME PO-1 line 1 (24 EA of SKU-1003 at 39.20) replaced by an RZ naming SKU-1023 without a price, then
    shipped whole from EAST: (the findings' codes, the 865's text, the 810's IT1 segments)."""
    from tests.test_change3 import DAY2, docs_810
    from tests.test_change_units_860 import _answered_by_865s, _changed

    _answered_by_865s(ws)
    _changed(ws, [poc])
    codes = _findings(ws)
    ack = _text(ws, "865")
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261128.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        f"SHP-3001,2026-11-28,14:00,UPSN,G2,1Z999AA10123450001,BOL-3001,PO-1,1,{sku},24,EA,C-3001,9.5,LB,\n")
    from tests.support import deliver_all, ship_stages

    ship_stages(ws, DAY2, run_id="day2")
    deliver_all(ws, DAY2)
    return codes, ack, [s for doc in docs_810(ws) for s in doc if s[0] == "IT1"]


def test_an_item_replaced_without_a_price_is_priced_at_our_price_for_the_new_item(tmp_path):
    """ACME's RZ replaces SKU-1003 (39.20) by SKU-1023 (our 51.56) on line 1 without POC06: the line is left unpriced
    and takes our price for the new item under the usual price rules (PRICE_MISSING), the 865 stating it in POC06
    (``POC*1*RZ*24**EA*51.56``) and the 810 billing it. It kept the old item's 39.20, which held the order as a 24%
    discount (DISCOUNT_OVER_THRESHOLD) the buyer never asked for (approved: SKU-1023 billed at SKU-1003's price)."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA*39.20**UP*{UPC}"])
    codes, ack, it1 = _replaced_and_billed(ws)
    assert not {"DISCOUNT_OVER_THRESHOLD", "PRICE_OUT_OF_TOLERANCE"} & set(codes), codes
    assert "PRICE_MISSING" in codes, codes  # unpriced as an 850 line without PO104: our price applies
    assert _line(ws)[:2] == (Decimal(24), "EA")
    assert f"POC*1*RZ*24**EA*51.56**UP*{NEW_UPC}~" in ack and "ACK*IR" not in ack, ack
    assert [s[1:5] for s in it1] == [["1", "24", "EA", "51.56"]]


def test_an_rz_naming_the_same_item_by_another_id_keeps_its_price(tmp_path):
    """The guard: an RZ naming line 1's own item by its vendor part (VN VP-1003, SKU-1003 again) without a price is
    no new item: the line keeps the buyer's 39.20, unpriced by nothing, billed at it."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA*39.20**UP*{UPC}"])
    codes, ack, it1 = _replaced_and_billed(ws, "POC*1*RZ*24**EA***VN*VP-1003", "SKU-1003")
    assert "PRICE_MISSING" not in codes, codes
    assert _line(ws) == (Decimal(24), "EA", Decimal("39.2"))
    assert [s[1:5] for s in it1] == [["1", "24", "EA", "39.2"]]
