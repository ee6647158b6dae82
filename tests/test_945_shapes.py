"""Real 3PL 945 shapes end to end (flows.shipments.ship_warehouse on the demo's night-1 store): the
pallets, W03 totals, G62 time zones, N1 ST ship-to and W27 carrier/trailer details a 3PL's translator
writes, and what each puts in Globex's S-O-T-P-I 856 (or the finding that holds it). Each 856 that goes
is valid for our outbound validator (the flow runs it before storing) and for Bots' grammars."""

from __future__ import annotations

import shutil
from datetime import date, time, timedelta

import pytest

from engine.lifecycle.shipping import time_code_offset
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from schemas.reference import sscc18
from tests.shipping_support import bots_check
from tests.support import demo_night_with_warehouses
from tests.test_shipment_findings_flow import ship

CARTON1, CARTON2 = "00007339400000050018", "00007339400000050025"  # SSCCs with their AI, as 3PLs write them
PALLET = "00106141410000000019"


def w945(body: list[str], *, version: str = "004010", element: str = "*", term: str = "~") -> bytes:
    """A North 3PL 945 around ``body`` (W06 first) in ``version`` with its separators, as its translator writes."""
    isa12 = "00501" if version >= "005010" else "00401"
    segs = ["ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261127*1430*U*"
            f"{isa12}*000000931*0*P*>", f"GS*SW*NORTH3PL*ORDERBRIDGE*20261127*1430*931*X*{version}", "ST*945*0001",
            *body, f"SE*{len(body) + 2}*0001", "GE*1*931", "IEA*1*000000931"]
    return "".join(s.replace("*", element) + term for s in segs).encode()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Night 1 of the demo with the warehouses: GLOBEX-2001 (S-O-T-P-I, 60-minute ASN window) waits for North."""
    return demo_night_with_warehouses(tmp_path_factory.mktemp("945") / "ws")


HEAD = ["W06*N*DO-1*20261127*S7**GLOBEX-2001", "N1*ST*Globex DC West*UL*0614141000029", "N9*BM*BOL-7",
        "G62*11*20261127*8*1130", "W27*M*ODFL"]


def carton(sscc: str, qty: int, *marks: str, weight: str = "9", unit: str = "L") -> list[str]:
    return ["LX*1", f"MAN*GM*{sscc}", *marks, f"W12*CC*{qty}*{qty}**EA*614141100521*VN*VP-1007**{weight}*G*{unit}",
            "N9*LI*1"]


def body_of(state) -> str:
    (doc,) = [d for d in state.documents() if d.doc_type == "856"]
    return doc.content.decode()


def segments(text: str, tag: str) -> list[list[str]]:
    """The ``tag`` segments of an 856 interchange (~ terminators; its element separator ISA's fourth character:
    | for Globex, * for ACME)."""
    e = text[3]
    return [s.strip().split(e) for s in text.split("~") if s.strip().split(e)[0] == tag]


def codes(state) -> list[str]:
    return [f["code"] for f in state.findings(run_id="t")]


# --- 1. pallets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("version,element,term", [("004010", "*", "~"), ("005010", "^", "~\r\n")])
def test_a_pallet_ssc_shared_by_the_cartons_lx_loops_builds_the_tare_level(template, tmp_path, version, element,
                                                                             term):
    """Each LX a carton with its own MAN*GM and the pallet's MAN*GM repeated in every LX (a pallet of two
    cartons): the repeated SSCC is the pallet's, the 856 an S-O-T-P-I with it (it used to be taken as the
    second carton's label and dropped: no T level, the pallet's label unknown to the DC)."""
    body = HEAD + carton(CARTON1, 12, f"MAN*GM*{PALLET}") + carton(CARTON2, 12, f"MAN*GM*{PALLET}") + ["W03*24"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body, version=version, element=element,
                                                                      term=term))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    hl = segments(text, "HL")
    assert [h[3] for h in hl] == ["S", "O", "T", "P", "I", "P", "I"]
    assert [m[2] for m in segments(text, "MAN")] == [PALLET, CARTON1, CARTON2]
    assert ["TD1", "PLT94", "1"] in segments(text, "TD1")
    (s,) = state.shipments()
    assert {(c.level, c.sscc) for c in s.cartons} == {("T", PALLET[2:]), ("P", CARTON1[2:]), ("P", CARTON2[2:])}
    assert bots_check(text.encode(), tmp_path)[0]


def test_a_license_plate_n9_lv_names_the_pallet_of_its_carton(template, tmp_path):
    body = HEAD + carton(CARTON1, 12, f"N9*LV*{PALLET}") + carton(CARTON2, 12, f"N9*LV*{PALLET}") + ["W03*24"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    assert [h[3] for h in segments(body_of(state), "HL")] == ["S", "O", "T", "P", "I", "P", "I"]


def test_a_w12_spread_over_pallets_is_split_by_their_counts_or_refused():
    """Simplot's shape: one W12 on two pallets, an N9 LV (license plate) each with its count in N903."""
    def read(counts):
        body = ["W06*F*01766655*20261127*S7**GLOBEX-2001", "G62*11*20261127", "W27*M*ODFL", "LX*1",
                "W12*CC*24*24**EA*614141100521*VN*VP-1007", "N9*LI*1",
                *(f"N9*LV*{p}*{n}" for p, n in zip((CARTON1, PALLET), counts, strict=True))]
        result = read_interchanges(w945(body), file="s.x12")
        return read_945(result, list(result.transaction_sets()))

    lines, found = read((12, 12))
    assert found == [] and lines["quantity"].to_pylist() == [12, 12]
    assert lines["pallet_sscc"].to_pylist() == [CARTON1[2:], PALLET[2:]]
    lines, found = read((12, 10))
    assert lines.num_rows == 0 and [f.code for f in found] == ["SHIPMENT_945_PALLET_UNCLEAR"]
    assert (found[0].location.segment_id, found[0].location.element) == ("W12", "W1203")


