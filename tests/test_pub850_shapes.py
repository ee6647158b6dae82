"""Shapes of published 850s (session 58's survey of other people's files) the product used to pass over without a
word or read too narrowly; the files here are our own, in those shapes (tests/fixtures/pub850):

- a PO1 naming the item by the buyer's own number under PI ("Purchaser's Item Code", ACE Hardware's 850) or CB
  ("Buyer's Catalog Number"), code list 235's other names for what BP and IN are: a cross-reference row without a
  qualifier (the buyer's own number) answers to them too, and the 855 echoes the pair as sent;
- a GS08 naming no X12 release ("004SPL"): a warning saying how its sets were judged (a release with an industry
  identifier, "004010XYZ", is that release);
- two N1*ST loops in a heading naming different places: a set warning naming both, the order held for a person;
- the same interchange twice in a file: the first taken, the second refused (TA1 025), the file quarantined as
  every file with an error is (docs/design.md)."""

from __future__ import annotations

import shutil
from datetime import datetime

from connectors.reference import load_reference
from rules.business import resolve_items
from tests.business.tables import line, lines_table
from tests.support import REPO, make_workspace, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "pub850"
NIGHT = datetime(2026, 11, 27, 2)


def _segments(data: bytes) -> list[list[str]]:
    return [s.strip().split("*") for s in data.decode().split("~") if s.strip()]


def test_a_cross_reference_row_without_a_qualifier_answers_to_pi_and_cb_as_to_bp_and_in():
    ref = load_reference(REPO / "sample_files" / "reference")
    assert "qualifier" not in ref.partner_items.column_names or ref.partner_items["qualifier"].null_count \
        == ref.partner_items.num_rows  # the demo's rows are all of the older, unqualified kind
    rows = [line(line_number=k, upc=None, product_ids=[{"qualifier": q, "id": "ACME-5000"}])
            for k, q in enumerate(("BP", "IN", "PI", "CB", "IT", "PN", "VP"), start=1)]
    out = resolve_items(lines_table(*rows), ref.items, ref.partner_items)
    # IT (a buyer's style: many items) and PN (whose company's?) name no one item of the buyer's: not answered
    assert out.column("sku").to_pylist() == ["SKU-1001"] * 4 + [None] * 3
    assert out.column("matched_by").to_pylist()[:4] == ["buyer_part"] * 4


