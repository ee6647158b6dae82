"""855 purchase order acknowledgment: BAK, the PO1 lines echoed with an ACK each, CTT.

Pure: an order row, its lines and a status per line in; segments out. Issue-level statuses
(IA/IB/IQ/IP/IR...) are decided elsewhere (rules, allocation) and passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from parsers.x12_writer import Segment
from schemas.x12 import Delimiters

CHANGE_STATUSES = {"IB", "BP", "IC", "IP", "IQ", "IS", "DR", "IH", "IR", "ID"}


@dataclass(frozen=True, slots=True)
class AckPart:
    """One ACK segment: a status for part of the line's quantity (e.g. BP shipped + IB backordered)."""

    status: str
    quantity: Decimal | None
    ship_date: date | None = None


@dataclass(frozen=True, slots=True)
class LineAck:
    status: str = "IA"  # ACK01
    quantity: Decimal | None = None  # ACK02 (defaults to the ordered quantity)
    unit_price: Decimal | None = None  # our price when it differs (IP)
    ship_date: date | None = None  # ACK05 with ACK04 = 068 (current schedule ship)
    parts: tuple[AckPart, ...] = ()  # when set: one ACK per part instead of the single one above

    def statuses(self) -> list[str]:
        return [p.status for p in self.parts] or [self.status]


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def ack_type(statuses: list[str]) -> str:
    """BAK02: AD accepted as sent, AC accepted with changes, RD rejected (every line rejected)."""
    if statuses and all(s == "IR" for s in statuses):
        return "RD"
    if any(s in CHANGE_STATUSES for s in statuses):
        return "AC"
    return "AD"


def build_855(order: dict, lines: list[dict], acks: list[LineAck], *, today: date,
              purpose: str = "00") -> list[Segment]:
    """Body of an 855 for one PO, as segments. ``order``/``lines`` are canonical table rows
    (schemas.orders). The same renderer as every 855 of a run (render_855s)."""
    import pyarrow as pa

    from schemas.orders import ORDER_LINES

    if len(lines) != len(acks):
        raise ValueError("one LineAck per line is required")
    table = pa.Table.from_pylist(lines, schema=ORDER_LINES) if lines else ORDER_LINES.empty_table()
    rows = []
    for line, ack in zip(lines, acks, strict=True):
        qty = ack.quantity if ack.quantity is not None else line.get("quantity")
        parts = ack.parts or (AckPart(ack.status, qty, ack.ship_date),)
        rows.append({"parts": [{"status": p.status, "quantity": p.quantity, "date": p.ship_date} for p in parts],
                     "ack_quantity": ack.quantity, "ack_price": ack.unit_price})
    schema = _ack_columns()
    statuses = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
    d = _SPLIT
    [(text, _, _)] = render_855s([{"po_number": order["po_number"], "po_date": order.get("po_date"),
                                   "purpose": purpose}], table, statuses, [(0, len(lines))], today=today, d=d)
    return [seg.split(d.element) for seg in text.split(d.segment) if seg]


_SPLIT = Delimiters("\x1d", "\x1f", "", "\x1c", "")  # control characters: never in element data
def _ack_columns():
    import pyarrow as pa

    from schemas.orders import MONEY, QTY

    part = pa.struct([pa.field("status", pa.string()), pa.field("quantity", QTY), pa.field("date", pa.date32())])
    return pa.schema([pa.field("parts", pa.list_(part)), pa.field("ack_quantity", QTY),
                      pa.field("ack_price", MONEY)])


