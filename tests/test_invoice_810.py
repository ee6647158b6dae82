"""810 builder: segments, the stated rounding rules, TDS equal to its lines (property test, checked
with integer arithmetic of our own), refusals (more than shipped, twice, no price), per-shipment
invoices from a typed shipment, and our reader and Bots' grammars accepting 004010 and 005010."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.invoice import (
    build_810,
    check_810,
    invoices_for_shipment,
    money,
    remit_party,
    terms_from_customer,
    totals,
)
from parsers.x12_reader import read_interchanges
from schemas.errors import DocumentError
from schemas.fulfilment import Charge, InvoiceSettings, RemitTo
from schemas.invoices import Invoice, InvoiceLine, Terms
from schemas.profile import PartnerProfile
from schemas.shipments import Party, ProductId
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, read_back, sample_shipment, wrap_for

D = Decimal


def invoice(*lines, charges=(), **kw) -> Invoice:
    base = dict(invoice_number="INV-1001", invoice_date=date(2026, 11, 28), po_number="PO-1",
                po_date=date(2026, 11, 20), currency="USD", shipment_id="SHP-0001", bill_of_lading="BOL-77",
                bill_to=Party("BT", "ACME AP", "92", "AP01"), ship_to=Party("ST", "ACME DC 7", "92", "DC07"),
                terms=Terms("08", "3", D("2"), 10, 30, "2% 10 NET 30"), ship_date=date(2026, 11, 28), charges=charges)
    base.update(kw)
    return Invoice(lines=tuple(lines), **base)


def line(line_id="1", qty="12", price="2.50", unit="EA"):
    return InvoiceLine(line_id, D(qty), unit, D(price), (ProductId("UP", "073000040482"), ProductId("VN", "SKU-1")),
                       "PE", "WIDGET")


def shipped_for(inv, factor=1):
    return {ln.line_id: ln.quantity * factor for ln in inv.lines}


def test_segments_of_an_invoice():
    inv = invoice(line("1", "12", "2.50"), line("2", "4", "10"),
                  charges=(Charge(kind="C", code="D240", amount=D("15"), description="FREIGHT"),
                           Charge(kind="A", code="C310", percent=D("2"))))
    body = build_810(inv, InvoiceSettings(iss=True, ctt_hash=True, remit_to="OrderBridge Supply"),
                     shipped=shipped_for(inv))
    assert body[0] == ["BIG", "20261128", "INV-1001", "20261120", "PO-1", "", "", "DI"]
    assert ["CUR", "SE", "USD"] in body and ["REF", "SI", "SHP-0001"] in body and ["REF", "BM", "BOL-77"] in body
    assert [s[:2] for s in body if s[0] == "N1"] == [["N1", "BT"], ["N1", "ST"]]
    assert ["ITD", "08", "3", "2", "", "10", "", "30", "", "", "", "", "2% 10 NET 30"] in body
    assert ["DTM", "011", "20261128"] in body
    assert body[[s[0] for s in body].index("IT1")] == ["IT1", "1", "12", "EA", "2.5", "PE", "UP", "073000040482",
                                                     "VN", "SKU-1"]
    # 12 x 2.50 + 4 x 10 = 70.00; + 15.00 freight; - 2% of 70.00 = 1.40 -> 83.60
    assert ["TDS", "8360"] in body
    assert [s for s in body if s[0] == "SAC"] == [["SAC", "C", "D240", "", "", "1500"] + [""] * 9 + ["FREIGHT"],
                                                 ["SAC", "A", "C310", "", "", "140", "1", "2"]]
    assert ["ISS", "16", "EA"] in body and body[-1] == ["CTT", "2", "16"]


@pytest.mark.parametrize("qty,price,cents", [("3", "0.335", 101), ("3", "0.3349", 100), ("1", "0.005", 1),
                                             ("7", "1.4285", 1000), ("2", "0.0025", 1), ("1", "0.0049", 0)])
def test_line_extension_rounds_half_up_to_cents(qty, price, cents):
    inv = invoice(line("1", qty, price))
    body = build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
    assert ["TDS", str(cents)] in body


def test_percentage_charge_is_rounded_once_on_the_merchandise_total():
    # two lines of 50.125 -> 50.13 each (line rounding first) -> 100.26; 2% = 2.0052 -> 2.01
    inv = invoice(line("1", "1", "50.125"), line("2", "1", "50.125"), charges=(Charge(kind="A", code="C310",
                                                                                      percent=D("2")),))
    t = totals(inv)
    assert (t.merchandise, t.charges[0][1], t.total) == (D("100.26"), D("2.01"), D("98.25"))
    assert money(D("2.005")) == D("2.01") and money(D("-2.005")) == D("-2.01")


def test_refuses_more_than_shipped_and_units_already_invoiced():
    inv = invoice(line("1", "12"), line("2", "4"))
    with pytest.raises(DocumentError, match="more than shipped"):
        build_810(inv, InvoiceSettings(), shipped={"1": D(12), "2": D(3)})
    with pytest.raises(DocumentError, match="more than shipped"):
        build_810(inv, InvoiceSettings(), shipped={"1": D(12)})  # line 2 never shipped
    with pytest.raises(DocumentError, match="already invoiced"):  # the same units a second time
        build_810(inv, InvoiceSettings(), shipped=shipped_for(inv), already_invoiced={"1": D(1)})
    # a later shipment of the same line may be invoiced: 20 shipped, 8 invoiced before, 12 now
    build_810(inv, InvoiceSettings(), shipped={"1": D(20), "2": D(4)}, already_invoiced={"1": D(8)})


@pytest.mark.parametrize("lines,message", [((line("1"), line("1")), "twice"), ((line("1", "0"),), "positive"),
                                           ((line("1", "2", "-1"),), "negative price")])
def test_refuses_malformed_invoices(lines, message):
    inv = invoice(*lines)
    with pytest.raises(DocumentError, match=message):
        build_810(inv, InvoiceSettings(), shipped={"1": D(100)})


def test_self_check_reads_the_segments():
    inv = invoice(line("1"), line("2", "4", "10"))
    body = build_810(inv, InvoiceSettings(ctt_hash=True), shipped=shipped_for(inv))
    tds = next(s for s in body if s[0] == "TDS")
    tds[1] = "7001"
    with pytest.raises(DocumentError, match="TDS01 7001"):
        check_810(body)
    tds[1] = "7000"
    body[-1] = ["CTT", "3"]
    with pytest.raises(DocumentError, match="CTT01"):
        check_810(body)


def _cents_half_up(value: Fraction) -> int:
    """Our own rounding for the oracle: half away from zero to whole cents, in exact fractions."""
    scaled = value * 100
    sign = -1 if scaled < 0 else 1
    return sign * int(abs(scaled) + Fraction(1, 2))


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.tuples(st.integers(1, 5000), st.decimals(min_value=0, max_value=9999, places=4,
                                                                  allow_nan=False, allow_infinity=False)),
                      min_size=1, max_size=12),
       charges=st.lists(st.tuples(st.sampled_from("AC"), st.booleans(),
                                  st.decimals(min_value=0, max_value=500, places=2, allow_nan=False,
                                              allow_infinity=False)), max_size=3))
def test_tds_equals_its_lines(lines, charges):
    inv = invoice(*[line(str(i + 1), str(q), str(p)) for i, (q, p) in enumerate(lines)],
                  charges=tuple(Charge(kind=k, code="C310" if k == "A" else "D240", **({"percent": v} if pct else
                                                                                         {"amount": v}))
                                for k, pct, v in charges))
    body = build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
    content = wrap_for(PROFILES["acme"], "IN", "810", [body])
    segs = read_interchanges(content).segments.elements.to_pylist()
    it1 = [s for s in segs if s[0] == "IT1"]
    merchandise = sum(_cents_half_up(Fraction(s[2]) * Fraction(s[4])) for s in it1)
    expected = merchandise
    for s in (s for s in segs if s[0] == "SAC"):
        amount = int(s[5])
        if len(s) > 7 and s[6] == "1":  # a percentage: recompute it from the merchandise total
            assert amount == _cents_half_up(Fraction(merchandise, 100) * Fraction(s[7]) / 100)
        expected += amount if s[1] == "C" else -amount
    (tds,) = [s for s in segs if s[0] == "TDS"]
    assert int(tds[1]) == expected


def test_a_description_longer_than_pid05_is_cut_to_80():
    long = InvoiceLine("2", D(1), "EA", D(3), (), "", "W" * 79 + " " + "X" * 40)
    inv = invoice(line("1"), long)
    body = build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
    assert [s[5] for s in body if s[0] == "PID"] == ["WIDGET", "W" * 79]


def test_a_vendor_number_goes_in_the_heading_as_ref_ia():
    """Walmart-style 810 guides want our vendor number (REF*IA) in the heading: after REF SI/BM, before N1."""
    inv = invoice(line("1"))
    body = build_810(inv, InvoiceSettings(vendor_number="V 0042"), shipped=shipped_for(inv))
    assert [s[:2] for s in body[:6]] == [["BIG", "20261128"], ["CUR", "SE"], ["REF", "SI"], ["REF", "BM"],
                                        ["REF", "IA"], ["N1", "BT"]]
    assert body[4] == ["REF", "IA", "V 0042"]
    assert not [s for s in build_810(inv, InvoiceSettings(), shipped=shipped_for(inv)) if s[:2] == ["REF", "IA"]]
    for bad in (" V1", "V1 ", "V" * 31, "V\t1"):
        with pytest.raises(ValueError):
            InvoiceSettings(vendor_number=bad)


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])
def test_our_reader_and_bots_accept_our_810s(partner, tmp_path):
    inv = invoice(line("1"), line("2", "4", "10"), charges=(Charge(kind="C", code="D240", amount=D("15")),))
    bodies = [build_810(inv, InvoiceSettings(iss=True, ctt_hash=True, remit_to="OrderBridge", vendor_number="V 0042"),
                        shipped=shipped_for(inv)),
              build_810(invoice(line("1", "1", "0.99"), invoice_number="INV-1002", terms=None, bill_to=None),
                        InvoiceSettings(), shipped={"1": D(1)})]
    content = wrap_for(PROFILES[partner], "IN", "810", bodies)
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["810", "810"]
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_invoices_for_a_shipment_one_per_po_at_acknowledged_prices():
    shipment = sample_shipment()
    orders = {"PO-1": {"partner": "acme", "po_date": date(2026, 11, 20), "currency": "USD", "bill_to_name": "ACME AP",
                       "ship_to_name": "ACME DC 7", "ship_to_id": "DC07", "ship_to_id_qualifier": "92"},
              "PO-2": {"partner": "acme", "po_date": date(2026, 11, 21)}}
    order_lines = {("PO-1", "1"): {"unit": "EA", "product_ids": [{"qualifier": "UP", "id": "073000040482"}],
                                   "description": "WIDGET", "price_basis": "PE"}}
    prices = {("PO-1", "1"): D("2.50"), ("PO-1", "2"): D("10"), ("PO-2", "1"): D("3.333")}
    customer = {"terms_type": "08", "terms_net_days": 30, "terms_discount_percent": D("2"), "terms_discount_days": 10}
    invs = invoices_for_shipment(shipment, orders, order_lines, prices, numbers={"PO-1": "INV-1", "PO-2": "INV-2"},
                                 invoice_date=date(2026, 11, 28), settings=InvoiceSettings(),
                                 terms=terms_from_customer(customer))
    assert [(i.invoice_number, i.po_number) for i in invs] == [("INV-1", "PO-1"), ("INV-2", "PO-2")]
    assert [(ln.line_id, ln.quantity, ln.unit_price) for ln in invs[0].lines] == [("1", D(12), D("2.50")),
                                                                                 ("2", D(4), D(10))]
    assert invs[0].shipment_id == "SHP-0001" and invs[0].ship_to.id == "DC07" and invs[0].terms.net_days == 30
    assert invs[0].lines[0].product_ids == (ProductId("UP", "073000040482"),)
    body = build_810(invs[1], InvoiceSettings(), shipped={"1": D(3)})
    assert ["TDS", "1000"] in body  # 3 x 3.333 = 9.999 -> 10.00
    with pytest.raises(DocumentError, match="no acknowledged price"):
        invoices_for_shipment(shipment, orders, order_lines, {}, numbers={"PO-1": "X", "PO-2": "Y"},
                              invoice_date=date(2026, 11, 28), settings=InvoiceSettings())
    assert terms_from_customer({"terms_type": None}) is None


def test_a_po_without_cur_is_billed_in_the_partners_currency_when_its_guide_requires_cur():
    """[fulfilment.invoice] currency: the 810 of a PO that sent no CUR states CUR*SE with the partner's currency (ALDI's
    810 requires CUR, its 850s send none); a PO's own CUR02 wins; without the setting such a PO's 810 has no CUR."""
    shipment = sample_shipment()
    orders = {"PO-1": {"partner": "acme", "currency": "CAD"}, "PO-2": {"partner": "acme"}}
    prices = {("PO-1", "1"): D("2.50"), ("PO-1", "2"): D("10"), ("PO-2", "1"): D("3")}

    def curs(settings):
        invs = invoices_for_shipment(shipment, orders, {}, prices, numbers={"PO-1": "INV-1", "PO-2": "INV-2"},
                                     invoice_date=date(2026, 11, 28), settings=settings)
        return [[s for s in build_810(i, settings, shipped=shipped_for(i)) if s[0] == "CUR"] for i in invs]

    assert curs(InvoiceSettings(currency="USD")) == [[["CUR", "SE", "CAD"]], [["CUR", "SE", "USD"]]]
    assert curs(InvoiceSettings()) == [[["CUR", "SE", "CAD"]], []]
    with pytest.raises(ValueError):
        InvoiceSettings(currency="usd")


def test_our_ship_from_after_the_po_s_parties_when_the_guide_lists_it():
    """[fulfilment.invoice.ship_from]: N1*SF (us as the partner's set-up names us, N3/N4 with an address) after the
    PO's N1 loops, before ITD (ALDI's 810: the buyer's and the ship-from's N1 loops); none without it."""
    from schemas.fulfilment import PoAckParty

    inv = invoice(line("1", "12", "2.50"))
    us = PoAckParty(name="OrderBridge Supply", id_qualifier="92", id="V0042", address1="1 Dock Road", city="Newark",
                    state="NJ", postal_code="07101", country="US")
    body = build_810(inv, InvoiceSettings(ship_from=us), shipped=shipped_for(inv))
    ids = [s[0] if s[0] != "N1" else f"N1 {s[1]}" for s in body]
    assert ids[ids.index("N1 ST"):ids.index("ITD") + 1] == ["N1 ST", "N1 SF", "N3", "N4", "ITD"]
    at = ids.index("N1 SF")
    assert body[at:at + 3] == [["N1", "SF", "OrderBridge Supply", "92", "V0042"], ["N3", "1 Dock Road", ""],
                               ["N4", "Newark", "NJ", "07101", "US"]]
    assert "N1 SF" not in [f"N1 {s[1]}" for s in build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
                           if s[0] == "N1"]


def test_order_810_is_build_810_of_invoice_for_order_without_an_object_per_line():
    """Billing builds its 810s with order_810 (columns, no InvoiceLine per line): the same body, sums and
    refusals as build_810(invoice_for_order(...)), for every optional segment."""
    from engine.invoice import invoice_for_order, order_810

    order = {"partner": "acme", "po_date": date(2026, 11, 20), "release_number": "R1", "currency": "USD",
             "bill_to_name": "ACME AP", "bill_to_id": "AP01", "bill_to_id_qualifier": "92",
             "ship_to_name": "ACME DC 7", "ship_to_address1": "1 Dock Rd", "ship_to_city": "Reno",
             "ship_to_state": "NV", "ship_to_postal_code": "89501"}
    ids = [{"qualifier": "UP", "id": f"0730000404{i:02d}"} for i in range(12)] + [{"qualifier": "VN", "id": ""}]
    rows = {"1": {"unit": "CA", "product_ids": ids, "description": "WIDGET", "price_basis": "PE"},
            "2": {"product_ids": [{"qualifier": "VN", "id": ""}, {"qualifier": "VN", "id": "SKU-2"}]}}
    quantities = {"1": D("12"), "3": D(0), "2": D("4.5")}
    prices = {"1": D("2.505"), "2": D("10")}
    settings_ = InvoiceSettings(iss=True, ctt_hash=True, remit_to="OrderBridge Supply", transaction_type="CR",
                                charges=(Charge(kind="C", code="D240", amount=D("15.005"), description="FREIGHT"),
                                         Charge(kind="A", code="C310", percent=D("2.5"))))
    terms = Terms("08", "3", D("2"), 10, 30, "2% 10 NET 30")
    shipped = {"1": D(12), "2": D(5), "3": D(1)}
    kw = dict(number="INV-9", invoice_date=date(2026, 11, 28), settings=settings_, terms=terms, shipment_id="S1",
              bill_of_lading="BOL-1", ship_date=date(2026, 11, 27))
    inv = invoice_for_order("PO-1", quantities, {"2": "EA"}, order, {("PO-1", k): v for k, v in rows.items()},
                            {("PO-1", k): v for k, v in prices.items()}, **kw)
    expected = build_810(inv, settings_, shipped=shipped, already_invoiced={"2": D("0.5")})
    built = order_810("PO-1", quantities, {"2": "EA"}, order, rows, prices, **kw, shipped=shipped,
                      already_invoiced={"2": D("0.5")})
    sums = totals(inv)
    assert built.built.body == expected and built.line_ids == ["1", "2"] and built.units == ["CA", "EA"]
    assert (built.built.merchandise, built.built.total) == (sums.merchandise, sums.total)
    assert built.head == inv.__class__(**{**{f: getattr(inv, f) for f in inv.__slots__}, "lines": ()})
    for already, match in (({"2": D(1)}, "more than shipped"), ({}, None)):
        with pytest.raises(DocumentError, match=match or "no acknowledged price"):
            order_810("PO-1", quantities, {}, order, rows, prices if match else {"1": D(1)}, **kw, shipped=shipped,
                      already_invoiced=already)


def test_billing_renders_an_810_as_the_store_renderer_would():
    """engine.lifecycle.billing renders each 810 itself (a pre-rendered set with its delimiters): the
    bytes equal the envelope renderer's on the segments, with the same delimiter choice, including the
    fallback set when a value holds the first set's separator."""
    from engine.envelope import delimiters_for, envelope_for, render_body
    from engine.lifecycle.billing import InvoiceDue, _document

    env = envelope_for(PROFILES["acme"])
    due = InvoiceDue("acme", "PO-1", {1: D(1)})
    chosen = []
    for text in ("WIDGET", "WIDGET*BLUE"):
        inv = invoice(line("1", "12", "2.50"), InvoiceLine("2", D(1), "EA", D(3), (), "", text))
        body = build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
        doc = _document(due, body, env)
        d = delimiters_for(env, [body])
        assert doc.delimiters == d and doc.sets[0].text == render_body(body, d) and doc.sets[0].segments == len(body)
        assert doc.sets[0].body == () and doc.sets[0].doc_key == due.doc_key
        chosen.append(d)
    assert chosen == list(env.candidates[:2])
    inv = invoice(line("1", "12", "2.50"), InvoiceLine("2", D(1), "EA", D(3), (), "", "A*B|C!D`E~F"))
    body = build_810(inv, InvoiceSettings(), shipped=shipped_for(inv))
    doc = _document(due, body, env)  # no set fits: as segments, without delimiters (the store holds it)
    assert doc.delimiters is None and doc.sets[0].text == "" and [list(s) for s in doc.sets[0].body] == body


