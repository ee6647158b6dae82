"""Every shipment-confirmation finding through the flow (flows.shipments.ship_warehouse on a store that
holds the demo's night-1 orders): the finding is recorded for ops with its partner, PO and consequence;
a shipment with an error is held (no 856, no record, nothing consumed) while the rest of the file goes
on; a file with an error waits in quarantine; a warning is reported and the shipment ships."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import shipments
from flows.workspace import open_workspace
from schemas.findings import finding
from tests.support import REPO, make_workspace, run_stages, x12_850

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
HEAD = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")
GOOD = "S9,2026-11-27,14:10,UPSN,G2,1Z1,BOL-1,ACME-1000,1,SKU-1001,2,EA,C-9,1,LB,\n"  # 2 of line 1's 10


def row(**changes) -> str:
    fields = dict(zip(HEAD.strip().split(","), GOOD.strip("\n").split(","), strict=True))
    fields.update({k.replace("_", " "): v for k, v in changes.items()})
    return ",".join(fields.values()) + "\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Night 1 of the demo, plus PO-1 from both ACME (an 850) and Umbrella (CSV): one PO number, two partners."""
    ws = make_workspace(tmp_path_factory.mktemp("findings") / "ws", partners=("acme", "globex", "initech",
                                                                             "umbrella"))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    (ws.drop_root / "acme" / "inbox" / "acme-po-1.x12").write_bytes(x12_850(
        ["BEG*00*SA*PO-1**20261126", "PO1*1*12*EA*19.70*PE*UP*614141100101", "CTT*1"], isa13=777))
    (ws.drop_root / "umbrella" / "inbox" / "po-1.csv").write_bytes(
        b"PO Number;Quantity;SKU\nPO-1;10;VP-1010\n")
    run_stages(ws, NIGHT1)
    return ws.root


def ship(template, tmp_path, warehouse: str, name: str, data: bytes, *, check=None, profile_edit=None):
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    ws = open_workspace(root)
    if profile_edit:
        path = ws.partners_dir / f"{profile_edit[0]}.toml"
        path.write_text(path.read_text().replace(*profile_edit[1:]))
    inbox = ws.warehouse_drop_root / warehouse / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(data)
    state = StateStore(ws.state_path)
    res = shipments.ship_warehouse(ws, ws.warehouses()[warehouse], ws.partners(), state,
                                   LocalDrop(ws.warehouse_drop_root / warehouse), load_reference(ws.reference_dir),
                                   now=DAY1, run_id="t", check=check)
    return ws, state, res