# --- 2. W03 totals ------------------------------------------------------------------------------------

def test_the_w03_weight_and_volume_go_to_td1_and_a_weight_off_the_w12s_is_a_warning(template, tmp_path):
    body = HEAD + carton(CARTON1, 12) + carton(CARTON2, 12) + ["W03*24*30*LB*12.5*CF"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1
    (td1, *_pallets) = segments(body_of(state), "TD1")
    assert td1 == ["TD1", "CTN25", "2", "", "", "", "G", "30", "LB", "12.5", "CF"]  # W03's, not 9 + 9 invented
    (warn,) = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_945_WEIGHT_MISMATCH"]
    assert "W0302 says 30 LB; the W12s weigh 18 LB" in warn["message"] and warn["severity"] == "warning"


@pytest.mark.parametrize("w03,td1", [("W03*24*8.2*KG", ["G", "8.2", "KG"]), ("W03*24*18*01", ["G", "18", "LB"]),
                                      ("W03*24", ["G", "18", "LB"]), ("W03*24*8.2*50", ["G", "8.2", "KG"]),
                                      ("W03*24*288*OZ", ["G", "18", "LB"]),
                                      ("W03*24*8164.6*GR", ["G", "8.1646", "KG"])])
def test_a_w03_weight_in_kilograms_or_actual_pounds_or_none_is_sent_in_its_unit(template, tmp_path, w03, td1):
    """8.2 kg is the W12s' 18 lb (no warning); 01 (actual pounds) is LB, 50 (actual kilograms) KG; ounces and grams
    (355 OZ, GR) are converted to LB / KG, what TD108 carries (they used to be a warning, the W03 weight dropped);
    without a W03 weight the cartons'."""
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(HEAD + carton(CARTON1, 12) + carton(
        CARTON2, 12) + [w03]))
    assert res.shipments == 1 and "SHIPMENT_945_WEIGHT_MISMATCH" not in codes(state)
    assert segments(body_of(state), "TD1")[0][6:9] == td1


@pytest.mark.parametrize("weight,unit,td1", [
    ("144", "O", ["G", "18", "LB"]), ("144", "OZ", ["G", "18", "LB"]), ("0.0045", "S", ["G", "18", "LB"]),
    ("0.004", "T", ["G", "17.92", "LB"]), ("0.0045", "E", ["G", "9", "KG"]), ("4082.3", "GR", ["G", "8.1646", "KG"]),
    ("9", "K", ["G", "18", "KG"]), ("9", "", ["G", "18", "LB"])])
def test_a_w12_carton_weight_in_ounces_tons_or_grams_ships_in_pounds_or_kilograms(template, tmp_path, weight, unit,
                                                                                   td1):
    """W1212 in code list 188 (L pounds, K kilograms, O ounces, S short tons, T long tons, E metric tons; a 3PL
    translator's 355 OZ or GR): the carton weight goes to TD1 in pounds or kilograms, converted exactly (144 oz = 9
    lb, 0.004 long ton = 8.96 lb, 4082.3 g = 4.0823 kg), as the CSV reader converts ounces and grams. The code used
    to reach TD108 as written: O, S, T, E and GR failed the 856 (ASN_NOT_BUILT, the shipment held). A 355 code is
    longer than W1212 (188, ID 1/1): read all the same, the 997 notes it (a warning at each W1212, AK5 E)."""
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(HEAD + carton(
        CARTON1, 12, weight=weight, unit=unit) + carton(CARTON2, 12, weight=weight, unit=unit) + ["W03*24"]))
    noted = ["ELEMENT_TOO_LONG"] * 2 if len(unit) > 1 else []
    assert res.shipments == 1 and [c for c in codes(state) if c != "ASN_LATE"] == noted, codes(state)  # late: HEAD's
    text = body_of(state)
    assert segments(text, "TD1")[0][6:9] == td1
    assert bots_check(text.encode(), tmp_path)[0]


@pytest.mark.parametrize("unit", ["M", "X", "G", "LT"])
def test_a_w12_carton_weight_in_no_weight_unit_is_a_warning_at_its_element_and_the_shipment_ships(template, tmp_path,
                                                                                                  unit):
    """W1212 M (measurement ton: a volume, 40 cubic feet) or a code that is no weight unit (X; G, grams or gross?;
    LT, a 355 litre): which weight the number is is unknown, and TD108 cannot carry it. The weight is left out with
    a warning at W1212 (SHIPMENT_WEIGHT_INVALID), the goods ship and the 856 goes without a gross weight, as the CSV
    reader does for a Weight Unit of "stone". The code used to reach TD108 and fail the 856 (ASN_NOT_BUILT, the
    shipment held), or go out as the weight's unit."""
    ws, state, res = ship(template, tmp_path, "north", "n.x12",
                          w945(HEAD + carton(CARTON1, 12, unit=unit) + ["W03*12"]))
    found = [(f["code"], f["severity"], f["segment_id"], f["element"], f["value"]) for f in state.findings(run_id="t")
             if f["code"] != "ASN_LATE"]
    noted = [("ELEMENT_TOO_LONG", "warning", "W12", "W1212", unit)] if len(unit) > 1 else []  # (188 is ID 1/1)
    assert found == noted + [("SHIPMENT_WEIGHT_INVALID", "warning", "W12", "W1212", unit)]
    assert res.shipments == 1 and res.held == 0
    assert segments(body_of(state), "TD1")[0] == ["TD1", "CTN25", "1"]  # no weight rather than one in a guessed unit


