"""A grocer on 005010 (UCS/VICS 5010 guides): its 875 Grocery Products Purchase Order is read, checked by the 005010
875 table (schemas/x12dict/data/sets/875-005010.txt, held against Bots' 005010 grammar in tests/dictionaries),
acknowledged by a 005010 997, answered by a 005010 870 when the profile receives it, shipped and invoiced by a
005010 880 (CAD where 004010's 880 has G27): each accepted by our reader and validator, Bots and pyx12 with our maps.
Before the 005010 tables an 005010 875 was read and acknowledged AK5 A with no structure check at all (a G68
without its unit and no G76 passed), and the 870 and 880 we sent in 005010 were held to nothing by our validator."""

from __future__ import annotations

import pytest

from tests.retailer_support import (
    inspected,
    line_counts,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    segments,
    shipped_night,
)
from tests.test_rg33_regional_grocers_boscovs import (
    NIGHT,
    NIGHT_NOTED,
    SHIP_DAY,
    STATER_875,
    WAREHOUSES,
    grocery_fixtures,
)


def as_5010(data: bytes) -> bytes:
    """Stater Bros.' 004010UCS 875 as a 005010 grocer sends it: ISA11 the repetition separator, ISA12 00501, GS08
    005010UCS."""
    out = data.replace(b"*U*00401*", b"*^*00501*").replace(b"*X*004010UCS~", b"*X*005010UCS~")
    assert out.count(b"00501") == 2
    return out


BROKEN = [(b"G68*40*CA*18**UA", b"G68*40**18**UA"), (b"G76*65*CA~\n", b""), (b"SE*11*", b"SE*10*")]


def _broken(data: bytes) -> bytes:
    for old, new in BROKEN:
        assert old in data
        data = data.replace(old, new)
    return data


def test_an_005010_875_is_read_and_checked_by_its_own_table(tmp_path):
    """The 005010 875 reads as the 004010 one does (one order of two lines, its version as sent), Bots' 005010
    grammar takes it, and a broken one (a G68 without its unit, no G76) is found so in 005010 as in 004010: it
    was not (no 005010 875 table: nothing checked, the 997 said AK5 A)."""
    from engine.acks import build_997
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure
    from tests.shipping_support import bots_check

    data = as_5010(STATER_875.read_bytes())
    ok, errors = bots_check(data.replace(b"*X*005010UCS~", b"*X*005010~"), tmp_path)
    assert ok, errors
    path = tmp_path / "staterbros-875-5010.x12"
    path.write_bytes(data)
    seen = inspected(path, set())
    assert line_counts(seen) == {"SB4410027": 2} and seen["orders"][0]["version"] == "005010UCS"

    def found(content: bytes) -> list[tuple]:
        r = read_interchanges(content, file="x.x12")
        return [(f.code, f.location.segment_id, f.location.element) for f in
                check_structure(r, list(r.transaction_sets()))]

    expected = [("ELEMENT_MANDATORY_MISSING", "G68", "G6802"), ("SEGMENT_MANDATORY_MISSING", "G76", "")]
    assert found(_broken(STATER_875.read_bytes())) == expected
    assert found(_broken(data)) == expected
    assert found(data) == []
    # and its 997 says so (it said AK5 A): the G68's missing unit (AK4 355) and the missing G76, the set rejected
    r = read_interchanges(_broken(data), file="x.x12")
    ack = build_997(r.interchanges[0].groups[0], check_structure(r, list(r.transaction_sets())), version="005010")
    assert ack[0] == ["AK1", "OG", "44100", "005010UCS"] and ["AK3", "G76", "10", "", "3"] in ack
    assert ["AK3", "G68", "6", "", "8"] in ack and ["AK4", "2", "355", "1", ""] in ack
    assert ack[-2:] == [["AK5", "R", "5"], ["AK9", "R", "1", "1", "0"]]