CSV_CASES = {
    # code: (rows, the shipments recorded, the findings' consequence starts with)
    "SHIPMENT_PO_UNKNOWN": (row(PO_Number="ACME-9999"), set(), "shipment S9 held"),
    "SHIPMENT_PO_AMBIGUOUS": (row(PO_Number="PO-1", PO_Line="1", SKU="SKU-1001"), set(), "shipment S9 held"),
    "SHIPMENT_LINE_UNKNOWN": (row(PO_Line="99"), set(), "shipment S9 held"),
    "SHIPMENT_LINE_CLOSED": (row(PO_Number="ACME-1001", PO_Line="3", SKU="SKU-1008"), set(), "shipment S9 held"),
    "SHIPMENT_OVER_RESERVED": (row(Quantity="11"), set(), "shipment S9 held"),
    "SHIPMENT_QTY_NOT_POSITIVE": (row(Quantity="-1"), set(), "shipment S9 held"),
    # a row shipping 0 is a cut line: left out with a warning, the rest of S9 ships
    "SHIPMENT_ROW_NOT_SHIPPED": (row(Quantity="0") + row(PO_Line="2", SKU="SKU-1003"), {"S9"}, "none (warning)"),
    "SHIPMENT_UNIT_MISMATCH": (row(Unit="CA"), set(), "shipment S9 held"),
    "SHIPMENT_SKU_UNKNOWN": (row(SKU="SKU-9999"), set(), "shipment S9 held"),
    "SHIPMENT_SKU_MISMATCH": (row(SKU="SKU-1003"), set(), "shipment S9 held"),
    "SHIPMENT_HEADER_INCONSISTENT": (row() + row(PO_Line="2", SKU="SKU-1003", Ship_Date="2026-11-26"), set(),
                                     "shipment S9 held"),
    "SHIPMENT_LINE_DUPLICATE": (row() + row(), set(), "shipment S9 held"),
    "SHIPMENT_CARTON_REUSED": (row() + row(Shipment_ID="S10", PO_Line="2", SKU="SKU-1003"), set(),
                               "shipment S10 held"),
    "SHIPMENT_CARTON_MISSING": (row(Carton_ID=""), set(), "shipment S9 held"),
    "SHIPMENT_CARTON_MULTI_PO": (row() + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002"), set(),
                                 "shipment S9 held"),
    "SHIPMENT_SSCC_INVALID": (row(Carton_ID="106141410000000018"), set(), "shipment S9 held"),
    "SHIPMENT_SCAC_INVALID": (row(Carrier="U1") + row(Shipment_ID="S8", Carton_ID="C-8"), {"S8", "S9"},
                              "none (warning)"),
    "SHIPMENT_WEIGHT_INVALID": (row(Carton_Weight="-1"), {"S9"}, "none (warning)"),
    # what the reader cannot read: the row's shipment is held (or, when the row names none, the whole file)
    "SHIPMENT_ID_MISSING": (row(Shipment_ID="") + row(Shipment_ID="S8", Carton_ID="C-8"), set(),
                            "row not read and its shipment unknown"),
    "SHIPMENT_PO_MISSING": (row(PO_Number="") + row(Shipment_ID="S8", Carton_ID="C-8"), {"S8"}, "shipment S9 held"),
    "SHIPMENT_DATE_MISSING": (row(Ship_Date="") + row(Shipment_ID="S8", Carton_ID="C-8"), {"S8"},
                              "shipment S9 held"),
    "CSV_NUMBER_INVALID": (row(Quantity="two") + row(PO_Line="2", SKU="SKU-1003", Carton_ID="C-8"), set(),
                           "shipment S9 held"),  # S9's good row does not go out without the other
    "CSV_DATE_INVALID": (row(Ship_Time="25:99"), set(), "shipment S9 held"),
    "CSV_VALUE_GARBLED": (row(Carton_ID="6.14141E+17"), set(), "shipment S9 held"),  # Excel's notation
    "SHIPMENT_REFERENCE_GARBLED": (row(Tracking_Number="7.71235E+11"), {"S9"}, "none (warning)"),
    "CSV_VALUE_MISSING": (row(Quantity=""), set(), "shipment S9 held"),
    "CSV_ROW_MALFORMED": ("S9,2026-11-27\n" + row(Shipment_ID="S8", Carton_ID="C-8"), {"S8"}, "shipment S9 held"),
}


@pytest.mark.parametrize("code", sorted(CSV_CASES))
def test_each_csv_confirmation_finding_through_the_flow(template, tmp_path, code):
    rows, recorded, consequence = CSV_CASES[code]
    ws, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + rows).encode())
    found = [f for f in state.findings(run_id="t") if f["code"] == code]
    assert found, [f["code"] for f in state.findings(run_id="t")]
    assert found[0]["stage"] == "shipments" and found[0]["file"] == "c.csv" and found[0]["row_number"]
    assert found[0]["consequence"].startswith(consequence), found[0]["consequence"]
    assert {s.shipment_id for s in state.shipments()} == recorded
    assert res.shipments == len(recorded)
    errors = [f for f in state.findings(run_id="t") if f["severity"] == "error"]
    folder = "quarantine" if errors else "processed"
    assert (ws.warehouse_drop_root / "east" / folder / "c.csv").exists()
    if not recorded:  # nothing consumed, nothing sent
        assert state.reservations_for([("acme", "ACME-1000")])[("acme", "ACME-1000")][0].quantity == 10
        assert not [d for d in state.documents() if d.doc_type == "856"]


def test_a_carton_of_several_items_for_a_standard_carton_pack_partner(template, tmp_path):
    rows = row() + row(PO_Line="2", SKU="SKU-1003")
    _, state, _ = ship(template, tmp_path, "east", "c.csv", (HEAD + rows).encode(),
                       profile_edit=("acme", 'structure = "SOPI"', 'structure = "SOIP"'))
    assert "SHIPMENT_CARTON_MIXED" in {f["code"] for f in state.findings(run_id="t")} and state.shipments() == []


