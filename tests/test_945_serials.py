"""A 3PL's 945 gives each unit's serial number in its W12 loop (N9*SE, or REF*SE as some translators write it),
one segment per unit: read as the CSV's Serial Numbers column is, on the 856 as REF*SE in the item loop for a
partner whose 856 lists serials ([fulfilment.asn] serial_numbers), and checked the same way (a count that is not
the W12's units holds the shipment). A serial element holding two serials or none (a blank or a separator inside,
an empty N902) is refused at its segment: the shipment is held, nothing guessed. Before, a 945's serials were
ignored: the 856 of an IT distributor went without them."""

from __future__ import annotations

import pytest

from tests.shipping_support import bots_check
from tests.support import demo_night_with_warehouses
from tests.test_945_shapes import CARTON1, HEAD, body_of, codes, segments, w945
from tests.test_shipment_findings_flow import ship

SERIALS = ("globex", "[fulfilment.asn]\n", "[fulfilment.asn]\nserial_numbers = true\n")
W12 = "W12*CC*{q}*{q}**EA*614141100521*VN*VP-1007**9*G*L"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Night 1 of the demo with the warehouses: GLOBEX-2001 waits for North's 945."""
    return demo_night_with_warehouses(tmp_path_factory.mktemp("945-serials") / "ws")


def _carton(qty: int, *loop: str) -> list[str]:
    return ["LX*1", f"MAN*GM*{CARTON1}", W12.format(q=qty), "N9*LI*1", *loop]


@pytest.mark.parametrize("tag", ["N9", "REF"])
def test_a_945_w12_s_serials_go_on_the_856_as_ref_se(template, tmp_path, tag):
    body = HEAD + _carton(3, f"{tag}*SE*SN-0001", f"{tag}*SE*SN-0002", f"{tag}*SE*SN-0003") + ["W03*3"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SERIALS)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [r[2] for r in segments(text, "REF") if r[1] == "SE"] == ["SN-0001", "SN-0002", "SN-0003"]
    assert bots_check(text.encode(), tmp_path)[0]


def test_a_945_whose_serials_are_not_its_units_or_hold_two_in_one_is_held(template, tmp_path):
    body = HEAD + _carton(3, "N9*SE*SN-0001", "N9*SE*SN-0002") + ["W03*3"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SERIALS)
    assert res.shipments == 0 and "SHIPMENT_SERIAL_COUNT_MISMATCH" in codes(state)
    body = HEAD + _carton(3, "N9*SE*SN-0001", "N9*SE*SN-0002 SN-0003") + ["W03*3"]
    ws, state, res = ship(template, tmp_path / "b", "north", "n.x12", w945(body), profile_edit=SERIALS)
    assert res.shipments == 0
    (bad,) = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_SERIAL_INVALID"]
    assert bad["value"] == "SN-0002 SN-0003" and bad["severity"] == "error"


def test_a_945_w12_on_two_pallets_keeps_its_serials_on_the_first_and_a_serials_partner_is_held(template, tmp_path):
    """Which serial is on which pallet (two N9 LV of 2 and 1 units under the W12) is not known: the serials stay
    on the first pallet's row, and the checks hold the shipment (3 serials for 2 units; none for the other 1),
    rather than every pallet's row carrying all three (each serial twice, on two pallets)."""
    body = HEAD + _carton(3, "N9*LV*PLT-1*2", "N9*LV*PLT-2*1", "N9*SE*SN-0001", "N9*SE*SN-0002",
                          "N9*SE*SN-0003") + ["W03*3"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SERIALS)
    found = [(f["code"], f["value"]) for f in state.findings(run_id="t") if f["code"].startswith("SHIPMENT_SERIAL")]
    assert res.shipments == 0
    assert found == [("SHIPMENT_SERIAL_COUNT_MISMATCH", "3"), ("SHIPMENT_SERIALS_MISSING", None)]
