"""A PO's own statement of a tax (TXI in a PO1 loop or the heading: TXI01 the tax's code, TXI02 an amount, TXI03 a
percent) was read only for exemptions (TXI06): a buyer stating GST 13 % where our 810 bills 5 %, or a tax our 810s
do not bill at all, met no word until the 810 was disputed or short-paid. PO_TAX_MISMATCH (a warning) now names each
such TXI with ours (the partner's [[fulfilment.invoice.taxes]] for the ship-to's province or state); what we bill
does not change, and a TXI agreeing with ours says nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.fulfilment import InvoiceSettings, InvoiceTax
from tests.retailer_support import recounted
from tests.support import REPO, x12_850

GST = InvoiceTax(kind="GST", code="GS", percent=Decimal(5), registration="123456789RT0001",
                 regions=("AB", "BC", "QC"))
QST = InvoiceTax(kind="QST", code="SP", percent=Decimal("9.975"), registration="1234567890TQ0001", regions=("QC",))
HEAD = ["BEG*00*SA*PO-1**20261126", "CUR*BY*CAD", "N1*ST*FOOTHILLS*92*FMC", "N4*CALGARY*AB*T2N 2T9*CA"]
LINE = "PO1*1*2*CA*290**VN*RG73-07"  # 580.00


def _told(body: list[str], invoice: InvoiceSettings | None = InvoiceSettings(taxes=(GST, QST))) -> list:
    result = read_interchanges(x12_850(body + ["CTT*1"]))
    return [f for f in check_structure(result, list(result.transaction_sets()), invoice=invoice)
            if f.code == "PO_TAX_MISMATCH"]


def test_a_line_tax_at_another_percent_or_of_a_code_we_do_not_bill_is_named_with_ours():
    [f] = _told([*HEAD, LINE, "TXI*GS**13", "TXI*ST*37.70*6.5"])
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "warning", "TXI", "TXI01", "GS")
    assert f.location.segment_position == 7  # the first TXI told
    assert "other than our 810s bill to AB" in f.message
    assert "line 1 TXI GS 13 % (ours: GST GS 5 %)" in f.message
    assert "line 1 TXI ST 37.70 6.5 % (ours: none of code ST: GST GS 5 %)" in f.message


def test_an_amount_alone_is_compared_with_ours_of_the_line_s_or_the_order_s_value():
    assert _told([*HEAD, LINE, "TXI*GS*29"]) == []  # 5 % of 580.00
    assert _told([*HEAD, LINE, "TXI*GS*29.01"]) == []  # a cent apart: rounding
    [f] = _told([*HEAD, LINE, "TXI*GS*75.40"])  # 13 % of 580.00 (HST)
    assert "line 1 TXI GS 75.40 (ours: GST GS 5 %, 29.00)" in f.message
    [f] = _told([*HEAD, LINE, "TXI*GS*0***2"])  # no GST, and not exempt (TXI06 2): ours bill 29.00
    assert "line 1 TXI GS 0 (ours: GST GS 5 %, 29.00)" in f.message
    # the heading's TXI (850 position 290), of every line's value: 580.00 + 3 x 236.00
    lines = [LINE, "PO1*2*3*CT*236**VN*RG73-10"]
    assert _told([*HEAD, "TXI*GS*64.40", *lines]) == []
    [f] = _told([*HEAD, "TXI*GS*167.44", *lines])
    assert "the heading TXI GS 167.44 (ours: GST GS 5 %, 64.40)" in f.message


@pytest.mark.parametrize("txi", ["TXI*GS**5", "TXI*GS*29*5", "TXI*GS*****3", "TXI*ST*0", "TXI*ST**0",
                                 "TXI*ZZ", "TXI*GS*****1"])
def test_a_tax_agreeing_with_ours_an_exemption_or_a_zero_we_do_not_bill_says_nothing(txi):
    assert _told([*HEAD, LINE, txi]) == []


def test_the_ship_to_s_province_decides_which_of_ours_apply():
    quebec = [*HEAD[:2], "N1*ST*HOPITAL*92*H1", "N4*MONTREAL*PQ*H3A 1A1*CA"]  # PQ: Quebec's former code
    assert _told([*quebec, LINE, "TXI*GS**5", "TXI*SP**9.975"]) == []
    [f] = _told([*HEAD, LINE, "TXI*SP**9.975"])  # QST in Alberta: ours bill none
    assert "line 1 TXI SP 9.975 % (ours: none of code SP: GST GS 5 %)" in f.message
    ontario = [*HEAD[:2], "N1*ST*HOSPITAL*92*H2", "N4*TORONTO*ON*M5G 1X8*CA"]
    [f] = _told([*ontario, LINE, "TXI*HS**13"])
    assert "to ON" in f.message and "(ours: none of code HS)" in f.message


def test_without_the_partner_s_settings_or_a_tax_of_item_classes_nothing_is_compared():
    assert _told([*HEAD, LINE, "TXI*GS**13"], invoice=None) == []
    grocery = GST.model_copy(update={"exempt": ("grocery",)})  # a zero-rated item's TXI may well state 0
    assert _told([*HEAD, LINE, "TXI*GS**13"], invoice=InvoiceSettings(taxes=(grocery,))) == []


def _processed(sweep: str, partner: str, swaps=()) -> list:
    """The findings of the per-file pipeline (engine.process.process_file, as inspect --partner and the night run
    it) over a sweep's PO of ``partner``, its bytes swapped, with the partner's profile."""
    from engine.process import Known, process_file
    from schemas.profile import load_profile

    folder = REPO / "tests" / "fixtures" / sweep
    data = next((folder / "drops" / partner).iterdir()).read_bytes()
    for old, new in swaps:
        assert old in data
        data = data.replace(old, new)
    out = process_file(recounted(data), file="po.x12", sha256="0" * 64,
                       profile=load_profile(folder / "partners" / f"{partner}.toml"), known=Known(),
                       today=date(2026, 11, 25))
    return [f for f in out.findings if f.code == "PO_TAX_MISMATCH"]


def test_a_run_tells_the_hospital_s_gst_at_another_rate_and_not_a_partner_we_invoice_no_tax_to():
    """Alberta Health Services (rg73: GST 5 % on our 810s) stating 13 %; Walmart Mexico (rg9), whose IVA goes on
    its CFDI (it receives no 810 of ours): its TXI*VA**16 is not told."""
    assert _processed("rg73", "ahs") == []
    [f] = _processed("rg73", "ahs", [(b"PO4*20*1*EA~", b"PO4*20*1*EA~\nTXI*GS**13~")])
    assert "line 1 TXI GS 13 % (ours: GST GS 5 %)" in f.message and f.severity == "warning"
    assert _processed("rg9", "walmex") == []