@pytest.mark.parametrize("pallets", [("P-1", "P-2"), ("P-1", "P-1")])
def test_a_pallet_of_two_pos_for_a_partner_listing_pallets_under_each_order_holds_the_shipment(template, tmp_path,
                                                                                                pallets):
    """S-O-T-P-I, one 856 per shipment: a pallet sits under one order. A pallet holding two POs' cartons is held
    with a reason the warehouse can act on (ASN_NOT_BUILT: build one pallet per PO); it was held all the same, by
    the 856's self-check, as 'SSCC ... is listed twice'. A pallet per PO ships."""
    rows = row(Pallet_ID=pallets[0]) + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002", Carton_ID="C-8",
                                           Pallet_ID=pallets[1])
    _, state, _ = ship(template, tmp_path, "east", "c.csv", (HEAD + rows).encode(),
                       profile_edit=("acme", 'structure = "SOPI"', 'structure = "SOTPI"'))
    held = [f["message"] for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    if pallets[0] != pallets[1]:
        assert held == [] and {s.shipment_id for s in state.shipments()} == {"S9"}
    else:
        assert held == ["Shipment S9: pallet P-1 holds cartons of POs ACME-1000, ACME-1001, and acme's 856 (SOTPI) "
                        "lists each pallet under one order: the pallet's label cannot be under two orders; it is "
                        "held (no 856, nothing consumed)."]
        assert state.shipments() == [] and not [d for d in state.documents() if d.doc_type == "856"]


@pytest.mark.parametrize("data,code", [
    (b"", "CSV_NO_HEADER"), (b"Shipment ID,Quantity\nS1,1\n", "CSV_COLUMN_MISSING"),
    # 0x81: no character in UTF-8 alone nor in Windows-1252 (which a UTF-8 layout's file now falls back to: csvreal)
    (b"Shipment ID;Qt\x81\n", "CSV_NOT_DECODABLE")])
def test_a_confirmation_file_that_cannot_be_read(template, tmp_path, data, code):
    ws, state, res = ship(template, tmp_path, "east", "c.csv", data)
    assert [f["code"] for f in state.findings(run_id="t")] == [code]
    assert res.quarantined == 1 and state.shipments() == []


def test_a_confirmation_file_in_utf16_with_its_byte_order_mark_is_read(template, tmp_path):
    """A spreadsheet's "Unicode text" export (UTF-16 with its mark) is what the mark says, not undecodable."""
    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row()).encode("utf-16"))
    assert res.shipments == 1 and res.quarantined == 0 and state.findings(run_id="t") == []


def test_a_shipment_recorded_before_is_not_recorded_or_sent_again(template, tmp_path):
    ws, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row()).encode())
    assert res.shipments == 1
    (ws.warehouse_drop_root / "east" / "inbox" / "again.csv").write_bytes((HEAD + row(Carton_ID="C-10")).encode())
    again = shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                     LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                                     now=DAY1, run_id="t2")
    (dup,) = [f for f in state.findings(run_id="t2") if f["code"] == "SHIPMENT_ID_DUPLICATE"]
    assert dup["consequence"] == "shipment S9 not recorded again; no 856 sent again"
    assert again.shipments == 0 and len([d for d in state.documents() if d.doc_type == "856"]) == 1
    # the same file again is a duplicate file: nothing read
    (ws.warehouse_drop_root / "east" / "inbox" / "c.csv").write_bytes((HEAD + row()).encode())
    third = shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                     LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                                     now=DAY1, run_id="t3")
    assert third.duplicates == 1 and [f["code"] for f in state.findings(run_id="t3")] == ["FILE_DUPLICATE"]


def test_a_carton_recorded_by_an_earlier_file_is_found_without_reading_every_carton(template, tmp_path):
    """The checks see the cartons recorded before through recorded_cartons_for (only the shipments a
    file can meet): what recorded_cartons gives for them, in its order; a carton reused across files
    is still held."""
    rows = row() + row(Shipment_ID="S8", Carton_ID="C-8", PO_Line="2", SKU="SKU-1003")
    ws, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + rows).encode())
    assert res.shipments == 2
    every = state.recorded_cartons("east")
    sscc9 = next(sscc for sid, label, sscc in every if label == "C-9")
    assert state.recorded_cartons_for("east", ["S9"], []) == [r for r in every if r[0] == "S9"]
    assert state.recorded_cartons_for("east", ["S1"], ["C-8"]) == [r for r in every if r[0] == "S8"]
    assert state.recorded_cartons_for("east", [], [sscc9]) == [r for r in every if r[0] == "S9"]
    assert state.recorded_cartons_for("north", ["east/S8"], []) == [r for r in state.recorded_cartons("north")
                                                                    if r[0] == "east/S8"] != []
    assert state.recorded_cartons_for("east", ["S1"], ["C-1"]) == []
    (ws.warehouse_drop_root / "east" / "inbox" / "d.csv").write_bytes(
        (HEAD + row(Shipment_ID="S12", PO_Line="3", SKU="SKU-1008", Quantity="1")).encode())
    shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                             LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                             now=DAY1, run_id="t2")
    (reused,) = [f for f in state.findings(run_id="t2") if f["code"] == "SHIPMENT_CARTON_REUSED"]
    assert reused["message"] == "Carton C-9 is on shipment S9 and on S12."
    assert [s.shipment_id for s in state.shipments()] == ["S8", "S9"]


