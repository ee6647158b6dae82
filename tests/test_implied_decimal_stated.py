"""Numeric elements of implied decimals (X12 N0, N2 ...: SAC05 "2500" is 25.00, ITD07 "30" is 30 days) that a
partner's translator writes with an explicit decimal point ("25.00", "30.00"), as spreadsheet-fed translators and
small suppliers' web EDI do. X12.6's N type carries no point, but the number is plain to read: in a version
whose dictionary judges the set (004010, 005010 ...) the PO is accepted, the value read as stated (never shifted:
25.00, not 0.25) and a warning noted at the element (IMPLIED_DECIMAL_STATED), which the 997 tells the partner
(AK4 code 6 under an AK5 E, "accepted but errors were noted"). The whole PO used to be rejected
(ELEMENT_INVALID_CHARACTER, AK5 R) and lost. What is no number (two points, a comma, a letter), or a fraction in
an N0 element, stays ELEMENT_INVALID_CHARACTER."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.acks import build_997, status_of
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.codes import CATALOGUE
from tests.support import shipping_workspace
from tests.test_x12_standard_layer import interchange, run

BODY = ["BEG*00*SA*PO-9**20261126", "CUR*BY*USD", "SAC*A*C310***2500.00", "ITD*01*3*2**10**30.00",
        "DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way", "N4*Columbus*OH*43215*US",
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "SAC*C*D240***25.00", "CTT*1.0*12"]
VERSIONS = [("004010", "00401", "U"), ("005010", "00501", "^")]


def _found(body: list[str], version: str = "004010", isa12: str = "00401", repetition: str = "U"):
    result = read_interchanges(interchange(body, version=version, isa12=isa12, repetition=repetition))
    return [(f.code, f.severity, f.location.element, f.location.value)
            for f in check_structure(result, list(result.transaction_sets()))]


# --- the element check (rules.elements through rules.structure, the real 004010/005010 dictionaries) --------

@pytest.mark.parametrize("version, isa12, repetition", VERSIONS)
def test_n_values_with_a_decimal_point_are_a_warning_not_an_invalid_character(version, isa12, repetition):
    got = _found(BODY, version, isa12, repetition)
    assert [g for g in got if g[0].startswith("ELEMENT_")] == []  # nothing else: lengths of the implied form
    assert [g for g in got if g[0] == "IMPLIED_DECIMAL_STATED"] == [
        ("IMPLIED_DECIMAL_STATED", "warning", "SAC05", "2500.00"),  # N2 1/15
        ("IMPLIED_DECIMAL_STATED", "warning", "ITD07", "30.00"),  # N0 1/3: 30, two digits (not four)
        ("IMPLIED_DECIMAL_STATED", "warning", "SAC05", "25.00"),
        ("IMPLIED_DECIMAL_STATED", "warning", "CTT01", "1.0")]  # N0 1/6


@pytest.mark.parametrize("segment, element, value", [
    ("SAC*A*C310***25.0.0", "SAC05", "25.0.0"),  # two points
    ("SAC*A*C310***2,500.00", "SAC05", "2,500.00"),  # a thousands comma
    ("SAC*A*C310***25,00", "SAC05", "25,00"),  # a decimal comma
    ("SAC*A*C310***25.00USD", "SAC05", "25.00USD"),  # letters
    ("SAC*A*C310***.", "SAC05", "."),  # a point and no digit
    ("SAC*A*C310***2.5E1", "SAC05", "2.5E1"),  # an exponent: R's, never N's
    ("ITD*01*3*2**10**30.5", "ITD07", "30.5"),  # 30.5 days: N0 is a whole number, and stated it is none
])
def test_what_is_no_number_of_its_type_stays_an_invalid_character(segment, element, value):
    got = _found([segment if s.startswith(segment[:5]) else s for s in BODY])  # "SAC*A", "ITD*0"
    assert ("ELEMENT_INVALID_CHARACTER", "error", element, value) in got
    assert ("IMPLIED_DECIMAL_STATED", "warning", element, value) not in got


def test_a_stated_value_longer_than_its_type_in_its_implied_form_is_too_long():
    """ITD07 is N0 1/3: "1000.0" is 1000, four digits; SAC05 N2 1/15: 1234567890123.45 is 15 digits (held)."""
    body = [s.replace("30.00", "1000.0").replace("2500.00", "1234567890123.45") for s in BODY]
    got = _found(body)
    assert ("ELEMENT_TOO_LONG", "error", "ITD07", "1000.0") in got
    assert not [g for g in got if g[0] == "ELEMENT_TOO_LONG" and g[2] == "SAC05"]


def test_the_997_notes_it_in_an_accepted_set():
    """AK5 E (accepted, errors noted) with AK3 .. 8 and AK4 code 6 at each element; AK9 E, the set counted
    accepted. A set that also has an error is rejected (R) as ever, its stated decimals noted beside it."""
    assert CATALOGUE["IMPLIED_DECIMAL_STATED"].ack == "AK4:6"
    data = interchange(BODY)
    result = read_interchanges(data)
    sets = list(result.transaction_sets())
    findings = check_structure(result, sets)
    assert status_of(findings)[:2] == ("E", ["5"])
    [g] = [grp for ic in result.interchanges for grp in ic.groups]
    body = [list(s) for s in build_997(g, findings, version="004010")]
    assert body[1:] == [
        ["AK2", "850", "0001"],
        ["AK3", "SAC", "4", "", "8"], ["AK4", "5", "610", "6", "2500.00"],
        ["AK3", "ITD", "5", "", "8"], ["AK4", "7", "386", "6", "30.00"],
        ["AK3", "SAC", "11", "", "8"], ["AK4", "5", "610", "6", "25.00"],
        ["AK3", "CTT", "12", "", "8"], ["AK4", "1", "354", "6", "1.0"],
        ["AK5", "E", "5"], ["AK9", "E", "1", "1", "1"]]
    bad = read_interchanges(interchange([s.replace("SAC*C*D240***25.00", "SAC*C*D240***25,00") for s in BODY]))
    assert status_of(check_structure(bad, list(bad.transaction_sets())))[0] == "R"


# --- through process_file: the PO is taken, its amounts as stated -----------------------------------------

@pytest.mark.parametrize("version, isa12, repetition", VERSIONS)
def test_a_po_with_stated_decimals_is_accepted_and_read_as_stated(version, isa12, repetition):
    out = run(interchange(BODY, version=version, isa12=isa12, repetition=repetition))
    assert out.error_count == 0 and out.orders.num_rows == 1  # it used to be rejected whole: no order
    assert [(r["code"], r["amount"]) for r in out.sacs.to_pylist()] == [("C310", Decimal("2500.00")),
                                                                       ("D240", Decimal("25.00"))]
    [order] = out.orders.to_pylist()
    assert (order["terms_net_days"], order["ctt_line_count"]) == (30, 1)
    # the ITD an 855 may echo carries the number stated in X12's form (30, not "30.00" in an N0)
    assert order["itd_sent"].split("\x1f") == ["01", "3", "2", "", "10", "", "30"]
    [words] = [f.message for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert "allowance C310 2500.00, not on our 810s; charge D240 25.00, not on our 810s (line 1)" in words
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    [body] = ack.bodies
    assert [list(s) for s in body if s[0] in ("AK5", "AK9")] == [["AK5", "E", "5"], ["AK9", "E", "1", "1", "1"]]


# --- a night end to end: 997, 855, stored SACs, our 810's SACs and the reconciliation -----------------------

def _acme_night(tmp_path, version: str):
    """ACME's demo 850s, ACME-1000 with a 25.00 allowance off the invoice (C310, SAC12 02) and 12.50 freight
    (D240) written "25.00" and "12.50", ITD07 "30.00"; ACME's profile bills both; ACME-1000 ships complete."""
    from tests.support import deliver_all, run_stages, ship_stages
    from tests.test_shipment_charges import DAY1, FREIGHT, HEADER, NIGHT1, ROWS

    ws = shipping_workspace(tmp_path / version, partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = po.read_text()
    old = "BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\nITD*08*3*2**10**30~\n"
    assert old in text
    text = text.replace(old, "BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n"
                        "SAC*A*C310***25.00*******02***PROMOTIONAL ALLOWANCE~\nSAC*C*D240***12.50*******06***FREIGHT~\n"
                        "ITD*08*3*2**10**30.00~\n", 1).replace("SE*14*0001~", "SE*16*0001~", 1)
    if version == "005010":
        text = text.replace("*U*00401*", "*^*00501*").replace("*X*004010~", "*X*005010~")
    po.write_text(text)
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + "\n" + FREIGHT + '\n[[fulfilment.invoice.charges]]\nkind = "A"\ncode = "C310"\n'
                    'amount = "25.00"\nper = "order"\n')
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = [f"SHP-9001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456999,BOL-9001,{p},{n},{sku},{q},EA,C-9{i},5,LB,"
            for i, (p, n, sku, q) in enumerate(ROWS) if p == "ACME-1000"]
    (inbox / "east-shipments.csv").write_text("\n".join([HEADER, *body]) + "\n")
    ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    return ws


