"""S-O-T-I through the shipping flow (flows.shipments.ship_warehouse on the demo's night-1 store): a warehouse
CSV row with a pallet id and no carton id is a pallet shipped whole, for a partner whose 856 is S-O-T-I (its
SSCC at the tare level, numbered from our pallet sequence when the warehouse printed none, the items under
it); cartons on a pallet stay T-P-I beside it. An S-O-P-I partner's pallet-only row is still refused
(SHIPMENT_CARTON_MISSING: its 856 lists cartons), and an S-O-T-I row with neither id too."""

from __future__ import annotations

import pyarrow as pa

from rules.shipments import whole_pallets
from schemas.reference import sscc18
from tests.shipping_support import bots_check
from tests.test_945_shapes import body_of, codes, segments
from tests.test_shipment_findings_flow import HEAD, row, ship, template  # noqa: F401 (template: the fixture)

SOTI = ("acme", 'structure = "SOPI"', 'structure = "SOTI"')
PALLET = "106141410000000019"  # a pallet SSCC the warehouse printed (18 digits, no AI)


def test_a_csv_pallet_row_without_a_carton_is_the_tare_of_an_soti_856(template, tmp_path):  # noqa: F811
    data = (HEAD + row(Carton_ID="", Pallet_ID="PAL-1", Quantity="2")).encode()
    ws, state, res = ship(template, tmp_path, "east", "e.csv", data, profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "I"]
    (man,) = segments(text, "MAN")
    assert sscc18(man[2]) is not None and man[2][2:9] == "0061414"  # ours: ext digit 0, prefix 0614141
    assert segments(text, "TD1") == [["TD1", "PLT94", "1", "", "", "", "G", "1", "LB"]]  # the row weighs the pallet
    assert bots_check(text.encode(), tmp_path)[0]


def test_an_soti_csv_of_a_pallet_of_cartons_and_a_pallet_shipped_whole(template, tmp_path):  # noqa: F811
    data = (HEAD + row(Carton_ID="C-9", Pallet_ID="PAL-1", Quantity="2")
            + row(Carton_ID="", Pallet_ID=PALLET, Quantity="3")).encode()
    ws, state, res = ship(template, tmp_path, "east", "e.csv", data, profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "P", "I", "T", "I"]
    assert segments(text, "MAN")[2][2] == "00" + PALLET  # the warehouse's label, once
    assert [s[2] for s in segments(text, "SN1")] == ["2", "3"]


def test_a_pallet_row_without_a_carton_is_still_refused_for_an_sopi_partner(template, tmp_path):  # noqa: F811
    data = (HEAD + row(Carton_ID="", Pallet_ID="PAL-1")).encode()
    ws, state, res = ship(template, tmp_path, "east", "e.csv", data)
    assert res.shipments == 0 and codes(state) == ["SHIPMENT_CARTON_MISSING"]
    ws, state, res = ship(template, tmp_path / "b", "east", "e.csv", (HEAD + row(Carton_ID="")).encode(),
                          profile_edit=SOTI)
    assert res.shipments == 0 and codes(state) == ["SHIPMENT_CARTON_MISSING"]
    (found,) = state.findings(run_id="t")
    assert "No carton or pallet id" in found["message"]


def test_whole_pallets_settles_each_row_by_its_partners_structure():
    t = pa.table({"carton_id": ["00" + PALLET, None, "C1", None], "carton_sscc": [PALLET, None, None, None],
                  "pallet_id": [PALLET, "PAL-1", "PAL-1", None], "pallet_sscc": [PALLET, None, None, None]})
    soti = whole_pallets(t, pa.array(["g"] * 4), {"g": "SOTI"})
    assert soti["carton_id"].to_pylist() == [PALLET, "PAL-1", "C1", None]  # the pallet is the box the checks see
    assert soti["pallet_id"].to_pylist() == [PALLET, "PAL-1", "PAL-1", None]
    other = whole_pallets(t, pa.array(["g"] * 4), {"g": "SOTPI"})
    assert other["carton_id"].to_pylist() == ["00" + PALLET, None, "C1", None]  # its SSCC once, as the carton
    assert other["pallet_id"].to_pylist() == [None, "PAL-1", "PAL-1", None]
    assert other["pallet_sscc"].to_pylist() == [None, None, None, None]
