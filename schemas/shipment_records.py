"""What the state store keeps of shipments and invoices, as typed records: a recorded shipment with its
cartons (SSCCs) and lines, an invoice with its lines. Definitions only, and no pyarrow: the read side
(`orderbridge status`, the console) loads these without the columnar stack.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import NamedTuple

# --- what the state store keeps of a shipment (tables shipments, cartons, shipment_lines) ----------

class RecordedCarton(NamedTuple):
    """A carton (level P) or pallet (level T) of a recorded shipment, with its SSCC-18 (a NamedTuple, as
    ShippedLine: one per carton a night ships, 25k at volume)."""

    level: str  # "P" carton | "T" pallet
    label: str  # the warehouse's carton / pallet id
    sscc: str  # 18 digits
    serial: int | None = None  # our serial reference when we numbered it; None: the warehouse's SSCC
    pallet: str = ""  # the pallet label a carton sits on
    po_number: str = ""
    weight: Decimal | None = None
    weight_unit: str = ""


class ShippedLine(NamedTuple):
    """Units of one order line on a recorded shipment (one per confirmation row, lineage kept).
    A NamedTuple rather than a frozen dataclass: the ship stage makes one per confirmation row (100k
    a night at volume), and a tuple is built in C, 3-4x cheaper than ten frozen-field assignments;
    immutable, compared and hashed by value all the same."""

    po_number: str
    line_number: int
    line_id: str
    sku: str
    quantity: Decimal
    unit: str
    carton: str = ""  # the carton label ("" shipped loose)
    pallet: str = ""
    row_number: int | None = None  # CSV record number (header = 1)
    file_segment: int | None = None  # 945: the W12's ordinal in the file
    mark_for_store: str = ""  # the store its carton was marked for (a store-level partner's SDQ store; "" none)
    net_weight: Decimal | None = None  # the net weight of its units (a catch-weight line is billed by it); None none
    net_weight_unit: str = ""  # LB | KG


SHIPPED_LINE_FIELDS = ShippedLine._fields


class ShippedLineBlock:
    """Many shipments' lines as one table of columns named SHIPPED_LINE_FIELDS (the values each ShippedLine
    holds: "" for absent text, decimals as Arrow decimals), the shipments one after another, each one's
    lines in order: what the ship planner makes of a night's confirmation lines (100,000 at volume) without
    a Python object per line. The store writes shipment_lines from its columns; the ShippedLines are made
    (all at once) only when something reads a shipment's ``lines``. ``table``: any object whose columns
    (``table[name]``) have to_pylist (no pyarrow here: the read side loads this module without it)."""

    __slots__ = ("table", "_lines")

    def __init__(self, table) -> None:
        self.table, self._lines = table, None

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def lines(self) -> tuple[ShippedLine, ...]:
        if self._lines is None:
            self._lines = tuple(map(tuple.__new__, itertools.repeat(ShippedLine), zip(
                *(self.table[name].to_pylist() for name in SHIPPED_LINE_FIELDS), strict=True)))
        return self._lines


class RowSpan(Sequence):
    """Rows ``start``..``stop`` of a block of many records' lines held as columns, as a sequence of line tuples
    (equal, and hashed alike, to the tuple of them), made only when read (``_tuple``: a subclass's)."""

    __slots__ = ("start", "stop")

    def _tuple(self) -> tuple:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, i):
        return self._tuple()[i]

    def __iter__(self) -> Iterator:
        return iter(self._tuple())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowSpan):
            return self._tuple() == other._tuple()
        if isinstance(other, tuple):
            return self._tuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return repr(self._tuple())