def _segments(path) -> list[list[str]]:
    return read_interchanges(path.read_bytes()).segments.elements.to_pylist()


def _set_of(rows: list[list[str]], first: str, test) -> list[list[str]]:
    """The ST..SE of ``rows`` whose segment ``first`` passes ``test``."""
    starts = [i for i, r in enumerate(rows) if r[0] == "ST"]
    for a in starts:
        b = next(i for i in range(a, len(rows)) if rows[i][0] == "SE")
        one = rows[a:b + 1]
        if any(r[0] == first and test(r) for r in one):
            return one
    raise AssertionError(f"no set with {first}")


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_a_night_takes_the_po_and_bills_and_reconciles_its_stated_amounts(tmp_path, version):
    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from tests.test_charge_reconcile import _reconciled

    ws = _acme_night(tmp_path, version)
    outbox = ws.drop_root / "acme" / "outbox"
    # the 997: ACME-1000 (ST02 0001) accepted with its stated decimals noted, AK4 6 at each
    [rows] = [rows for rows in map(_segments, sorted(outbox.glob("*997*.x12"))) if ["AK1", "PO", "1001"] in
              [r[:3] for r in rows]]  # the 997 of acme-po-01.x12 (GS06 1001)
    at = rows.index(next(r for r in rows if r[:3] == ["AK2", "850", "0001"]))
    loop = rows[at:next(i for i in range(at, len(rows)) if rows[i][0] == "AK5") + 1]
    assert [r for r in loop if r[0] == "AK4"] == [["AK4", "5", "610", "6", "25.00"], ["AK4", "5", "610", "6", "12.50"],
                                                   ["AK4", "7", "386", "6", "30.00"]]
    assert loop[-1] == ["AK5", "E", "5"]
    [ak9] = [r for r in rows if r[0] == "AK9"]
    assert ak9[1] == "E" and ak9[3] == ak9[4]  # every set of the group accepted, errors noted
    # the order is taken (it used to be rejected whole: no 855, no order), its SACs stored as stated
    state = StateStore(ws.state_path)
    try:
        assert "ACME-1000" in [o.po_number for o in state.orders("acme")]
        # the failures report's consequence says so (it said "none (warning)" while the 997 noted it, AK5 E)
        told = {f["consequence"] for f in state.findings() if f["code"] == "IMPLIED_DECIMAL_STATED"}
        assert told == {"value read as stated; set accepted with errors noted (997 AK4 code 6, AK5 E)"}, told
    finally:
        state.close()
    ack855 = [_set_of(_segments(p), "BAK", lambda r: r[3] == "ACME-1000") for p in sorted(outbox.glob("*855*.x12"))
              if b"ACME-1000" in p.read_bytes()]
    assert len(ack855) == 1, "ACME-1000 got no 855"
    store = OrderStore(ws.orders_dir)
    stored = [(r["kind"], r["code"], r["amount"]) for key in sorted(store.sac_keys("acme"))
              for r in store.load_sacs("acme", key).to_pylist() if r["po_number"] == "ACME-1000"]
    assert stored == [("A", "C310", Decimal("25.00")), ("C", "D240", Decimal("12.50"))]
    # our 810 for ACME-1000 bills the agreed charges: SAC05 in X12's implied form (2500, 1250)
    bills = [_set_of(_segments(p), "BIG", lambda r: r[4] == "ACME-1000") for p in sorted(outbox.glob("*810*.x12"))
             if b"ACME-1000" in p.read_bytes()]
    assert len(bills) == 1
    # the PO's terms (ITD07 "30.00": 30 days net) stated on the 810 as X12 writes them
    assert [r for r in bills[0] if r[0] == "ITD"] == [["ITD", "08", "3", "2", "", "10", "", "30"]]
    assert sorted((r[1], r[2], r[5]) for r in bills[0] if r[0] == "SAC") == [("A", "C310", "2500"),
                                                                             ("C", "D240", "1250")]
    # and the reconciliation ties what was promised ("25.00", "12.50") with what was billed
    got, _html = _reconciled(ws, "recon")
    assert [(k, r["promised_value"], r["billed_value"], r["flag"]) for k, r in sorted(got.items())
            if k[0] == "ACME-1000"] == [
        (("ACME-1000", "A", "C310"), Decimal("25.00"), Decimal("25.00"), None),
        (("ACME-1000", "C", "D240"), Decimal("12.50"), Decimal("12.50"), None)]


