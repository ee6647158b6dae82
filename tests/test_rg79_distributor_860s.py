"""860 purchase order changes from buyers that are not big retailers: wholesale distributors, a co-op, drug and
MRO wholesalers (tests/fixtures/rg79/: each buyer's profile, reference rows, stock, 850s in drops/, the 860s of the
night before shipment in changes/, the late ones in late-changes/; the rg2 DC). What the public material says and
the fixtures carry: BCH05 is the change order sequence number, BCH06 the PO's date, BCH11 the change's date (IBM's
860 reference: "BCH06 is the purchase order date", "BCH11 is the change date"; Orderful's 860: the sequence number
tracks "multiple changes to the same order"); the grocery change (the 876, and distributors' 860s after it) deletes
an item by restating its quantity as zero; KeHE's programme requires the 860 and answers it with the 855, UNFI's
takes the 860 as optional and answers with the 855 too; the others' 865s answer line by line.

- UNFI: a line raised (QI) and a line cancelled by its quantity restated as zero (POC02 CA, POC03 0), not DI:
  answered by a revised 855 leaving the cancelled line out.
- KeHE (005010): the delivery appointment moved alone (heading DTM 002, no POC), its two days in transit kept:
  a revised 855 with the new ship day.
- C&S: two 860s for one PO in one interchange, its change 2 ahead of its change 1 (BCH05; BCH11 dates in that
  order too): applied 1 then 2, each answered by an 865. (Variants: unnumbered changes go by their BCH11 dates; a
  change numbered below one applied the night before is refused, unless a replacing 850 came between; every line
  deleted cancels the PO.)
- Associated Wholesale Grocers (co-op): a replace (BCH01 05) restating every line (NC, RZ, CA), none dropped.
- McLane: a change read before the 850 it changes (the same night, an earlier file): the order's 855 states it,
  its 865 follows.
- McKesson: quantities and prices changed in another unit than the line's (80 EA at 9.55 of a line in cases of
  10; 8 CA at 47.80 of a line in eaches): applied in the line's unit (8 CA at 95.50; 80 EA at 4.78), answered in
  the buyer's (the price used to be kept as sent, per the line's unit).
- Cardinal Health: a case line's price changed per each (POC07 PE): our price per case, IP, a revised 855.
- Cencora: an 860 for a PO held for credit, answered once a person approves it (the order's 855, then the 865);
  an 860 for a PO a person rejected, refused and told as rejected (not as an unknown PO).
- Grainger: lines numbered 10 and 20; a line added past the last (AI 30), one lowered; BCH11 echoed (BCA11).
- WESCO: no 855 nor 865 in its programme: the 997 answers its raise, shipped and billed as raised.
- Essendant: after 12 of line 1's 20 cases shipped, the line zeroed by quantity (QD 0): the 12 stay.
- Army and Air Force Exchange Service (a government exchange, 005010: its 860 guide carries REF, PER and DTM in
  the heading): the cancel-after date moved (DTM 001) and a line deleted, with a new buyer contact: an 865.
- Sysco: change 3 (a cut to 30) on 11-27, its change 2 (a raise to 80, sent before it) on 12-02: refused, not
  applied over change 3 (it used to be: the order went back to 80, a revised 855 accepting it).

One run takes them all: 850s on 11-25 (a person rejects Cencora's second PO), the 860s on 11-27 (the person then
approves Cencora's first), the DC's confirmation on 12-01, the late 860s on 12-02; every 997, 855, 865, 856 and 810
sent is checked by our validator, Bots and pyx12."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import (
    findings_and_states,
    inspected,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    segments,
)
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg79"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT1, NIGHT2, SHIP_DAY, NIGHT3 = (datetime(2026, 11, 25, 2), datetime(2026, 11, 27, 2), datetime(2026, 12, 1, 15),
                                    datetime(2026, 12, 2, 2))
PARTNERS = ("aafes", "awg", "cardinal", "cencora", "cswholesale", "essendant", "grainger", "kehe", "mckesson", "mclane",
            "sysco", "unfi", "wesco")
# what the night finds that is no refusal of a valid document: told, never held or refused for it
NOTED = {"CREDIT_LIMIT_EXCEEDED", "CHANGE_HEADER_APPLIED", "PRICE_BASIS_PER_EACH", "ASN_LATE", "CHANGE_BELOW_SHIPPED",
         "CHANGE_ORDER_UNKNOWN", "CHANGE_OUT_OF_SEQUENCE"}


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_and_change_without_an_error(path):
    seen = inspected(path)
    assert {f["severity"] for f in seen["findings"]} <= {"warning"}, seen["findings"]


def _dropped(ws, folder: str) -> None:
    for partner in (FIXTURES / folder).iterdir():
        for f in partner.iterdir():
            shutil.copy2(f, ws.drop_root / partner.name / "inbox" / f.name)


def _person(ws, verdict: str, po: str, *extra: str) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, [verdict, po, "--partner", "cencora", "--by", "Pat Credit", *extra,
                                      "-w", str(ws.root)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """The 850s taken on 11-25 (a person then rejects CE7900802), the 860s on 11-27 (the person then approves
    CE7900801), the DC's confirmation shipped and invoiced on 12-01, the late 860s on 12-02: (ws, the state's findings
    as (code, severity, PO, message), the orders' states)."""
    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("rg79") / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT1)
    _person(ws, "reject", "CE7900802", "--reason", "over the credit line")
    _dropped(ws, "changes")
    run_stages(ws, NIGHT2)
    _person(ws, "approve", "CE7900801")
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for f in (FIXTURES / "shipments").iterdir():
        shutil.copy2(f, inbox / f.name)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    _dropped(ws, "late-changes")
    run_stages(ws, NIGHT3)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"], f["message"]))
    return ws, found, states