def test_a_carton_with_one_w12_weighed_in_no_weight_unit_has_no_weight():
    """Two W12s in one carton, one weighed in L and one in M: the carton's weight is not the first's alone."""
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", "W12*CC*12*12**EA*614141100521*VN*VP-1007**9*G*L", "N9*LI*1",
            "W12*CC*6*6**EA*614141100538*VN*VP-1003**4*G*M", "N9*LI*2"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    found = [(f.code, f.location.element, f.location.value) for f in found]
    assert found == [("SHIPMENT_WEIGHT_INVALID", "W1212", "M")]
    assert lines["carton_weight"].to_pylist() == [None, None] and lines["quantity"].to_pylist() == [12, 6]


# --- 3. G62 time zones --------------------------------------------------------------------------------

def clock(ws, zone: str) -> None:
    (ws.root / "workspace.toml").write_text(f'[clock]\nzone = "{zone}"\n')


@pytest.mark.parametrize("g62,zone,late,departed", [
    ("G62*11*20261127*8*1400*ET", "America/Chicago", True, "2026-11-27T13:00:00"),  # 14:00 ET is 13:00 ours
    ("G62*11*20261127*8*1400*CT", "America/Chicago", False, "2026-11-27T14:00:00"),
    ("G62*11*20261127*8*1900*UT", "America/Chicago", True, "2026-11-27T13:00:00"),
    ("G62*11*20261127*8*1400*LT", "America/Chicago", False, "2026-11-27T14:00:00"),  # local: as ours
])
def test_a_ship_time_in_the_3pl_s_zone_is_compared_in_ours(template, tmp_path, g62, zone, late, departed):
    """Globex's window is 60 minutes, the run clock 14:30 (Chicago): a 14:00 ET departure was 13:00 ours, so
    the 856 is late; the same time read as ours (how it used to be read) is not."""
    from flows.workspace import open_workspace

    root = tmp_path / "ws"
    body = [h if not h.startswith("G62") else g62 for h in HEAD] + carton(CARTON1, 12)
    data = w945(body)
    shutil.copytree(template, root)
    clock(open_workspace(root), zone)
    ws, state, res = ship(root, tmp_path / "run", "north", "n.x12", data)
    (s,) = state.shipments()
    assert (s.departed_at, "ASN_LATE" in codes(state)) == (departed, late)
    assert "SHIPMENT_TIME_ZONE_UNRESOLVED" not in codes(state)


def test_a_ship_time_zone_without_our_clock_s_zone_is_a_warning_not_a_guess(template, tmp_path):
    body = [h if not h.startswith("G62") else "G62*11*20261127*8*1400*ET" for h in HEAD] + carton(CARTON1, 12)
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    (warn,) = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_TIME_ZONE_UNRESOLVED"]
    assert "our clock's zone is not set" in warn["message"] and res.shipments == 1


def test_time_codes_give_their_offsets_daylight_saving_included():
    assert time_code_offset("ET", date(2026, 7, 1), time(12)) == timedelta(hours=-4)
    assert time_code_offset("ET", date(2026, 12, 1), time(12)) == timedelta(hours=-5)
    assert time_code_offset("14", date(2026, 12, 1), time(12)) == timedelta(hours=-11)  # ISO M11
    assert time_code_offset("03", date(2026, 12, 1), time(12)) == timedelta(hours=3)
    assert time_code_offset("LT", date(2026, 12, 1), time(12)) is None
    assert time_code_offset("XX", date(2026, 12, 1), time(12)) is None


# --- 4. N1 ST ship-to ---------------------------------------------------------------------------------

@pytest.mark.parametrize("n1,n4,held", [
    ("N1*ST*Globex DC West*UL*0614141000029", "", False),  # the order's GLN
    ("N1*ST*GLOBEX WEST DC*UL*0614141000999", "", True),  # another GLN: the goods went elsewhere
    ("N1*ST*Globex DC West*92*GX-WEST", "N4*Columbus*OH*43219", False),  # no id to compare, the order has no ZIP
])
def test_a_945_ship_to_other_than_the_order_s_holds_the_shipment(template, tmp_path, n1, n4, held):
    body = [HEAD[0], n1, *([n4] if n4 else []), *HEAD[2:]] + carton(CARTON1, 12)
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    found = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_SHIP_TO_MISMATCH"]
    assert (len(found), res.shipments) == ((1, 0) if held else (0, 1))
    if held:
        assert "0614141000999" in found[0]["message"] and "0614141000029" in found[0]["message"]
        assert found[0]["consequence"].startswith("shipment S7 held") and state.shipments() == []


# --- 5. W27 carrier, method and trailer; N9 PRO --------------------------------------------------------

