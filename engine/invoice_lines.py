"""The IT1 (+PID) lines of many 810s built at once, per column (the way engine.po_ack.render_855s writes
the 855s' lines): each line's order line and canonical ORDER_LINES row found by joins, its element
values and checks computed column-wise, each segment kind joined column-wise, each invoice's lines
joined by its span. Which invoices may not be written this way (a line not stored, without a price,
billing more than shipped, twice, a value holding a delimiter) is told, not decided: the caller
(engine.lifecycle.billing) builds those one by one. Pure: tables in, columns out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import SCALE, fmt, objects
from parsers.x12_writer import chars_used, decimal_column, x12_texts
from schemas.lifecycle import decimal_text
from schemas.units import (
    KEPT_PER_MANY_BASES,
    PRICE_PER_EACH,
    RESTATED_PER_UNIT,
    priced_per,
)
from schemas.x12 import Delimiters

_DECIMAL = pa.decimal128(18, 4)  # the stored texts' scale (schemas.orders QTY and MONEY); beyond: not here
_SAFE = 2**62
_KEY = 2**31  # an order's index times this plus a line's number (or line id's code): one int64 key


@dataclass(frozen=True, slots=True)
class LineColumns:
    """What the lines of a batch of 810s bill, per line (aligned with the due lines given): IT103 (as
    Python strings and as a column), the unit price as stored (its text), the amount (quantity x price,
    half up to cents: in cents); per invoice its IT1/PID text and segment count (columns); and the
    invoices that must be built otherwise (``refused``)."""

    units: list[str]
    unit_column: pa.Array
    price_text: pa.Array
    cents: np.ndarray
    texts: pa.Array
    segments: np.ndarray
    refused: set[int]
    # the order lines once billed (what engine.lifecycle.billing.plan_invoices sets): per line its id as
    # stored ("" for none), its invoiced units (as stored: decimal_text) and state (string columns); per
    # invoice whether every line of its order is then billed in full or ended
    stored_ids: list[str]
    invoiced: pa.Array
    states: pa.Array
    settled: np.ndarray


def _array(values) -> pa.Array:
    """A column as one Array."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _scaled(texts) -> tuple[np.ndarray | None, np.ndarray]:
    """Stored decimal texts as int64 in 10^-4 units (0 where null or ""; ``present`` says which are not),
    each distinct text read once; None when one is not such a number (more decimals, too large)."""
    encoded = pc.dictionary_encode(_array(texts))
    values: list[int] = []
    for text in encoded.dictionary.to_pylist():
        try:
            units = Decimal(text).scaleb(4) if text else Decimal(0)
        except ArithmeticError:
            return None, np.zeros(0, bool)
        if not units.is_finite() or units != units.to_integral_value() or abs(units) >= _SAFE:
            return None, np.zeros(0, bool)
        values.append(int(units))
    index = encoded.indices
    present = np.asarray(pc.is_valid(index).to_numpy(zero_copy_only=False), bool) & ~np.isin(
        np.asarray(pc.fill_null(index, -1).to_numpy(zero_copy_only=False), np.int64),
        [i for i, t in enumerate(encoded.dictionary.to_pylist()) if not t])
    picked = np.asarray(pc.fill_null(index, 0).to_numpy(zero_copy_only=False), np.int64)
    return np.where(present, np.asarray(values or [0], np.int64)[picked], 0), present


def _texts(units: np.ndarray) -> pa.Array:
    """int64 in 10^-4 units as decimal texts as stored (schemas.lifecycle.decimal_text), a string column,
    each distinct value written once."""
    distinct, inverse = np.unique(units, return_inverse=True)
    return pa.array([fmt(v) for v in distinct.tolist()], pa.string()).take(pa.array(inverse.reshape(-1), pa.int64()))


