"""The pure fulfilment chain end to end, without flows or state: a partner's 850 and the warehouse's
confirmations (CSV and 945) -> checks -> SSCCs numbered for the cartons without one -> typed
shipments -> 856s (each held by its self-check against the confirmation) and 810s -> wrapped,
read back by our reader and accepted by Bots' grammars. Also the profile's [fulfilment] table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from engine.asn import build_856
from engine.invoice import build_810, invoices_for_shipment, terms_from_customer
from engine.shipments import assemble_shipments, confirmed_quantities, number_ssccs, sscc_needs
from engine.sscc import sscc_valid
from parsers.orders_850 import read_orders
from parsers.shipments_csv import read_shipment_csv
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from rules.shipments import check_shipments
from schemas.errors import ConfigError
from schemas.fulfilment import AsnSettings, InvoiceSettings, ShipmentCsvMapping
from schemas.profile import load_profile
from schemas.shipments import LINE_STATE, RECORDED_CARTONS, Party
from tests.shipping_support import bots_check, read_back, wrap_for
from tests.support import REPO

REF = load_reference(REPO / "sample_files" / "reference")
SHIPMENTS = REPO / "sample_files" / "shipments"
SHIP_FROM = Party("SF", "OrderBridge Supply DC", "92", "DC-EAST")
NOW = datetime(2026, 11, 28, 16, 0)


def acme_orders():
    data = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_bytes()
    result = read_interchanges(data, file="acme-po-01.x12")
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def line_state(orders_lines: pa.Table) -> pa.Table:
    """Every line of the demo POs allocated in full (what phase 2 reads from the state store)."""
    sku = {"614141100101": "SKU-1001", "VP-1003": "SKU-1003", "00614141100804": "SKU-1011", "VP-1002": "SKU-1002",
           "VP-1004": "SKU-1004", "VP-1012": "SKU-1012"}
    rows = []
    for ln in orders_lines.to_pylist():
        ids = [p["id"] for p in ln["product_ids"]]
        rows.append({"partner": ln["partner"], "po_number": ln["po_number"], "line_number": ln["line_number"],
                     "line_id": ln["line_id"], "sku": next((sku[i] for i in ids if i in sku), None), "upc": ln["upc"],
                     "unit": ln["unit"], "ordered": ln["quantity"], "reserved": ln["quantity"],
                     "shipped": Decimal(0), "status": "allocated"})
    return pa.Table.from_pylist(rows, schema=LINE_STATE)


def test_confirmations_to_856_and_810(tmp_path):
    orders, lines = acme_orders()
    csv_lines, f1 = read_shipment_csv((SHIPMENTS / "warehouse-confirmations.csv").read_bytes(),
                                      ShipmentCsvMapping(), file="w.csv")
    result = read_interchanges((SHIPMENTS / "3pl-945.x12").read_bytes(), file="n.945")
    x945, f2 = read_945(result, list(result.transaction_sets()))
    assert f1 == f2 == []
    check = check_shipments(pa.concat_tables([csv_lines, x945]), line_state(lines), REF.items,
                            RECORDED_CARTONS.empty_table())
    assert check.findings == [] and check.held == frozenset()
    needs = sscc_needs(check.lines)
    # C-0001 and C-0002 carry no SSCC; the CSV's third carton and the 945's cartons bring their own
    assert needs.cartons == (("SHP-1001", "C-0001"), ("SHP-1001", "C-0002"))
    assert needs.pallets == (("SHP-1002", "PAL-01"),)
    ssccs = number_ssccs(needs.cartons, "0614141", 0, 500) | number_ssccs(needs.pallets, "0614141", 1, 502)
    assert all(sscc_valid(s) for s in ssccs.values()) and len(set(ssccs.values())) == 3
    shipments = assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM, ssccs=ssccs, items=REF.items)
    assert [s.shipment_id for s in shipments] == ["SHP-1001", "SHP-1002", "SHP-2001"]
    s1 = shipments[0]
    assert s1.ship_to.id == "DC01" and s1.carrier_scac == "UPSN" and s1.bill_of_lading == "BOL-5501"
    assert [(p.carton_id, [(i.line_id, i.quantity) for i in p.items]) for p in s1.orders[0].packs] == [
        ("C-0001", [("1", Decimal(6)), ("2", Decimal(12))]), ("C-0002", [("1", Decimal(4))])]
    assert s1.orders[0].packs[0].items[0].ordered_quantity == Decimal(10)
    assert [i.pack for i in s1.orders[0].packs[0].items] == [1, 12]  # the items' case packs
    po4 = [s for s in build_856(s1, AsnSettings(item_po4=True), created=NOW) if s[0] == "PO4"]
    assert po4 == [["PO4", "1"], ["PO4", "12"], ["PO4", "1"]]
    assert shipments[1].orders[0].tares[0].sscc == ssccs[("SHP-1002", "PAL-01")]
    bodies = {}
    for shipment, structure in zip(shipments, ("SOPI", "SOTPI", "SOPI"), strict=True):
        expected = confirmed_quantities(check.lines, shipment.shipment_id)
        bodies[shipment.shipment_id] = build_856(shipment, AsnSettings(structure=structure), created=NOW,
                                                 expected=expected)
    content = wrap_for(load_profile(REPO / "partners" / "acme.toml"), "SH", "856", list(bodies.values()))
    read_back(content)
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    # 810s for the first shipment at the PO's prices (the 855 acknowledged them as sent)
    order_rows = {o["po_number"]: o for o in orders.to_pylist()}
    line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
    prices = {k: v["unit_price"] for k, v in line_rows.items()}
    customer = next(c for c in REF.customers.to_pylist() if c["partner"] == "acme")
    (inv,) = invoices_for_shipment(s1, order_rows, line_rows, prices, numbers={"ACME-1000": "INV-000001"},
                                   invoice_date=date(2026, 11, 28), settings=InvoiceSettings(),
                                   terms=terms_from_customer(customer))
    body = build_810(inv, InvoiceSettings(), shipped={"1": Decimal(10), "2": Decimal(12)})
    assert ["TDS", str(10 * 1970 + 12 * 3920)] in body
    assert ["ITD", "08", "3", "2", "", "10", "", "30"] in body
    content = wrap_for(load_profile(REPO / "partners" / "acme.toml"), "IN", "810", [body])
    read_back(content)
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_a_confirmation_that_disagrees_with_its_856_is_refused():
    orders, lines = acme_orders()
    csv_lines, _ = read_shipment_csv((SHIPMENTS / "warehouse-confirmations.csv").read_bytes(), ShipmentCsvMapping(),
                                     file="w.csv")
    check = check_shipments(csv_lines, line_state(lines), REF.items, RECORDED_CARTONS.empty_table())
    needs = sscc_needs(check.lines)
    ssccs = number_ssccs(needs.cartons + needs.pallets, "0614141", 0, 1)
    shipment = assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM, ssccs=ssccs)[0]
    expected = confirmed_quantities(check.lines, "SHP-1001")
    expected[("ACME-1000", "2")] -= 1
    from schemas.errors import DocumentError

    with pytest.raises(DocumentError, match="ACME-1000/2: 856 12 vs confirmed 11"):
        build_856(shipment, AsnSettings(), created=NOW, expected=expected)
    with pytest.raises(DocumentError, match="SSCC"):  # a carton nobody numbered
        build_856(assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM)[0], AsnSettings(), created=NOW)
    with pytest.raises(ValueError, match="exhausted"):
        number_ssccs(needs.cartons, "061414112345", 0, 9999)


def _without_fulfilment(text: str) -> str:
    """ACME's profile as it was before it received 856s and 810s: no [fulfilment] tables."""
    head, rest = text.split("# 856s:", 1)
    text = head + "[drop]" + rest.split("[drop]", 1)[1]
    return text.replace('receives = ["997", "TA1", "855", "865", "856", "810"]',
                        'receives = ["997", "TA1", "855", "865"]')