@pytest.mark.parametrize("w27,td5,td3", [
    ("W27*LT*ODFL*LTL STANDARD*PP*TL*ODFL*TRL12345", ["TD5", "B", "2", "ODFL", "LT", "LTL STANDARD"],
     [["TD3", "TL", "ODFL", "TRL12345"]]),
    ("W27*U*UPSN", ["TD5", "B", "2", "UPSN", "U"], []),
    ("W27*M*ODFL", ["TD5", "B", "2", "ODFL", "M"], []),
    ("W27*H", ["TD5", "B", "", "", "H"], []),  # customer pickup, no carrier
])
def test_the_w27_method_and_trailer_go_to_td5_and_td3(template, tmp_path, w27, td5, td3):
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945([*HEAD[:3], "N9*CN*PRO-555", *[
        h if not h.startswith("W27") else w27 for h in HEAD[3:]]] + carton(CARTON1, 12)))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert segments(text, "TD5") == [td5] and segments(text, "TD3") == td3
    # the shipment keeps the TD504 its 856 wrote (shipments.transport_method): its 810's CAD01 names the same
    assert [r.transport_method for r in state.shipments()] == [td5[4]]
    assert ["REF", "CN", "PRO-555"] in segments(text, "REF") and ["REF", "BM", "BOL-7"] in segments(text, "REF")
    assert bots_check(text.encode(), tmp_path)[0]


# --- the 945's ship-from; a net weight with the gross second; the 856 valid for pyx12 too -------------------

def test_a_945_ship_from_other_than_the_warehouse_s_is_a_warning(template, tmp_path):
    body = [HEAD[0], "N1*SF*North 3PL Dayton*UL*0614141000999", *HEAD[1:]] + carton(CARTON1, 12)
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    (warn,) = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_SHIP_FROM_MISMATCH"]
    assert "UL 0614141000999" in warn["message"] and "UL 0614141000203" in warn["message"]
    assert res.shipments == 1  # the 856 goes (naming the profile's ship-from), ops told


def test_a_w12_net_weight_with_its_gross_weight_second_weighs_the_carton_by_the_gross():
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", "W12*CC*12*12**EA*614141100521*VN*VP-1007**8*N*L*9.5*G*L", "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert found == [] and lines["carton_weight"].to_pylist() == [9.5] and lines["weight_unit"].to_pylist() == ["LB"]
    # the W12's weight qualified N is the line's net weight (a catch-weight line is billed by it), in its own unit
    assert (lines["net_weight"].to_pylist(), lines["net_weight_unit"].to_pylist()) == ([8], ["LB"])
    # the gross first (W1210 G), the net second (W1213 N, W1215 its unit)
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", "W12*CC*12*12**EA*614141100521*VN*VP-1007**9.5*G*L*8*N*K", "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert found == [] and lines["carton_weight"].to_pylist() == [9.5] and lines["weight_unit"].to_pylist() == ["LB"]
    assert (lines["net_weight"].to_pylist(), lines["net_weight_unit"].to_pylist()) == ([8], ["KG"])


