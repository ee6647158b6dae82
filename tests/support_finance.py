"""A small order book for the reconciliation, report and dashboard tests: lines ordered, acknowledged,
shipped and invoiced, written as one call per event and turned into the schemas.reconciliation tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

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
