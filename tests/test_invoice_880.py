"""The 880 Grocery Products Invoice (engine.invoice_880): written from the 810 body our builder made and checked, so
both say the same (G01 for BIG, N9 for REF, G62*11 for DTM*011, G23 for ITD, G17/G69 for IT1/PID, G31 and G33 for
the totals), self-checked, its SACs as G72s (a mapped code only: the built-in table, or the partner's
[fulfilment.invoice] g72_codes), its summary's taxes as G72 tax charges, refusing loudly what it has no place for
(an unmapped SAC code, a tax on the lines, our tax registration number, another currency); a profile names the 810
or the 880, never both; finance reads an 880's total (G33) as an 810's TDS and its tax G72s as its taxes. The
night's 880 (Stater Bros., by the 875) is tested in tests/test_rg33_regional_grocers_boscovs.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.invoice_880 import body_880, check_880, number_880
from schemas.errors import DocumentError

BODY_810 = [["BIG", "20261201", "PENDING", "20261124", "SB4410027"], ["CUR", "SE", "USD"], ["REF", "IA", "SB20417"],
            ["REF", "DP", "GROC"], ["PER", "IC", "BILLING DESK", "TE", "5550100"],
            ["N1", "ST", "STATER BROS SAN BERNARDINO DC", "92", "0301"], ["N3", "1 DOCK RD"],
            ["N4", "SAN BERNARDINO", "CA", "92408"], ["REF", "ST", "X"], ["ITD", "01", "3", "1", "", "10", "", "30"],
            ["DTM", "011", "20261201"], ["DTM", "067", "20261203"],
            ["IT1", "1", "40", "CA", "18", "", "UA", "061414150301", "VN", "SKU-1", "IN", "77"],
            ["PID", "F", "", "", "", "DICED TOMATOES 14.5 OZ"],
            ["IT1", "2", "25", "CA", "27.6", "", "UP", "614141503025"],
            ["PID", "F", "", "", "", "APPLE JUICE 64 FL OZ"],
            ["TDS", "141000"], ["CAD", "M", "", "", "SBTR", "STATER TRUCK"], ["ISS", "65", "CA"], ["CTT", "2"]]


def test_the_880_says_what_the_810_says_in_its_own_segments():
    body = body_880(BODY_810)
    assert body == [
        ["G01", "20261201", "PENDING", "20261124", "SB4410027"],
        ["N9", "IA", "SB20417"], ["N9", "DP", "GROC"],
        ["G61", "IC", "BILLING DESK", "TE", "5550100"],
        ["G62", "11", "20261201"],  # DTM*011 shipped; DTM*067 has no 432 code of ours: left out
        ["G27", "M", "SBTR", "", "", "STATER TRUCK"],
        ["G23", "01", "3", "", "", "1", "", "10", "", "30"],
        ["N1", "ST", "STATER BROS SAN BERNARDINO DC", "92", "0301"], ["N3", "1 DOCK RD"],
        ["N4", "SAN BERNARDINO", "CA", "92408"],  # the N1 loop's REF has no place in the 880's N1 loop
        ["G17", "40", "CA", "18", "", "UA", "061414150301", "VN", "SKU-1"],  # the first two id pairs as sent
        ["G69", "DICED TOMATOES 14.5 OZ"],
        ["G17", "25", "CA", "27.6", "", "UP", "614141503025"], ["G69", "APPLE JUICE 64 FL OZ"],
        ["G31", "65", "CA"], ["G33", "141000"]]
    assert number_880(body, "INV0000007")[0] == ["G01", "20261201", "INV0000007", "20261124", "SB4410027"]


def test_lines_in_several_units_are_counted_as_units_and_a_weighed_line_keeps_its_cases():
    body = [["BIG", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"],
            ["IT1", "1", "480", "LB", "2.5", "", "UP", "012345678905"], ["QTY", "39", "10", "CA"],
            ["IT1", "2", "5", "CA", "10", "", "UP", "012345678912"], ["TDS", "125000"], ["CTT", "2"]]
    got = body_880(body)
    assert ["G17", "480", "LB", "2.5", "", "UP", "012345678905", "", "", "", "10", "CA"] in got
    assert got[-2:] == [["G31", "485", "UN"], ["G33", "125000"]]


@pytest.mark.parametrize(("extra", "why"), [
    (["SAC", "A", "C310", "", "", "1250"], "no allowance or charge code .element 340. mapped for SAC A C310: the "
                                           "invoice is not built until the partner's .fulfilment.invoice. g72_codes "
                                           "maps it to the 340 code its guide assigns, \"A:C310\" = "),
    (["SAC", "C", "F050", "", "", "1250"], "mapped for SAC C F050.* g72_codes .*\"C:F050\""),
    (["SAC", "A", "D240", "", "", "1250"], "mapped for SAC A D240"),  # freight is a charge code, not an allowance
    (["TXI", "ST", "5.00"], "a tax on its lines .TXI in an IT1 loop: .fulfilment.invoice. tax_at = \"line\". is "
                            "the summary's too and would be billed twice"),
    (["CUR", "SE", "CAD"], "CAD"),
])
def test_what_the_880_has_no_place_for_is_refused_loudly(extra, why):
    body = [*BODY_810[:-4], extra, *BODY_810[-4:]] if extra[0] != "CUR" else [BODY_810[0], extra, *BODY_810[2:]]
    with pytest.raises(DocumentError, match=why):
        body_880(body)


def test_a_tax_with_our_registration_number_is_refused():
    """TXI09 (our GST/HST/QST registration number, which such an invoice must state) has no place in a G72."""
    body = [*BODY_810[:-3], ["TXI", "GS", "70.5", "5", "", "", "", "", "", "123456789RT0001"], *BODY_810[-3:]]
    with pytest.raises(DocumentError, match="no place for our tax registration number .TXI09 '123456789RT0001'."):
        body_880(body)


def _taxed(*txis: list[str], total: str) -> list[list[str]]:
    """BODY_810 with ``txis`` after its TDS (the summary's TXIs, before CAD) and TDS01 ``total``."""
    return [["TDS", total] if s[0] == "TDS" else s for s in [*BODY_810[:-3], *txis, *BODY_810[-3:]]]


def test_the_summarys_taxes_are_heading_g72_tax_charges_and_g33_holds_them_as_the_tds():
    """A summary TXI -> a heading G72 (after the N1 loop, before the G17s): G7201 501 Taxes for a tax type 340 names
    no tax of its own (CT county tax), 537 State or Province Tax for PG, 526 Beverage Tax for AF; G7202 06;
    G7208 TXI02 in cents; G7209 TXI03 as a number of percent (TXI03 as a fraction times 100). G33 = TDS01, which
    holds the taxes: the self-check takes them as charges."""
    body = _taxed(["TXI", "CT", "102.23", "7.25"], ["TXI", "PG", "14.1", "1"], ["TXI", "AF", "2", "0.5"],
                  total="152833")  # 1410.00 + 102.23 + 14.10 + 2.00
    got = body_880(body)
    assert [s for s in got if s[0] == "G72"] == [["G72", "501", "06", "", "", "", "", "", "10223", "7.25"],
                                                 ["G72", "537", "06", "", "", "", "", "", "1410", "1"],
                                                 ["G72", "526", "06", "", "", "", "", "", "200", "0.5"]]
    tags = [s[0] for s in got]
    assert tags.index("N4") < tags.index("G72") < tags.index("G17") and got[-1] == ["G33", "152833"]
    with pytest.raises(DocumentError, match="plus charges less allowances"):
        check_880([*got[:-1], ["G33", "141000"]])  # without the taxes: wrong
    # the partner's guide names the code ([fulfilment.invoice] g72_codes "TXI:LS"); TXI03 a fraction (tax_percent)
    fraction = _taxed(["TXI", "LS", "102.23", "0.0725"], total="151223")
    assert [s for s in body_880(fraction, {"TXI:LS": "537"}, "decimal") if s[0] == "G72"] == [
        ["G72", "537", "06", "", "", "", "", "", "10223", "7.25"]]
    # and wins over the table: a guide that bills a state sales tax as 501 Taxes
    assert [s for s in body_880(_taxed(["TXI", "ST", "102.23", "7.25"], total="151223"), {"TXI:ST": "501"})
            if s[0] == "G72"] == [["G72", "501", "06", "", "", "", "", "", "10223", "7.25"]]
    with pytest.raises(DocumentError, match="G7209 holds 6 digits: the tax's rate 7.254321 does not fit"):
        body_880(_taxed(["TXI", "ST", "102.23", "7.254321"], total="151223"))


@pytest.mark.parametrize(("tax", "code"), [
    ("ST", "537"),  # state sales tax: a tax of the state, 340's 537 State or Province Tax
    ("SP", "537"),  # state/provincial tax
    ("PG", "537"),  # state or provincial tax on goods
    ("PS", "537"),  # state or provincial tax on services
    ("AF", "526"),  # alcoholic beverage tax: 526 Beverage Tax
    ("CT", "501"),  # county tax: no 340 code of a county's tax, 501 Taxes
    ("CI", "501"),  # city tax
    ("LS", "501"),  # state and local sales tax: the state's and the locality's together, not the state's alone
    ("LT", "501"),  # local sales tax (below the state)
    ("SU", "501"),  # sales and use tax: no jurisdiction named
    ("FT", "501"),  # federal excise tax
    ("GS", "501"),  # goods and services tax (federal, Canada)
])
def test_each_tax_type_is_the_340_tax_that_names_it_else_501_taxes(tax, code):
    """TXI01 (963) -> G7201 (340): 340 lists three taxes (501 Taxes, 526 Beverage Tax, 537 State or Province Tax);
    a state's or province's own tax is 537 (ST state sales tax and SP state/provincial tax were 501: a grocer's
    guide reading 537 as the state's tax got an unnamed 501), a beverage tax 526, any other (a county's, a city's,
    a combined state and local tax, a sales and use tax) 501."""
    got = body_880(_taxed(["TXI", tax, "102.23", "7.25"], total="151223"))
    assert [s for s in got if s[0] == "G72"] == [["G72", code, "06", "", "", "", "", "", "10223", "7.25"]]


def test_the_partners_g72_codes_map_what_the_table_does_not_and_win_over_it():
    """[fulfilment.invoice] g72_codes: a SAC02 with no 340 code of the same meaning (C310 discount) takes the one
    the partner's guide assigns (51 trade discount), on a heading or a line SAC; a pair the table maps takes the
    guide's code when it names one (D240 freight -> 53 is no charge: the profile refuses it; C D240 -> 516 here)."""
    body = [["BIG", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"],
            ["IT1", "1", "10", "CA", "20", "", "UP", "012345678905"], ["SAC", "A", "C310", "", "", "400"],
            ["TDS", "20100"], ["SAC", "A", "C310", "", "", "500", "", "2"], ["SAC", "C", "D240", "", "", "1000"],
            ["CTT", "1"]]
    got = body_880(body, {"A:C310": "51", "C:D240": "516"})
    assert [s for s in got if s[0] == "G72"] == [["G72", "51", "02", "", "", "", "", "", "500", "2"],
                                                 ["G72", "516", "06", "", "", "", "", "", "1000"],
                                                 ["G72", "51", "02", "", "", "", "", "", "400"]]
    assert got[-1] == ["G33", "20100"]  # 200.00 - 4.00 - 5.00 + 10.00
    with pytest.raises(DocumentError, match="mapped for SAC A C310"):
        body_880(body, {"A:C320": "43"})  # another SAC's code maps nothing here


@pytest.mark.parametrize(("codes", "why"), [
    ({"A:C310": "504"}, "an allowance's 340 code is 1-499"),
    ({"C:F050": "51"}, "a charge's 340 code is 500-999 and not a tax's"),
    ({"C:F050": "501"}, "a charge's 340 code is 500-999 and not a tax's"),
    ({"TXI:ST": "504"}, "a tax is a G72 of a tax code .501, 526, 537."),
    ({"A:C31": "51"}, "String should match pattern"),
    ({"X:C310": "51"}, "String should match pattern"),
    ({"A:C310": "051"}, "String should match pattern"),
    ({"A:C310": "1000"}, "String should match pattern"),
])
def test_a_g72_code_of_the_wrong_kind_or_shape_is_refused_by_the_profile(codes, why):
    """An allowance's code is 1-499 and a charge's 500-999 (how the 880's readers tell them apart: check_880, finance)
    but not a tax's, and a tax's one of the 340 list's taxes; keys SAC01:SAC02 or TXI:TXI01."""
    from pydantic import ValidationError

    from schemas.fulfilment import InvoiceSettings

    assert InvoiceSettings(g72_codes={"A:C310": "51", "C:F050": "999", "TXI:ST": "537"}).g72_codes["A:C310"] == "51"
    with pytest.raises(ValidationError, match=why):
        InvoiceSettings(g72_codes=codes)


def test_the_810s_sacs_are_the_880s_g72s_and_g33_holds_them_as_the_tds():
    """A heading SAC (after TDS) -> the heading G72 loop after the N1s; a line SAC (in its IT1 loop) -> its G17
    loop; SAC02 -> G7201 (340) by SAC_TO_G7201, SAC12 -> G7202 (else 02 / 06), SAC13 -> G7203, SAC08 rate ->
    G7205, SAC10 -> G7206, SAC09 -> G7207, SAC05 -> G7208, SAC07 -> G7209, SAC15 -> G73. G33 = TDS01."""
    body = [["BIG", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"],
            ["IT1", "1", "10", "CA", "20", "", "UP", "012345678905"],
            ["SAC", "A", "A260", "", "", "1000", "", "", "1", "CA", "10", "", "01", "AD-77"],
            ["IT1", "2", "5", "CA", "10", "", "UP", "012345678912"],
            ["TDS", "25275"], ["SAC", "A", "D170", "", "", "750", "1", "3"],
            ["SAC", "C", "D240", "", "", "2025", "", "", "", "", "", "", "", "", "", "FREIGHT"], ["CTT", "2"]]
    got = body_880(body)
    assert got == [
        ["G01", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"],
        ["G72", "1", "02", "", "", "", "", "", "750", "3"],  # free goods, 3 % (SAC07)
        ["G72", "504", "06", "", "", "", "", "", "2025"], ["G73", "FREIGHT"],
        ["G17", "10", "CA", "20", "", "UP", "012345678905"],
        ["G72", "100", "01", "AD-77", "", "1", "10", "CA", "1000"],  # advertising, bill back, 1.00 per CA x 10
        ["G17", "5", "CA", "10", "", "UP", "012345678912"],
        ["G31", "15", "CA"], ["G33", "25275"]]  # 250.00 - 10.00 - 7.50 + 20.25
    with pytest.raises(DocumentError, match="plus charges less allowances"):
        check_880([*got[:-1], ["G33", "24275"]])


def test_a_sac_reference_longer_than_g7203_is_refused():
    body = [*BODY_810[:-4], ["SAC", "C", "D240", "", "", "0", "", "", "", "", "", "", "", "R" * 17], *BODY_810[-4:]]
    with pytest.raises(DocumentError, match="G7203 holds 16"):
        body_880(body)


def test_a_line_naming_no_item_is_refused():
    body = [["BIG", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"], ["IT1", "1", "5", "CA", "10"],
            ["TDS", "5000"], ["CTT", "1"]]
    with pytest.raises(DocumentError, match="names its item"):
        body_880(body)


def test_the_self_check_holds_the_totals_to_the_lines():
    good = body_880(BODY_810)
    check_880(good)
    with pytest.raises(DocumentError, match="G33 141001 is not the lines' extensions"):
        check_880([*good[:-1], ["G33", "141001"]])
    with pytest.raises(DocumentError, match="G31 does not add up"):
        check_880([*good[:-2], ["G31", "64", "CA"], good[-1]])


def test_a_profile_names_the_810_or_the_880_never_both():
    from pydantic import ValidationError

    from schemas.profile import PartnerProfile

    x12 = {"their_qualifier": "ZZ", "their_id": "GROCER", "our_qualifier": "ZZ", "our_id": "OURS",
           "their_gs_id": "GROCER", "our_gs_id": "OURS"}
    grocer = PartnerProfile(id="g", name="G", x12=x12, receives=("997", "880"), accepts=("875", "997"))
    assert grocer.invoice_set == "880" and grocer.invoiced
    plain = PartnerProfile(id="p", name="P", x12=x12, receives=("997", "810"))
    assert plain.invoice_set == "810" and plain.invoiced
    assert PartnerProfile(id="n", name="N", x12=x12).invoice_set is None
    with pytest.raises(ValidationError, match="810 or by the 880"):
        PartnerProfile(id="b", name="B", x12=x12, receives=("810", "880"))


def test_finance_reads_an_880s_total_and_numbers_beside_an_810s():
    import pyarrow as pa

    from engine.finance_inputs import invoice_totals

    isa = "ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*STATERBROS     *261201*1500*U*00401*{}*0*P*>~\n"
    g880 = number_880(body_880(BODY_810), "INV0000004")
    content = (isa.format("000000004") + "GS*GP*ORDERBRIDGE*STATERBROS*20261201*1500*4*X*004010~\nST*880*0001~\n"
               + "".join("*".join(s) + "~\n" for s in g880) + f"SE*{len(g880) + 2}*0001~\nGE*1*4~\n"
               "IEA*1*000000004~\n").encode()
    docs = pa.table({"partner": ["staterbros"], "document_id": pa.array([1], pa.int64()), "doc_type": ["880"],
                     "isa13": ["000000004"], "file": ["staterbros-880-000000004.x12"],
                     "sent_at": pa.array([datetime(2026, 12, 1, 15)], pa.timestamp("s")),
                     "content": pa.array([content], pa.binary())})
    (row,) = invoice_totals(docs).to_pylist()
    assert (row["po_number"], row["invoice_number"], row["invoice_date"], row["total"], row["charges"],
            row["allowances"], row["st02"]) == ("SB4410027", "INV0000004", date(2026, 12, 1), Decimal("1410.00"),
                                                Decimal(0), Decimal(0), "0001")


def test_finance_reads_an_880s_tax_g72s_as_its_taxes_not_charges():
    """The 880's G72 of a tax code (501, 526, 537: engine.invoice_880's TXI) is read into the set's taxes, as the
    810's summary TXI is; a profile-mapped allowance code (51) counts as an allowance (its SAC02 unknown to the
    reader: no code), the table's (504) as the charge it maps back to."""
    import pyarrow as pa

    from engine.finance_inputs import invoice_rows

    body = [*_taxed(["TXI", "ST", "102.23", "7.25"], total="151973")[:-3],
            ["SAC", "A", "C310", "", "", "500"], ["SAC", "C", "D240", "", "", "1250"], *BODY_810[-3:]]
    g880 = number_880(body_880(body, {"A:C310": "51"}), "INV0000005")
    isa = "ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*STATERBROS     *261201*1500*U*00401*{}*0*P*>~\n"
    content = (isa.format("000000005") + "GS*GP*ORDERBRIDGE*STATERBROS*20261201*1500*5*X*004010~\nST*880*0001~\n"
               + "".join("*".join(s) + "~\n" for s in g880) + f"SE*{len(g880) + 2}*0001~\nGE*1*5~\n"
               "IEA*1*000000005~\n").encode()
    docs = pa.table({"partner": ["staterbros"], "document_id": pa.array([1], pa.int64()), "doc_type": ["880"],
                     "isa13": ["000000005"], "file": ["staterbros-880-000000005.x12"],
                     "sent_at": pa.array([datetime(2026, 12, 1, 15)], pa.timestamp("s")),
                     "content": pa.array([content], pa.binary())})
    totals, charges = invoice_rows(docs)
    (row,) = totals.to_pylist()
    assert (row["total"], row["taxes"], row["charges"], row["allowances"]) == (
        Decimal("1519.73"), Decimal("102.23"), Decimal("12.50"), Decimal("5.00"))
    assert sorted((r["kind"], r["code"], r["amount"]) for r in charges.to_pylist()) == [
        ("A", None, Decimal("5.00")), ("C", "D240", Decimal("12.50"))]


def _880_docs(g880: list[list[str]], control: str):
    import pyarrow as pa

    isa = "ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*STATERBROS     *261201*1500*U*00401*{}*0*P*>~\n"
    content = (isa.format(control) + f"GS*GP*ORDERBRIDGE*STATERBROS*20261201*1500*{int(control)}*X*004010~\n"
               "ST*880*0001~\n" + "".join("*".join(s) + "~\n" for s in g880) + f"SE*{len(g880) + 2}*0001~\n"
               f"GE*1*{int(control)}~\nIEA*1*{control}~\n").encode()
    return pa.table({"partner": ["staterbros"], "document_id": pa.array([1], pa.int64()), "doc_type": ["880"],
                     "isa13": [control], "file": [f"staterbros-880-{control}.x12"],
                     "sent_at": pa.array([datetime(2026, 12, 1, 15)], pa.timestamp("s")),
                     "content": pa.array([content], pa.binary())})


def test_finance_maps_a_profile_s_g72_code_back_to_the_sac02_it_was_written_from():
    """A G72 whose 340 code the partner's [fulfilment.invoice] g72_codes assigned ({"A:C310" = "51"}: the PO's 2 %
    discount billed as a trade discount) is read back through the same map: its code is the SAC02 C310 again, so
    the charge reconciliation matches it to the PO's SAC*A*C310 (it was read with no code: the PO's discount
    "not taken" and an allowance nobody promised). A table code is read back as before (504 -> D240); a 340 code
    two SAC02s map to (the profile's C310 and the table's C320 both 43) names neither; without the map, none."""
    from engine.finance_inputs import invoice_rows

    body = [*BODY_810[:-3], ["SAC", "A", "C310", "", "", "500"], ["SAC", "C", "D240", "", "", "1250"],
            ["SAC", "A", "C320", "", "", "100"], *BODY_810[-3:]]
    body = [["TDS", "141650"] if s[0] == "TDS" else s for s in body]  # 1410.00 - 5.00 + 12.50 - 1.00
    docs = _880_docs(number_880(body_880(body, {"A:C310": "51"}), "INV0000006"), "000000006")
    maps = {"staterbros": {"A:C310": "51"}}
    totals, charges = invoice_rows(docs, g72_codes=maps)
    assert sorted((r["kind"], r["code"], r["amount"]) for r in charges.to_pylist()) == [
        ("A", "C310", Decimal("5.00")), ("A", "C320", Decimal("1.00")), ("C", "D240", Decimal("12.50"))]
    assert totals["allowance_codes"].to_pylist() == ["C310 C320"]
    _totals, unmapped = invoice_rows(docs)  # the map not given: the code unknown, as before
    assert sorted((r["kind"], r["code"] or "") for r in unmapped.to_pylist()) == [
        ("A", ""), ("A", "C320"), ("C", "D240")]
    # a 340 code two SAC02s are written as (the profile's C310 and the table's C320 both 43): neither is named
    docs = _880_docs(number_880(body_880(body, {"A:C310": "43"}), "INV0000007"), "000000007")
    _totals, ambiguous = invoice_rows(docs, g72_codes={"staterbros": {"A:C310": "43"}})
    assert sorted((r["kind"], r["code"] or "") for r in ambiguous.to_pylist()) == [
        ("A", ""), ("A", ""), ("C", "D240")]


def test_the_sent_880_names_its_invoice_and_po():
    from parsers.outbox_documents import _set

    sent = _set([["ST", "880", "0001"], ["G01", "20261201", "INV0000004", "20261124", "SB4410027"]], "880", "0001",
                "4")
    assert (sent.set_id, sent.invoice_number, sent.po_number) == ("880", "INV0000004", "SB4410027")


def test_an_880_is_held_to_the_outbound_check_before_it_is_sent():
    """flows.shipments.CheckedRender keeps the 880s it renders, as the 810s, and verify refuses one our validator
    finds an error in (its invoice then waits: INVOICE_NOT_BUILT, the next run retries it)."""
    from flows.shipments import CheckedRender, OutboundRefused
    from schemas.findings import finding
    from schemas.lifecycle import PlannedDocument, PlannedSet

    def render(doc, isa13, gs06, st02s):
        return "f", doc.sets[0].text.encode()

    made = CheckedRender(render, lambda data: [finding("INVOICE_NOT_BUILT", "refused", severity="error")]
                         if b"BAD" in data else [])
    made(PlannedDocument("staterbros", "880", "GP", (PlannedSet("inv:1", text="G01*BAD"),)), 4, 4, [1])
    made(PlannedDocument("staterbros", "855", "PR", (PlannedSet("ack:1", text="BAK*BAD"),)), 5, 5, [1])
    with pytest.raises(OutboundRefused) as refused:
        made.verify()
    assert sorted(refused.value.refused) == ["inv:1"]  # the 880 checked (an 855 is checked elsewhere)