def test_an_856_the_outbound_check_refuses_holds_the_shipment_and_uses_no_serial(template, tmp_path):
    bad = finding("ASN_NOT_BUILT", "refused by the validator", severity="error")
    seen = []

    def check(data: bytes):
        seen.append(data[:3])
        return [bad] if b"BSN*00*S9*" in data else []

    rows = row() + row(Shipment_ID="S8", Carton_ID="C-8", PO_Line="2", SKU="SKU-1003")
    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + rows).encode(), check=check)
    (held,) = [f for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert "failed validation" in held["message"] and held["partner"] == "acme" and held["po_number"] == "ACME-1000"
    assert [s.shipment_id for s in state.shipments()] == ["S8"] and res.held == 1 and res.shipments == 1
    assert seen and set(seen) == {b"ISA"}  # the bytes that are stored and sent
    assert state.last_number("", "SSCC:0614141") == 1  # S9's carton took no serial in the end


def w945(*, sender: str = "NORTH3PL", qty: str = "24", total: str = "24", late: bool = False) -> bytes:
    time = "1210" if late else "1420"
    segs = ["W06*N*DO-1*20261127*S7**GLOBEX-2001", "N1*SF*NORTH 3PL", "N9*BM*BOL-7", f"G62*11*20261127*8*{time}",
            "W27*M*ODFL",
            "LX*1", "MAN*GM*00" + "007339400000050018", f"W12*CC*24*{qty}**EA*614141100521*VN*VP-1007", "N9*LI*1",
            f"W03*{total}"]
    body = "".join(s + "~" for s in segs)
    return (f"ISA*00*          *00*          *ZZ*{sender.ljust(15)}*ZZ*ORDERBRIDGE    *261127*1430*U*00401*"
            f"000000901*0*P*>~GS*SW*{sender}*ORDERBRIDGE*20261127*1430*901*X*004010~ST*945*0001~{body}"
            f"SE*{len(segs) + 2}*0001~GE*1*901~IEA*1*000000901~").encode()


@pytest.mark.parametrize("data,code,recorded", [
    (w945(qty=""), "SHIPMENT_945_QUANTITY_MISSING", set()),
    (w945(total="25"), "SHIPMENT_945_TOTALS_MISMATCH", {"S7"}),
    (w945(sender="SOMEONEELSE"), "SHIPMENT_945_SENDER_UNKNOWN", set()),
    (w945(late=True), "ASN_LATE", {"S7"}),
    # a resend in the same file (new ISA13 and ST02, the rest word for word): read once, S7 recorded once
    (w945() + w945().replace(b"000000901", b"000000902").replace(b"*901*", b"*902*").replace(b"*0001~", b"*0002~")
     .replace(b"GE*1*901", b"GE*1*902"), "SHIPMENT_945_REPEATED", {"S7"}),
])
def test_each_945_finding_through_the_flow(template, tmp_path, data, code, recorded):
    ws, state, res = ship(template, tmp_path, "north", "n.x12", data)
    codes = [f["code"] for f in state.findings(run_id="t")]
    assert code in codes, codes
    assert {s.shipment_id for s in state.shipments()} == recorded
    if recorded:
        (s,) = state.shipments()
        assert (s.partner, s.source_kind, s.isa13, s.gs06, s.st02, s.stock_warehouse) == (
            "globex", "945", "000000901", "901", "0001", "WEST")


def test_our_outbound_validator_checks_every_856_before_it_is_stored(template, tmp_path):
    """A bill of lading longer than REF02 allows (30 in 004010): the 856 passes its own HL/quantity
    self-check but not rules.outbound.validate_outbound, which the flow runs by default: the shipment
    is held, nothing consumed (a serial it took is skipped, never reused)."""
    long_bol = "BOL-" + "9" * 36
    ws, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row(BOL=long_bol)).encode())
    (held,) = [f for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert "failed validation" in held["message"] and "REF02" in held["message"]
    assert state.shipments() == [] and res.held == 1
    assert not [d for d in state.documents() if d.doc_type == "856"]
    _, _, ok = ship(template, tmp_path / "again", "east", "c.csv", (HEAD + row(BOL="BOL-1")).encode())
    assert ok.shipments == 1


@pytest.mark.parametrize(("weight", "unit", "td1"), [
    ("12.5", "Pounds", ["12.5", "LB"]), ("12.5 lb.", "", ["12.5", "LB"]), ("12.5#", "", ["12.5", "LB"]),
    ("5.7", "Kilograms", ["5.7", "KG"]), ("5.7 kgs.", "kg", ["5.7", "KG"])])
def test_a_weight_unit_spelt_out_as_a_wms_export_writes_it_ships_in_its_code(template, tmp_path, weight, unit, td1):
    """A WMS export's weight unit written out ("Pounds" in its unit column, "12.5 lb." or the U.S. pound sign
    "12.5#" in the weight cell): read as its code. Before: the unit column's word went to the 856 as TD108
    (ASN_NOT_BUILT: too long, the shipment held) and the cell was not a weight (CSV_NUMBER_INVALID, held)."""
    from tests.test_945_shapes import body_of, segments

    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row(Carton_Weight=weight, Weight_Unit=unit))
                         .encode())
    assert [f["code"] for f in state.findings(run_id="t")] == [] and res.shipments == 1
    assert segments(body_of(state), "TD1")[0][7:9] == td1