def _price_texts(price_text: pa.Array) -> pa.Array:
    """IT104 of each stored price text (x12_decimal of the decimal it reads as; "" for null), each distinct
    price written once (a night's 100,000 lines hold a few hundred prices)."""
    encoded = pc.dictionary_encode(price_text)
    return pc.fill_null(_array(decimal_column(pc.cast(encoded.dictionary, _DECIMAL))).take(encoded.indices), "")


def _blank(values) -> pa.Array:
    """Null or "" as null (the stored texts' "no value")."""
    values = pc.cast(values, pa.string())
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def runs(table: pa.Table, columns: tuple[str, ...]) -> list[tuple[tuple, int, int]]:
    """(key, start, end) of each run of consecutive rows with the same values in ``columns``, in row order;
    the key: those values (None for a column the table lacks), read at the run's first row only. Rows
    of a table without any of ``columns`` are one run."""
    present = [c for c in columns if c in table.column_names]
    if not table.num_rows:
        return []
    ends = sorted(set().union(*(pc.run_end_encode(table[c].combine_chunks()).run_ends.to_pylist() for c in present)))
    runs = list(zip([0, *ends[:-1]], ends, strict=True)) if present else [(0, table.num_rows)]
    starts = pa.array([a for a, _ in runs], pa.int64())
    keys = zip(*(table[c].take(starts).to_pylist() if c in present else [None] * len(runs) for c in columns),
               strict=True)
    return [(k, a, b) for k, (a, b) in zip(keys, runs, strict=True)]


def _order_of(table: pa.Table, partners: pa.Array, pos: pa.Array) -> np.ndarray:
    """Per row of ``table``: the index of its (partner, po_number) among the invoices' (``partners``,
    ``pos``; the last one when an order is there twice), -1 for another order (or a null key)."""
    n = table.num_rows
    codes = []
    for column, wanted in ((table["partner"], partners), (table["po_number"], pos)):
        both = pa.concat_arrays([_array(pc.cast(column, pa.string())), _array(pc.cast(wanted, pa.string()))])
        encoded = pc.dictionary_encode(both)
        size = len(encoded.dictionary) + 1
        codes.append((np.asarray(pc.fill_null(encoded.indices, size - 1).to_numpy(zero_copy_only=False), np.int64),
                      size))
    (partner, _), (po, size) = codes
    key = partner * size + po  # (partner, PO) as one number, rows and invoices alike
    return _last_rows(key[n:], key[:n])