def test_the_parser_keeps_a_pi_or_cb_id_as_the_lines_buyer_part():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges((FIXTURES / "acme-850-purchaser-item-codes.x12").read_bytes(), file="po.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines.column("buyer_part").to_pylist() == ["ACME-5000", "ACME-5002"]
    assert lines.column("product_ids").to_pylist()[0] == [{"qualifier": "PI", "id": "ACME-5000"}]


def test_an_order_by_purchasers_item_codes_is_taken_and_its_855_echoes_them(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy2(FIXTURES / "acme-850-purchaser-item-codes.x12", inbox)
    results, _run = run_stages(ws, NIGHT)
    acme = next(r for r in results if r.partner == "acme")
    assert not [f for f in acme.findings if f["code"] in ("ITEM_UNKNOWN", "ITEM_ID_MISSING")]
    [ack] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    segs = _segments(ack.read_bytes())
    assert [s[6:8] for s in segs if s[0] == "PO1"] == [["PI", "ACME-5000"], ["CB", "ACME-5002"]]
    assert [s[1] for s in segs if s[0] == "ACK"] == ["IA", "IA"]


# --- a GS08 that names no X12 release ------------------------------------------------------------------------------


def _with_gs08(gs08: str) -> bytes:
    data = (FIXTURES / "acme-850-purchaser-item-codes.x12").read_bytes()
    return data.replace(b"*X*004010~", f"*X*{gs08}~".encode(), 1)


def test_a_gs08_naming_no_release_is_a_warning_naming_how_its_sets_were_judged_and_the_po_is_taken():
    """EdiFabric's samples carry GS08 "004SPL" (their grammar's own name): no X12 version and release (element 480:
    positions 1-3 the version, 4-6 the release, digits). Its sets are judged by what every version agrees on, as
    a version we hold no dictionary for; that used to pass without a word."""
    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import TODAY

    acme = load_profiles(REPO / "partners")["acme"]
    out = process_file(_with_gs08("004SPL"), file="po.x12", sha256="sha", profile=acme, known=Known(), today=TODAY)
    [f] = [f for f in out.findings if f.code == "GS_VERSION_UNKNOWN"]
    assert f.severity == "warning" and (f.location.element, f.location.value) == ("GS08", "004SPL")
    assert "what every X12 version agrees on" in f.message
    assert not [f for f in out.findings if f.severity == "error"] and out.orders.num_rows == 1
    assert out.disposition == "processed"
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    assert ["AK9", "A", "1", "1", "1"] in ack.bodies[0]
    envelope_only = acme.model_copy(update={"x12": acme.x12.model_copy(update={"other_versions": "envelope_only"})})
    out = process_file(_with_gs08("004SPL"), file="po.x12", sha256="sha", profile=envelope_only, known=Known(),
                       today=TODAY)
    [f] = [f for f in out.findings if f.code == "GS_VERSION_UNKNOWN"]
    assert "their envelopes alone" in f.message


def test_a_gs08_with_an_industry_identifier_after_a_release_is_read_as_that_release():
    from engine.process import Known, process_file
    from rules.structure import dictionary_for
    from schemas.profile import load_profiles
    from tests.support import TODAY

    acme = load_profiles(REPO / "partners")["acme"]
    assert dictionary_for("004010XYZ") is dictionary_for("004010")
    for gs08 in ("004010XYZ", "004010VICS", "4010", "005010X222A1"):
        out = process_file(_with_gs08(gs08), file="po.x12", sha256="sha", profile=acme, known=Known(), today=TODAY)
        assert "GS_VERSION_UNKNOWN" not in {f.code for f in out.findings}, gs08
    # judged by 004010's dictionary: a BEG03 longer than its 22 characters is refused under 004010XYZ as under 004010
    # (a version we hold none for is not judged by lengths: rules.structure.COMMON_CODES)
    long_po = b"BEG*00*SA*" + b"P" * 23 + b"**"
    for gs08, refused in (("004010XYZ", True), ("004010", True), ("004SPL", False)):
        bad = _with_gs08(gs08).replace(b"BEG*00*SA*ACME-PI-1**", long_po)
        out = process_file(bad, file="po.x12", sha256="sha", profile=acme, known=Known(), today=TODAY)
        assert ("ELEMENT_TOO_LONG" in {f.code for f in out.findings}) is refused, gs08


# --- two N1*ST loops in one heading --------------------------------------------------------------------------------


def test_a_second_heading_ship_to_naming_another_party_is_kept_and_said_not_dropped():
    """EdiFabric's N1Split sample repeats N1*ST in the heading; a second ship-to naming another party was dropped
    without a word (the order shipped to the first). It is kept (ORDERS ship_to_others_sent) and named in a set
    warning; a second N1*ST of the same location (its N103/N104) is no other place and raises nothing."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure

    result = read_interchanges((FIXTURES / "acme-850-two-heading-ship-tos.x12").read_bytes(), file="po.x12")
    sets = list(result.transaction_sets())
    orders, _lines = read_orders(result, sets, partner="acme")
    assert orders.column("ship_to_id").to_pylist() == ["DC01", "DC01"]
    assert orders.column("ship_to_others_sent").to_pylist() == ["ST\x1fAcme Store 2\x1f92\x1f0002", None]
    [f] = [f for f in check_structure(result, sets) if f.code == "SHIP_TO_NOT_APPLIED"]
    assert f.severity == "warning" and f.location.st02 == "0001" and f.location.value == "0002"
    assert "N1*ST Acme Distribution Center 92 DC01, is the order's" in f.message
    assert "N1*ST Acme Store 2 92 0002 is not applied" in f.message


def test_a_bill_and_ship_to_beside_the_heading_s_ship_tos_is_compared_with_them():
    """An 850 naming its ship-to as N1*ST (twice, the same DC) and a bill-and-ship-to N1*BS of another place: the
    order ships to its N1*ST (an N1*ST of the set's own wins over the BS), so the BS's place is not applied; it is
    kept (ORDERS ship_to_others_sent, SHIP_TO_AMBIGUOUS holds the order) and named in SHIP_TO_NOT_APPLIED. It used to
    be compared with nothing: the N1*STs alone were, the same place twice, so nothing was said and every line went to
    the DC. A BS naming the ship-to's place, and a BS alone (BISAC's book orders: the order's ship-to), say
    nothing."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.business.places import check_ship_tos_repeated
    from rules.structure import check_structure
    from tests.support import x12_850

    def read(heading: list[str]):
        result = read_interchanges(x12_850(["BEG*00*SA*PO-BS**20261126", *heading,
                                            "PO1*1*12*EA*2.50*PE*UP*073000040482", "CTT*1"]), file="po.x12")
        sets = list(result.transaction_sets())
        orders, _lines = read_orders(result, sets, partner="acme")
        return orders, [f for f in check_structure(result, sets) if f.code == "SHIP_TO_NOT_APPLIED"]

    orders, found = read(["N1*BS*ACME STORE 2*92*0002", "N1*ST*ACME DC*92*DC01", "N1*ST*ACME DC RECEIVING*92*DC01"])
    assert orders.column("ship_to_id").to_pylist() == ["DC01"]
    assert orders.column("ship_to_others_sent").to_pylist() == ["BS\x1fACME STORE 2\x1f92\x1f0002"]
    [f] = found
    assert "the first, N1*ST ACME DC 92 DC01, is the order's" in f.message
    assert "N1*BS ACME STORE 2 92 0002 is not applied" in f.message and f.location.value == "0002"
    [held] = check_ship_tos_repeated(orders)
    assert held.code == "SHIP_TO_AMBIGUOUS" and "N1*BS ACME STORE 2 92 0002" in held.message
    for heading in (["N1*BS*ACME DC*92*DC01", "N1*ST*ACME DC*92*DC01"], ["N1*BS*BAKER AND TAYLOR*15*1556150"]):
        orders, found = read(heading)
        assert found == [] and orders.column("ship_to_others_sent").to_pylist() == [None], heading
        assert check_ship_tos_repeated(orders) == []


def test_an_order_with_two_heading_ship_tos_is_held_for_a_person_unless_the_profile_accepts_it(tmp_path):
    from connectors.state import StateStore

    def night(root, outcomes: str = ""):
        ws = make_workspace(root, partners=())
        inbox = ws.drop_root / "acme" / "inbox"
        inbox.mkdir(parents=True)
        shutil.copy2(FIXTURES / "acme-850-two-heading-ship-tos.x12", inbox)
        if outcomes:
            profile = ws.partners_dir / "acme.toml"
            profile.write_text(profile.read_text() + f"\n[rules.outcomes]\n{outcomes}\n")
        results, _run = run_stages(ws, NIGHT)
        acme = next(r for r in results if r.partner == "acme")
        state = StateStore(ws.state_url)
        states = {po: state.order("acme", po).state for po in ("ACME-ST-2", "ACME-ST-3")}
        state.close()
        return acme, states, sorted(ws.drop_root.glob("acme/processed/*"))

    acme, states, processed = night(tmp_path / "held")
    assert states == {"ACME-ST-2": "held", "ACME-ST-3": "acknowledged"}
    [held] = [f for f in acme.findings if f["code"] == "SHIP_TO_AMBIGUOUS"]
    assert "Acme Distribution Center 92 DC01" in held["message"] and "N1*ST Acme Store 2 92 0002" in held["message"]
    assert [f["code"] for f in acme.findings if f["code"].startswith("SHIP_TO")] == ["SHIP_TO_NOT_APPLIED",
                                                                                     "SHIP_TO_AMBIGUOUS"]
    assert len(processed) == 1  # warnings only: the file is processed
    _acme, states, _ = night(tmp_path / "accepted", 'SHIP_TO_AMBIGUOUS = "accept"')
    assert states == {"ACME-ST-2": "acknowledged", "ACME-ST-3": "acknowledged"}


# --- the same interchange twice in one file ------------------------------------------------------------------------


def test_a_file_repeating_its_interchange_takes_the_first_copy_refuses_the_second_and_is_quarantined():
    """node-x12's 850_fat.edi: one interchange twice in a file. The first copy is taken and answered (its 997, its
    order); the second is refused alone (ISA_DUPLICATE, TA1 R 025, no 997: X12's duplicate interchange
    control number); the file goes to quarantine/ as every file with an error finding does (docs/design.md), its
    taken order not undone: quarantine says a person should look at the file, not that nothing of it was taken."""
    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import TODAY

    once = (FIXTURES / "acme-850-purchaser-item-codes.x12").read_bytes()
    acme = load_profiles(REPO / "partners")["acme"]
    out = process_file(once + once, file="po.x12", sha256="sha", profile=acme, known=Known(), today=TODAY)
    assert [(f.code, f.severity) for f in out.findings if f.severity == "error"] == [("ISA_DUPLICATE", "error")]
    assert out.orders.column("po_number").to_pylist() == ["ACME-PI-1"]
    # (ISA14 0: no TA1 asked for the first copy; the refused one is answered all the same)
    assert [d.ta1[4:] for d in out.documents if d.doc_type == "TA1"] == [("R", "025")]
    assert [d.doc_type for d in out.documents].count("997") == 1
    assert out.disposition == "quarantine"