@pytest.mark.parametrize(("weight", "unit", "td1"), [
    ("12", "oz", ["0.75", "LB"]), ("12 oz.", "", ["0.75", "LB"]), ("10.5", "Ounces", ["0.6562", "LB"]),
    ("850", "g", ["0.85", "KG"]), ("850 grams", "", ["0.85", "KG"]), ("850", "GRM", ["0.85", "KG"]),
    ("1.2", "KGM", ["1.2", "KG"])])
def test_a_carton_weight_in_ounces_or_grams_ships_in_pounds_or_kilograms(template, tmp_path, weight, unit, td1):
    """A parcel WMS weighs light cartons in ounces or grams ("12 oz", a Weight Unit column of "g"): the weight is
    converted exactly (1/16 lb, 0.001 kg; 10.5 oz = 0.65625 lb, 4 places half to even as a weight read is) and the
    856 states it in LB or KG, what partners' guides take in TD108. Before: "G" (no 355 code) or "OUNCES" went to
    TD108 and the 856 failed validation, the whole shipment held (ASN_NOT_BUILT); "oz" went out as TD108 OZ; "12 oz"
    was no weight at all (CSV_NUMBER_INVALID, held)."""
    from tests.test_945_shapes import body_of, segments

    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row(Carton_Weight=weight, Weight_Unit=unit))
                         .encode())
    assert [f["code"] for f in state.findings(run_id="t")] == [] and res.shipments == 1
    assert segments(body_of(state), "TD1")[0][7:9] == td1


@pytest.mark.parametrize("unit", ["stone", "CT", "Tons"])
def test_a_carton_weight_unit_we_cannot_read_is_a_warning_at_its_cell_and_the_shipment_ships(template, tmp_path,
                                                                                              unit):
    """A Weight Unit no weight we read or convert ("stone"; "CT", a carton count typed in the unit column; "Tons",
    short, long or metric): the weight is left out with a warning at the row and the Weight Unit column, the
    goods shipped and their 856 goes without a gross weight. It used to reach the 856 builder as TD108 and fail
    there (ASN_NOT_BUILT, a technical message, the whole shipment held), or, being a 355 code (CT), go out as the
    weight's unit without a word."""
    from tests.test_945_shapes import body_of, segments

    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row(Carton_Weight="12", Weight_Unit=unit))
                         .encode())
    found = [(f["code"], f["severity"], f["row_number"], f["column_name"], f["value"])
             for f in state.findings(run_id="t")]
    assert found == [("SHIPMENT_WEIGHT_INVALID", "warning", 2, "Weight Unit", unit)]
    assert res.shipments == 1 and res.held == 0
    assert segments(body_of(state), "TD1")[0] == ["TD1", "CTN25", "1"]  # no weight rather than one in a guessed unit