def test_the_005010_880_carries_the_carrier_detail_as_cad_where_004010_has_g27():
    """The 005010 880's heading has CAD (Bots' 005010 880 grammar; G27 is 004010's): the 810's CAD as it is."""
    from engine.invoice_880 import body_880
    from tests.test_invoice_880 import BODY_810

    old, new = body_880(BODY_810), body_880(BODY_810, version="005010")
    assert ["G27", "M", "SBTR", "", "", "STATER TRUCK"] in old
    assert ["CAD", "M", "", "", "SBTR", "STATER TRUCK"] in new
    assert [s for s in old if s[0] != "G27"] == [s for s in new if s[0] != "CAD"]
    assert new.index(["CAD", "M", "", "", "SBTR", "STATER TRUCK"]) == old.index(
        ["G27", "M", "SBTR", "", "", "STATER TRUCK"])


@pytest.fixture(scope="module")
def night_5010(tmp_path_factory):
    """Stater Bros. as a 005010 grocer: its profile [x12] version 005010, receiving the 870 in place of the 855 and
    the 880 in place of the 810; its 875 sent in 005010."""
    from schemas.profile import load_profile

    tmp = tmp_path_factory.mktemp("grocery-5010")
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8")
    assert 'version = "004010"' in text and 'receives = ["997", "855", "856", "810"]' in text
    path.write_text(text.replace('version = "004010"', 'version = "005010"').replace(
        'receives = ["997", "855", "856", "810"]', 'receives = ["997", "870", "856", "880"]'), encoding="utf-8")
    profile = load_profile(path)
    assert profile.x12.version == "005010" and profile.invoice_set == "880" and profile.order_answer == "870"
    (drop,) = (fixtures / "drops").rglob("*.x12")
    drop.write_bytes(as_5010(drop.read_bytes()))
    return shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def test_an_005010_grocer_s_875_is_acknowledged_answered_by_870_and_invoiced_by_880(night_5010):
    ws, _found, states = night_5010
    assert not [f for f in night_5010[1] if f[1] == "error"]
    assert {c for c, _s, _po in night_5010[1]} <= NIGHT_NOTED
    assert states == {("staterbros", "SB4410027"): "invoiced"}
    ack = segments(ws, "staterbros", "997")
    assert ack[0][11:13] == ["^", "00501"] and ack[1][8] == "005010UCS"  # the group's, its identifier kept
    assert ["AK1", "OG", "44100", "005010UCS"] in ack and ["AK2", "875", "0001"] in ack and ["AK5", "A"] in ack
    outbox = ws.drop_root / "staterbros" / "outbox"
    assert not list(outbox.glob("*-855-*.x12")) and not list(outbox.glob("*-810-*.x12"))
    status = segments(ws, "staterbros", "870")
    assert status[0][12] == "00501" and status[1][1] == "RS" and status[1][8] == "005010"
    assert ["BSR", "2", "PA", "SB4410027", "20261125"] in status
    assert [s for s in status if s[0] == "ISR"] == [["ISR", "AS", "20261201"], ["ISR", "AS", "20261201"]]
    invoice = segments(ws, "staterbros", "880")
    assert invoice[0][12] == "00501" and invoice[1][1] == "GP" and invoice[1][8] == "005010"
    body = invoice[invoice.index(next(s for s in invoice if s[0] == "G01")):]
    assert [s[1:] for s in body if s[0] == "G17"] == [["40", "CA", "18", "", "UA", "061414150301"],
                                                     ["25", "CA", "27.6", "", "UP", "614141503025"]]
    assert ["G31", "65", "CA"] in body and ["G33", "141000"] in body
    assert not [s for s in body if s[0] == "G27"]


def test_the_005010_grocer_s_documents_pass_our_validator_bots_and_pyx12(night_5010, tmp_path, maps):  # noqa: F811
    """The 997, 870, 856 and 880 of the 005010 night: our reader and validator (005010's tables: the 870 and 880
    now held to them), Bots' 005010 grammars and pyx12 with our 005010 maps (870 and 880 maps generated now)."""
    from schemas.x12dict import dictionary
    from tests.test_mark_for import accepted

    d = dictionary("005010")
    assert all(d.set_table(s) is not None for s in ("875", "870", "880"))
    outbox = night_5010[0].drop_root / "staterbros" / "outbox"
    sent = sorted(outbox.glob("*.x12"))
    assert sorted(p.name.split("-")[1] for p in sent) == ["856", "870", "880", "997"]
    for i, path in enumerate(sent):
        (tmp_path / str(i)).mkdir()
        if path.name.split("-")[1] == "997":
            continue  # a 997 passes our validator and Bots (tests/test_acks_always_valid.py); pyx12 has its own
        accepted(path.read_bytes(), tmp_path / str(i), maps)


