"""A small order book for the reconciliation, report and dashboard tests: lines ordered, acknowledged,
shipped and invoiced, written as one call per event and turned into the schemas.reconciliation tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pyarrow as pa

from schemas.finance import FinanceSettings
from schemas.functional_acks import DOCUMENT_STATUS, SENT_SETS
from schemas.reconciliation import ACKNOWLEDGED, INVOICED, ORDERED, RECEIVED_FINDINGS, SHIPPED

AS_OF = datetime(2026, 12, 10, 6, 0)


def D(value) -> Decimal | None:  # noqa: N802 - reads like the Decimal it makes
    return None if value is None else Decimal(str(value))


class Book:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {"ordered": [], "acknowledged": [], "shipped": [], "invoiced": [],
                                             "sent": [], "findings": []}
        self._docs: dict[str, tuple[str, str, str]] = {}

    def doc(self, name: str) -> dict:
        """Control numbers and file of the document called ``name`` (made up once, then reused)."""
        if name not in self._docs:
            k = len(self._docs) + 1
            self._docs[name] = (f"{k:09d}", str(k), f"{k:04d}")
        isa13, gs06, st02 = self._docs[name]
        return {"file": f"{name}.x12", "isa13": isa13, "gs06": gs06, "st02": st02}

    def order(self, po: str, line: int, qty, price, *, partner: str = "acme", po_date: date = date(2026, 11, 2),
              requested: date | None = date(2026, 11, 20), cancelled_at: datetime | None = None, revision: int = 0,
              received_at: datetime = datetime(2026, 11, 2, 9, 0), fa_sent_at: datetime | None = None,
              sku: str | None = None, currency: str = "USD", doc: str | None = None) -> Book:
        self.rows["ordered"].append({
            "partner": partner, "po_number": po, "line_number": line, "line_id": str(line), "sku": sku or f"SKU-{line}",
            "unit": "EA", "quantity": D(qty), "unit_price": D(price),
            "line_status": "cancelled" if cancelled_at else "open", "cancelled_at": cancelled_at,
            "revision": revision, "po_date": po_date, "requested_ship_date": requested, "received_at": received_at,
            "fa_sent_at": fa_sent_at, "currency": currency, **self.doc(doc or f"850-{partner}-{po}")})
        return self

    def ack(self, po: str, line: int, code: str, qty=None, price=None, *, partner: str = "acme",
            promised: date | None = None, sent_at: datetime = datetime(2026, 11, 3, 2, 0), doc_type: str = "855",
            doc: str | None = None) -> Book:
        self.rows["acknowledged"].append({
            "partner": partner, "po_number": po, "line_number": line, "doc_type": doc_type, "ack_code": code,
            "quantity": D(qty), "unit": "EA", "unit_price": D(price), "promised_date": promised, "sent_at": sent_at,
            **self.doc(doc or f"{doc_type}-{partner}-{po}-{sent_at:%m%d%H}")})
        return self

    def ship(self, po: str, line: int, qty, *, shipment: str, shipped_at: datetime, partner: str = "acme",
             cartons: int | None = 1, expected_delivery_at: datetime | None = None,
             asn_sent_at: datetime | None = None, doc: str | None = None) -> Book:
        self.rows["shipped"].append({
            "partner": partner, "po_number": po, "line_number": line, "shipment_id": shipment, "shipped_at": shipped_at,
            "quantity": D(qty), "unit": "EA", "cartons": cartons, "expected_delivery_at": expected_delivery_at,
            "asn_sent_at": asn_sent_at, **self.doc(doc or f"856-{partner}-{shipment}")})
        return self

    def invoice(self, po: str, line: int, qty, price, *, number: str, invoice_date: date, partner: str = "acme",
                shipment: str | None = None, sent_at: datetime | None = None, doc: str | None = None) -> Book:
        self.rows["invoiced"].append({
            "partner": partner, "po_number": po, "line_number": line, "invoice_number": number,
            "invoice_date": invoice_date, "shipment_id": shipment, "quantity": D(qty), "unit": "EA",
            "unit_price": D(price), "sent_at": sent_at or datetime.combine(invoice_date, datetime.min.time()),
            **self.doc(doc or f"810-{partner}-{number}")})
        return self

    def sent(self, doc: str, doc_type: str, *, partner: str = "acme", po: str | None = None,
             sent_at: datetime = datetime(2026, 11, 3, 2, 0), ref: str | None = None) -> Book:
        d = self.doc(doc)
        self.rows["sent"].append({"partner": partner, "doc_type": doc_type,
                                  "functional_id": {"855": "PR", "856": "SH", "810": "IN", "865": "CA"}[doc_type],
                                  "isa13": d["isa13"], "gs06": d["gs06"], "st02": d["st02"], "sent_at": sent_at,
                                  "file": d["file"], "po_number": po, "document_ref": ref})
        return self

    def finding(self, code: str, *, partner: str = "acme", po: str | None = None, severity: str = "error") -> Book:
        self.rows["findings"].append({"partner": partner, "code": code, "severity": severity, "po_number": po,
                                      "file": "in.x12"})
        return self

    def tables(self) -> dict[str, pa.Table]:
        return {
            "ordered": pa.Table.from_pylist(self.rows["ordered"], schema=ORDERED),
            "acknowledged": pa.Table.from_pylist(self.rows["acknowledged"], schema=ACKNOWLEDGED),
            "shipped": pa.Table.from_pylist(self.rows["shipped"], schema=SHIPPED),
            "invoiced": pa.Table.from_pylist(self.rows["invoiced"], schema=INVOICED),
            "sent": pa.Table.from_pylist(self.rows["sent"], schema=SENT_SETS),
            "findings": pa.Table.from_pylist(self.rows["findings"], schema=RECEIVED_FINDINGS),
        }


def document_status(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=DOCUMENT_STATUS)


# --- the small fixed workspace the report, KPI and browser tests share --------------------------------
# Hand-computed figures for it are in tests/test_kpis.py and tests/test_finance_report.py.

SMALL_SETTINGS = {
    "acme": FinanceSettings(penalties={"late_997": Decimal(50), "late_855": Decimal(100), "late_asn": Decimal(250),
                                       "rejected_asn": Decimal(150), "rejected_invoice": Decimal(150),
                                       "invoice_price_mismatch": Decimal(75), "over_shipment": Decimal(100)}),
    "globex": FinanceSettings(penalties={"late_997": Decimal(40), "late_asn": Decimal(500),
                                         "over_shipment": Decimal(200)}),
}


def small_book() -> Book:
    b = Book()
    t = datetime
    # acme A1: perfect (all on time, in full, invoiced right)
    a1 = dict(po_date=date(2026, 11, 2), requested=date(2026, 11, 20), received_at=t(2026, 11, 2, 9),
              fa_sent_at=t(2026, 11, 2, 20))
    b.order("A1", 1, 10, "2.50", **a1).order("A1", 2, 4, 10, **a1)
    b.ack("A1", 1, "IA", 10, "2.50", promised=date(2026, 11, 20), sent_at=t(2026, 11, 3, 2))
    b.ack("A1", 2, "IA", 4, 10, promised=date(2026, 11, 20), sent_at=t(2026, 11, 3, 2))
    for line, qty in ((1, 10), (2, 4)):
        b.ship("A1", line, qty, shipment="S-A1", shipped_at=t(2026, 11, 19, 14),
               expected_delivery_at=t(2026, 11, 21, 10), asn_sent_at=t(2026, 11, 19, 15))
    b.invoice("A1", 1, 10, "2.50", number="INV-A1", invoice_date=date(2026, 11, 20), shipment="S-A1",
              sent_at=t(2026, 11, 20, 2))
    b.invoice("A1", 2, 4, 10, number="INV-A1", invoice_date=date(2026, 11, 20), shipment="S-A1",
              sent_at=t(2026, 11, 20, 2))
    # acme A2: our 997 27 h late, 855 51 h late, shipped a day late, ASN after arrival, invoiced at 5.50 not 5
    b.order("A2", 1, 6, 5, po_date=date(2026, 11, 10), requested=date(2026, 11, 25), received_at=t(2026, 11, 10, 9),
            fa_sent_at=t(2026, 11, 11, 12))
    b.ack("A2", 1, "IA", 6, 5, promised=date(2026, 11, 25), sent_at=t(2026, 11, 12, 12))
    b.ship("A2", 1, 6, shipment="S-A2", shipped_at=t(2026, 11, 26, 10), expected_delivery_at=t(2026, 11, 27, 9),
           asn_sent_at=t(2026, 11, 27, 12))
    b.invoice("A2", 1, 6, "5.50", number="INV-A2", invoice_date=date(2026, 11, 27), shipment="S-A2",
              sent_at=t(2026, 11, 27, 2))
    # acme A3: 6 of 10 promised for 12-04 shipped, 4 backordered to 12-15; line 2 cancelled
    a3 = dict(po_date=date(2026, 12, 1), requested=date(2026, 12, 5), received_at=t(2026, 12, 1, 8),
              fa_sent_at=t(2026, 12, 1, 10))
    b.order("A3", 1, 10, 3, **a3).order("A3", 2, 2, 7, cancelled_at=t(2026, 12, 2), **a3)
    b.ack("A3", 1, "BP", 6, 3, promised=date(2026, 12, 4), sent_at=t(2026, 12, 1, 20))
    b.ack("A3", 1, "IB", 4, 3, promised=date(2026, 12, 15), sent_at=t(2026, 12, 1, 20))
    b.ship("A3", 1, 6, shipment="S-A3", shipped_at=t(2026, 12, 4, 9), expected_delivery_at=None,
           asn_sent_at=t(2026, 12, 4, 10))
    b.invoice("A3", 1, 6, 3, number="INV-A3", invoice_date=date(2026, 12, 5), shipment="S-A3",
              sent_at=t(2026, 12, 5, 2))
    # globex G1: no 997 sent, 5 over-shipped; G2: not due yet
    b.order("G1", 1, 20, 1, partner="globex", po_date=date(2026, 11, 15), requested=date(2026, 11, 30),
            received_at=t(2026, 11, 15, 10), fa_sent_at=None)
    b.ack("G1", 1, "IA", 20, 1, partner="globex", promised=date(2026, 11, 30), sent_at=t(2026, 11, 16, 2))
    b.ship("G1", 1, 25, partner="globex", shipment="S-G1", shipped_at=t(2026, 11, 29, 9),
           expected_delivery_at=t(2026, 12, 2), asn_sent_at=t(2026, 11, 29, 10))
    b.invoice("G1", 1, 25, 1, partner="globex", number="INV-G1", invoice_date=date(2026, 11, 30), shipment="S-G1",
              sent_at=t(2026, 11, 30, 2))
    b.order("G2", 1, 8, "12.50", partner="globex", po_date=date(2026, 12, 3), requested=date(2026, 12, 12),
            received_at=t(2026, 12, 3, 10), fa_sent_at=t(2026, 12, 3, 11))
    b.ack("G2", 1, "IA", 8, "12.50", partner="globex", promised=date(2026, 12, 12), sent_at=t(2026, 12, 4, 2))
    # what partners sent us that failed validation
    b.finding("PRICE_OUT_OF_TOLERANCE", po="A2", severity="warning").finding("ITEM_UNKNOWN", po="A3")
    b.finding("ITEM_UNKNOWN", po="A3").finding("SHIP_TO_UNKNOWN", po="A2").finding("X12_NOT_EDI")
    b.finding("ITEM_UNKNOWN", partner="globex", po="G1")
    return b


def small_document_status(b: Book) -> pa.Table:
    """The partners' verdicts on our documents in small_book()."""
    t = datetime

    def row(partner, doc, doc_type, ref, po, sent_at, status, acked_at=None, late=None, reasons=None):
        d = b.doc(doc)
        gs01 = {"855": "PR", "856": "SH", "810": "IN"}[doc_type]
        out = {"partner": partner, "doc_type": doc_type, "functional_id": gs01, **d, "sent_at": sent_at,
               "po_number": po, "document_ref": ref, "status": status,
               "due_at": sent_at + timedelta(hours=24), "acked_at": acked_at, "ack_late": late, "reasons": reasons}
        if acked_at:
            out.update({"ack_type": "997", "set_status": "R" if status == "rejected" else "A", "group_status": "A",
                        "minutes_to_ack": int((acked_at - sent_at).total_seconds() // 60), "ack_file": "997-in.x12",
                        "ack_isa13": "000000900", "ack_gs06": "900", "ack_st02": "0001"})
        return out

    return document_status([
        row("acme", "855-acme-A1-110302", "855", "A1", "A1", t(2026, 11, 3, 2), "accepted", t(2026, 11, 3, 5), False),
        row("acme", "856-acme-S-A1", "856", "S-A1", "A1", t(2026, 11, 19, 15), "accepted", t(2026, 11, 19, 20), False),
        row("acme", "810-acme-INV-A1", "810", "INV-A1", "A1", t(2026, 11, 20, 2), "accepted", t(2026, 11, 21, 10),
            True),
        row("acme", "856-acme-S-A2", "856", "S-A2", "A2", t(2026, 11, 27, 12), "rejected", t(2026, 11, 27, 14), False,
            "set rejected (one or more segments in error); TD503 (data element 387): invalid code value"),
        row("globex", "810-globex-INV-G1", "810", "INV-G1", "G1", t(2026, 11, 30, 2), "overdue"),
    ])