def render_855s(heads: list[dict], lines, statuses, spans: list[tuple[int, int]], *, today: date,
                d: Delimiters) -> list[tuple[str, int, str]]:
    """Bodies of many 855s (BAK .. CTT, without ST/SE) rendered with ``d`` by string building over
    columns: ``heads`` one dict per PO (po_number, po_date, purpose); ``lines`` canonical line rows
    and ``statuses`` their parts / ack_quantity / ack_price, aligned; ``spans``: each PO's rows,
    contiguous and in order. Per PO: (text, segments, BAK02)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from parsers.x12_writer import clean_column, date_column, decimal_column, render_segment

    term = d.segment + d.suffix
    n = lines.num_rows
    out: list[tuple[str, int, str]] = []
    if n:
        line_id = pc.fill_null(lines["line_id"], "")
        line_id = pc.if_else(pc.equal(line_id, ""), pc.cast(lines["line_number"], pa.string()), line_id)
        price = pc.coalesce(pc.cast(statuses["ack_price"], lines.schema.field("unit_price").type), lines["unit_price"])
        ids = _id_elements(lines["product_ids"], d)
        po1 = pc.utf8_rtrim(pc.binary_join_element_wise(
            "PO1", clean_column(line_id, d), decimal_column(lines["quantity"]), clean_column(lines["unit"], d),
            decimal_column(price), clean_column(lines["price_basis"], d), ids, d.element), characters=d.element)
        parts = statuses["parts"].combine_chunks() if isinstance(statuses["parts"], pa.ChunkedArray) else \
            statuses["parts"]
        flat = parts.flatten()
        parent = parts.value_parent_indices() if hasattr(parts, "value_parent_indices") else \
            pc.list_parent_indices(parts)
        unit = pc.take(clean_column(lines["unit"], d), parent)
        dated = pc.is_valid(flat.field("date"))
        ack = pc.utf8_rtrim(pc.binary_join_element_wise(
            "ACK", clean_column(flat.field("status"), d), decimal_column(flat.field("quantity")), unit,
            pc.if_else(dated, "068", ""), date_column(flat.field("date")), d.element), characters=d.element)
        acks = pc.binary_join(pa.ListArray.from_arrays(_zero_based(parts.offsets), _arr(ack)), term)
        line_text = pc.binary_join_element_wise(po1, term, acks, term, "")
        offsets = pa.array([spans[0][0]] + [b for _, b in spans], pa.int32()) if spans else pa.array([0], pa.int32())
        bodies = pc.binary_join(pa.ListArray.from_arrays(offsets, _arr(line_text)), "").to_pylist()
        qty = pc.coalesce(statuses["ack_quantity"], pc.cast(lines["quantity"], statuses.schema.field(
            "ack_quantity").type))
        totals = _sums(qty, spans)
        kinds = _ack_kinds(flat.field("status"), np.asarray(parent.to_numpy(zero_copy_only=False)), spans, n)
        n_parts = np.diff(np.asarray(parts.offsets.to_numpy()))
        cum = np.concatenate([[0], np.cumsum(n_parts)])
    for i, head in enumerate(heads):
        start, stop = spans[i]
        po_date = head.get("po_date")
        kind = kinds[i] if n and stop > start else ack_type([])
        bak = render_segment(["BAK", head.get("purpose") or "00", kind, head["po_number"],
                              po_date.strftime("%Y%m%d") if po_date else today.strftime("%Y%m%d"), "", "", "", "",
                              today.strftime("%Y%m%d")], d)
        total = totals[i] if n and stop > start else Decimal(0)
        ctt = render_segment(["CTT", str(stop - start), _num(total)], d)
        body = bodies[i] if n else ""
        segments = 2 + (stop - start) + (int(cum[stop] - cum[start]) if n else 0)
        out.append((bak + term + body + ctt + term, segments, kind))
    return out


def _arr(values):
    """A ChunkedArray as one Array (ListArray.from_arrays wants Arrays)."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def _zero_based(offsets):
    import pyarrow as pa
    import pyarrow.compute as pc

    first = offsets[0].as_py()
    return pc.subtract(offsets, pa.scalar(first, offsets.type)) if first else offsets


def _id_elements(product_ids, d: Delimiters):
    """PO106.. : each line's qualifier/id pairs as one element string (joined by the separator)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from parsers.x12_writer import clean_column

    ids = product_ids.combine_chunks() if isinstance(product_ids, pa.ChunkedArray) else product_ids
    ids = pc.fill_null(ids, pa.scalar([], ids.type)) if ids.null_count else ids
    flat = ids.flatten()
    pairs = pc.binary_join_element_wise(clean_column(flat.field("qualifier"), d), clean_column(flat.field("id"), d),
                                        d.element)
    return pc.binary_join(pa.ListArray.from_arrays(_zero_based(ids.offsets), _arr(pairs)), d.element)


def _sums(values, spans: list[tuple[int, int]]) -> list[Decimal]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(values)
    order = np.full(n, -1, dtype=np.int64)
    for i, (a, b) in enumerate(spans):
        order[a:b] = i
    table = pa.table({"o": pa.array(order), "v": values})
    table = table.filter(pc.greater_equal(table["o"], 0)).group_by("o", use_threads=False).aggregate([("v", "sum")])
    got = dict(zip(table["o"].to_pylist(), table["v_sum"].to_pylist(), strict=True))
    return [got.get(i) or Decimal(0) for i in range(len(spans))]


def _ack_kinds(statuses, parent, spans: list[tuple[int, int]], n: int) -> list[str]:
    """BAK02 per PO from all its ACK01s (ack_type)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    order = np.full(n, m := len(spans), dtype=np.int64)  # rows outside every span count for no PO
    for i, (a, b) in enumerate(spans):
        order[a:b] = i
    per_part = order[parent]
    ir = np.asarray(pc.fill_null(pc.equal(statuses, "IR"), False).to_numpy(zero_copy_only=False), dtype=bool)
    change = np.asarray(pc.fill_null(pc.is_in(statuses, value_set=pa.array(sorted(CHANGE_STATUSES))), False)
                        .to_numpy(zero_copy_only=False), dtype=bool)
    count = np.bincount(per_part, minlength=m + 1)[:m]
    irs = np.bincount(per_part, weights=ir, minlength=m + 1)[:m]
    changes = np.bincount(per_part, weights=change, minlength=m + 1)[:m]
    return ["RD" if c and r == c else "AC" if ch else "AD" for c, r, ch in zip(count, irs, changes, strict=True)]