@pytest.mark.parametrize("weight", ["12 stone", "12 CT", "12.5 Tons"])
def test_a_carton_weight_cell_in_a_unit_we_cannot_read_is_a_warning_at_its_cell_and_the_shipment_ships(
        template, tmp_path, weight):
    """The unit written in the weight cell ("12 stone"; "12 CT", a carton count; "12.5 Tons") rather than in a
    Weight Unit column: as that column's "stone" is, the weight is left out with a warning at the row and the
    Carton Weight column, the goods ship and the 856 goes without a gross weight. It used to be CSV_NUMBER_INVALID,
    an error that held the whole shipment, while the same word in the Weight Unit column was only a warning."""
    from tests.test_945_shapes import body_of, segments

    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row(Carton_Weight=weight, Weight_Unit=""))
                         .encode())
    found = [(f["code"], f["severity"], f["row_number"], f["column_name"], f["value"])
             for f in state.findings(run_id="t")]
    assert found == [("SHIPMENT_WEIGHT_INVALID", "warning", 2, "Carton Weight", weight)]
    assert res.shipments == 1 and res.held == 0
    assert segments(body_of(state), "TD1")[0] == ["TD1", "CTN25", "1"]


def test_a_spreadsheet_style_id_without_an_exponent_sign_is_an_id(template, tmp_path):
    """One check of spreadsheet notation for order feeds and confirmations (parsers.csv_common.scientific):
    Excel always writes the exponent's sign (1.23457E+11), so a shipment id or carton label 2E10 (a part-number
    style id) is the id it is, shipped as written; 1.23457E+11 is a number whose digits are lost (CSV_VALUE_GARBLED,
    its shipment held). The confirmation reader used to take 2E10 for notation and hold the shipment."""
    _, state, res = ship(template, tmp_path, "east", "c.csv",
                         (HEAD + row(Shipment_ID="2E10", Carton_ID="1E5")).encode())
    assert [f["code"] for f in state.findings(run_id="t")] == [] and res.shipments == 1
    assert [s.shipment_id for s in state.shipments()] == ["2E10"]
    _, state, res = ship(template, tmp_path / "garbled", "east", "c.csv",
                         (HEAD + row(Shipment_ID="1.23457E+11")).encode())
    garbled = [(f["code"], f["column_name"], f["value"]) for f in state.findings(run_id="t")]
    assert ("CSV_VALUE_GARBLED", "Shipment ID", "1.23457E+11") in garbled and state.shipments() == []


def test_a_csv_carton_of_one_line_from_two_lots_is_one_item_unless_the_partner_lists_lots(template, tmp_path):
    """A warehouse CSV naming lots (Lot Number, Expiration Date): line 1 of ACME-1000 in carton C-9 from two
    lots. ACME's 856 carries no lots (asn.lots "none", the columnar S-O-P-I path): one item of 2, byte for
    byte the 856 of the carton confirmed as one row of 2; with asn.lots "lin", an item loop per lot with LIN
    LT and DTM*036. Before (lots945): two item loops of 1 without a lot for ACME (its 856 changed by a column
    it never asked for)."""
    head = HEAD.strip() + ",Lot Number,Expiration Date\n"
    one = dict(Quantity="1", Carton_Weight="", Weight_Unit="")
    lots = (row(**one).strip() + ",L-A,2028-06-30\n") + (row(**one).strip() + ",L-B,2028-11-30\n")
    _, state, res = ship(template, tmp_path / "lots", "east", "c.csv", (head + lots).encode())
    _, twin, _ = ship(template, tmp_path / "one", "east", "c.csv",
                      (HEAD + row(Quantity="2", Carton_Weight="", Weight_Unit="")).encode())
    def segs(text: str) -> list[list[str]]:
        return [s.strip().split(text[3]) for s in text.split("~") if s.strip()]

    (text,) = [d.content.decode() for d in state.documents() if d.doc_type == "856"]
    assert res.shipments == 1 and [s[2] for s in segs(text) if s[0] == "SN1"] == ["2"]
    assert [d.content for d in twin.documents() if d.doc_type == "856"] == [text.encode()]
    _, listed, _ = ship(template, tmp_path / "lin", "east", "c.csv", (head + lots).encode(),
                        profile_edit=("acme", 'structure = "SOPI"', 'structure = "SOPI"\nlots = "lin"'))
    (text,) = [d.content.decode() for d in listed.documents() if d.doc_type == "856"]
    assert [s[-2:] for s in segs(text) if s[0] == "LIN"] == [["LT", "L-A"], ["LT", "L-B"]]
    assert [s[2] for s in segs(text) if s[0] == "DTM" and s[1] == "036"] == ["20280630", "20281130"]
