"""The 856's TD504 (transport method) of a CSV shipment confirmation. A CSV could not state it, so every UPS or
FedEx parcel went out as M (motor) where the PO's TD5 said U (private parcel service): retailers charge back a
wrong mode. Now: an optional Transport Method column (X12 element 91 codes; another word is a warning and left
out), else the PO's own TD504 where its TD5 names the shipment's carrier, else U for a parcel-only SCAC, else M."""

from __future__ import annotations

from tests.test_945_shapes import body_of, segments
from tests.test_po_deadlines import shipped_day1
from tests.test_shipment_findings_flow import HEAD, row, ship, template  # noqa: F401 (template: the fixture)

TM_HEAD = HEAD.rstrip("\n") + ",Transport Method\n"


def test_the_transport_method_column_is_read_as_a_code_and_a_word_is_left_out_with_a_warning():
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    data = (b"Shipment ID,Ship Date,PO Number,Quantity,Carton ID,Carrier,Mode\n"
            b"S1,2026-11-27,P1,1,C1,ODFL,lt\nS2,2026-11-27,P1,1,C2,UPSN, U \nS3,2026-11-27,P1,1,C3,UPSN,Parcel\n"
            b"S4,2026-11-27,P1,1,C4,UPSN,\n")
    table, findings = read_shipment_csv(data, ShipmentCsvMapping(transport_method="Mode"), file="c.csv")
    assert table["transport_method"].to_pylist() == ["LT", "U", None, None]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in findings] == [
        ("SHIPMENT_TRANSPORT_METHOD_UNKNOWN", "warning", 4, "Mode", "Parcel")]
    # a file without the column (every export until now) reads as before
    table, findings = read_shipment_csv(b"Shipment ID,Ship Date,PO Number,Quantity\nS1,2026-11-27,P1,1\n",
                                        ShipmentCsvMapping(), file="c.csv")
    assert table["transport_method"].to_pylist() == [None] and findings == []


def test_without_a_method_the_po_s_td504_for_that_carrier_else_u_for_a_parcel_carrier():
    from engine.shipments import transport_method_for
    from schemas.orders import ELEMENTS_SEP

    def td5(*elements: str) -> str:
        return ELEMENTS_SEP.join(elements)

    assert transport_method_for("UPSN", [td5("B", "2", "UPSN", "A", "UPS NEXT DAY AIR")]) == "A"
    assert transport_method_for("UPSN", [None, td5("B", "2", "FDEG", "A"), td5("O", "2", "UPSN", "U")]) == "U"
    assert transport_method_for("FDEG", [td5("B", "2", "FDEG", "??")]) == "U"  # no code: the parcel SCAC's
    assert transport_method_for("FDEG", []) == "U" and transport_method_for("USPS", [None]) == "U"
    assert transport_method_for("FXFE", []) == ""  # FedEx Freight is LTL: motor, as before
    assert transport_method_for("ODFL", [td5("B", "2", "ODFL", "LT")]) == "LT"
    assert transport_method_for("", [td5("B", "2", "UPSN", "U")]) == ""  # no carrier, no TD504
    # no carrier, and the PO's TD5 names none: its own method (a will-call's customer pick-up, H), as sent
    assert transport_method_for("", [None, td5("O", "", "", "H", "WILL CALL")]) == "H"
    assert transport_method_for("", [td5("O", "", "", "??")]) == ""  # no code: nothing
    # a shipment the warehouse confirms by ground (GND, CG) is not the PO's air (A): the 856 said TD5*B*2*UPSN*A*GND
    # (rg61, MWI's next-day-air vial shipped ground); a service not ground, or not known, keeps the PO's method
    air = [td5("O", "2", "UPSN", "A", "NEXT DAY AIR")]
    assert [transport_method_for("UPSN", air, s) for s in ("GND", "CG", "fedex home delivery")] == ["U", "U", "U"]
    assert [transport_method_for("UPSN", air, s) for s in ("", "NDA", "2DA", "BLUE LABEL")] == ["A"] * 4
    assert transport_method_for("ODFL", [td5("B", "2", "ODFL", "AF")], "GND") == ""  # not a parcel SCAC: motor
    assert transport_method_for("ODFL", [td5("B", "2", "ODFL", "LT")], "GND") == "LT"  # not air: kept