def _last_rows(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per value of ``wanted``: the last row (in row order) of ``keys`` holding it, -1 for none."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    at = np.maximum(np.searchsorted(ordered, wanted, side="right") - 1, 0)
    found = (ordered[at] == wanted) if len(ordered) else np.zeros(len(wanted), bool)
    return np.where(found, order[at] if len(ordered) else 0, -1)


def line_columns(invoice: np.ndarray, partners: pa.Array, pos: pa.Array, numbers: pa.Array,
                 quantities: np.ndarray, quantity_texts: list[str], lines: pa.Table, order_lines: pa.Table,
                 d: Delimiters, *, billed_state: str, ended: Sequence[str]) -> LineColumns | None:
    """The due lines (per line: its invoice's index ``invoice``, the invoice's partner and PO by that
    index in ``partners`` / ``pos``, the line number, the units as int64 in 10^-4 and as IT102 text)
    against ``lines`` (connectors.state BILLING_LINE_COLUMNS, decimals as stored texts) and the
    canonical ``order_lines`` (unit, price_basis, description, product_ids; a later row of a line id
    wins). None when the batch cannot be read this way at all (a stored text beyond 4 decimals, an
    amount near int64's limits): the caller builds every invoice one by one. A line billed up to what
    its order line promised (allocated + backordered <= shipped <= invoiced) takes ``billed_state``;
    ``ended``: the states of lines nothing more will happen to."""
    n = len(invoice)
    count = len(partners)
    if not lines.num_rows or not n:
        return None
    number = np.asarray(pc.fill_null(numbers, -1).to_numpy(zero_copy_only=False), np.int64)
    stored_number = np.asarray(pc.fill_null(lines["line_number"], -1).to_numpy(zero_copy_only=False), np.int64)
    if number.max() >= _KEY or stored_number.max() >= _KEY or number.min() < 0:
        return None
    order_row = _order_of(lines, partners, pos)
    row = _last_rows(order_row * _KEY + np.where(stored_number < 0, _KEY - 1, stored_number),
                     invoice * _KEY + number)  # per due line: its order line (the store has one per number)
    bad = row < 0
    at = np.maximum(row, 0)
    stored = lines.select(["line_id", "unit", "unit_price", "ack_price"]).take(pa.array(at))
    line_id = _array(pc.fill_null(stored["line_id"], ""))
    line_id = pc.if_else(pc.equal(line_id, ""), pc.cast(numbers, pa.string()), line_id)
    price_text = _array(pc.coalesce(_blank(stored["ack_price"]), _blank(stored["unit_price"])))
    price, present = _scaled(price_text)
    shipped_all, _ = _scaled(lines["shipped"])
    invoiced_all, _ = _scaled(lines["invoiced"])
    if price is None or shipped_all is None or invoiced_all is None:
        return None
    shipped, invoiced = shipped_all[at], invoiced_all[at]
    q = np.asarray(quantities, np.int64)
    bad |= ~present | (q <= 0) | (price < 0) | (q > shipped - invoiced)
    if n and float(np.abs(q).max()) * float(np.abs(price).max()) >= _SAFE:
        return None
    cents = np.where(bad, 0, (q * np.where(bad, 0, price) + 500_000) // 1_000_000)
    total = invoiced + np.where(bad, 0, q)  # the order line's invoiced units once this invoice is
    allocated, backordered = (np.asarray(pc.fill_null(lines[c], 0).to_numpy(zero_copy_only=False), np.int64)
                              for c in ("allocated", "backordered"))
    promised_all = (allocated + backordered) * SCALE
    state_all = _array(pc.fill_null(lines["state"], ""))
    ended_all = np.asarray(pc.is_in(state_all, value_set=pa.array(list(ended), pa.string())).to_numpy(
        zero_copy_only=False), bool)
    full = (promised_all[at] <= shipped) & (shipped <= total)
    state = pc.take(state_all, pa.array(at))
    done = full | ended_all[at]
    other = order_row >= 0  # the invoices' orders' other lines: each billed in full or ended, else not settled
    other[row[row >= 0]] = False
    unsettled = other & ~(((promised_all <= shipped_all) & (shipped_all <= invoiced_all)) | ended_all)
    settled = (np.bincount(invoice, weights=~done, minlength=count) == 0) & ~(
        np.bincount(order_row[unsettled], minlength=count) > 0)

    # the canonical row of each line: unit, IT105, PID, product ids
    canonical_id = pc.fill_null(pc.cast(order_lines["line_id"], pa.string()), "")
    canonical_id = pc.if_else(pc.equal(canonical_id, ""),
                              pc.fill_null(pc.cast(order_lines["line_number"], pa.string()), "None"), canonical_id)
    codes = np.asarray(pc.dictionary_encode(pa.concat_arrays([_array(line_id), _array(canonical_id)])).indices
                       .to_numpy(zero_copy_only=False), np.int64)  # line ids as numbers, due and canonical alike
    found = _last_rows(_order_of(order_lines, partners, pos) * _KEY + codes[n:], invoice * _KEY + codes[:n])
    canonical = order_lines.select(["unit", "price_basis", "description", "product_ids"]).take(
        pa.array(found, pa.int64(), mask=found < 0))  # a later row of a line id wins; none: nulls
    own_unit, their_unit = pc.fill_null(stored["unit"], ""), pc.fill_null(canonical["unit"], "")
    unit = _array(pc.if_else(pc.not_equal(own_unit, ""), own_unit,
                             pc.if_else(pc.not_equal(their_unit, ""), their_unit, "EA")))
    basis = pc.fill_null(canonical["price_basis"], "").combine_chunks()
    if "weight_ordered" in order_lines.column_names and "weight_basis_sent" in order_lines.column_names:
        sent = order_lines.select(["weight_ordered", "weight_basis_sent"]).take(pa.array(found, pa.int64(),
                                                                                         mask=found < 0))
        basis = _array(pc.if_else(pc.is_valid(sent["weight_ordered"]),  # IT105 as sent: schemas.units.basis_sent
                                  pc.fill_null(sent["weight_basis_sent"], ""), basis))
    if "codes" in lines.column_names:  # our price per CA of a line priced per each goes out without PE
        held = pc.fill_null(pc.take(lines["codes"], pa.array(at)), "")  # (schemas.units.stated_basis)
        pack = pc.match_substring(pc.binary_join_element_wise(",", held, ",", ""), f",{RESTATED_PER_UNIT},")
        if "unit_eaches" in lines.column_names:  # a pack of eaches (the line's unit_eaches)
            pack = pc.or_(pack, pc.fill_null(pc.greater(pc.take(lines["unit_eaches"], pa.array(at)), 1), False))
        restated = pc.and_(pc.and_(pc.is_valid(_blank(stored["ack_price"])), pack),
                           pc.is_in(basis, value_set=pa.array(list(PRICE_PER_EACH), pa.string())))
        basis = _array(pc.if_else(pc.fill_null(restated, False), "", basis))
    many_of = pc.fill_null(pc.is_in(basis, value_set=pa.array(list(KEPT_PER_MANY_BASES), pa.string())), False)
    if pc.any(many_of).as_py():  # a price per thousand feet kept as sent (IT104 287.45 TF): its amount is not
        for i in np.flatnonzero(np.asarray(many_of.to_numpy(zero_copy_only=False), bool)).tolist():  # q x price
            bad[i] |= priced_per(unit[i].as_py(), basis[i].as_py()) != 1  # (engine.invoice.line_money's, one by one)
    description = x12_texts(pc.fill_null(canonical["description"], "").combine_chunks())  # PID05 at most 80
    if "pids_sent" in order_lines.column_names and order_lines["pids_sent"].null_count < order_lines.num_rows:
        # a line's PIDs as sent (PID02, several: ORDER_LINES pids_sent): its invoice built otherwise, each written
        sent = pc.is_valid(order_lines["pids_sent"].take(pa.array(found, pa.int64(), mask=found < 0)))
        bad |= np.asarray(pc.fill_null(sent, False).to_numpy(zero_copy_only=False), bool)
    ids = canonical["product_ids"].combine_chunks()
    flat = pc.list_flatten(ids)
    parent = np.asarray(pc.list_parent_indices(ids).to_numpy(zero_copy_only=False), np.int64)
    pid, qualifier = flat.field("id"), flat.field("qualifier")
    kept = np.asarray(pc.fill_null(pc.not_equal(pid, ""), False).to_numpy(zero_copy_only=False), bool)
    kept_at = np.flatnonzero(kept)
    kept_parent = parent[kept_at]
    per_line = np.bincount(kept_parent, minlength=n)
    rank = np.arange(len(kept_at)) - (np.cumsum(per_line) - per_line)[kept_parent]
    kept_at, kept_parent = kept_at[rank < 10], kept_parent[rank < 10]  # IT106..: ten pairs at most
    pick = pa.array(kept_at, pa.int64())
    kept_qualifier, kept_id = pc.take(qualifier, pick), pc.take(pid, pick)
    bad[kept_parent[np.asarray(pc.is_null(kept_qualifier).to_numpy(zero_copy_only=False), bool)]] = True
    pairs = pc.binary_join_element_wise(pc.fill_null(kept_qualifier, ""), kept_id, d.element)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(kept_parent, minlength=n), out=offsets[1:])
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), pairs), d.element)
    e = d.element
    tails = _array(pc.if_else(pc.not_equal(joined, ""), pc.binary_join_element_wise(e, basis, e, joined, ""),
                       pc.if_else(pc.not_equal(basis, ""), pc.binary_join_element_wise(e, basis, ""), "")))

    chars = "".join(dict.fromkeys(ch for ch in (d.element, d.component, d.segment, d.repetition) if ch))
    for values, rows in ((line_id, None), (unit, None), (basis, None), (description, None),
                         (kept_qualifier, kept_parent), (kept_id, kept_parent)):
        for where in chars_used(values, chars).values():
            bad[where if rows is None else rows[where]] = True
    refused = set(np.unique(invoice[bad]).tolist())
    ids_of = np.sort(invoice * _KEY + codes[:n])  # a line id twice on one invoice
    refused.update((ids_of[1:][ids_of[1:] == ids_of[:-1]] // _KEY).tolist())

    texts, segments = render_it1s(np.bincount(invoice, minlength=count), line_id, pa.array(quantity_texts, pa.string()),
                                  unit, _price_texts(price_text), tails, description, d)
    return LineColumns(units=objects(unit), unit_column=unit, price_text=price_text, cents=cents,
                       texts=texts, segments=segments, refused=refused,
                       stored_ids=objects(pc.fill_null(stored["line_id"], "")), invoiced=_texts(total),
                       states=_array(pc.if_else(pa.array(full), billed_state, state)), settled=settled)


def invoiced_texts(numbers: list[int], columns: LineColumns, quantities: np.ndarray) -> list[list]:
    """The batch's lines as the store's invoice_lines columns after the invoice number hold them: line
    number, line id, quantity, unit, unit price, amount (``quantities`` in 10^-4 units; decimals as
    schemas.lifecycle.decimal_text writes them), each distinct value written once (a night's 100,000
    lines hold a few hundred quantities, prices and amounts)."""
    prices = pc.dictionary_encode(columns.price_text)
    price_of = [decimal_text(Decimal(t)) if t else None for t in prices.dictionary.to_pylist()] + [None]
    distinct, inverse = np.unique(columns.cents, return_inverse=True)
    amount_of = [decimal_text(Decimal(int(c)).scaleb(-2)) for c in distinct.tolist()]
    return [numbers, columns.stored_ids, objects(_texts(np.asarray(quantities, np.int64))), columns.units,
            list(map(price_of.__getitem__, pc.fill_null(prices.indices, len(price_of) - 1).to_pylist())),
            list(map(amount_of.__getitem__, inverse.reshape(-1).tolist()))]


def render_it1s(counts, line_ids, quantities, units, prices, tails, descriptions, d: Delimiters
                ) -> tuple[pa.Array, np.ndarray]:
    """Per invoice (``counts``: its number of lines, in line order): the text of its IT1 and PID
    segments, and how many segments that is. Per line (string columns): IT101, IT102, IT103, IT104,
    ``tails`` the text after IT104 (IT105 and the product ids, each preceded by the element separator;
    "" when none), the PID description ("": no PID). No value may hold a delimiter of ``d``."""
    e, end = d.element, d.segment + d.suffix
    it1 = pc.binary_join_element_wise("IT1", line_ids, quantities, units, prices, e)
    text = pc.binary_join_element_wise(it1, tails, end, "")
    has_pid = pc.not_equal(descriptions, "")
    if pc.any(has_pid).as_py():
        pid = pc.binary_join_element_wise(f"PID{e}F{e}{e}{e}{e}", descriptions, end, "")
        text = pc.binary_join_element_wise(text, pc.if_else(has_pid, pid, ""), "")
    offsets = np.zeros(len(counts) + 1, np.int32)
    np.cumsum(np.asarray(counts, np.int32), out=offsets[1:])
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    texts = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), text), "")
    pids = np.concatenate([[0], np.cumsum(np.asarray(has_pid.to_numpy(zero_copy_only=False), np.int64))])
    segments = np.asarray(counts, np.int64) + pids[offsets[1:]] - pids[offsets[:-1]]
    return texts, segments


__all__ = ["LineColumns", "invoiced_texts", "line_columns", "render_it1s"]
