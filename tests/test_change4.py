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