def test_a_ups_parcel_confirmed_by_csv_goes_out_as_private_parcel_not_motor(template, tmp_path):  # noqa: F811
    """The demo's CSV row ships by UPSN (UPS) and names no method: TD504 U. It used to be M."""
    _, state, res = ship(template, tmp_path, "east", "c.csv", (HEAD + row()).encode())
    assert res.shipments == 1
    assert segments(body_of(state), "TD5")[0][:5] == ["TD5", "B", "2", "UPSN", "U"]


def test_the_warehouse_s_transport_method_is_the_856_s(template, tmp_path):  # noqa: F811
    _, state, res = ship(template, tmp_path, "east", "c.csv", (TM_HEAD + row().rstrip("\n") + ",a\n").encode())
    assert [f["code"] for f in state.findings(run_id="t")] == [] and res.shipments == 1
    assert segments(body_of(state), "TD5")[0][:5] == ["TD5", "B", "2", "UPSN", "A"]
    assert [(r.carrier_scac, r.transport_method) for r in state.shipments()] == [("UPSN", "A")]  # kept: the 810's CAD01


def test_a_transport_method_that_is_no_code_is_a_warning_and_the_shipment_ships(template, tmp_path):  # noqa: F811
    _, state, res = ship(template, tmp_path, "east", "c.csv", (TM_HEAD + row().rstrip("\n") + ",Parcel\n").encode())
    found = [(f["code"], f["severity"], f["row_number"], f["column_name"], f["value"])
             for f in state.findings(run_id="t")]
    assert found == [("SHIPMENT_TRANSPORT_METHOD_UNKNOWN", "warning", 2, "Transport Method", "Parcel")]
    assert res.shipments == 1 and segments(body_of(state), "TD5")[0][:5] == ["TD5", "B", "2", "UPSN", "U"]


def test_the_po_s_own_td504_for_the_carrier_is_taken(tmp_path):
    """ACME-1001's TD5 routes it UPSN by air (TD504 A): the demo's SHP-1001 (UPSN, no method in the CSV) says A."""
    from connectors.state import StateStore

    ws = shipped_day1(tmp_path, "TD5*B*2*UPSN*A*UPS NEXT DAY AIR~")
    state = StateStore(ws.state_url)
    try:
        texts = [d.content.decode() for d in state.documents(partner="acme") if d.doc_type == "856"]
    finally:
        state.close()
    (text,) = [t for t in texts if "SHP-1001" in t]
    assert segments(text, "TD5")[0][:5] == ["TD5", "B", "2", "UPSN", "A"]


def test_an_invoice_s_cad_reads_a_warehouse_s_own_service_name_as_its_856_did(tmp_path):
    """A shipment stored without the TD504 its 856 wrote (recorded before shipments.transport_method was kept) has
    its 810's CAD01 / 880's G2701 worked out again, as the 856 did (engine.shipments.shipment_method): UPSN at the
    warehouse's own "BROWN" (its profile's service_levels: CG ground) is no air shipment, whatever the PO's TD5
    (UPSN by A) said: U. Billing passed neither the shipment's service level (billing_shipments did not read it)
    nor the warehouse's names, so the invoice said A (air) for a parcel the 856 said went by ground."""
    from datetime import date

    from connectors.state import StateStore
    from engine.lifecycle import billing
    from engine.shipments import transport_method_for
    from schemas.lifecycle import ShipmentRecord

    routed = "B*2*UPSN*A*UPS NEXT DAY AIR".replace("*", "\x1f")  # ORDERS td5_sent: TD501.. joined
    names = {"east": {"BROWN": "CG"}}
    assert transport_method_for("UPSN", [routed], "BROWN", names["east"]) == "U"  # the 856's: a parcel, not A
    legacy = ShipmentRecord(warehouse="east", shipment_id="S1", partner="acme", ship_date=date(2026, 11, 27),
                            lines=(), carrier_scac="UPSN", service_level="BROWN", transport_method="")
    assert billing._carrier(legacy, {"td5_sent": routed}, True, names)[2] == "U"
    assert billing._carrier(legacy, {"td5_sent": routed}, True)[2] == "A"  # a warehouse's name unknown: as before
    # the stored shipment's service level reaches billing (billing_shipments -> shipments_to_bill)
    ws = shipped_day1(tmp_path, "TD5*B*2*UPSN*A*UPS NEXT DAY AIR~")
    state = StateStore(ws.state_url)
    try:
        heads, _lines = state.billing_shipments(["acme"])
    finally:
        state.close()
    assert "service_level" in heads.column_names
    shipped = billing.shipments_to_bill(heads, _lines)
    assert [s.service_level for s in shipped] == heads["service_level"].fill_null("").to_pylist()