def test_profile_fulfilment_table(tmp_path):
    text = _without_fulfilment((REPO / "partners" / "acme.toml").read_text())
    (tmp_path / "acme.toml").write_text(text)
    assert load_profile(tmp_path / "acme.toml").fulfilment.asn.structure == "SOPI"  # the defaults
    assert load_profile(REPO / "partners" / "acme.toml").fulfilment.sscc.company_prefix == "0614141"
    (tmp_path / "acme.toml").write_text(text.replace('receives = ["997", "TA1", "855", "865"]',
                                                     'receives = ["997", "TA1", "855", "865", "856", "810"]'))
    with pytest.raises(ConfigError, match="fulfilment.sscc"):
        load_profile(tmp_path / "acme.toml")
    (tmp_path / "acme.toml").write_text(
        text.replace('receives = ["997", "TA1", "855", "865"]', 'receives = ["997", "TA1", "855", "865", "856", "810"]')
        + '\n[fulfilment.sscc]\ncompany_prefix = "0614141"\nextension_digit = 3\n'
        + '[fulfilment.asn]\nstructure = "SOTPI"\nestimated_delivery = true\n'
        + '[fulfilment.invoice]\nper = "order"\n[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "D240"\n'
        + 'amount = "12.50"\n[fulfilment.csv_ack]\ndelimiter = ";"\n')
    p = load_profile(tmp_path / "acme.toml")
    f = p.fulfilment
    assert (f.sscc.company_prefix, f.sscc.extension_digit, f.asn.structure, f.invoice.per) == ("0614141", 3, "SOTPI",
                                                                                             "order")
    assert f.invoice.charges[0].amount == Decimal("12.50") and f.csv_ack.delimiter == ";"
    (tmp_path / "acme.toml").write_text(text + '\n[fulfilment.asn]\nstructure = "SPOI"\n')
    with pytest.raises(ConfigError):
        load_profile(tmp_path / "acme.toml")


def test_a_carton_of_two_pos_never_reaches_a_partner_as_two_cartons():
    orders, lines = acme_orders()
    text = ("Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Carton ID\n"
            "S9,2026-11-28,ACME-1000,1,SKU-1001,1,C1\nS9,2026-11-28,ACME-1001,4,VP-1002,1,C1\n")
    table, _ = read_shipment_csv(text.encode(), ShipmentCsvMapping(), file="x.csv")
    check = check_shipments(table, line_state(lines), REF.items, RECORDED_CARTONS.empty_table())
    assert [f.code for f in check.findings] == ["SHIPMENT_CARTON_MULTI_PO"] and check.held == {"S9"}
    # even if a caller built it anyway: the carton appears under each order and the self-check refuses it
    shipment = assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM,
                                  ssccs=number_ssccs(sscc_needs(check.lines).cartons, "0614141", 0, 1))[0]
    assert [o.po_number for o in shipment.orders] == ["ACME-1000", "ACME-1001"]
    from schemas.errors import DocumentError

    with pytest.raises(DocumentError, match="listed twice"):
        build_856(shipment, AsnSettings(), created=NOW)
