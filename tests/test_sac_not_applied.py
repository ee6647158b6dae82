"""SAC allowances and charges on an 850 (a defective-goods allowance of 0.5 %, a promotional allowance,
a handling charge: retailers send them on every PO) are not applied to our prices or 855s (our 810s carry
those the profile lists by SAC12): said once per order (SAC_NOT_APPLIED, a warning, never in the 997) with
what each one asks and whether our 810s carry it, instead of being dropped without a word; the order is
taken as sent."""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.findings import detail_values
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]


def checked(body: list[str]):
    result = read_interchanges(x12_850(body))
    return check_structure(result, list(result.transaction_sets()))


def test_allowances_and_charges_are_named_once_per_order():
    body = (HEAD[:2] + ["SAC*A*C000***112500*6*.5*****02", "SAC*C*D500***895"] + HEAD[2:] + LINES[:2]
            + ["SAC*A*C310****3*2.5"] + LINES[2:] + ["CTT*2*18"])
    [f] = checked(body)
    assert (f.code, f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "SAC_NOT_APPLIED", "warning", "SAC", "SAC02", "C000")
    assert f.location.segment_position == 4  # the first SAC
    assert "allowance C000 1125.00, 0.5 % of basis 6, handling 02 off invoice;" in f.message
    assert "charge D500 8.95" in f.message
    assert "allowance C310 2.5 % of basis 3 (line 1)" in f.message and "810" in f.message  # SAC06 3: its basis


def test_a_sac_saying_no_allowance_or_charge_is_not_reported():
    assert checked(HEAD[:2] + ["SAC*N*C000"] + HEAD[2:] + LINES + ["CTT*2*18"]) == []
    assert checked(GOOD_PO) == []


def test_the_order_is_taken_as_sent():
    out = run(x12_850(HEAD[:2] + ["SAC*A*C000***112500"] + HEAD[2:] + LINES + ["CTT*2*18"]))
    assert [f.code for f in out.findings] == ["SAC_NOT_APPLIED"]
    assert out.error_count == 0 and out.orders.num_rows == 1
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_a_po_with_many_allowances_names_ten_and_counts_the_rest():
    many = [f"SAC*A*C{n:03d}***100" for n in range(25)]
    [f] = checked(HEAD[:2] + many + HEAD[2:] + LINES + ["CTT*2*18"])
    assert "allowance C009 1.00; and 15 more." in f.message and "C010" not in f.message


def test_each_sac_says_whether_our_810s_carry_it_by_the_partner_s_po_allowances():
    """Since the 810 carries the PO's off-invoice SACs (SAC12 among [fulfilment.invoice] po_allowances,
    engine.invoice_po_sacs), the warning says per SAC whether our 810s carry it: an off-invoice (02) allowance
    is on them; a bill back (01), a SAC without SAC12, and one whose kind and code the profile's own charges bill
    are not. It used to say none reached an 810 (false for Kroger's off-invoice allowances, which ours carry). One
    whose kind and code the profile's own charges bill is billed as that charge (the PO's D240 freight by the
    profile's D240 of 15.00 per shipment): it said "not on our 810s" though our 810s bill the freight (rg86)."""
    from schemas.fulfilment import Charge, InvoiceSettings

    body = (HEAD[:2] + ["SAC*A*C000***112500*6*.5*****02", "SAC*C*D500***895", "SAC*A*B720***5000*******01",
                        "SAC*C*D240***1500*******02"] + HEAD[2:] + LINES[:2]
            + ["SAC*A*C310****3*2.5*****02"] + LINES[2:] + ["CTT*2*18"])
    result = read_interchanges(x12_850(body))
    invoice = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount="15.00"),))
    [f] = check_structure(result, list(result.transaction_sets()), invoice=invoice)
    assert f.message == (
        "The PO asks for allowances or charges we apply to no price or 855; each says whether our 810s carry it "
        "(those whose SAC12 the partner's [fulfilment.invoice] po_allowances lists; as our own charge those of a "
        "kind and code its own charges bill): "
        "allowance C000 1125.00, 0.5 % of basis 6, handling 02 off invoice, on our 810s; charge D500 8.95, not on "
        "our 810s; allowance B720 50.00, handling 01 bill back, not on our 810s; charge D240 15.00, handling 02 off "
        "invoice, on our 810s as our own charge D240 15.00 per shipment; allowance C310 2.5 % of basis 3, handling "
        "02 off invoice, on our 810s (line 1). Agree the others with the partner.")
    [bill_back] = check_structure(result, list(result.transaction_sets()),
                                  invoice=InvoiceSettings(po_allowances=("01",)))
    assert "handling 01 bill back, on our 810s;" in bill_back.message
    assert "handling 02 off invoice, not on our 810s;" in bill_back.message


