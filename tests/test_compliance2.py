"""What the rg85 sweep (our outbound 855/856/810 against retailers' implementation guides) left, closed on its own
fixtures (tests/fixtures/rg85/: the buyers' profiles, 850s and the east DC's confirmation; rg2's warehouse).

1. SAC_NOT_APPLIED said the PO's SAC was or was not "on our 810s" without regard to what our 810s bill: Kroger's
   off-invoice allowance (SAC*A*F800, SAC12 02), which its 810 carries after the IT1, raised the warning all the
   same, and a PO's freight (SAC*C*D240) billed by the profile's own D240 charge (rg86's Tractor Supply) was named
   "not on our 810s". Now a PO whose every SAC our 810s bill (its own, or the profile's charge of its kind and code
   in its place) has no finding, and one that is raised names per SAC what is billed and how ("on our 810s", "on our
   810s as our own charge D240 25.00 per order", "not on our 810s").
2. Walmart.com's drop ship vendor 856 lists no N1 and no REF in the shipment's HL loop (HL, LIN, SN1, PRF, TD1, TD5,
   MAN); ours wrote N1 SF/ST there with no setting to leave them out. [fulfilment.asn] shipment_parties (default
   ["SF", "ST"]) names the S level's N1 loops; with shipment_refs = [] (the S level's REFs, already a setting) the
   Walmart.com document is its guide's."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.findings import detail_values, sacs_text
from schemas.sac_words import sacs_in_words
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    po_segments,
    segments,
    variant_night,
)
from tests.support import GOOD_PO, REPO, x12_850

FIXTURES = REPO / "tests" / "fixtures" / "rg85"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]
FREIGHT = ("[fulfilment.invoice.remit_to]",
           '[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "D240"\namount = 25.00\nper = "order"\n\n'
           "[fulfilment.invoice.remit_to]")


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


def _doc(ws, partner: str, kind: str, key: str) -> list[list[str]]:
    head = {"855": "BAK", "856": "BSN", "810": "BIG"}[kind]
    return po_segments(segments(ws, partner, kind), key, head)


def _sac_findings(body: list[str], invoice) -> list:
    result = read_interchanges(x12_850(body))
    return [f for f in check_structure(result, list(result.transaction_sets()), invoice=invoice)
            if f.code == "SAC_NOT_APPLIED"]


# --- 1. SAC_NOT_APPLIED tells what our 810s bill ---------------------------------------------------------------

def test_kroger_s_off_invoice_allowance_on_its_810_raises_no_finding(tmp_path):
    """Kroger's $20.00 off-invoice allowance (SAC*A*F800, SAC12 02) is taken off its 810 after the IT1: nothing is
    left to agree, so no SAC_NOT_APPLIED (it was raised, naming the allowance "on our 810s")."""
    ws, found, states = _variant("kroger", "KR8500401", tmp_path)
    assert states == {("kroger", "KR8500401"): "invoiced"}
    assert not [f for f in found if f[0] == "SAC_NOT_APPLIED"], found
    inv = _doc(ws, "kroger", "810", "KR8500401")
    assert ["SAC", "A", "F800", "", "", "2000", "", "", "", "", "", "", "02"] in inv and ["TDS", "60100"] in inv


def test_a_po_s_freight_the_profile_s_own_charge_bills_raises_no_finding(tmp_path):
    """The PO's freight (SAC*C*D240 25.00, SAC12 06) and the profile's own D240 of 25.00 per order (rg86's Tractor
    Supply): our 810 bills the freight once, as the profile's charge (never twice), with the PO's allowance; the PO
    was named "not on our 810s" though its freight is billed. Now no finding."""
    ws, found, states = _variant("kroger", "KR8500401", tmp_path,
                                 [("REF*IA*KR3301~", "REF*IA*KR3301~SAC*C*D240***2500*******06~")],
                                 profile_swaps=[FREIGHT])
    assert states == {("kroger", "KR8500401"): "invoiced"}
    assert not [f for f in found if f[0] == "SAC_NOT_APPLIED"], found
    inv = _doc(ws, "kroger", "810", "KR8500401")
    assert [s[:6] for s in inv if s[0] == "SAC"] == [["SAC", "A", "F800", "", "", "2000"],
                                                     ["SAC", "C", "D240", "", "", "2500"]]
    assert ["TDS", "62600"] in inv  # 216.00 + 405.00 - 20.00 + 25.00


def test_a_finding_names_what_each_sac_is_billed_as_and_what_is_not():
    """A PO with the freight the profile's D240 bills, an off-invoice allowance our 810 carries and a bill back it
    does not: one finding, each SAC saying what our 810s bill of it."""
    from schemas.fulfilment import Charge, InvoiceSettings

    invoice = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount="25.00", per="order"),))
    body = (HEAD[:2] + ["SAC*C*D240***2500*******06", "SAC*A*B720***5000*******01"] + HEAD[2:] + LINES[:2]
            + ["SAC*A*C310****3*2.5*****02"] + LINES[2:] + ["CTT*2*18"])
    [f] = _sac_findings(body, invoice)
    assert f.message.endswith(
        "kind and code its own charges bill): charge D240 25.00, handling 06 charge to be paid by customer, on our "
        "810s as our own charge D240 25.00 per order; allowance B720 50.00, handling 01 bill back, not on our 810s; "
        "allowance C310 2.5 % of basis 3, handling 02 off invoice, on our 810s (line 1). Agree the others with the "
        "partner.")
    # without the bill back every one is billed: no finding; without the profile's D240 the freight is not
    assert _sac_findings([b for b in body if "B720" not in b], invoice) == []
    [f] = _sac_findings([b for b in body if "B720" not in b], InvoiceSettings())
    assert "charge D240 25.00, handling 06 charge to be paid by customer, not on our 810s;" in f.message


def test_a_charge_for_other_fobs_or_by_percent_is_named_as_billed():
    """A profile charge limited to POs of some FOB01s (Charge.fob) bills nothing on a PO of another: the PO's own
    then reaches no 810 (never billed twice, never billed at all) and says so; by percent it names its percent."""
    from schemas.fulfilment import Charge, InvoiceSettings

    prepaid = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount="25.00", fob=("PC",)),))
    body = HEAD[:2] + ["FOB*CC", "SAC*C*D240***2500*******06"] + HEAD[2:] + LINES + ["CTT*2*18"]
    [f] = _sac_findings(body, prepaid)
    assert "charge D240 25.00, handling 06 charge to be paid by customer, not on our 810s." in f.message
    assert _sac_findings([b.replace("FOB*CC", "FOB*PC") for b in body], prepaid) == []
    by_percent = InvoiceSettings(charges=(Charge(kind="A", code="C310", percent="2"),))
    [f] = _sac_findings(HEAD[:2] + ["SAC*A*C310****1*2.5*****01", "SAC*A*B720***5000*******01"] + HEAD[2:] + LINES
                        + ["CTT*2*18"], by_percent)
    assert ("allowance C310 2.5 % of basis 1, handling 01 bill back, on our 810s as our own allowance C310 2 % of "
            "each 810's lines; allowance B720") in f.message


def test_without_the_partner_s_profile_the_finding_is_as_before():
    """inspect of a PO whose partner is not known: every SAC named, none said to be on or off our 810s."""
    [f] = _sac_findings(HEAD[:2] + ["SAC*A*F800***2000*******02"] + HEAD[2:] + LINES + ["CTT*2*18"], None)
    assert "allowance F800 20.00, handling 02 off invoice. Agree them with the partner." in f.message


def test_finance_reads_an_item_billed_as_our_charge_to_the_po_s_sac():
    """engine.finance_inputs.po_charges (orders stored before their SACs were kept) reads the words without what
    they say of our 810s, the new "as our own charge ..." too."""
    from engine.finance_inputs import po_charges
    from schemas.fulfilment import Charge, InvoiceSettings

    invoice = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount="25.00", per="order"),))
    [f] = _sac_findings(HEAD[:2] + ["SAC*C*D240***2500*******06", "SAC*A*B720***5000*******01"] + HEAD[2:] + LINES
                        + ["CTT*2*18"], invoice)
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [f.message], "file": ["t"],
                                "sacs": [detail_values(f.detail)[3]]}))
    assert [(r["kind"], r["code"], r["amount"], r["handling"], r["words"]) for r in read.to_pylist()] == [
        ("C", "D240", 25, "06", "charge D240 25.00, handling 06 charge to be paid by customer"),
        ("A", "B720", 50, "01", "allowance B720 50.00, handling 01 bill back")]
    line = ("The PO asks for allowances or charges we apply to no price or 855; each says whether our 810s carry it: "
            "charge D240 25.00, on our 810s as our own charge D240 25.00 per order (line 1); allowance B720 50.00, "
            "not on our 810s. Agree the others with the partner.")
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [line], "file": ["t"],
                                "sacs": [sacs_text(*sacs_in_words(line))]}))  # recorded before: migrated
    assert [(r["code"], r["line_id"], r["amount"], r["words"]) for r in read.to_pylist()] == [
        ("D240", "1", 25, "charge D240 25.00 (line 1)"), ("B720", None, 50, "allowance B720 50.00")]


# --- 2. Walmart.com's 856: no N1 or REF in the shipment's HL loop ----------------------------------------------

WMC_GUIDE = [('dates_level = "heading"\n', 'dates_level = "heading"\nshipment_parties = []\nshipment_refs = []\n')]


def test_walmart_com_856_is_its_guide_s(tmp_path):
    """Walmart.com's drop ship vendor 856: ST, BSN, DTM in the heading; the HL loop HL, LIN, SN1, PRF, TD1, TD5, MAN:
    no N1 (ship-from or the consumer's ship-to) and no REF at the shipment level. The whole document pinned."""
    ws, found, states = _variant("walmartcom", "2581185070011", tmp_path, profile_swaps=WMC_GUIDE)
    assert states == {("walmartcom", "2581185070011"): "invoiced"}, found
    asn = _doc(ws, "walmartcom", "856", "WMC-SHP-01")
    assert asn[:4] == [["BSN", "00", "WMC-SHP-01", "20261201", "1500", "0001"], ["DTM", "011", "20261201", "0630"],
                       ["HL", "1", "", "S", "1"], ["TD1", "CTN25", "1", "", "", "", "G", "4", "LB"]]
    assert asn[4] == ["TD5", "B", "2", "FDEG", "U"] and asn[5][:4] == ["HL", "2", "1", "O"]
    assert not [s for s in asn if s[0] in ("N1", "N2", "N3", "N4", "PER")]
    hl = [i for i, s in enumerate(asn) if s[0] == "HL"]
    assert [s[0] for s in asn[hl[0]:hl[1]] if s[0] == "REF"] == []
    assert asn[5:7] == [["HL", "2", "1", "O", "1"], ["PRF", "2581185070011", "", "", "20261124"]]
    assert asn[7] == ["REF", "CO", "7710285093317"]  # the order's REF CO (order_refs), as before
    assert asn[-1][0] == "CTT" and [s[3] for s in asn if s[0] == "HL"][:3] == ["S", "O", "P"]


def test_walmart_com_856_passes_our_validator_bots_and_pyx12(tmp_path, maps):  # noqa: F811
    ws, _found, _states = _variant("walmartcom", "2581185070011", tmp_path, profile_swaps=WMC_GUIDE)
    (tmp_path / "check").mkdir()
    all_sent_accepted(ws, {"walmartcom": {"2581185070011": 2}}, tmp_path / "check", maps, shipments=1, answers=1)


@pytest.mark.parametrize("parties, first", [(["SF"], ["N1", "SF", "OrderBridge Supply DC East", "UL",
                                                        "0614141000104"]),
                                            (["ST"], ["N1", "ST", "JORDAN ALVAREZ"])])
def test_one_party_alone_at_the_shipment_level(tmp_path, parties, first):
    ws, _found, states = _variant("walmartcom", "2581185070011", tmp_path, profile_swaps=[
        ('dates_level = "heading"\n', f"shipment_parties = {parties!r}\n".replace("'", '"'))])
    assert states == {("walmartcom", "2581185070011"): "invoiced"}
    n1s = [s[:2] for s in _doc(ws, "walmartcom", "856", "WMC-SHP-01") if s[0] == "N1"]
    assert n1s == [first[:2]]
    assert first in _doc(ws, "walmartcom", "856", "WMC-SHP-01")


def test_the_default_writes_both_parties_at_the_shipment_level():
    from schemas.fulfilment import AsnSettings

    assert AsnSettings().shipment_parties == ("SF", "ST")
    assert AsnSettings(shipment_parties=[]).shipment_parties == ()
    with pytest.raises(ValueError):
        AsnSettings(shipment_parties=["BY"])