# --- our remit-to as the partner's guide wants it: a name (N1 RE), or N101 RI / RE with id and address --------
LOCKBOX = RemitTo(code="RI", name="OrderBridge Supply Inc", id_qualifier="1", id="123456789",
                  address1="PO Box 4412", city="Newark", state="NJ", postal_code="07101-4412", country="US")


def test_a_remit_to_table_writes_n1_ri_with_its_id_and_address_before_the_bill_to():
    inv = invoice(line("1"), remit_to=remit_party(LOCKBOX))
    body = build_810(inv, InvoiceSettings(remit_to=LOCKBOX), shipped=shipped_for(inv))
    n1 = [s[0] for s in body].index("N1")
    assert body[n1:n1 + 4] == [["N1", "RI", "OrderBridge Supply Inc", "1", "123456789"], ["N3", "PO Box 4412", ""],
                               ["N4", "Newark", "NJ", "07101-4412", "US"], ["N1", "BT", "ACME AP", "92", "AP01"]]
    # a name alone is the N1 RE it always was
    assert remit_party("OrderBridge Supply Inc") == Party("RE", "OrderBridge Supply Inc")


def test_a_partner_profile_takes_its_remit_to_as_a_table_and_refuses_half_an_id():
    base = PROFILES["acme"].model_dump()
    base["fulfilment"]["invoice"]["remit_to"] = {"code": "RI", "name": "OrderBridge Supply Inc", "id_qualifier": "UL",
                                                 "id": "0614141000104", "address1": "1 Dock Road", "city": "Newark"}
    profile = PartnerProfile.model_validate(base)
    assert remit_party(profile.fulfilment.invoice.remit_to) == Party("RI", "OrderBridge Supply Inc", "UL",
                                                                     "0614141000104", "1 Dock Road", "", "Newark")
    for bad in ({"name": "X", "id": "123456789"}, {"name": "X", "id_qualifier": "1"}, {"name": "X", "code": "PE"},
                {"name": ""}, {"name": "X", "state": "New Jersey"}, {"name": "X", "address2": "Suite 2"}):
        with pytest.raises(ValueError):
            RemitTo(**bad)