def test_an_005010_880_with_a_g27_is_refused_by_our_validator(night_5010):
    """G27 is in no 005010 set: the 005010 880 that carried one (the 004010 mapping) is refused, so the writer's
    CAD is what passes."""
    from rules.outbound import validate_outbound

    outbox = night_5010[0].drop_root / "staterbros" / "outbox"
    (path,) = outbox.glob("*-880-*.x12")
    text = path.read_text()
    assert "G62*11*20261201~" in text and "SE*15*" in text
    wrong = text.replace("G62*11*20261201~", "G62*11*20261201~\nG27*M*ODFL~").replace("SE*15*", "SE*16*")
    assert [f.code for f in validate_outbound(wrong.encode()) if f.severity == "error"]
    cad = text.replace("G62*11*20261201~", "G62*11*20261201~\nCAD*M****ODFL~").replace("SE*15*", "SE*16*")
    assert [f for f in validate_outbound(cad.encode()) if f.severity == "error"] == []


def test_an_005010_invoice_s_cad_has_its_transport_method():
    """CAD01 (transport method) is mandatory in 005010 (optional in 004010): the CAD carries the method its 856 gave
    the shipment (engine.shipments.shipment_method: the PO's TD504 for that carrier, U for a parcel carrier, else M
    motor, as header_fields gives the 856's TD504), and without one is written as before (a 004010 810's bytes)."""
    from engine.invoice import cad_segment
    from engine.shipments import shipment_method
    from schemas.orders import ELEMENTS_SEP
    from schemas.x12dict import dictionary

    assert dictionary("005010").segment("CAD").elements[0].req == "M"
    assert dictionary("004010").segment("CAD").elements[0].req != "M"
    assert cad_segment("ODFL", "BOL-SB", "M") == ["CAD", "M", "", "", "ODFL", "", "", "BM", "BOL-SB"]
    assert cad_segment("ODFL", "BOL-SB") == ["CAD", "", "", "", "ODFL", "", "", "BM", "BOL-SB"]  # 004010 as before
    assert cad_segment("STATER TRUCK", "", "M") == ["CAD", "M", "", "", "", "STATER TRUCK"]
    assert shipment_method("ODFL", [None]) == "M"  # no TD5 (an 875 has none): motor, as the 856 said
    assert shipment_method("UPSN", [None]) == "U"  # a parcel carrier
    routed = ELEMENTS_SEP.join(["B", "2", "ODFL", "LT"])
    assert shipment_method("ODFL", [routed]) == "LT"  # the PO's TD504 for that carrier
    assert shipment_method("SAIA", [routed]) == "M"  # routed by another carrier: says nothing of this one
    assert shipment_method("", [routed]) == ""  # no carrier, no CAD


def _carrier_fixtures(tmp, version: str, set_id: str):
    """The rg33 grocery fixtures with Stater Bros. on ``version`` (its 875 too, on 005010), receiving the 870 and
    ``set_id`` (810 or 880) and naming its carrier on the invoice ([fulfilment.invoice] carrier = true)."""
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8")
    assert 'per = "order"\n' in text and 'version = "004010"' in text
    path.write_text(text.replace('version = "004010"', f'version = "{version}"').replace(
        'receives = ["997", "855", "856", "810"]', f'receives = ["997", "870", "856", "{set_id}"]').replace(
        'per = "order"\n', 'per = "order"\ncarrier = true\n'), encoding="utf-8")
    if version == "005010":
        (drop,) = (fixtures / "drops").rglob("*.x12")
        drop.write_bytes(as_5010(drop.read_bytes()))
    return fixtures


@pytest.fixture(scope="module", params=[("005010", "810"), ("005010", "880"), ("004010", "880"), ("004010", "810")],
                ids="-".join)
def carrier_night(request, tmp_path_factory):
    """Stater Bros. with [fulfilment.invoice] carrier = true, on 005010 or 004010, receiving the 810 or the 880
    (before, on 005010: the 810 INVOICE_NOT_BUILT ELEMENT_MANDATORY_MISSING CAD01 every run, the order stuck
    shipped; the 880's carrier left out, in 004010 too)."""
    version, set_id = request.param
    tmp = tmp_path_factory.mktemp(f"grocery-cad-{version}-{set_id}")
    fixtures = _carrier_fixtures(tmp, version, set_id)
    night = shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)
    return version, set_id, night