def test_the_856_with_td3_td1_volume_and_a_method_only_td5_passes_pyx12(template, tmp_path, tmp_path_factory):
    from tests.shipping_support import pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    body = [*HEAD[:4], "W27*LT*ODFL*LTL STANDARD*PP*TL*ODFL*TRL12345"] + carton(CARTON1, 12, f"MAN*GM*{PALLET}") \
        + carton(CARTON2, 12, f"MAN*GM*{PALLET}") + ["W03*24*30*LB*12.5*CF"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    ok, ack = pyx12_accepts(body_of(state), pyx12_map_folders(tmp_path_factory))
    assert ok, ack[:800]


def test_the_856_dtm_keeps_the_3pl_s_time_code_and_status_shows_our_departure(template, tmp_path):
    """DTM*011 carries the 945's time with its code (DTM04, the zone it is in: the DC reads it right); status
    shows the departure in our clock's time and when the 856 was due."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.workspace import open_workspace

    root = tmp_path / "ws"
    shutil.copytree(template, root)
    clock(open_workspace(root), "America/Chicago")
    body = [h if not h.startswith("G62") else "G62*11*20261127*8*1400*ET" for h in HEAD] + carton(CARTON1, 12)
    ws, state, res = ship(root, tmp_path / "run", "north", "n.x12", w945(body))
    assert segments(body_of(state), "DTM")[0] == ["DTM", "011", "20261127", "1400", "ET"]
    out = CliRunner().invoke(app, ["status", "GLOBEX-2001", "--partner", "globex", "-w", str(ws.root)],
                             env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    assert "shipped 2026-11-27 14:00 (departed 2026-11-27T13:00:00 our time)" in out.stdout
    assert "(late: due 2026-11-27T14:00:00)" in out.stdout


def test_a_w12_on_two_pallets_without_carton_marks_ships_a_carton_on_each(template, tmp_path):
    """Simplot's shape through the flow: no MAN, one W12 on two pallets (N9 LV with N903 counts): an
    S-O-T-P-I with each pallet's license plate and a carton of our SSCC on each (the split rows used to be
    one line twice in one carton: held)."""
    body = [*HEAD, "LX*1", "W12*CC*24*24**EA*614141100521*VN*VP-1007", "N9*LI*1", f"N9*LV*{PALLET}*12",
            f"N9*LV*{CARTON2}*12"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "P", "I", "T", "P", "I"]
    mans = [m[2] for m in segments(text, "MAN")]
    assert (mans[0], mans[2]) == (PALLET, CARTON2) and mans[1].startswith("0000614141") and mans[3] != mans[1]
    assert [s[2] for s in segments(text, "SN1")] == ["12", "12"]


# --- license plates that are not SSCCs, two SSCCs in one LX, a pallet-only LX ----------------------------

W12 = "W12*CC*{q}*{q}**EA*614141100521*VN*VP-1007**9*G*L"
OUR_PREFIX = "0614141"  # the demo company's GS1 prefix: the SSCCs we number ourselves


def test_a_3pl_license_plate_before_the_carton_s_sscc_leaves_the_sscc_on_the_856(template, tmp_path):
    """The 3PL's own license plate (MAN*GM*LPN...) written before the carton's SSCC label (MAN*GM*sscc): the
    856 carries the labels on the cartons (the first GM used to be taken as the carton id and, being no SSCC,
    replaced by one of ours: the DC scanned two cartons the ASN did not list)."""
    body = HEAD + ["LX*1", "MAN*GM*LPN0001234", f"MAN*GM*{CARTON1}", W12.format(q=12), "N9*LI*1",
                   "LX*2", "MAN*GM*LPN0001235", f"MAN*GM*{CARTON2}", W12.format(q=12), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [m[2] for m in segments(text, "MAN")] == [CARTON1, CARTON2]
    assert bots_check(text.encode(), tmp_path)[0]


@pytest.mark.parametrize("marks", [["MAN*GM*LPN0001234"], ["MAN*GM*000123456789"], ["MAN*CP*1Z999AA10123456784"],
                                   ["MAN*ZZ*WMS-778812"], ["MAN*GM*0012345678901234567"]])
def test_a_license_plate_that_is_no_sscc_gets_an_sscc_of_ours(template, tmp_path, marks):
    """A retailer's DC receives by SSCC, one per carton: a license plate that is no SSCC-18 (the 3PL's LPN, a
    12-digit internal id, a carrier's tracking number, a 19-digit number) is not written as one; the carton gets
    an SSCC of our sequence (valid check digit), as a carton without a label does."""
    body = HEAD + ["LX*1", *marks, W12.format(q=24), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    (man,) = segments(text, "MAN")
    assert man[1] == "GM" and man[2][3:10] == OUR_PREFIX and sscc18(man[2]) == man[2][2:]
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "P", "I"]


def test_marks_after_a_w12_mark_the_w12s_that_follow_them(template, tmp_path):
    """Two cartons in one LX, each MAN before its W12 (the LX loop's order: MAN then W12): each W12 in the
    carton its MAN names (the second W12 used to land in the first carton: one carton of 24, the second
    carton's label unknown to the DC)."""
    body = HEAD + ["LX*1", f"MAN*GM*{CARTON1}", W12.format(q=12), "N9*LI*1", f"MAN*GM*{CARTON2}",
                   W12.format(q=12), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [m[2] for m in segments(text, "MAN")] == [CARTON1, CARTON2]
    assert [s[2] for s in segments(text, "SN1")] == ["12", "12"]
    assert bots_check(text.encode(), tmp_path)[0]


@pytest.mark.parametrize("marks", [[f"MAN*GM*{CARTON1}", f"MAN*GM*{CARTON2}"], [f"MAN*GM*{CARTON1}**GM*{PALLET}"]])
def test_two_ssccs_before_one_w12_are_a_finding_not_a_label_dropped(template, tmp_path, marks):
    """Two SSCCs for one LX's W12 that no other LX shares (two cartons splitting 24 units, or a carton and its
    pallet: the 945 does not say): held with a finding naming both (the second used to be dropped)."""
    body = HEAD + ["LX*1", *marks, W12.format(q=24), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 0
    (f,) = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_945_PALLET_UNCLEAR"]
    assert f["severity"] == "error" and CARTON1[2:] in f["message"]


def test_a_pallet_only_lx_ships_the_pallet_label_once(template, tmp_path):
    """A pallet shipped whole: its LX carries the pallet's SSCC (MAN*GM) and the same as its license plate (N9
    LV), no carton label. The 856 lists the pallet's SSCC once, the items under it (it used to be both the
    carton's and its pallet's SSCC: the 856 failed its own check, nothing sent)."""
    body = HEAD + ["LX*1", f"MAN*GM*{PALLET}", f"N9*LV*{PALLET}", W12.format(q=24), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [m[2] for m in segments(text, "MAN")] == [PALLET]
    assert [s[2] for s in segments(text, "SN1")] == ["24"]
    assert bots_check(text.encode(), tmp_path)[0]


def test_a_carton_of_two_items_written_an_lx_each_on_a_pallet_keeps_its_pallet():
    """A carton of two items written as two LXs (each with the carton's and the pallet's MAN*GM) and a second
    carton on the same pallet: the SSCC in more LXs is the pallet's, both cartons under it (the first carton's
    two LXs used to share both SSCCs, so neither was settled: the carton left off its pallet)."""
    second = W12.format(q=6).replace("VP-1007", "VP-1008").replace("614141100521", "")
    body = HEAD + ["LX*1", f"MAN*GM*{CARTON1}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1",
                   "LX*2", f"MAN*GM*{CARTON1}", f"MAN*GM*{PALLET}", second, "N9*LI*2",
                   "LX*3", f"MAN*GM*{CARTON2}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert not found
    assert lines["carton_sscc"].to_pylist() == [CARTON1[2:], CARTON1[2:], CARTON2[2:]]
    assert lines["pallet_sscc"].to_pylist() == [PALLET[2:]] * 3


def test_two_ssccs_in_the_same_lxs_are_a_finding():
    """A carton and its pallet, or two cartons, both SSCCs repeated in the same two LXs: nothing tells them apart."""
    body = HEAD + ["LX*1", f"MAN*GM*{CARTON1}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1",
                   "LX*2", f"MAN*GM*{CARTON1}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert lines.num_rows == 0 and [f.code for f in found] == ["SHIPMENT_945_PALLET_UNCLEAR"] * 2


SOTI = ("globex", 'structure = "SOTPI"', 'structure = "SOTI"')  # Globex taking pallets shipped whole (S-O-T-I)


def test_a_pallet_only_lx_is_the_tare_of_an_soti_partners_856(template, tmp_path):
    """The pallet shipped whole (its LX's MAN*GM is its N9 LV license plate, no carton label) to a partner whose
    856 is S-O-T-I: its SSCC at the tare level, the items under it, TD1 PLT94 1 and no carton count (an S-O-T-P-I
    partner gets it as the carton, above)."""
    body = HEAD + ["LX*1", f"MAN*GM*{PALLET}", f"N9*LV*{PALLET}", W12.format(q=24), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "I"]
    assert [m[2] for m in segments(text, "MAN")] == [PALLET]
    assert segments(text, "TD1") == [["TD1", "PLT94", "1", "", "", "", "G", "9", "LB"]]  # its W12's weight, no carton
    assert segments(text, "BSN")[0][5] == "0001"
    assert bots_check(text.encode(), tmp_path)[0]


def test_an_soti_partners_945_of_cartons_on_a_pallet_and_a_pallet_shipped_whole(template, tmp_path):
    """One 945: two cartons on pallet A (each LX its carton's MAN*GM and the pallet's) and pallet B shipped whole
    (MAN*GM = N9 LV): one order loop holding T-P-I and T-I."""
    pallet_b = "00106141410000000026"
    body = HEAD + ["LX*1", f"MAN*GM*{CARTON1}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1",
                   "LX*2", f"MAN*GM*{CARTON2}", f"MAN*GM*{PALLET}", W12.format(q=6), "N9*LI*1",
                   "LX*3", f"MAN*GM*{pallet_b}", f"N9*LV*{pallet_b}", W12.format(q=12), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "P", "I", "P", "I", "T", "I"]
    assert [m[2] for m in segments(text, "MAN")] == [PALLET, CARTON1, CARTON2, pallet_b]
    assert ["TD1", "PLT94", "2"] in segments(text, "TD1")
    assert bots_check(text.encode(), tmp_path)[0]


def test_a_pallet_number_man_w_or_skid_number_man_ss_names_the_lxs_pallet(template, tmp_path):
    """MAN01 W (pallet number) and SS (shipper assigned skid number), code list 88: the pallet the LX's goods ship on.
    An LX of a carton's MAN*GM and its pallet's MAN*SS is a carton on that pallet (Globex: T-P-I); an LX of only a
    MAN*W is the pallet shipped whole (S-O-T-I: T-I; S-O-T-P-I: its SSCC once, as the carton). Both used to be
    ignored: the pallet dropped, a pallet-only LX numbered as a carton of ours."""
    body = HEAD + ["LX*1", f"MAN*GM*{CARTON1}", f"MAN*SS*{PALLET}", W12.format(q=6), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "P", "I"]
    assert [m[2] for m in segments(text, "MAN")] == [PALLET, CARTON1]
    whole = HEAD + ["LX*1", f"MAN*W*{PALLET}", W12.format(q=24), "N9*LI*1"]
    for edit, levels in ((SOTI, ["S", "O", "T", "I"]), (None, ["S", "O", "P", "I"])):
        ws, state, res = ship(template, tmp_path / (edit and "soti" or "sotpi"), "north", "n.x12", w945(whole),
                              profile_edit=edit)
        assert res.shipments == 1, codes(state)
        text = body_of(state)
        assert [h[3] for h in segments(text, "HL")] == levels
        assert [m[2] for m in segments(text, "MAN")] == [PALLET]
    ws, state, res = ship(template, tmp_path / "both", "north", "n.x12", w945(
        HEAD + ["LX*1", f"MAN*W*{PALLET}", f"N9*LV*{PALLET}", W12.format(q=24), "N9*LI*1"]), profile_edit=SOTI)
    assert res.shipments == 1 and [m[2] for m in segments(body_of(state), "MAN")] == [PALLET]  # named twice: once


def test_an_lx_of_one_sscc_with_its_pallet_details_pal_is_the_pallet_shipped_whole(template, tmp_path):
    """A pallet-only LX without N9*LV: its MAN*GM and a PAL (pallet type, tiers, blocks: the 945's LX-level pallet
    details) say the labelled container is a pallet. An S-O-T-I partner gets it at the tare level (it used to be
    read as a carton: O-P-I)."""
    body = HEAD + ["LX*1", f"MAN*GM*{PALLET}", "PAL*4*5*8", W12.format(q=24), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "T", "I"]
    assert segments(text, "TD1") == [["TD1", "PLT94", "1", "", "", "", "G", "9", "LB"]]
    assert [m[2] for m in segments(text, "MAN")] == [PALLET]


def test_a_upc_case_code_man_uc_is_no_cartons_label():
    """MAN*UC is the U.P.C. shipping container code (since 003020): a GTIN-14 printed on every case of the item, no
    serial. Two LXs of cases of one item with only that code are two cartons (numbered by us), not one carton
    labelled with the case code (it used to be each LX's carton id: the two cases merged, their line twice in one
    carton). An SSCC-18 under UC is still the carton's label."""
    body = HEAD + ["LX*1", "MAN*UC*10614141100528", W12.format(q=6), "N9*LI*1",
                   "LX*2", "MAN*UC*10614141100528", W12.format(q=6), "N9*LI*1",
                   "LX*3", f"MAN*UC*{CARTON1[2:]}", W12.format(q=6), "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert not found
    assert lines["carton_id"].to_pylist() == ["LX1", "LX2", CARTON1[2:]]
    assert lines["carton_sscc"].to_pylist() == [None, None, CARTON1[2:]]


@pytest.mark.parametrize("pallets", [["W10*PL*2*N"], ["W03*24*18*LB***2*PL"], ["W10*PL*2", "W03*24*18*LB***5*PL"]])
def test_the_945s_pallet_count_is_the_856s_td1_when_no_pallet_is_labelled(template, tmp_path, pallets):
    """W10 (heading; as G03: W1001 unit load option, W1002 quantity of pallets shipped) or W03's lading quantity in
    pallets (W0306 with W0307 PL): cartons with only their own labels, so the 856 lists no tare, but its TD1 says
    how many pallets the truck carries (TD1 PLT94 2; it used to say nothing of them). W10 first when both say."""
    w10 = [s for s in pallets if s.startswith("W10")]
    w03 = [s for s in pallets if s.startswith("W03")]
    body = HEAD + w10 + carton(CARTON1, 12) + carton(CARTON2, 12) + w03
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "P", "I", "P", "I"]
    assert ["TD1", "PLT94", "2"] in segments(text, "TD1")


def test_pallets_the_945_labels_are_counted_over_its_pallet_count(template, tmp_path):
    """Two labelled pallets listed at the tare level: TD1 PLT94 counts them, whatever W10 says."""
    pallet_b = "00106141410000000026"
    body = HEAD + ["W10*PL*3", "LX*1", f"MAN*GM*{CARTON1}", f"N9*LV*{PALLET}", W12.format(q=12), "N9*LI*1",
                   "LX*2", f"MAN*GM*{CARTON2}", f"N9*LV*{pallet_b}", W12.format(q=12), "N9*LI*1"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    assert ["TD1", "PLT94", "2"] in segments(body_of(state), "TD1")


def test_an_soti_856_of_pallets_shipped_whole_weighs_them_on_the_pallets_td1(template, tmp_path):
    """No carton listed: the W03 gross weight and volume go on TD1 PLT94 (a TD1 CTN25 with a weight and no count
    breaks TD1's C0102: our validator used to hold the 856)."""
    body = HEAD + ["LX*1", f"MAN*GM*{PALLET}", f"N9*LV*{PALLET}", W12.format(q=24), "N9*LI*1", "W03*24*500*LB*80*CF"]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body), profile_edit=SOTI)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert segments(text, "TD1") == [["TD1", "PLT94", "1", "", "", "", "G", "500", "LB", "80", "CF"]]
    assert bots_check(text.encode(), tmp_path)[0]


def test_the_trailers_seal_in_w10_is_the_856s_td309(template, tmp_path):
    """W1004 (the seal number, W10 mirroring G03): the 856's TD3 carries it in TD309, as Best Buy's 856 shows
    (TD3*TL*ABC*12345******12345678910, required for truckloads); without a trailer number, TD3*TL with the seal
    alone. It used to be dropped."""
    body = HEAD[:-1] + ["W27*M*ODFL***TL*ABCD*778899", "W10*PL*1*N*SEAL0042"] + carton(CARTON1, 12)
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    assert segments(body_of(state), "TD3") == [["TD3", "TL", "ABCD", "778899", "", "", "", "", "", "SEAL0042"]]
    body = HEAD + ["W10**1*N*SEAL0042"] + carton(CARTON1, 12)
    ws, state, res = ship(template, tmp_path / "b", "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    assert segments(body_of(state), "TD3") == [["TD3", "TL", "", "", "", "", "", "", "", "SEAL0042"]]
    assert bots_check(body_of(state).encode(), tmp_path)[0]


# --- lots and expiry (DSCSA): a carton holding one line from two lots -----------------------------------

LOT_W12 = "W12*CC*{q}*{q}**EA*614141100521*VN*VP-1007*{lot}*{w}*G*L"
TWO_LOTS = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", LOT_W12.format(q=8, lot="A23K117", w=6), "N9*LI*1",
            "G62*36*20280630", LOT_W12.format(q=4, lot="", w=3), "N9*LI*1", "N9*LT*A24B002", "G62*36*20281130",
            "W03*12*9*L"]
WITH_LOTS = ("globex", "[fulfilment.asn]\n", '[fulfilment.asn]\nlots = "lin"\n')


def test_a_945_carton_of_one_line_from_two_lots_lists_each_lot_on_a_lot_partner_s_856(template, tmp_path):
    """A drug wholesaler's 3PL ships line 1 from two lots in one carton (W1209, and N9 LT; each expiry a G62 36
    in its W12 loop): for a partner whose 856 carries lots (asn.lots "lin", the HDA guideline McKesson and
    Cardinal Health follow) an item loop per lot, LIN ... LT lot and DTM*036 its expiry, 8 and 4 units. Before:
    one item of 12 without a lot (the 945's lots were merged and dropped): an 856 those partners refuse."""
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(TWO_LOTS), profile_edit=WITH_LOTS)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "P", "I", "I"]
    assert [lin[-2:] for lin in segments(text, "LIN")] == [["LT", "A23K117"], ["LT", "A24B002"]]
    assert [s[2] for s in segments(text, "SN1")] == ["8", "4"]
    assert [d for d in segments(text, "DTM") if d[1] == "036"] == [["DTM", "036", "20280630"],
                                                                   ["DTM", "036", "20281130"]]
    assert bots_check(text.encode(), tmp_path)[0]


def test_a_945_carton_of_one_line_from_two_lots_is_one_item_for_a_partner_without_lots(template, tmp_path):
    """The same 945 for a partner whose 856 lists no lots (asn.lots "none", a retailer): one item of the line
    in the carton, 12 units, no LT and no DTM*036: byte for byte the 856 of the same carton confirmed as one
    W12 of 12 (what its 856 was before lots were kept)."""
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(TWO_LOTS))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [h[3] for h in segments(text, "HL")] == ["S", "O", "P", "I"]
    assert [s[2] for s in segments(text, "SN1")] == ["12"] and "LT" not in segments(text, "LIN")[0]
    assert not [d for d in segments(text, "DTM") if d[1] == "036"]
    one_w12 = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", LOT_W12.format(q=12, lot="", w=9), "N9*LI*1", "W03*12*9*L"]
    _ws, twin, res = ship(template, tmp_path / "twin", "north", "n.x12", w945(one_w12))
    assert res.shipments == 1 and body_of(twin) == text


@pytest.mark.parametrize("expiry", ["G62*36*20271340", "G62*36*N/A", "DTM*036*31/12/27", "G62*36"])
def test_a_945_lot_expiry_that_is_no_date_holds_the_shipment_at_its_segment(template, tmp_path, expiry):
    """A lot's expiry (G62 36 / DTM 036 in its W12 loop) that is no date (month 13, N/A, a DD/MM/YY date, none):
    an error at the segment and element that carries it, and the shipment held, for a lot partner (its 856 would
    go without the DTM*036 the HDA guideline requires) as for any other (a CSV's unreadable Expiration Date holds
    its row's shipment alike). Before: dropped without a word, the 856 sent without the expiry. In a 004010 945 the
    date is an X12 DT element (G6202; DTM02, DTM read as a 3PL writes it): the dictionary refuses it first, as a
    partner's 850 with such a date is refused (997 AK5 R with its AK4), so the set is not read at all; the reader's
    own finding (a release we hold no dictionary for) follows below."""
    bad = [s if s != "G62*36*20281130" else expiry for s in TWO_LOTS]
    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(bad), profile_edit=WITH_LOTS)
    assert res.shipments == 0 and not [d for d in state.documents() if d.doc_type == "856"]
    x12 = {"G62*36*20271340": {"ELEMENT_INVALID_DATE"}, "G62*36*N/A": {"ELEMENT_TOO_SHORT", "ELEMENT_INVALID_DATE"},
           "DTM*036*31/12/27": {"ELEMENT_INVALID_DATE"}, "G62*36": {"ELEMENT_CONDITIONAL_MISSING"}}[expiry]
    errors = [f for f in state.findings(run_id="t") if f["severity"] == "error"]
    assert {f["code"] for f in errors} == x12
    assert {(f["segment_id"], f["element"], f["segment_position"]) for f in errors} == {
        (expiry[:3], f"{expiry[:3]}02", 15)}
    parsed = read_interchanges(w945(bad))
    lines, found = read_945(parsed, list(parsed.transaction_sets()))
    assert [(x.code, x.location.segment_id, x.location.value) for x in found] == [
        ("SHIPMENT_945_EXPIRY_INVALID", expiry[:3], expiry.split("*")[2] if expiry.count("*") > 1 else None)]
    assert lines["expiration_date"].to_pylist() == [date(2028, 6, 30), None]


def test_status_shows_the_lots_and_expiry_a_lot_partner_s_856_listed(template, tmp_path):
    """`orderbridge status PO` (and `status --json`: each shipment's ``lots``) shows the lots and expiry dates
    the 856 listed for the order's cartons (read back from the 856 as sent), for a partner whose 856 carries lots;
    none for one whose 856 carries none. Before: nothing showed which lot or expiry went to the customer (a recall
    or a DSCSA question meant opening the 856 file by hand)."""
    import io

    from rich.console import Console

    from flows.status import story
    from flows.status_view import run_status

    ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(TWO_LOTS), profile_edit=WITH_LOTS)
    assert res.shipments == 1, codes(state)
    [shipped] = story(state, state.order("globex", "GLOBEX-2001"))["shipments"]
    assert shipped["lots"] == [
        {"po_number": "GLOBEX-2001", "line_id": "1", "lot": "A23K117", "expiration_date": "2028-06-30",
         "quantity": "8", "unit": "EA", "cartons": [CARTON1]},
        {"po_number": "GLOBEX-2001", "line_id": "1", "lot": "A24B002", "expiration_date": "2028-11-30",
         "quantity": "4", "unit": "EA", "cartons": [CARTON1]}]
    out = Console(file=io.StringIO(), width=400, markup=False, emoji=False, highlight=False)
    assert run_status("GLOBEX-2001", "globex", False, ws.root, out=out) == 0
    text = out.file.getvalue()
    assert "lots shipped" in text and "A23K117" in text and "2028-06-30" in text and "2028-11-30" in text
    _ws, plain, res = ship(template, tmp_path / "none", "north", "n.x12", w945(TWO_LOTS))
    assert res.shipments == 1 and story(plain, plain.order("globex", "GLOBEX-2001"))["shipments"][0]["lots"] == []