@pytest.mark.parametrize("partner", ["acme", "globex"])
def test_our_reader_and_bots_accept_an_810_with_a_remit_to_table(partner, tmp_path):
    inv = invoice(line("1"), remit_to=remit_party(LOCKBOX))
    content = wrap_for(PROFILES[partner], "IN", "810", [build_810(inv, InvoiceSettings(remit_to=LOCKBOX),
                                                                  shipped=shipped_for(inv))])
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["810"]
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


@pytest.mark.parametrize("partner", ["acme", "globex"])
def test_pyx12_with_our_maps_and_our_outbound_check_accept_an_810_with_a_remit_to_table(partner, tmp_path_factory):
    """The two checks every outbound document passes before a partner sees it (rules.outbound and pyx12's
    validator with maps from our dictionaries) take N1*RI with its id and address too."""
    from rules.outbound import validate_outbound
    from tests.test_pyx12_outbound import pyx12_accepts

    inv = invoice(line("1"), remit_to=remit_party(LOCKBOX))
    content = wrap_for(PROFILES[partner], "IN", "810", [build_810(inv, InvoiceSettings(remit_to=LOCKBOX),
                                                                  shipped=shipped_for(inv))])
    assert [f.code for f in validate_outbound(content) if f.severity == "error"] == []
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack


def test_the_po_s_fob_follows_dtm_where_the_profile_asks_it():
    """Walmart's (Sam's Club's) 810 guide lists FOB as required in the heading, at 150 after DTM: the PO's first
    heading FOB as sent ([fulfilment.invoice] fob; ORDERS fob_sent, its elements joined by ELEMENTS_SEP); none
    by default, nor for a PO that sent none."""
    from engine.invoice import invoice_for_order, order_810
    from schemas.orders import ELEMENTS_SEP

    order = {"partner": "acme", "po_date": date(2026, 11, 20), "fob_sent": ELEMENTS_SEP.join(["PP", "OR", "DOCK 4"])}
    rows, prices = {"1": {"unit": "EA", "product_ids": [{"qualifier": "VN", "id": "SKU-1"}]}}, {"1": D("2.50")}
    kw = dict(number="INV-9", invoice_date=date(2026, 11, 28), ship_date=date(2026, 11, 27))
    for fob, sent, expected in ((True, order, ["FOB", "PP", "OR", "DOCK 4"]), (False, order, None),
                                (True, {**order, "fob_sent": None}, None)):
        settings_ = InvoiceSettings(fob=fob)
        inv = invoice_for_order("PO-1", {"1": D(3)}, {}, sent, {("PO-1", "1"): rows["1"]}, {("PO-1", "1"): D("2.50")},
                                settings=settings_, **kw)
        body = build_810(inv, settings_, shipped={"1": D(3)})
        heading = [s[0] for s in body[:body.index(next(s for s in body if s[0] == "IT1"))]]
        if expected is None:
            assert "FOB" not in heading
        else:
            assert heading[-2:] == ["DTM", "FOB"] and expected in body
        assert order_810("PO-1", {"1": D(3)}, {}, sent, rows, prices, settings=settings_, **kw,
                         shipped={"1": D(3)}, already_invoiced={}).built.body == body