def _answers(ws, partner: str, kind: str, po: str) -> list[list[list[str]]]:
    """Every 855 (BAK) or 865 (BCA) of ``partner`` for ``po`` in the order sent, each ST to SE."""
    segs = segments(ws, partner, kind)
    head = "BAK" if kind == "855" else "BCA"
    starts = [k for k, s in enumerate(segs) if s[0] == head and s[3] == po]
    return [segs[k:next(j for j in range(k, len(segs)) if segs[j][0] == "SE")] for k in starts]


def _acks(doc) -> list[list[str]]:
    return [s[1:] for s in doc if s[0] == "ACK"]


def _po1s(doc) -> list[list[str]]:
    return [s[1:5] for s in doc if s[0] == "PO1"]


def _lines(ws, partner: str, po: str) -> dict[str, tuple]:
    """Each stored line of ``po`` by its line id: (state, quantity, unit, price)."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return {ln.line_id: (ln.state.value, ln.ordered, ln.unit, ln.unit_price)
                for ln in state.order_lines(partner, po)}
    finally:
        state.close()


def test_every_860_is_accepted_by_a_997_and_the_night_ends_as_the_buyers_asked(night):
    ws, found, states = night
    assert {c for c, *_ in found} <= NOTED
    assert {(c, po) for c, s, po, _m in found if s == "error"} == {
        ("CREDIT_LIMIT_EXCEEDED", "CE7900801"), ("CREDIT_LIMIT_EXCEEDED", "CE7900802"),  # held for a person
        ("CHANGE_ORDER_UNKNOWN", "CE7900802"),  # a change to a PO a person rejected
        ("CHANGE_BELOW_SHIPPED", "ES7901101"),  # the 12 shipped cases stay
        ("CHANGE_OUT_OF_SEQUENCE", "SY7901201")}  # change 2 after change 3
    for partner in PARTNERS:  # each 860 accepted in a 997 (AK2 860, AK5 A)
        acks = segments(ws, partner, "997")
        assert {s[1] for s in acks if s[0] == "AK5"} == {"A"}, partner
        assert any(s[:2] == ["AK2", "860"] for s in acks), partner
    assert states == {
        ("unfi", "UN7900101"): "acknowledged", ("kehe", "KE7900201"): "acknowledged",
        ("cswholesale", "CS7900301"): "acknowledged", ("awg", "AW7900401"): "acknowledged",
        ("mclane", "MC7900501"): "acknowledged", ("mckesson", "MK7900601"): "acknowledged",
        ("cardinal", "CH7900701"): "acknowledged", ("cencora", "CE7900801"): "acknowledged",
        ("cencora", "CE7900802"): "rejected", ("grainger", "GR7900901"): "acknowledged",
        ("wesco", "WE7901001"): "closed", ("essendant", "ES7901101"): "partially_shipped",
        ("sysco", "SY7901201"): "acknowledged", ("aafes", "AF7901301"): "acknowledged"}


def test_every_answer_and_document_sent_passes_our_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    ws = night[0]
    sent = sorted(p for partner in PARTNERS for p in (ws.drop_root / partner / "outbox").glob(f"{partner}-8*.x12"))
    kinds = [p.name.split("-")[1] for p in sent]
    assert {k: kinds.count(k) for k in set(kinds)} == {"855": 18, "865": 11, "856": 2, "810": 1}
    for path in sent:
        content = path.read_bytes()
        if "-856-" in path.name or "-810-" in path.name:
            accepted(content, tmp_path, maps)
            continue
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(content, tmp_path)
        assert ok, (path.name, errors)
        ok, ack = pyx12_accepts(content.decode(), maps)
        assert ok, (path.name, ack[:800])


def test_unfi_s_line_cancelled_by_a_zero_quantity_is_deleted_and_left_out_of_its_revised_855(night):
    """POC*2*CA*0*10*CA: the grocery way to delete an item (its quantity restated as zero), not DI. The line is
    deleted as a DI would; the revised 855 (BAK01 05) restates the raised line 1 and line 3, line 2 left out."""
    ws, _found, _states = night
    assert not list((ws.drop_root / "unfi" / "outbox").glob("*-865-*"))
    first, revised = _answers(ws, "unfi", "855", "UN7900101")
    assert first[0][:3] == ["BAK", "00", "AD"] and len(_po1s(first)) == 3
    assert revised[0][:3] == ["BAK", "05", "AD"]
    assert _po1s(revised) == [["1", "24", "CA", "38.4"], ["3", "30", "CA", "29.9"]]
    assert _acks(revised) == [["IA", "24", "CA", "068", "20261203"], ["IA", "30", "CA", "068", "20261203"]]
    assert ["CTT", "2", "54"] in revised
    lines = _lines(ws, "unfi", "UN7900101")
    assert lines["2"][0] == "deleted" and lines["1"][1] == Decimal(24)


def test_kehe_s_delivery_appointment_moved_alone_is_answered_with_the_new_ship_day(night):
    """KeHE's 860 (005010) carries its heading DTM 002 alone, 12-07 -> 12-10. Two days in transit: the order first
    shipped 12-05, now 12-08, in a revised 855; a warning names old and new."""
    ws, found, _states = night
    first, revised = _answers(ws, "kehe", "855", "KE7900201")
    assert ["DTM", "068", "20261205"] in first
    assert revised[0][:3] == ["BAK", "05", "AD"] and ["DTM", "068", "20261208"] in revised
    assert _acks(revised) == [["IA", "40", "CA", "068", "20261208"], ["IA", "25", "CA", "068", "20261208"]]
    assert [m for c, _s, po, m in found if po == "KE7900201"] == [
        "The 860's heading changed PO KE7900201: DTM 002 2026-12-07 -> 2026-12-10. The order was decided again with "
        "them."]
    assert segments(ws, "kehe", "855")[1][-1] == "005010"  # its GS08


def test_cs_two_changes_in_one_interchange_are_applied_in_their_bch05_order(night):
    """C&S's interchange holds its change 2 (line 1 to 30) ahead of its change 1 (line 1 to 45, line 2 to 48): applied
    1 then 2, line 1 ends at 30 (read order would leave 45). Each 865 answers its 860 (BCA05 its BCH05, BCA11 its
    BCH11), in the order they came, each line as we ship it."""
    ws, _found, _states = night
    assert _lines(ws, "cswholesale", "CS7900301") == {"1": ("allocated", Decimal(30), "CA", Decimal("18.5")),
                                                      "2": ("allocated", Decimal(48), "CA", Decimal("21.6"))}
    two, one = _answers(ws, "cswholesale", "865", "CS7900301")
    assert two[0] == ["BCA", "00", "AD", "CS7900301", "", "2", "20261124", "", "", "", "20261127", "20261126"]
    assert one[0][5] == "1" and one[0][11] == "20261125"
    assert _acks(two) == [["IQ", "30", "CA"]]
    assert _acks(one) == [["IQ", "30", "CA"], ["IQ", "48", "CA"]]


def test_awg_s_replace_restating_every_line_keeps_every_line(night):
    """AWG's BCH01 05 restates line 1 as it was (NC), line 2 at 20 (RZ) and line 3 at 26.80 (CA, within our 1%
    of 27): no line dropped, each answered."""
    ws, found, _states = night
    [answer] = _answers(ws, "awg", "865", "AW7900401")
    assert answer[0][:3] == ["BCA", "00", "AD"]
    assert [s[1:3] for s in answer if s[0] == "POC"] == [["1", "NC"], ["2", "RZ"], ["3", "CA"]]
    assert _acks(answer) == [["IA", "15", "CA"], ["IQ", "20", "CA"], ["IP", "12", "CA"]]
    assert _lines(ws, "awg", "AW7900401") == {"1": ("allocated", Decimal(15), "CA", Decimal("16.8")),
                                              "2": ("allocated", Decimal(20), "CA", Decimal("14.4")),
                                              "3": ("allocated", Decimal(12), "CA", Decimal("26.8"))}
    assert not [c for c, _s, po, _m in found if po == "AW7900401"]


def test_mclane_s_change_read_before_its_850_is_in_the_order_s_855_and_answered_after_it(night):
    ws, _found, _states = night
    names = sorted(p.name for p in (ws.drop_root / "mclane" / "outbox").glob("mclane-8*"))
    assert names == ["mclane-855-000000003.x12", "mclane-865-000000004.x12"]
    [first] = _answers(ws, "mclane", "855", "MC7900501")
    assert first[0][:3] == ["BAK", "00", "AD"]
    assert _po1s(first) == [["1", "30", "CA", "19.2"], ["2", "50", "CA", "9.6"]]
    [answer] = _answers(ws, "mclane", "865", "MC7900501")
    assert _acks(answer) == [["IQ", "30", "CA"]]


def test_mckesson_s_quantity_and_price_in_another_unit_are_restated_in_the_line_s_unit(night):
    """Line 1 is 10 CA of gloves (10 boxes a case) at 96.00: POC*1*PQ*80*10*EA*9.55 makes it 8 CA at 95.50 a case.
    Line 2 is 60 EA of prep pads at 4.80: POC*2*PQ*8*60*CA*47.8 (cases of 10) makes it 80 EA at 4.78. Both within our
    1%: taken, the 865 saying IC 80 EA and IC 8 CA, as the buyer counted. The price used to be kept per the line's
    unit as sent (8 CA at 9.55: the order held for a discount of 90%; 80 EA at 47.80)."""
    ws, found, states = night
    [answer] = _answers(ws, "mckesson", "865", "MK7900601")
    assert answer[0][:3] == ["BCA", "00", "AD"] and _acks(answer) == [["IC", "80", "EA"], ["IC", "8", "CA"]]
    assert _lines(ws, "mckesson", "MK7900601") == {"1": ("allocated", Decimal(8), "CA", Decimal("95.5")),
                                                   "2": ("allocated", Decimal(80), "EA", Decimal("4.78"))}
    assert states[("mckesson", "MK7900601")] == "acknowledged"
    assert not [c for c, _s, po, _m in found if po == "MK7900601"]
    assert not list((ws.drop_root / "mckesson" / "outbox").glob("*-855-000000005*"))  # taken as asked: no revised 855


def _mckesson_change(tmp_path, pocs: list[str]):
    """McKesson's MK7900601 taken on 11-25, then an 860 of ``pocs`` on 11-27: (ws, findings as (code, message))."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {"mckesson": ["mckesson-850-MK7900601.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT1)
    segs = ["ST*860*0001", "BCH*04*SA*MK7900601**1*20261124", *pocs, f"CTT*{len(pocs)}"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    (ws.drop_root / "mckesson" / "inbox" / "price.x12").write_text(
        "ISA*00*          *00*          *ZZ*MCKESSON       *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007959*0*P*>~"
        "GS*PC*MCKESSON*ORDERBRIDGE*20261126*0200*7959*X*004010~" + "".join(s + "~" for s in segs)
        + "GE*1*7959~IEA*1*000007959~")
    run_stages(ws, NIGHT2)
    return ws, findings_and_states(ws)[0]


GLOVES, PADS = "UP*614141790135*VN*RG79-13", "UP*614141790142*VN*RG79-14"


def test_a_price_change_alone_in_another_unit_is_restated_per_the_line_s_unit(tmp_path):
    """POC02 PC (price only) per each on the case line, 9.58 (95.80 a case), and per case on the each line, 47.9
    (4.79 each): the lines' prices per their own units. They used to be 9.58 a case (the order held, 90% off) and
    47.90 an each (answered at our price). Each is acknowledged in the buyer's unit, as its quantity in it would be
    (100 EA, 6 CA: tests/test_gaps860b.py; it used to be the line's, 10 CA and 60 EA, under a price per EA / CA)."""
    ws, found = _mckesson_change(tmp_path, [f"POC*1*PC*100*10*EA*9.58**{GLOVES}", f"POC*2*PC*6*60*CA*47.9**{PADS}"])
    assert found == []
    assert _lines(ws, "mckesson", "MK7900601") == {"1": ("allocated", Decimal(10), "CA", Decimal("95.8")),
                                                   "2": ("allocated", Decimal(60), "EA", Decimal("4.79"))}
    assert _acks(_answers(ws, "mckesson", "865", "MK7900601")[0]) == [["IP", "100", "EA"], ["IP", "6", "CA"]]


def test_a_price_in_another_unit_not_exact_per_the_line_s_unit_is_refused_and_a_basis_of_its_own_is_kept(tmp_path):
    """47.5555 a case of 10 is 4.75555 an each, more places than a price of ours carries: that POC is refused
    (IR, CHANGE_PRICE_INVALID saying why), the line as it was. A POC07 basis of its own (PE: per each) is read as a
    PO105 is, against the line's unit: 9.58 PE on the case line is the rules' to read (95.80 a case), not restated."""
    ws, found = _mckesson_change(tmp_path, [f"POC*1*PC*100*10*EA*9.58*PE*{GLOVES}",
                                            f"POC*2*PQ*8*60*CA*47.5555**{PADS}"])
    assert [c for c, _m in found] == ["CHANGE_PRICE_INVALID", "PRICE_BASIS_PER_EACH"]
    assert found[0][1].startswith("POC06 47.5555 per CA is 4.75555 per EA (the line's unit, 1 eaches to 10 a CA), "
                                  "not exact to 4 places")
    assert _lines(ws, "mckesson", "MK7900601") == {"1": ("allocated", Decimal(10), "CA", Decimal("9.58")),
                                                   "2": ("allocated", Decimal(60), "EA", Decimal("4.8"))}
    assert _acks(_answers(ws, "mckesson", "865", "MK7900601")[0]) == [["IP", "10", "CA"], ["IR", "60", "EA"]]


def test_cardinal_s_price_per_each_on_a_case_line_is_answered_at_our_price_per_case(night):
    ws, found, _states = night
    [answer] = _answers(ws, "cardinal", "865", "CH7900701")
    assert _acks(answer) == [["IP", "5", "CA"]]
    _first, revised = _answers(ws, "cardinal", "855", "CH7900701")
    assert revised[0][:3] == ["BAK", "05", "AC"] and _po1s(revised) == [["1", "5", "CA", "36"]]
    assert ["PO1", "1", "5", "CA", "36", "", "UP", "614141790159", "VN", "RG79-15"] in revised
    assert [c for c, _s, po, _m in found if po == "CH7900701"] == ["PRICE_BASIS_PER_EACH"]


def test_cencora_s_change_to_a_held_po_is_answered_once_approved_and_one_to_a_rejected_po_is_told_so(night):
    """CE7900801 waits for a person (credit) when its 860 lowers line 2 to 200: nothing answers it that night. Once
    approved, the next run sends the order's 855 (as the change left it) and then the 865. CE7900802, rejected by
    the person (855 RD), gets an 860 on 12-02: refused (865 RD), the finding saying the PO was rejected (it used to
    say "No live order": a person looked for a PO we hold)."""
    ws, found, _states = night
    names = sorted(p.name for p in (ws.drop_root / "cencora" / "outbox").glob("cencora-8*"))
    assert names == ["cencora-855-000000003.x12", "cencora-855-000000006.x12", "cencora-865-000000005.x12",
                     "cencora-865-000000007.x12"]
    [decided] = _answers(ws, "cencora", "855", "CE7900801")
    assert decided[0][:3] == ["BAK", "00", "AD"] and decided[0][-1] == "20261202"
    assert _po1s(decided) == [["1", "200", "EA", "3.25"], ["2", "200", "EA", "2.1"]]
    [change] = _answers(ws, "cencora", "865", "CE7900801")
    assert change[0][:3] == ["BCA", "00", "AD"] and _acks(change) == [["IQ", "200", "EA"]]
    [rejected] = _answers(ws, "cencora", "855", "CE7900802")
    assert rejected[0][:3] == ["BAK", "00", "RD"] and _acks(rejected) == [["IR", "400", "EA"]]
    [refused] = _answers(ws, "cencora", "865", "CE7900802")
    assert refused[0][:3] == ["BCA", "00", "RD"] and _acks(refused) == [["IR"]]
    assert [m for c, _s, po, m in found if c == "CHANGE_ORDER_UNKNOWN"] == [
        "PO CE7900802 was rejected before this change came: an 860 does not reopen it, so the change was not "
        "applied. The buyer sends a new PO (850) for what it still wants."]


def test_grainger_s_line_added_past_its_last_number(night):
    ws, _found, _states = night
    [answer] = _answers(ws, "grainger", "865", "GR7900901")
    assert answer[0][-1] == "20261126"  # BCA11: its BCH11
    assert [s[1:3] for s in answer if s[0] == "POC"] == [["20", "QD"], ["30", "AI"]]
    assert _acks(answer) == [["IQ", "30", "PR"], ["IA", "5", "BX"]]
    assert _lines(ws, "grainger", "GR7900901") == {"10": ("allocated", Decimal(100), "EA", Decimal("2.75")),
                                                   "20": ("allocated", Decimal(30), "PR", Decimal("4.5")),
                                                   "30": ("allocated", Decimal(5), "BX", Decimal(11))}


def test_wesco_s_raise_is_answered_by_its_997_alone_and_shipped_and_billed_as_raised(night):
    ws, _found, _states = night
    assert sorted(p.name.split("-")[1] for p in (ws.drop_root / "wesco" / "outbox").glob("*.x12")) == [
        "810", "856", "997", "997"]
    assert [s[1:] for s in segments(ws, "wesco", "856") if s[0] == "SN1"] == [["", "4", "RL", "", "4", "RL"],
                                                                              ["", "80", "EA", "", "80", "EA"]]
    bill = segments(ws, "wesco", "810")
    assert [s[1:5] for s in bill if s[0] == "IT1"] == [["1", "4", "RL", "89"], ["2", "80", "EA", "1.95"]]
    assert ["TDS", "51200"] in bill and ["N1", "ST", "WESCO BRANCH 1212", "92", "1212"] in bill


def test_essendant_s_line_zeroed_after_part_of_it_shipped_keeps_what_shipped(night):
    ws, found, _states = night
    [answer] = _answers(ws, "essendant", "865", "ES7901101")
    assert answer[0][:3] == ["BCA", "00", "AC"] and _acks(answer) == [["IQ", "12", "CA"]]
    assert _lines(ws, "essendant", "ES7901101")["1"][:3] == ("shipped", Decimal(12), "CA")
    [message] = [m for c, _s, po, m in found if c == "CHANGE_BELOW_SHIPPED"]
    assert "deletes line 1 of PO ES7901101, which shipped 12: the 8 unshipped unit(s) were cancelled" in message


def test_the_exchange_s_new_cancel_date_and_deleted_line_are_answered_by_its_865(night):
    """AAFES's 860 (005010) moves DTM 001 from 12-10 to 12-20, restates its vendor number (REF IA), names a new buyer
    (PER) and deletes line 2: the 865 carries the new date (DTM 001) and ID for the line; the order keeps line 1,
    not decided again for a deadline; a warning names old and new dates, nothing else."""
    ws, found, _states = night
    [answer] = _answers(ws, "aafes", "865", "AF7901301")
    assert answer[0][:3] == ["BCA", "00", "AD"] and ["DTM", "001", "20261220"] in answer
    assert _acks(answer) == [["ID", "0", "EA"]]
    assert _lines(ws, "aafes", "AF7901301") == {"1": ("allocated", Decimal(120), "EA", Decimal("8.75")),
                                                "2": ("deleted", Decimal(200), "EA", Decimal("5.4"))}
    assert [(c, m) for c, _s, po, m in found if po == "AF7901301"] == [(
        "CHANGE_HEADER_APPLIED", "The 860's heading changed PO AF7901301: DTM 001 2026-12-10 -> 2026-12-20. Its "
        "backorders follow the new dates: offered stock while they have not passed, cancelled once they have.")]
    assert segments(ws, "aafes", "865")[1][-1] == "005010"


def test_sysco_s_change_sent_before_one_applied_is_refused_not_applied_over_it(night):
    """Sysco's change 3 (BCH05 3, BCH11 11-26) cut line 1 from 60 to 30 on 11-27; its change 2 (BCH05 2, BCH11
    11-25: sent before it) raising line 1 to 80 came on 12-02. Applied, it undid change 3: the order went back to 80
    cases and a revised 855 accepted them. Now it is refused whole (CHANGE_OUT_OF_SEQUENCE naming change 3), the line
    stays at 30 and the revised 855 answering it restates the order as it stands."""
    ws, found, _states = night
    first, three, two = _answers(ws, "sysco", "855", "SY7901201")
    assert _po1s(first)[0] == ["1", "60", "CA", "34.5"] and _po1s(three)[0] == ["1", "30", "CA", "34.5"]
    assert two[0][:3] == ["BAK", "05", "AD"] and two[0][-1] == "20261202"
    assert _po1s(two) == [["1", "30", "CA", "34.5"], ["2", "20", "EA", "41"]]
    assert _acks(two) == [["IA", "30", "CA", "068", "20261203"], ["IA", "20", "EA", "068", "20261203"]]
    assert _lines(ws, "sysco", "SY7901201")["1"][1] == Decimal(30)
    assert [m for c, _s, po, m in found if po == "SY7901201"] == [
        "BCH05 2 of PO SY7901201 is an earlier change than change 3 (in sysco-860-SY7901201-3.x12), applied to the "
        "order before: the buyer sent it first and it came late. Applied now it would undo what the later change "
        "asked, so it was not applied; ask the buyer if anything of it still stands."]


def _cs_change(ws, ctl: int, body: list[str]) -> None:
    segs = ["ST*860*0001", *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    (ws.drop_root / "cswholesale" / "inbox" / f"cs-{ctl}.x12").write_text(
        f"ISA*00*          *00*          *ZZ*CSWG           *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{ctl:09d}*0*P*>~"
        f"GS*PC*CSWG*ORDERBRIDGE*20261126*0200*{ctl}*X*004010~" + "".join(s + "~" for s in segs)
        + f"GE*1*{ctl}~IEA*1*{ctl:09d}~")


def _cs_ordered(tmp_path):
    ws = of_its_own(FIXTURES, tmp_path / "ws", {"cswholesale": ["cswholesale-850-CS7900301.x12"]},
                    warehouses=WAREHOUSES)
    run_stages(ws, NIGHT1)
    return ws


LINE_1 = "CA*18.5**UP*614141790067*VN*RG79-06"


def test_an_865_partner_s_change_sent_before_one_applied_is_answered_rd_and_a_later_one_still_applies(tmp_path):
    """C&S's change 5 lowers line 1 to 30 (11-27); its change 4, sent before, raising it to 80, comes the night after:
    865 RD, every POC IR with the line as it stands (30), the order unchanged. Its change 6 (a cut to 20) then
    applies as any change."""
    ws = _cs_ordered(tmp_path)
    _cs_change(ws, 9101, ["BCH*04*SA*CS7900301**5*20261124*****20261126", f"POC*1*QD*30*60*{LINE_1}", "CTT*1"])
    run_stages(ws, NIGHT2)
    _cs_change(ws, 9102, ["BCH*04*SA*CS7900301**4*20261124*****20261125", f"POC*1*QI*80*60*{LINE_1}", "CTT*1"])
    run_stages(ws, datetime(2026, 11, 28, 2))
    five, four = _answers(ws, "cswholesale", "865", "CS7900301")
    assert _acks(five) == [["IQ", "30", "CA"]]
    assert four[0][:3] == ["BCA", "00", "RD"] and _acks(four) == [["IR", "30", "CA"]]
    assert _lines(ws, "cswholesale", "CS7900301")["1"][1] == Decimal(30)
    found, _states = findings_and_states(ws)
    assert [c for c, _m in found] == ["CHANGE_OUT_OF_SEQUENCE"]
    _cs_change(ws, 9103, ["BCH*04*SA*CS7900301**6*20261124*****20261128", f"POC*1*QD*20*30*{LINE_1}", "CTT*1"])
    run_stages(ws, datetime(2026, 11, 29, 2))
    assert _acks(_answers(ws, "cswholesale", "865", "CS7900301")[-1]) == [["IQ", "20", "CA"]]
    assert _lines(ws, "cswholesale", "CS7900301")["1"][1] == Decimal(20)


def test_two_unnumbered_changes_in_one_interchange_are_applied_in_their_bch11_order(tmp_path):
    """C&S numbers no change (no BCH05) in this interchange: its change asked on 11-26 (BCH11; line 1 to 30) comes
    ahead of the one asked on 11-25 (line 1 to 45, line 2 to 48). Applied in their change request dates' order,
    line 1 ends at 30; read order left it at 45, the older change over the newer."""
    ws = _cs_ordered(tmp_path)
    sets = [("0001", "20261126", [f"POC*1*CA*30*60*{LINE_1}"]),
            ("0002", "20261125", [f"POC*1*CA*45*60*{LINE_1}", "POC*2*CA*48*40*CA*21.6**UP*614141790074*VN*RG79-07"])]
    body = ""
    for st, asked, pocs in sets:
        segs = [f"ST*860*{st}", f"BCH*04*SA*CS7900301***20261124*****{asked}", *pocs, f"CTT*{len(pocs)}"]
        body += "".join(x + "~" for x in [*segs, f"SE*{len(segs) + 1}*{st}"])
    (ws.drop_root / "cswholesale" / "inbox" / "two.x12").write_text(
        "ISA*00*          *00*          *ZZ*CSWG           *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000009401*0*P*>~"
        f"GS*PC*CSWG*ORDERBRIDGE*20261126*0200*9401*X*004010~{body}GE*2*9401~IEA*1*000009401~")
    run_stages(ws, NIGHT2)
    assert {n: q for n, (_s, q, _u, _p) in _lines(ws, "cswholesale", "CS7900301").items()} == {
        "1": Decimal(30), "2": Decimal(48)}
    first, second = _answers(ws, "cswholesale", "865", "CS7900301")  # in the order they came
    assert first[0][-1] == "20261126" and second[0][-1] == "20261125"
    assert _acks(first) == [["IQ", "30", "CA"]] and _acks(second) == [["IQ", "30", "CA"], ["IQ", "48", "CA"]]


def test_after_a_replacing_850_a_change_numbered_from_1_again_applies(tmp_path):
    """C&S's change 5 cuts line 1 to 30; its 850 BEG01 05 then replaces the PO (line 1 50, line 2 40); its change 1
    of the reissued PO raises line 2 to 45: applied (the changes before the replacement count no more), 865 IQ 45."""
    ws = _cs_ordered(tmp_path)
    _cs_change(ws, 9301, ["BCH*04*SA*CS7900301**5*20261124", f"POC*1*QD*30*60*{LINE_1}", "CTT*1"])
    run_stages(ws, NIGHT2)
    segs = ["ST*850*0001", "BEG*05*SA*CS7900301**20261124", "REF*IA*CS4403", "DTM*010*20261203",
            "N1*ST*C&S DC 3330*92*3330", "PO1*1*50*CA*18.5**UP*614141790067*VN*RG79-06",
            "PO1*2*40*CA*21.6**UP*614141790074*VN*RG79-07", "CTT*2"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    (ws.drop_root / "cswholesale" / "inbox" / "reissue.x12").write_text(
        "ISA*00*          *00*          *ZZ*CSWG           *ZZ*ORDERBRIDGE    *261127*0200*U*00401*000009302*0*P*>~"
        "GS*PO*CSWG*ORDERBRIDGE*20261127*0200*9302*X*004010~" + "".join(s + "~" for s in segs)
        + "GE*1*9302~IEA*1*000009302~")
    run_stages(ws, datetime(2026, 11, 28, 2))
    _cs_change(ws, 9303, ["BCH*04*SA*CS7900301**1*20261127", "POC*2*QI*45*40*CA*21.6**UP*614141790074*VN*RG79-07",
                          "CTT*1"])
    run_stages(ws, datetime(2026, 11, 29, 2))
    found, states = findings_and_states(ws)
    assert found == [] and states == {("cswholesale", "CS7900301"): "acknowledged"}
    assert {n: q for n, (_s, q, _u, _p) in _lines(ws, "cswholesale", "CS7900301").items()} == {
        "1": Decimal(50), "2": Decimal(45)}
    assert _acks(_answers(ws, "cswholesale", "865", "CS7900301")[-1]) == [["IQ", "45", "CA"]]


def test_a_cancel_or_a_change_without_a_sequence_number_is_never_out_of_sequence(tmp_path):
    """After change 5, a change with no BCH05 applies (nothing says which came first), and a cancel with BCH05 2
    cancels the order: a cancel ends it whatever came before."""
    ws = _cs_ordered(tmp_path)
    _cs_change(ws, 9201, ["BCH*04*SA*CS7900301**5*20261124", f"POC*1*QD*30*60*{LINE_1}", "CTT*1"])
    run_stages(ws, NIGHT2)
    _cs_change(ws, 9202, ["BCH*04*SA*CS7900301***20261124", f"POC*1*QD*25*30*{LINE_1}", "CTT*1"])
    run_stages(ws, datetime(2026, 11, 28, 2))
    assert _lines(ws, "cswholesale", "CS7900301")["1"][1] == Decimal(25)
    _cs_change(ws, 9203, ["BCH*01*SA*CS7900301**2*20261124", "CTT*0"])
    run_stages(ws, datetime(2026, 11, 29, 2))
    found, states = findings_and_states(ws)
    assert found == [] and states == {("cswholesale", "CS7900301"): "cancelled"}


def _changed_whole(tmp_path, partner: str, isa: str, po: str, pocs: list[str]):
    """``partner``'s PO ``po`` (its 850 of the fixtures) taken on 11-25, then an 860 of ``pocs`` on 11-27: (ws,
    findings as (code, message), states)."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {partner: [f"{partner}-850-{po}.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT1)
    segs = ["ST*860*0001", f"BCH*04*SA*{po}**1*20261124", *pocs, f"CTT*{len(pocs)}"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    (ws.drop_root / partner / "inbox" / "all.x12").write_text(
        f"ISA*00*          *00*          *ZZ*{isa:<15}*ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007999*0*P*>~"
        f"GS*PC*{isa}*ORDERBRIDGE*20261126*0200*7999*X*004010~" + "".join(s + "~" for s in segs)
        + "GE*1*7999~IEA*1*000007999~")
    run_stages(ws, NIGHT2)
    return ws, *findings_and_states(ws)


def test_every_line_zeroed_by_quantity_cancels_the_order_as_a_cancel_would(tmp_path):
    """UNFI zeroes each of UN7900101's three lines (QC, CA and QD with POC03 0): the buyer cancelled the PO line by
    line. The order is cancelled (its reservations released) and answered as a whole-PO cancel is for a partner
    answered by 855s: BAK*05*RD, each line IR with its quantity. It used to stay acknowledged with every line
    deleted, never to ship nor close, its revised 855 BAK*05*AD listing no line at all."""
    from connectors.state import StateStore

    ws, found, states = _changed_whole(tmp_path, "unfi", "UNFI", "UN7900101", [
        "POC*1*QC*0*20*CA*38.4**UP*614141790012*VN*RG79-01", "POC*2*CA*0*10*CA*52.8**UP*614141790029*VN*RG79-02",
        "POC*3*QD*0*30*CA*29.9**UP*614141790036*VN*RG79-03"])
    assert found == [] and states == {("unfi", "UN7900101"): "cancelled"}
    _first, revised = _answers(ws, "unfi", "855", "UN7900101")
    assert revised[0][:3] == ["BAK", "05", "RD"]
    assert _acks(revised) == [["IR", "20", "CA"], ["IR", "10", "CA"], ["IR", "30", "CA"]]
    assert {state for state, *_ in _lines(ws, "unfi", "UN7900101").values()} == {"cancelled"}
    state = StateStore(ws.state_path)
    try:
        assert state.order_reservations("unfi", "UN7900101") == []
    finally:
        state.close()


def test_every_line_deleted_by_an_865_partner_cancels_the_order_and_the_865_answers_each_deletion(tmp_path):
    """C&S deletes both lines of CS7900301 (DI): cancelled, its 865 saying ID for each. A change deleting one line
    and leaving the other (the night's UNFI) is no cancel."""
    ws, found, states = _changed_whole(tmp_path, "cswholesale", "CSWG", "CS7900301", [
        "POC*1*DI*0*60*CA*18.5**UP*614141790067*VN*RG79-06", "POC*2*DI*0*40*CA*21.6**UP*614141790074*VN*RG79-07"])
    assert found == [] and states == {("cswholesale", "CS7900301"): "cancelled"}
    [answer] = _answers(ws, "cswholesale", "865", "CS7900301")
    assert answer[0][:3] == ["BCA", "00", "AD"] and _acks(answer) == [["ID", "0", "CA"], ["ID", "0", "CA"]]


def test_a_change_delivered_the_night_before_its_850_is_applied_when_the_850_comes(tmp_path):
    """C&S's two 860s (its change 2 ahead of its change 1) are delivered on 11-25, its 850 on 11-27 (a VAN
    delivering out of order; its profile keeps such a change two days, early_change_days). The first night they wait
    (a CHANGE_AWAITING_ORDER warning, nothing but the 997 sent); the night the 850 comes they are applied as a change
    read before its 850 the same night is: the order's 855 states it (line 1 at 30, line 2 at 48), their 865s
    follow. They used to be refused at once (865 RD, CHANGE_ORDER_UNKNOWN) and the 850 acknowledged without them:
    the buyer's cut lost, the order shipped as first ordered."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    shutil.copy2(FIXTURES / "changes" / "cswholesale" / "cswholesale-860-CS7900301.x12",
                 ws.drop_root / "cswholesale" / "inbox")
    run_stages(ws, NIGHT1)
    found, states = findings_and_states(ws)
    assert states == {} and [c for c, _m in found] == ["CHANGE_AWAITING_ORDER", "CHANGE_AWAITING_ORDER"]
    assert found[0][1].startswith("We hold no order of PO CS7900301 yet: the 860 waits for its 850")
    assert [p.name.split("-")[1] for p in (ws.drop_root / "cswholesale" / "outbox").glob("*.x12")] == ["997"]
    shutil.copy2(FIXTURES / "drops" / "cswholesale" / "cswholesale-850-CS7900301.x12",
                 ws.drop_root / "cswholesale" / "inbox")
    run_stages(ws, NIGHT2)
    found, states = findings_and_states(ws)
    assert [c for c, _m in found] == ["CHANGE_AWAITING_ORDER", "CHANGE_AWAITING_ORDER"]  # (the first night's)
    assert states == {("cswholesale", "CS7900301"): "acknowledged"}
    assert _lines(ws, "cswholesale", "CS7900301") == {"1": ("allocated", Decimal(30), "CA", Decimal("18.5")),
                                                      "2": ("allocated", Decimal(48), "CA", Decimal("21.6"))}
    names = sorted(p.name for p in (ws.drop_root / "cswholesale" / "outbox").glob("cswholesale-8*"))
    assert names == ["cswholesale-855-000000003.x12", "cswholesale-865-000000004.x12",
                     "cswholesale-865-000000005.x12"]
    [ordered] = _answers(ws, "cswholesale", "855", "CS7900301")
    assert ordered[0][:3] == ["BAK", "00", "AD"]
    assert _po1s(ordered) == [["1", "30", "CA", "18.5"], ["2", "48", "CA", "21.6"]]
    two, one = _answers(ws, "cswholesale", "865", "CS7900301")
    assert two[0][5] == "2" and _acks(two) == [["IQ", "30", "CA"]]
    assert one[0][5] == "1" and _acks(one) == [["IQ", "30", "CA"], ["IQ", "48", "CA"]]


def test_a_change_whose_850_never_comes_is_refused_after_two_days(tmp_path):
    """UNFI's 860 for UN7900101, whose 850 never comes: kept on 11-25 and 11-26 (early_change_days 2; nothing sent
    but the 997, a UNFI change gets no 865 anyway), refused as an unknown PO on 11-27. McLane's profile set to keep
    none (early_change_days = 0; the default is 2 days, tests/test_gaps860b.py): its 860 for a PO it never sent us is
    refused the night it comes, 865 RD."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    shutil.copy2(FIXTURES / "changes" / "unfi" / "unfi-860-UN7900101.x12", ws.drop_root / "unfi" / "inbox")
    for night in (NIGHT1, datetime(2026, 11, 26, 2)):
        run_stages(ws, night)
        assert [c for c, _m in findings_and_states(ws)[0]] == ["CHANGE_AWAITING_ORDER"]
    run_stages(ws, NIGHT2)
    found, states = findings_and_states(ws)
    assert [c for c, _m in found] == ["CHANGE_AWAITING_ORDER", "CHANGE_ORDER_UNKNOWN"] and states == {}
    assert found[1][1] == "No live order 'UN7900101' for this partner; the change was not applied."
    assert [p.name.split("-")[1] for p in (ws.drop_root / "unfi" / "outbox").glob("*.x12")] == ["997"]
    ws = of_its_own(FIXTURES, tmp_path / "mclane", {}, warehouses=WAREHOUSES)
    profile = ws.partners_dir / "mclane.toml"
    profile.write_text(profile.read_text().replace('rule_suites = ["standard"]\n',
                                                   'rule_suites = ["standard"]\nearly_change_days = 0\n', 1))
    assert "early_change_days = 0" in profile.read_text()
    shutil.copy2(FIXTURES / "drops" / "mclane" / "mclane-a-860-MC7900501.x12", ws.drop_root / "mclane" / "inbox")
    run_stages(ws, NIGHT1)
    assert [c for c, _m in findings_and_states(ws)[0]] == ["CHANGE_ORDER_UNKNOWN"]
    [refused] = _answers(ws, "mclane", "865", "MC7900501")
    assert refused[0][:3] == ["BCA", "00", "RD"] and _acks(refused) == [["IR"]]