class ShippedLines(RowSpan):
    """A shipment's lines as rows ``start``..``stop`` of a ShippedLineBlock: a sequence of ShippedLines (equal,
    and hashed alike, to the tuple of them), made only when read."""

    __slots__ = ("block",)

    def __init__(self, block: ShippedLineBlock, start: int, stop: int) -> None:
        self.block, self.start, self.stop = block, start, stop

    def _tuple(self) -> tuple[ShippedLine, ...]:
        return self.block.lines()[self.start:self.stop]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ShippedLines) and self.block is other.block and self.start == other.start and \
                self.stop == other.stop:
            return True
        return super().__eq__(other)

    __hash__ = RowSpan.__hash__


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """A shipment confirmation that passed its checks and got its 856 (tables shipments, cartons,
    shipment_lines). ``billing``: "shipment" (an 810 per shipment is due), "order" (the order is
    invoiced once shipped complete), "none" (the partner receives no 810), "memo" (every order on it ships on memo:
    no 810 by agreement, [fulfilment.invoice] memo_order_types), "invoiced"."""

    warehouse: str  # the warehouse profile the confirmation came from
    shipment_id: str
    partner: str
    ship_date: date
    lines: tuple[ShippedLine, ...] | ShippedLines  # (ShippedLines: the planner's, rows of a night's block)
    cartons: tuple[RecordedCarton, ...] = ()
    stock_warehouse: str = ""  # the inventory warehouse code the units left (reservations, snapshots)
    source_kind: str = ""  # csv | 945
    source_file: str = ""
    source_sha256: str = ""
    isa13: str = ""
    gs06: str = ""
    st02: str = ""
    ship_time: time | None = None
    carrier_scac: str = ""
    service_level: str = ""
    tracking_number: str = ""
    bill_of_lading: str = ""
    departed_at: str = ""  # ISO: ship date and time (end of the ship date when no time was given)
    asn_due_at: str = ""  # ISO: departure + the partner's ASN window
    asn_doc_key: str = ""  # the 856's set key (document_sets)
    asn_at: str = ""  # the run clock when the 856 was built
    late: bool = False
    billing: str = "shipment"
    run_id: str = ""
    # each unit's serial number shipped, as the confirmation gave it: (po_number, line_id, sku, serial), kept in
    # shipped_serials (a serial ships once per item)
    serial_numbers: tuple[tuple[str, str, str, str], ...] = ()
    # the TD504 its 856 wrote (the warehouse's own W2701 / Transport Method, else the PO's for the carrier, U for a
    # parcel carrier, M): the 810's CAD01 and the 880's G2701 name it; "" for a shipment recorded before the store
    # kept it (shipments.transport_method, SHIPMENT_METHODS: billing works it out again) or one no TD504 went for
    transport_method: str = ""

    @property
    def po_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ln.po_number for ln in self.lines))


# --- what the state store keeps of an invoice (tables invoices, invoice_lines) --------------------

class InvoicedLine(NamedTuple):
    """One line of an invoice. A NamedTuple, as ShippedLine: an 810 run makes one per invoiced line
    (100k a night at volume), built in C."""

    line_number: int
    line_id: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal  # quantity x unit price, half up to cents; a line billed by weight: that weight x unit price
    # the net weight a catch-weight line was billed by (IT102) and its unit (IT103: the price's, LB for a price per
    # pound), as billing converted it (schemas.units.billed_weight); None / "" for a line billed by its quantity
    net_weight: Decimal | None = None
    net_weight_unit: str = ""


class BatchLines(RowSpan):
    """The lines of one invoice among the lines of the 810s written with it (a batch, engine.lifecycle.billing):
    rows ``start``..``stop`` of ``texts``, the batch's invoice_lines columns after the invoice number as the store
    writes them (line number, line id, quantity, unit, unit price, amount: decimals as stored texts; no line
    billed by weight), so a run's 100,000 lines go to the store without an object per line; as InvoicedLines
    (``make(start, stop)``: the values the texts were written from) only when read, equal (and hashed alike) to
    the tuple an invoice built alone holds."""

    __slots__ = ("texts", "make")

    def __init__(self, texts: Sequence[Sequence], make, start: int, stop: int) -> None:
        self.texts, self.make, self.start, self.stop = texts, make, start, stop

    def _tuple(self) -> tuple[InvoicedLine, ...]:
        return self.make(self.start, self.stop)


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """An 810 as numbered and sent: its number (from the company-wide invoice sequence), the PO and
    shipment it bills, its totals, and its lines (tables invoices, invoice_lines)."""

    partner: str
    invoice_number: str
    po_number: str
    invoice_date: date
    lines: tuple[InvoicedLine, ...] | BatchLines  # BatchLines: an 810 written with its batch (as planned)
    merchandise: Decimal  # sum of the line amounts
    charges: Decimal  # SAC charges less allowances (never a tax)
    total: Decimal  # TDS01 = merchandise + charges + tax
    doc_key: str  # the 810's set key (document_sets)
    warehouse: str = ""  # the shipment billed (per-shipment invoicing); "" for per-order invoices
    shipment_id: str = ""
    currency: str = ""
    created_at: str = ""  # run clock
    run_id: str = ""
    # the taxes in TDS01 (the summary TXIs' amounts: engine.invoice_taxes), kept apart from ``charges``; the state
    # store holds it as total - merchandise - charges
    tax: Decimal = Decimal(0)


def doc_key_store(doc_key: str) -> str | None:
    """The store an 810's doc key (engine.lifecycle.billing InvoiceDue.doc_key:
    810:warehouse:shipment:PO:store:S) bills per store ("" its PO's units marked for no store);
    None for an 810 of another policy."""
    _, sep, store = doc_key.rpartition(":store:")
    return store if sep else None