def test_a_group_read_in_batches_notes_it_as_a_whole_read_does():
    """engine.process_batches (an interchange larger than memory): the 997 built batch by batch says AK5 E for
    the sets with a stated decimal, AK9 E when every set is accepted, and takes their POs, as a whole read does."""
    from tests.test_intake_batches import _group, _ic, _po, _same, _set

    def po(k: int) -> list[str]:  # the odd ones: a line's SAC05 "25.00" (in its PO1 loop, before CTT)
        body = _po(f"PO-{k}", 2)
        return [*body[:-1], "SAC*A*C310***25.00", body[-1]] if k % 2 else body

    sets = [_set("850", f"{k:04d}", po(k)) for k in range(5)]
    outs = _same(_ic([_group("PO", "701", sets)], isa13=701), max_sets=2)
    assert sum(o.orders.num_rows for o in outs) == 5
    [doc] = [d for o in outs for d in o.documents]
    body = [list(s) for s in doc.bodies[0]]
    assert [s for s in body if s[0] in ("AK5", "AK9")] == [
        ["AK5", "A"], ["AK5", "E", "5"], ["AK5", "A"], ["AK5", "E", "5"], ["AK5", "A"], ["AK9", "E", "5", "5", "5"]]


def test_an_860_with_stated_decimals_is_taken_and_noted():
    """The same for a change: a 004010 860 with SAC05 "25.00" and CTT01 "1.0" is read (its change recorded,
    CTT01 1), the 997 AK5 E with AK4 6 at both; it used to be rejected whole and the change lost."""
    from tests.support import ISA

    body = ["BCH*04*SA*PO-1***20261126", "SAC*A*C310***25.00", "POC*1*QI*20*20*EA*19.70*PE*UP*614141100101",
            "CTT*1.0"]
    data = (ISA.format(isa13=1, ack="0") + "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*004010~\nST*860*0001~\n"
            + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*0001~\nGE*1*1~\nIEA*1*000000001~\n").encode()
    out = run(data)
    assert out.error_count == 0
    assert out.change_headers.select(["ctt_line_count"]).to_pylist() == [{"ctt_line_count": 1}]
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    assert [list(s) for s in ack.bodies[0]][2:] == [
        ["AK3", "SAC", "3", "", "8"], ["AK4", "5", "610", "6", "25.00"], ["AK3", "CTT", "5", "", "8"],
        ["AK4", "1", "354", "6", "1.0"], ["AK5", "E", "5"], ["AK9", "E", "1", "1", "1"]]