def test_the_finding_of_a_partner_s_po_names_what_its_810s_carry_and_finance_reads_it_as_before():
    """Through intake with the partner's profile (acme: po_allowances the default 02), and read back by the
    finance side (engine.finance_inputs.po_charges) to the same SACs, the words without the 810 note."""
    import pyarrow as pa

    from engine.finance_inputs import po_charges

    out = run(x12_850(HEAD[:2] + ["SAC*A*C000***112500*******02", "SAC*A*B720***5000*******01"] + HEAD[2:] + LINES
                      + ["CTT*2*18"]))
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert "allowance C000 1125.00, handling 02 off invoice, on our 810s; " in f.message
    assert "allowance B720 50.00, handling 01 bill back, not on our 810s." in f.message
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [f.message], "file": ["t"],
                                "sacs": [detail_values(f.detail)[3]]}))
    assert [(r["code"], r["amount"], r["handling"], r["words"]) for r in read.to_pylist()] == [
        ("C000", 1125, "02", "allowance C000 1125.00, handling 02 off invoice"),
        ("B720", 50, "01", "allowance B720 50.00, handling 01 bill back")]


def test_a_rate_per_a_unit_no_line_is_billed_in_and_no_amount_is_said_not_to_reach_our_810s():
    """A rate is per its SAC09 unit (engine.invoice_po_sacs): one per a unit the lines are not billed in (a backhaul
    allowance per hundredweight, CW, on lines in eaches) with no amount stated reaches no 810 of ours, and the
    warning says so; it said "on our 810s" by SAC12 alone. With its amount stated, per a unit its lines are in,
    or on a line priced per pound (billed by its weight, LB) it is on them as before. (A PO whose SACs our 810s
    all carry has no finding: each is asked here beside a bill back, B720, which they do not.)"""
    from schemas.fulfilment import InvoiceSettings

    def words(sacs: list[str], lines: list[str] = LINES) -> str:
        result = read_interchanges(x12_850(HEAD[:2] + ["SAC*A*B720***5000*******01"] + sacs + HEAD[2:] + lines
                                           + ["CTT*2*18"]))
        [f] = check_structure(result, list(result.transaction_sets()), invoice=InvoiceSettings())
        assert "allowance B720 50.00, handling 01 bill back, not on our 810s; " in f.message
        return f.message

    assert "allowance C310 rate 0.85, handling 02 off invoice, not on our 810s." in words(
        ["SAC*A*C310******0.85*CW*48**02"])
    assert "allowance C310 40.80, rate 0.85, handling 02 off invoice, on our 810s." in words(
        ["SAC*A*C310***4080***0.85*CW*48**02"])
    assert "allowance C310 rate 0.1, handling 02 off invoice, on our 810s." in words(["SAC*A*C310******0.1*EA*18**02"])
    # a line's own rate: per pound on a line priced per pound is billed by its weight; per case on a line in eaches
    # by the cases the PO states for the line (SAC10: rg49's bottle deposit per BO on a line of cases), not without
    weighed = [LINES[0], LINES[1], "PO1*2*6*CA*2.89*PP*VN*SKU-2", "SAC*A*C310******0.05*LB*120**02"]
    assert "rate 0.05, handling 02 off invoice, on our 810s (line 2)." in words([], weighed)
    cased = [*LINES[:2], "SAC*A*C310******0.5*CA*1**02", LINES[2]]
    assert "rate 0.5, handling 02 off invoice, on our 810s (line 1)." in words([], cased)
    cased = [*LINES[:2], "SAC*A*C310******0.5*CA*0**02", LINES[2]]
    assert "rate 0.5, handling 02 off invoice, not on our 810s (line 1)." in words([], cased)