def test_an_invoice_names_its_carrier_with_the_856_s_transport_method(carrier_night, tmp_path, maps):  # noqa: F811
    """With carrier = true the 005010 810 is built and sent, its CAD's CAD01 the TD504 of the shipment's 856 (ODFL,
    no TD5 in the 875: M); the 880's CAD (005010) or G27 (004010) carries it too; a 004010 810's CAD has no CAD01,
    as before. Each passes our validator, Bots and pyx12."""
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    version, set_id, (ws, found, states) = carrier_night
    assert not [f for f in found if f[0] == "INVOICE_NOT_BUILT" or f[1] == "error"], found
    assert states == {("staterbros", "SB4410027"): "invoiced"}
    asn = segments(ws, "staterbros", "856")
    (td5,) = [s for s in asn if s[0] == "TD5"]
    assert td5[3:5] == ["ODFL", "M"]
    invoice = segments(ws, "staterbros", set_id)
    assert invoice[0][12] == version[:5] and invoice[1][8].startswith(version)
    carried = [s for s in invoice if s[0] in ("CAD", "G27")]
    if set_id == "880" and version == "004010":
        assert carried == [["G27", "M", "ODFL"]]
    elif version == "004010":
        assert carried == [["CAD", "", "", "", "ODFL", "", "", "BM", "BOL-SB"]]  # the 004010 810 as before
    else:
        assert carried == [["CAD", "M", "", "", "ODFL", "", "", "BM", "BOL-SB"]]
    (path,) = (ws.drop_root / "staterbros" / "outbox").glob(f"*-{set_id}-*.x12")
    content = path.read_bytes()
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    accepted(content, tmp_path, maps)


@pytest.fixture(scope="module", params=[("005010", "810"), ("005010", "880"), ("004010", "880")], ids="-".join)
def warehouse_method_night(request, tmp_path_factory):
    """carrier_night's Stater Bros. whose warehouse names the transport method itself: the CSV confirmation's
    Transport Method column says R (rail) where the 875 names none (the 856's rule alone: M motor for ODFL)."""
    version, set_id = request.param
    tmp = tmp_path_factory.mktemp(f"grocery-method-{version}-{set_id}")
    fixtures = _carrier_fixtures(tmp, version, set_id)
    (confirmation,) = (fixtures / "shipments").iterdir()
    rows = confirmation.read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",Net Weight Unit") and all(r.endswith(",,") for r in rows[1:])
    confirmation.write_text("\n".join([rows[0] + ",Transport Method", *(r + ",R" for r in rows[1:])]) + "\n",
                            encoding="utf-8")
    night = shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)
    return version, set_id, night


def test_an_invoice_names_the_transport_method_the_warehouse_gave_as_its_856_did(warehouse_method_night):
    """The 856's TD504 is the warehouse's own method (R rail), and the 810's CAD01 / the 880's CAD01 or G2701 say R
    too: the shipment keeps the method its 856 wrote (shipments.transport_method). Before, the invoice worked it out
    again from the carrier and the PO's TD5 (M motor): an ASN by rail and an invoice by truck for one shipment."""
    from connectors.state import StateStore

    version, set_id, (ws, found, states) = warehouse_method_night
    assert not [f for f in found if f[0] == "INVOICE_NOT_BUILT" or f[1] == "error"], found
    assert states == {("staterbros", "SB4410027"): "invoiced"}
    (td5,) = [s for s in segments(ws, "staterbros", "856") if s[0] == "TD5"]
    assert td5[3:5] == ["ODFL", "R"]
    carried = [s for s in segments(ws, "staterbros", set_id) if s[0] in ("CAD", "G27")]
    if set_id == "880" and version == "004010":
        assert carried == [["G27", "R", "ODFL"]]
    else:
        assert carried == [["CAD", "R", "", "", "ODFL", "", "", "BM", "BOL-SB"]]
    store = StateStore(ws.state_path)
    try:
        assert [(r.carrier_scac, r.transport_method) for r in store.shipments()] == [("ODFL", "R")]
    finally:
        store.close()
