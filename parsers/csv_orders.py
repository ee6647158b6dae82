"""CSV purchase orders (partners without EDI) -> the canonical ORDERS and ORDER_LINES tables
(schemas.orders), so they pass the same rule suites and allocation as 850s.

The partner profile's CsvOrderMapping names the columns (header text), the encoding, separators and
date format. Several rows with one PO number are one order (rows of a PO need not be adjacent; in a
grouped layout a row with a blank PO number continues the PO above it);
order-level values come from its first row, and a later row that disagrees is a warning, as is a line
id repeated within a PO (both rows stay lines, as an 850's repeated PO101 does). A row with
a missing or unreadable value (PO, quantity, price, date) is a finding at its row and column, and its
whole PO is left out (as an 850 set in error is): no partial orders; so is the PO a row of the wrong
width names in the PO column (CSV_ROW_MALFORMED), and every PO when a quoting error leaves the rest of
the file unread (any of them may have rows there). Every row not taken is listed (CsvOrders.refused)
with its values as sent and its reason, for the CSV acknowledgment that answers it. A PO number, line id or
release a spreadsheet rewrote in scientific notation (1.23457E+11) is CSV_VALUE_GARBLED and leaves its PO out
(two POs so rewritten would read as one, answered under a number the partner never sent); an item id a failed
formula left ("#N/A") is a warning and read as no id (_ITEM_IDS), a price in an accounting format's zero ("$ -") is
0. Order-level values
a PO's first row leaves blank are taken from its later rows; the window's dates (DTM 037/038/001/064/063)
of rows that disagree hold the PO to the strictest, and a row's cancel / do-not-deliver date other than
its PO's is its line's own (as an 850's PO1-loop DTM 001/064/063: _own_dates), and so is a row's ship-to other than its
PO's (a multi-door order: as an 850's PO1-loop N1*ST, _own_ship_tos). A line sent without an
id is numbered apart from the ids its PO's rows send. Lineage, stable and documented:
isa13 = "CSV", gs06 = "1", st02 = the PO's first row number (4 digits at least), so order_ref =
"CSV-1-0002"; segment_position and file_segment of a line = its row number (header = 1); version
"CSV"; purpose "00", order_type "SA" unless the layout's purpose / order_type columns say another (their words
read as BEG01 / BEG02 codes). A wide export (one row per order, its items side by side: the layout's
item columns written with "{n}") gives a line per filled item of a row, all at that row (_Wide); a file of order
rows and line rows (the layout's record_type, order_records: an ERP's H and D records) takes its PO's order values
from the order row, which is no line; a PO's allowance and charge rows (the layout's allowance_records, an 850 flat
file's "A" record; its allowance_items, an ERP export's freight or discount item line) are its heading SACs
(CsvOrders.sacs, ORDER_SACS: _Charges), no line; so are its order_charges columns (a cart's shipping or discount
given as a column of the order, on every row of it or its first only: _order_charges), once per order, each
described by its order_charge_descriptions column (Shopify's "Discount Code") where the row gives it, else its header.
A ship-to name (or its additional name, ship_to_name2: an 850's N2, kept in
the name after ", " as an 850's) the layout gives as a list of columns is their cells joined by one blank, blank
ones left out (a cart's "Shipping First Name", "Shipping Last Name"); a listed column the header lacks is not read,
as a single one is not.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.csv_common import (
    CsvRows,
    accounting_zero,
    cell_text,
    date_hint,
    number_hint,
    numbered_columns,
    parse_date,
    parse_decimal,
    parse_price,
    row_batches,
    scientific,
    second_item,
    spreadsheet_error,
)
from parsers.csv_totals import LABELS as TOTALS_LABELS
from parsers.csv_totals import Totals
from schemas import countries
from schemas.charsets import has_control, without_controls
from schemas.findings import Finding, FindingsBudget, finding
from schemas.fulfilment import CSV_JOINED, CsvOrderMapping
from schemas.orders import (
    CSV_ISA13,
    LINE_DATES,
    LINE_SHIP_TO,
    LINE_SHIP_TO_ADDRESS,
    LINE_WIDE_DATES,
    ORDER_LINES,
    ORDER_SACS,
    ORDERS,
)
from schemas.profile import LimitSettings
from schemas.reasons_text import join_reasons
from schemas.reference import from_scientific, zeros_dropped_gtin
from schemas.units import is_unit_code, unit_code_named

# the PO's window (DTM 037/038/001/064/063): rows of a PO that disagree hold it to the strictest date
_STRICTEST = {"ship_not_before": max, "ship_no_later": min, "cancel_after": min, "do_not_deliver_before": max,
              "do_not_deliver_after": min}
_DATES = ("po_date", "requested_ship_date", "requested_delivery_date", *_STRICTEST)
_FIELDS = ("po_number", "po_date", "line_id", "quantity", "unit", "unit_price", "upc", "gtin", "vendor_part",
           "buyer_part", "description", "currency", "requested_ship_date", "requested_delivery_date", *_STRICTEST,
           "release_number", "ship_to_id", "ship_to_name", "ship_to_name2", "ship_to_address1", "ship_to_address2",
           "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country", "sales_requirement",
           "window_type", "allowance_code", "allowance_amount", "allowance_kind", "allowance_deal", "updated_at",
           "order_type", "purpose", "line_allowance_deal")
_REQUIRED = ("po_number", "quantity")
_ORDER_LEVEL = ("po_date", "currency", "requested_ship_date", "requested_delivery_date", *_STRICTEST,
                "release_number", "ship_to_id", "ship_to_name", "ship_to_name2", "ship_to_address1",
                "ship_to_address2", "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country",
                "sales_requirement", "order_type", "purpose")
# a yes/no cell (the layout's sales_requirement column: "Partial Shipments", "Ship complete") and the answer it gives
_YES_NO = {"yes": "yes", "y": "yes", "true": "yes", "1": "yes", "no": "no", "n": "no", "false": "no", "0": "no"}
# the window's two kinds (the layout's window_type column) and the dates each is read into (DTM 037/038, 064/063)
_WINDOWS = {"ship": ("ship_not_before", "ship_no_later"), "delivery": ("do_not_deliver_before", "do_not_deliver_after")}
# the ship-to's text (N1/N3/N4), where a line break or tab is no character (an address cell of several lines)
_TEXT = ("ship_to_name", "ship_to_name2", "ship_to_address1", "ship_to_address2", "ship_to_city", "ship_to_state",
         "ship_to_country")
_QUALIFIER = {"upc": "UP", "gtin": "UK", "vendor_part": "VN", "buyer_part": "BP"}
# the GS1 columns and their digits: a spreadsheet stores a UPC or GTIN as a number and drops its leading zeros
# (UPC 012345678905 saved as 12345678905), which their right check digit shows (reference.zeros_dropped_gtin)
_GS1_COLUMNS = {"upc": 12, "gtin": 14}
_DIGITS_KEPT = ("ship_to_postal_code", "upc", "gtin")  # values an exporter may write after an apostrophe ("'02134")
# ids an exporter may write after the apostrophe that keeps a spreadsheet from reading digits as a number ("'00123":
# its zeros kept): the id is the digits (_unguarded); the PO number is read so where its rows are told apart
_GUARDED_IDS = ("line_id", "release_number", "vendor_part", "buyer_part", "ship_to_id")
# the ids the PO is known by and answered with (BEG03, PO101, BEG04, the 856's and 810's N1*ST N104): one a
# spreadsheet rewrote in scientific notation (PO 123456789012 as 1.23457E+11, a store's GLN 0614141000012 as
# 6.14141E+11) has lost its digits, and two POs so rewritten would be read as one
_ECHOED_IDS = ("po_number", "line_id", "release_number", "ship_to_id")
# the values a spreadsheet's failed formula ("#N/A", "#REF!": csv_common.spreadsheet_error) leaves the order without:
# its ids (rows of POs whose numbers all read "#REF!" would be one order) and where it goes (a store "#N/A" would
# ship to the store of the PO's other rows); an item id so is no id (_ITEM_IDS)
_LOST_IF_FAILED = (*_ECHOED_IDS, "ship_to_name", "ship_to_name2", "ship_to_address1", "ship_to_address2",
                   "ship_to_city", "ship_to_state", "ship_to_postal_code", "ship_to_country")
# a line's item ids: one a failed formula left ("#N/A" from a lookup that found nothing) is said and read as no id (the
# line goes on with its other ids: the rules' ITEM_UNKNOWN / ITEM_ID_MISSING when none is left); never echoed
_ITEM_IDS = ("upc", "gtin", "vendor_part", "buyer_part")
# the window's dates a line keeps of its own (_own_dates): its cancel / do-not-deliver dates and its ship window
_ROW_DATES = (*LINE_DATES.values(), *LINE_WIDE_DATES.values())
_OWN = frozenset(_ROW_DATES)
# a line's own ship-to (ORDER_LINES, as an 850's PO1-loop N1*ST/N3/N4 fills them): a row's where it is not its PO's
_LINE_SHIP_TO = tuple(f"ship_to_{f}" for f in (*LINE_SHIP_TO, *LINE_SHIP_TO_ADDRESS))  # name, id_qualifier, id ...
# the line's columns a wide export numbers, its items side by side ("Item {n} SKU", "Qty {n}"): CsvOrderMapping
_NUMBERED = ("line_id", "quantity", "unit", "unit_price", "upc", "gtin", "vendor_part", "buyer_part", "description")


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """A row not taken (its PO left out, or it names none), as the CSV acknowledgment answers it: its
    values as sent (a number read, or the text that could not be) and why, naming row and column."""

    row: int
    po_number: str
    line_id: str
    sku: str
    quantity: Decimal | str
    unit: str
    unit_price: Decimal | str | None
    reason: str


# the records below where the layout puts the header that it is looked for in, when that one names no column the
# layout needs (a hand-made order sheet's title or logo block above its header: csv_common._header_below)
HEADER_SEARCH = 30
MOST_REFUSED = 100_000  # refused rows listed one by one; the rest counted (a file of a million bad rows)


@dataclass(slots=True)
class CsvOrders:
    orders: pa.Table  # ORDERS
    lines: pa.Table  # ORDER_LINES
    findings: list[Finding] = field(default_factory=list)
    rejected: tuple[str, ...] = ()  # PO numbers left out because one of their rows is bad
    refused: list[RefusedRow] = field(default_factory=list)  # every row not taken, in file order (MOST_REFUSED)
    more_refused: int = 0  # rows not taken beyond MOST_REFUSED (not listed)
    # the orders' allowances and charges: their allowance rows (the layout's allowance_records, allowance_items), as
    # an 850's heading SACs
    sacs: pa.Table = field(default_factory=ORDER_SACS.empty_table)
    encoding: str = ""  # the codec the file was read in (CsvRows.encoding: "cp1252" for a UTF-8 layout's file so read)


def read_csv_orders(data: bytes | Iterable[bytes], mapping: CsvOrderMapping, *, partner: str, file: str = "",
                    source_sha256: str = "", batch_rows: int = 10_000,
                    limits: LimitSettings | None = None,
                    id_limits: Mapping[str, tuple[int, str]] | None = None) -> CsvOrders:
    """``data``: the file's bytes, or its byte chunks (a large file: read ``batch_rows`` rows at a time,
    each batch's lines made columnar before the next is read, never the file, its text or its rows held
    whole). The tables and findings are the same either way. Findings are kept within the partner's
    ``limits`` as they come, each PO counting as a set (rows without a PO as the file's), the rest
    counted in FINDINGS_CAPPED findings: the first error of every PO is kept, for as many POs as
    ``max_sets_per_file`` (``limits`` None: LimitSettings()'s), so a PO left out keeps its reason and a
    file of a million bad rows is not held as a million findings. ``id_limits``: column -> (the most
    characters, the X12 element's name) of the ids our X12 answers write (PartnerProfile.csv_id_limits;
    None or empty: answered in CSV only, any length): a longer one is CSV_ID_TOO_LONG at its row and
    column, and its PO is left out (an id is never cut)."""
    limits = limits or LimitSettings()
    budget = FindingsBudget(limits.max_findings_per_set, limits.max_findings_per_file, limits.max_sets_per_file)
    rows = CsvRows(file=file, columns={}, budget=budget)
    pos: dict[str, _Po] = {}  # PO number -> what is known of it, in order of first appearance
    malformed: set[str] = set()  # the POs of rows of the wrong width: left out, never read in part

    orphans: list[int] = []  # grouped: rows of the wrong width without a PO number (they belong to the PO above)
    runs: list[tuple[int, str]] = []  # grouped: (first row, PO) of each run of rows of one PO, in file order

    refused: list[tuple[int, str, list[str]]] = []  # (row, PO, fields) of the rows read but not taken
    more = 0

    def _refuse(number: int, po: str, fields: list[str]) -> None:
        nonlocal more
        if len(refused) < MOST_REFUSED:
            refused.append((number, po, fields))
        else:
            more += 1

    def _malformed(number: int, fields: list[str]) -> str | None:
        po = rows.cell(fields, "po_number") or None
        _refuse(number, po or "", fields)
        if po is not None:
            malformed.add(po)
        elif mapping.grouped:
            orphans.append(number)
        return po

    rows.malformed = _malformed
    reading = _Reading(mapping, tuple((name, *limit) for name, limit in (id_limits or {}).items()))
    above: str | None = None  # the PO of the last row that named one (mapping.grouped)
    batches: list[pa.Table] = []  # the lines of good rows so far (a PO found bad later is filtered out)
    wide = _Wide(mapping)
    totals = Totals(reading.number_of)  # the sums a label-less totals row is told by
    columns = {f: None if f in wide.templates or (wide.templates and f == "line_id") else getattr(mapping, f)
               for f in _FIELDS}
    for name in CSV_JOINED:  # a text over several columns: each looked up as a column of its own (_joined_parts)
        if isinstance(columns[name], tuple):
            columns.update({f"{name}#{i}": title for i, title in enumerate(columns.pop(name))})
            reading.joined.append(name)
    # the order's shipping and discount columns (the layout's order_charges): each a column of its own
    columns.update({f"{_CHARGE}{i}": title for i, (title, _said) in enumerate(mapping.order_charges)})
    columns.update({f"{_CHARGE_TEXT}{i}": text for i, text in _charge_texts(mapping)})  # their descriptions
    # a line's own allowance and charge columns (the layout's line_allowances): each a column of its own
    columns.update({f"{_LINE_SAC}{i}": title for i, (title, _said) in enumerate(mapping.line_allowances)})
    heads = {kind.strip().casefold() for kind in mapping.order_records}  # the record types of a PO's order row
    charges = _Charges(mapping)  # the allowance and charge rows (ORDER_SACS)
    order_rows = mapping.order_rows and not wide.templates  # a PO's row giving none of a line's values: its order row
    if mapping.record_type is not None:
        columns["record_type"] = mapping.record_type
    required = ("po_number",) if wide.templates else _REQUIRED
    for batch in row_batches([data] if isinstance(data, (bytes, bytearray)) else data, mapping, columns,
                             required=(*required, "record_type") if heads else required, out=rows,
                             batch_rows=batch_rows, header_search=HEADER_SEARCH):
        lines = _Lines()
        if wide.templates and not wide.found(rows):
            break  # the header lacks a numbered item's quantity: a finding, nothing read
        if not wide.templates and wide.unseen(rows):
            break  # items side by side read as one per row: a finding, nothing read
        for number, fields in (wide.items(rows, batch) if wide.templates else batch):
            replaced = _controls_replaced(fields, rows.columns) if not "".join(fields).isprintable() else ()
            po = rows.cell(fields, "po_number")
            if po[:1] == "'" and (plain := _unguarded(po)) != po:  # "'00123": the PO's digits, its rows told apart so
                po = fields[rows.columns["po_number"]] = plain
            if replaced:
                rows.where = po or None
                _said_replaced(rows, number, po, replaced)
            if charges.kinds and po and (said := charges.code_of(rows, fields)) is not None:
                rows.where = po
                state = pos.get(po)
                if state is None:
                    state = pos[po] = _Po(len(pos), number)
                value = _row(rows, number, fields, mapping, reading, head=True)
                if value is None or not charges.add(rows, number, state, value, said, reading, fields):
                    state.bad = True
                if state.bad:
                    _refuse(number, po, fields)
                continue
            if not wide.templates and ((not po or po.casefold().rstrip(":").strip() in TOTALS_LABELS) and
                                       (why := totals.reason(rows, fields, po)) is not None
                                       or po in pos and (why := totals.subtotal(rows, fields, po)) is not None):
                rows.where = None
                rows.note(finding("CSV_TOTALS_ROW_SKIPPED", f"Row {number} is the export's totals row ({why}): "
                                  "passed over, no order row (the layout's total_labels pass it over without a word).",
                                  file=rows.file, row=number))
                continue
            if not po and mapping.grouped and above is not None:  # a later row of the PO above
                po = fields[rows.columns["po_number"]] = above
            if po and mapping.grouped and (not runs or runs[-1][1] != po):
                runs.append((number, po))
            above = po or above
            rows.where = po or None
            head = bool(heads) and rows.cell(fields, "record_type").casefold() in heads or order_rows and bool(po) \
                and not any(rows.cell(fields, name) for name in _NUMBERED)  # a portal report's order row
            value = _row(rows, number, fields, mapping, reading, head=head,
                         merged=above if not po and above is not None and not mapping.grouped and not wide.templates
                         and any(rows.cell(fields, name) for name in _NUMBERED) else None)
            if not po:
                _refuse(number, "", fields)
                continue  # reported by _row
            totals.add(rows, fields, value)
            state = pos.get(po)
            if state is None:
                state = pos[po] = _Po(len(pos), number)
            if value is None:
                state.bad = True
            if value is not None and state.head is not None and _other_currency(rows, po, state, number, fields, value):
                state.bad = True
            if state.bad:
                _refuse(number, po, fields)
                continue
            if head:  # the PO's order row (record type H): its order-level values, no line
                state.head_row = state.head_row or (number, fields)
                if state.head is None:
                    state.head, state.rows = value, dict.fromkeys(_ORDER_LEVEL, number)
                else:
                    state.later.extend(_inconsistent(rows, po, state, number, value)[:limits.max_findings_per_set])
                continue
            state.members += 1
            if mapping.updated_at is not None:
                state.updated = state.updated or {}
                if value["updated_at"] is not None:
                    state.updated[number] = value["updated_at"]
            line_id = value["line_id"]
            if line_id is not None:
                first = state.line_ids.setdefault(line_id, number)
                if first != number and len(state.later) < limits.max_findings_per_set:
                    state.later.append(finding("CSV_LINE_ID_DUPLICATE", f"PO {po}: line {line_id!r} here and on row "
                                               f"{first}.", file=rows.file, row=number,
                                               column=rows.header_names.get("line_id", "line_id"), value=line_id))
                elif first != number:  # the budget would drop it: counted, not held
                    state.more["CSV_LINE_ID_DUPLICATE"] = state.more.get("CSV_LINE_ID_DUPLICATE", 0) + 1
            if rows.exports:  # exports pasted into one file: each one's order values kept apart (_copies_dropped)
                state.part(bisect.bisect_right(rows.exports, number), rows, po, number, value)
            if state.head is None:
                state.head = value
                state.rows = dict.fromkeys(_ORDER_LEVEL, number)
            else:
                for later in _inconsistent(rows, po, state, number, value):
                    if len(state.later) < limits.max_findings_per_set:
                        state.later.append(later)
                    else:  # the budget would drop it: counted, not held
                        state.more[later.code] = state.more.get(later.code, 0) + 1
            lines.add(po, state, number, value)
            if value.get(_LINE_SACS):
                state.line_sacs += [(number, sac) for sac in value[_LINE_SACS]]
        if lines.rows:
            batches.append(lines.table(partner, file, source_sha256))
    if rows.undecodable is not None:
        pos, batches = {}, []
    starts = [start for start, _po in runs]
    for number in orphans:  # a grouped row of the wrong width: the PO above it is not read in part
        at = bisect.bisect_left(starts, number) - 1
        if at >= 0:
            malformed.add(runs[at][1])
    for po in malformed:
        if po in pos:  # a PO named only by a row of the wrong width was never read: nothing to leave out
            pos[po].bad = True
    if rows.cut is not None:  # the rest of the file unread may hold more rows of any PO read so far
        for state in pos.values():
            state.bad = True
    whole = _float_pos(rows, pos, refused, mapping.decimal_separator) if pos and rows.undecodable is None \
        and not mapping.po_numbers_as_sent else None
    if whole is not None:
        # every PO number a float's "12345.0" (a spreadsheet's number column): read as its integer text, said
        pos = {whole[po]: state for po, state in pos.items()}
        refused = [(number, whole.get(po, po), fields) for number, po, fields in refused]
        batches = [t.set_column(t.schema.get_field_index("po_number"), "po_number",
                                pa.array([whole[p] for p in t["po_number"].to_pylist()], pa.string()))
                   for t in batches]
    if rows.exports and batches:  # exports pasted into one file: a PO in two of them the same is read once
        batches = _copies_dropped(rows, batches, pos)
    for po, state in pos.items():  # an order row without a line row: the PO is refused, never dropped unseen
        if state.sacs and not state.members and not state.bad:
            number = state.sacs[0]["file_segment"]
            rows.where, state.bad = po, True
            rows.problem("CSV_VALUE_MISSING", f"PO {po} has an allowance or charge row and no line row.", number,
                         "po_number")
            _refuse(number, po, [])
        if state.head_row is not None and not state.members and not state.bad:
            number, fields = state.head_row
            rows.where, state.bad = po, True
            if heads:
                rows.problem("CSV_VALUE_MISSING", f"PO {po} has an order row ({rows.cell(fields, 'record_type')!r}) "
                             "and no line row.", number, "record_type")
            else:  # order_rows: the row told by its blank line values
                rows.problem("CSV_VALUE_MISSING", f"PO {po} has an order row (no {rows.header_names.get('quantity')!r} "
                             "nor item) and no line row.", number, "quantity")
            _refuse(number, po, fields)
    orders = []
    for po, state in pos.items():
        if state.bad or not state.members:
            continue
        state.sacs += _order_charges(state, mapping)
        head = state.head
        if head["ship_to_id"] is None and mapping.default_ship_to and not any(
                head[k] for k in _ORDER_LEVEL if k.startswith("ship_to_") and k not in CSV_JOINED):
            # the layout's one location: for an order naming no id and no address (a sheet giving the store's name
            # alone used to be held SHIP_TO_UNKNOWN, "no N1*ST id or N3/N4 address")
            head = {**head, "ship_to_id": mapping.default_ship_to}
        for later in state.later:
            budget.add(later, po)
        for code, n in state.more.items():
            budget.count(po, code, n)
        orders.append({"partner": partner, "order_ref": state.order_ref, "po_number": po,
                       "purpose": head["purpose"] or "00", "order_type": head["order_type"] or "SA", "version": "CSV",
                       "po_date": head["po_date"], "currency": head["currency"],
                       "requested_ship_date": head["requested_ship_date"],
                       "requested_delivery_date": head["requested_delivery_date"],
                       "release_number": head["release_number"], **{k: head[k] for k in _STRICTEST},
                       "sales_requirement": head["sales_requirement"],  # as an 850's CSH01
                       **{k: head[k] for k in _ORDER_LEVEL if k.startswith("ship_to_")},
                       # the N2 in the name after ", ", as an 850's (schemas.orders ship_to_name2)
                       "ship_to_name": ", ".join(filter(None, (head["ship_to_name"], head["ship_to_name2"]))) or None,
                       "ship_to_id_qualifier": "92" if head["ship_to_id"] else None,  # the buyer's own code
                       "line_count": state.members, "st_file_segment": state.first_row,
                       **_lineage(file, source_sha256, state.st02)})
    if rows.undecodable is not None:
        findings = [rows.undecodable]
    else:
        findings = sorted(budget.kept, key=lambda f: f.location.row or 0)
        findings += [finding("FINDINGS_CAPPED", message, file=file, value=str(count)) for _po, count, message
                     in budget.capped(lambda po: f"PO {po}" if po is not None else "file")]
    bad = tuple(sorted(po for po, state in pos.items() if state.bad))
    if rows.undecodable is not None:  # nothing of the file is read: no row is answered (the finding says why)
        refused, more = [], 0
    answered = _refused(rows, refused, batches, bad, findings, mapping)
    more += max(0, len(answered) - MOST_REFUSED)
    heads = _table(orders, ORDERS)
    sacs = [{"partner": partner, "order_ref": state.order_ref, "po_number": po, **sac,
             **_lineage(file, source_sha256, state.st02)} for po, state in pos.items()
            if not state.bad and state.members for sac in state.sacs]
    taken = _own_ship_tos(_own_dates(_good_lines(batches, pos), heads), heads)
    sacs += _line_sacs(taken, pos, partner, file, source_sha256)
    return CsvOrders(heads, taken, findings, bad, answered[:MOST_REFUSED], more, _table(sacs, ORDER_SACS),
                     rows.encoding if rows.undecodable is None else "")


# a PO number as a spreadsheet's or pandas' float writes an integer one: its digits, then ".0"
_FLOAT_PO = re.compile(r"^(\d{1,22})[.,]0$")  # "12345,0" where the sheet's decimals are written after a comma


def _float_pos(rows: CsvRows, pos: dict[str, _Po], refused: list[tuple[int, str, list[str]]], decimal: str
               ) -> dict[str, str] | None:
    """PO number -> its integer text, when every PO number of the file ends in ".0" after digits alone ("12345.0":
    a numeric PO column Excel or pandas saved as floats; "12345,0" where the layout's ``decimal`` is a comma), with a
    warning at the header naming the column (CSV_FLOAT_ID_RESTORED); None when one does not (a mixed column,
    "12345.10", "PO-1.0": each PO kept as sent, any of them may be real) or when two would read as one."""
    every = [*pos, *(po for _n, po, _f in refused if po)]
    whole: dict[str, str] = {}
    for po in every:
        m = _FLOAT_PO.match(po)
        if m is None or po[-2] not in (".", decimal):
            return None
        whole[po] = m[1]
    if len(set(whole.values())) != len(whole):
        return None
    column = rows.header_names.get("po_number", "po_number")
    shown = ", ".join(f"{po!r} as {whole[po]!r}" for po in list(pos)[:3]) + (", ..." if len(pos) > 3 else "")
    rows.where = None
    rows.note(finding("CSV_FLOAT_ID_RESTORED", f"Every {column!r} of the file ends in '.0' ({shown}): a number column "
                      "a spreadsheet or program saved as decimals. Each PO number is read as its digits before '.0', "
                      "as the buyer's system wrote it; have the column exported as text to avoid this (or, if the "
                      "buyer's own PO numbers end in '.0', set the layout's po_numbers_as_sent = true).",
                      file=rows.file, row=rows.header_row, column=column))
    return whole


# what a PO's line row says (read): two exports' rows of one PO saying the same are copies (_copies_dropped)
_COPY_VALUES = ("line_id", "upc", "gtin", "vendor_part", "buyer_part", "quantity", "unit", "unit_price", "price_sent",
                "description", *_ROW_DATES)


def _copies_dropped(rows: CsvRows, batches: list[pa.Table], pos: dict[str, _Po]) -> list[pa.Table]:
    """``batches`` without the rows of a PO that stand again after a repeated header (``rows.exports``: several
    exports pasted into one file, as the codec reads them; a platform's export of yesterday's and today's orders,
    both holding an order still open), never both versions of an order read as its lines:

    - the same rows again (its line values as read, no CSV_ORDER_INCONSISTENT at them): read once, a warning
      (CSV_ORDER_REPEATED) at the copy's first row, the PO's line count without it;
    - an edited copy (a later export's rows repeating a line already read, by its line key: its line id, or its
      items when it has none, with other values or other order-level values): the copy the layout's updated_at
      column says is newer is taken, the other's rows dropped (CSV_ORDER_SUPERSEDED, a warning at the dropped
      copy's first row); where no updated_at tells them apart, the PO is refused (CSV_ORDER_EDITED at the later
      copy's first row, naming both versions' rows: ops decide). Its rows used to be read as more lines of the
      order, its quantities doubled (over-shipped);
    - rows after the header repeating no line already read (a report's page break in the middle of an order) stay
      its lines, as before."""
    lines = pa.concat_tables(batches)
    numbers = lines["file_segment"].to_numpy()
    part = np.searchsorted(np.asarray(rows.exports), numbers, side="right")  # the export each row is in
    found: dict[str, dict[int, list[int]]] = {}  # PO -> export -> its line rows' positions in ``lines``
    for at, (po, k) in enumerate(zip(lines["po_number"].to_pylist(), part.tolist(), strict=True)):
        found.setdefault(po, {}).setdefault(k, []).append(at)
    values = None
    dropped: list[int] = []
    for po, parts in found.items():
        state = pos[po]
        if len(parts) < 2 or state.bad:
            continue
        values = values or lines.select(list(_COPY_VALUES)).to_pylist()
        changed = {f.location.row for f in state.later if f.code == "CSV_ORDER_INCONSISTENT"}
        (first, kept), *later = sorted(parts.items())
        for k, ats in later:
            copy = [int(numbers[at]) for at in ats]
            said = [values[at] for at in kept]
            if [values[at] for at in ats] == said and not changed.intersection(copy):
                dropped += copy
                state.members -= len(ats)
                header = rows.exports[k - 1]
                state.later.append(finding(
                    "CSV_ORDER_REPEATED", f"PO {po}: rows {copy[0]}-{copy[-1]} are its rows {int(numbers[kept[0]])}-"
                    f"{int(numbers[kept[-1]])} again, the same, in another export pasted into this file (its header "
                    f"repeated at row {header}): read once, not as more lines of the order.", severity="warning",
                    file=rows.file, row=copy[0]))
                continue
            keys = {_line_key(values[at]) for at in kept} - {None}
            again = [at for at in ats if _line_key(values[at]) in keys]
            if not again:  # no line read before: a page break in the order, its rows more lines
                kept = kept + ats
                continue
            before = [int(numbers[at]) for at in kept]
            newer = _newer(state, before, copy)
            line = int(numbers[again[0]])
            first_said = next(int(numbers[at]) for at in kept if _line_key(values[at]) == _line_key(values[again[0]]))
            if newer is None:
                rows.where, state.bad = po, True
                rows.note(finding(
                    "CSV_ORDER_EDITED", f"PO {po}: rows {copy[0]}-{copy[-1]}, after the header repeated at row "
                    f"{rows.exports[k - 1]} (another export pasted into this file), are another version of its rows "
                    f"{before[0]}-{before[-1]}: row {line} repeats the line of row {first_said} with other values. "
                    "Neither version is taken as more lines of the order (that would ship both): the PO is refused; "
                    "send the version meant alone" + (", or map the export's updated-at column (the layout's "
                    "updated_at) so the newer is taken" if state.updated is None else
                    " (their updated-at values do not tell which is newer)") + ".", file=rows.file, row=copy[0]))
                break
            old, new = (before, copy) if newer else (copy, before)
            dropped += old
            state.members -= len(old)
            _version_taken(state, k if newer else first, set(old) | (set(new) if newer else set()))
            state.later.append(finding(
                "CSV_ORDER_SUPERSEDED", f"PO {po}: rows {old[0]}-{old[-1]} are an earlier version of its rows "
                f"{new[0]}-{new[-1]} (another export pasted into this file, row {line} repeating the line of row "
                f"{first_said} with other values; updated {state.updated_at(old)} and {state.updated_at(new)}): the "
                "newer is taken, the earlier's rows are no lines of the order.", severity="warning", file=rows.file,
                row=old[0]))
            kept = ats if newer else kept
    if not dropped:
        return batches
    lines = lines.filter(pc.invert(pc.is_in(lines["file_segment"], pa.array(dropped, lines["file_segment"].type))))
    counts: dict[str, int] = {}  # each PO's lines numbered again in file order (the copy's rows are no lines)
    numbered = [counts.__setitem__(po, counts.get(po, 0) + 1) or counts[po] for po in lines["po_number"].to_pylist()]
    return [lines.set_column(lines.schema.get_field_index("line_number"), "line_number",
                             pa.array(numbered, lines.schema.field("line_number").type))]


def _version_taken(state: _Po, k: int, rows: set[int]) -> None:
    """The PO's order-level values as its version beginning in export ``k`` gives them (a version taken alone: its
    date, ship-to, window), their CSV_ORDER_INCONSISTENT its own: those said at ``rows`` (the dropped version's, and
    the taken one's compared with the other) dropped."""
    mine = (state.parts or {}).get(k)
    if mine is None or mine.head is None:
        return
    state.head, state.rows = {**mine.head}, dict(mine.rows)
    state.later = [f for f in state.later if f.code != "CSV_ORDER_INCONSISTENT" or f.location.row not in rows]
    state.later += [f for f in mine.later if f.location.row in rows and f not in state.later]


def _line_key(v: dict) -> tuple | None:
    """The line a row names in its PO: its line id, or its items (UPC, GTIN, vendor and buyer part) when it has
    none (Faire's export: no line ids); None when it names neither (no row is known to repeat it)."""
    if v["line_id"] is not None:
        return ("id", v["line_id"])
    items = (v["upc"], v["gtin"], v["vendor_part"], v["buyer_part"])
    return ("item", *items) if any(items) else None


def _newer(state: _Po, before: list[int], copy: list[int]) -> bool | None:
    """True when the rows ``copy`` are a newer version than ``before`` by the layout's updated_at column (their
    latest value), False when older, None when it does not say (unmapped, blank, or the same)."""
    if state.updated is None:
        return None
    old, new = state.latest(before), state.latest(copy)
    if old is None or new is None or old == new:
        return None
    return new > old


def _controls_replaced(fields: list[str], columns: Mapping[str, int]) -> list[tuple[int, str, str]]:
    """Each cell of a row holding a control character (a CR or line break inside a quoted cell, a tab, a NUL),
    made the text we keep and send (schemas.charsets.without_controls: each run one blank), in place: (position,
    as sent, as kept). Only the ids (_ID_FIELDS) our answers echo: a free text (a description, the ship-to's
    address, which _row reads as its lines) is kept as sent, and written with a blank for each run where a document
    carries it (parsers.x12_writer.x12_text, engine.csv_ack)."""
    out = []
    ids = {at for name, at in columns.items() if name.startswith(_ID_FIELDS)}
    for at, cell in enumerate(fields):
        if at in ids and has_control(cell):
            fields[at] = without_controls(cell)
            out.append((at, cell, fields[at]))
    return out


_ID_FIELDS = ("po_number", "line_id", "sku", "buyer_part", "vendor_part", "gtin", "upc", "ship_to_id", "store")


def _said_replaced(rows: CsvRows, number: int, po: str, replaced: list[tuple[int, str, str]]) -> None:
    """CONTROL_CHARACTER_REPLACED per cell _controls_replaced changed (an id's echo then differs: said)."""
    names = {at: name for name, at in rows.columns.items()}
    for at, sent, kept in replaced:
        name = names.get(at, "")
        column = rows.header_names.get(name, name) or f"column {at + 1}"
        echo = (" It is an id: what we send back (855, 856, 810, the CSV acknowledgment) holds "
                f"{kept!r}, not the value as sent.")
        rows.note(finding("CONTROL_CHARACTER_REPLACED", f"{f'PO {po}, row' if po else 'Row'} {number}, {column}: "
                          f"{sent!r} holds a control character (tab, CR, line break ...), which no document we send "
                          f"may; read as {kept!r}.{echo} Ask the sender to fix the export.",
                          file=rows.file, row=number, column=column, value=kept))


def _own_dates(lines: pa.Table, orders: pa.Table) -> pa.Table:
    """``lines`` with each row's cancel / do-not-deliver dates and ship window (schemas.orders.LINE_DATES,
    LINE_WIDE_DATES) kept as its line's own where they differ from its PO's (``orders``: the strictest of its rows,
    _inconsistent), as an 850's PO1-loop DTM is: a row whose cancel date is later than another row's ships and is
    promised by its own, a row whose window opens later ships no earlier. A row that
    agrees with its PO, or leaves the date blank, has none of its own (the PO's applies). So is a row's sales
    requirement (the layout's yes/no column read as a CSH01 code) other than its PO's: its line's own, as a PO1-loop
    CSH's (engine.answer: a line's own N or Y decides its back order)."""
    if not lines.num_rows:
        return lines
    at = pc.index_in(lines["po_number"], value_set=orders["po_number"])
    for name in (*_ROW_DATES, "sales_requirement"):
        mine = lines[name]
        if mine.null_count == lines.num_rows:
            continue
        same = pc.fill_null(pc.equal(mine, orders[name].take(at)), False)
        lines = lines.set_column(lines.schema.get_field_index(name), name,
                                 pc.if_else(same, pa.scalar(None, mine.type), mine))
    return lines


def _own_ship_tos(lines: pa.Table, orders: pa.Table) -> pa.Table:
    """``lines`` with each row's ship-to (its id, name, address: ORDER_LINES ship_to_*) kept as its line's own where
    it names another than its PO's (the PO's first row's, blanks filled by later rows: a multi-door order, its rows
    naming each store), as an 850's PO1-loop N1*ST is: such a line is checked and held as the 850's
    (rules.business.places: LINE_SHIP_TO_DIFFERS, held for a person; shipped to its own place once approved). It used
    to ship to the PO's ship-to with only CSV_ORDER_INCONSISTENT said. A row repeating its PO's ship-to, or leaving
    it blank, has none of its own (the PO's applies); a row's value differing from its PO's in any ship-to column
    makes every ship-to column the row sent its line's."""
    if not lines.num_rows:
        return lines
    at = pc.index_in(lines["po_number"], value_set=orders["po_number"])
    differs = None
    for name in _LINE_SHIP_TO:
        if name == "ship_to_id_qualifier":
            continue
        mine = lines[name]
        if mine.null_count == lines.num_rows:
            continue
        other = pc.fill_null(pc.not_equal(mine, orders[name].take(at)), True)
        here = pc.and_(pc.is_valid(mine), other)
        differs = here if differs is None else pc.or_(differs, here)
    for name in _LINE_SHIP_TO:
        column = pa.nulls(lines.num_rows, pa.string()) if differs is None else pc.if_else(
            differs, lines[name], pa.scalar(None, pa.string()))
        lines = lines.set_column(lines.schema.get_field_index(name), name, column)
    return lines


def _refused(rows: CsvRows, refused: list[tuple[int, str, list[str]]], batches: list[pa.Table], bad: tuple[str, ...],
             findings: list[Finding], m: CsvOrderMapping) -> list[RefusedRow]:
    """Each row not taken with its reason: its own findings (column and message), else its PO's first (the
    PO is left out whole), in file order; the rows of a bad PO read before it turned bad come from
    ``batches`` (read well, left out with it)."""
    said: dict[int, list[str]] = {}
    for f in findings:
        if f.location.row is not None and f.severity == "error":
            column = f" {f.location.column}:" if f.location.column else ""
            said.setdefault(f.location.row, []).append(f"row {f.location.row},{column} {f.message}")
    if rows.cut is not None:
        said.setdefault(rows.cut, [f"row {rows.cut}: the file could not be read from here on"])
    out: list[tuple[int, str, str, str, Decimal | str, str, Decimal | str | None]] = []
    for number, po, fields in refused:
        out.append((number, po, rows.cell(fields, "line_id"),
                    rows.cell(fields, "vendor_part") or rows.cell(fields, "buyer_part"), rows.cell(fields, "quantity"),
                    unit_code(rows.cell(fields, "unit"), m), rows.cell(fields, "unit_price") or None))
    if bad and batches:
        lines = pa.concat_tables(batches)
        lines = lines.filter(pc.is_in(lines["po_number"], pa.array(bad, pa.string())))
        for r in lines.select(["file_segment", "po_number", "line_id", "vendor_part", "buyer_part", "quantity",
                               "unit", "unit_price"]).to_pylist():
            out.append((r["file_segment"], r["po_number"], r["line_id"] or "", r["vendor_part"] or r["buyer_part"]
                        or "", r["quantity"], r["unit"] or "", r["unit_price"]))
    out.sort(key=lambda r: r[0])
    first: dict[str, str] = {}  # PO -> the first reason of a row of it
    for number, po, *_ in out:
        if po and po not in first and number in said:
            first[po] = said[number][0]
    if rows.cut is not None:
        for _number, po, *_ in out:
            first.setdefault(po, said[rows.cut][0])
    answered = []
    for number, po, line_id, sku, qty, unit, price in out:
        own = said.get(number)
        if own:
            reason = join_reasons([*own, f"PO {po} is left out whole" if po else None])
        elif po:
            reason = f"row {number}: PO {po} is left out whole ({first.get(po, 'a row of it is in error')})"
        else:
            reason = f"row {number} was not read"
        answered.append(RefusedRow(number, po, line_id, sku, qty, unit, price, reason))
    return answered


class _Wide:
    """A wide export's rows (one row per order, its items side by side: "Item 1 SKU", "Qty 1", "Item 2 SKU" ...;
    the layout's line columns written with "{n}"), each read as one row per item: the row's other cells with the
    item's, the item's cells where its first number's would be. An item whose numbered cells are all blank is no
    item (an order using fewer than the export's slots); a row with no item at all is read as its first (its
    missing quantity a finding: the order is never dropped unseen). A numbered line id is the item's; else the
    items are numbered in their PO."""

    __slots__ = ("templates", "groups", "width")

    def __init__(self, mapping: CsvOrderMapping) -> None:
        self.templates = {f: t for f in _NUMBERED if (t := getattr(mapping, f)) is not None and "{n}" in t}
        self.groups: list[tuple[int, dict[str, int]]] | None = None
        self.width = 0

    def found(self, rows: CsvRows) -> bool:
        """The header's numbered columns (once): False (with its finding) when an item could not be read."""
        if self.groups is None:
            self.groups = numbered_columns(rows, self.templates, "quantity")
            self.width = len(rows.header)
            for k, name in enumerate(self.templates):  # each item's cells go after the row's own
                rows.columns[name] = self.width + k
        return bool(self.groups)

    def unseen(self, rows: CsvRows) -> bool:
        """True (with a CSV_COLUMN_AMBIGUOUS finding at the header, once) when the layout reads one item per row
        from a wide export: its quantity column "Qty 1" and the header has "Qty 2" (the second item's would be
        lost unseen)."""
        if self.groups is not None:
            return False
        self.groups = []
        name = rows.header_names.get("quantity", "")
        second = second_item(rows, name)
        if second is None:
            return False
        numbered = re.sub(r"(?<!\d)0*1(?!\d)", "{n}", name, count=1)
        rows.note(finding("CSV_COLUMN_AMBIGUOUS", f"The header row names {name!r} and {second!r}: several items per "
                          "row, of which the layout reads the first only (the others would be lost); number the "
                          f"item's columns with {{n}} (quantity = {numbered!r}).",
                          file=rows.file, row=rows.header_row, column=second))
        return True

    def items(self, rows: CsvRows, batch: list[tuple[int, list[str]]]) -> Iterable[tuple[int, list[str]]]:
        names = list(self.templates)
        for number, fields in batch:
            items = [(group, [fields[at].strip() if (at := group.get(name)) is not None and at < len(fields) else ""
                              for name in names]) for _n, group in self.groups or ()]
            for group, cells in [item for item in items if any(item[1])] or items[:1]:
                for name in names:  # a finding on this item names its own column ("Qty 2")
                    at = group.get(name)
                    rows.header_names[name] = rows.header[at].strip() if at is not None else self.templates[name]
                yield number, fields[:self.width] + [""] * (self.width - len(fields)) + cells


class _Po:
    """One PO of the file as its rows are read: where it first appeared, its first row's values, its
    good rows so far, whether a row of it is bad, and its rows' inconsistencies (reported if it stands)."""

    __slots__ = ("index", "first_row", "st02", "order_ref", "head", "rows", "members", "bad", "later", "more",
                 "line_ids", "head_row", "sacs", "updated", "parts", "line_sacs")

    def __init__(self, index: int, first_row: int) -> None:
        self.index, self.first_row = index, first_row
        self.st02 = f"{first_row:04d}"
        self.order_ref = f"CSV-1-{self.st02}"
        self.head: dict | None = None  # the PO's order-level values: its first row's, blanks filled by later rows
        self.rows: dict[str, int] = {}  # order-level column -> the row its value in ``head`` came from
        self.members, self.bad, self.later = 0, False, []
        self.more: dict[str, int] = {}  # code -> inconsistencies beyond the per-PO budget (counted, not held)
        self.line_ids: dict[str, int] = {}  # line id -> the row it first came on
        self.head_row: tuple[int, list[str]] | None = None  # its order row (record type H): number, fields
        self.sacs: list[dict] = []  # its allowance and charge rows read (ORDER_SACS values but partner and lineage)
        # its line rows' own allowances and charges (the layout's line_allowances): (row number, ORDER_SACS values but
        # partner, line and lineage), given their line once the PO's lines are numbered (_line_sacs)
        self.line_sacs: list[tuple[int, dict]] = []
        # its line rows' updated-at values (the layout's updated_at: which of two versions is newer); None: unmapped
        self.updated: dict[int, datetime] | None = None
        # exports pasted into one file: the order-level values of its rows in each export (index -> its head, rows
        # and CSV_ORDER_INCONSISTENT within it), so a version taken alone keeps its own (_copies_dropped)
        self.parts: dict[int, _Po] | None = None

    def part(self, k: int, rows: CsvRows, po: str, number: int, value: dict) -> None:
        """A line row of export ``k`` (the header repeated k times above it) read into its export's own values; the
        values of the PO's rows read before the file's first repeated header was met (an earlier batch) kept as
        their export's."""
        if self.parts is None:
            self.parts = {}
            if self.head is not None:  # its rows before: one version (or one and its page breaks)
                before = _Po(self.index, self.first_row)
                before.head, before.rows = dict(self.head), dict(self.rows)
                before.later = [f for f in self.later if f.code == "CSV_ORDER_INCONSISTENT"]
                self.parts[bisect.bisect_right(rows.exports, self.first_row)] = before
        mine = self.parts.get(k)
        if mine is None:
            mine = self.parts[k] = _Po(self.index, number)
        if mine.head is None:
            mine.head, mine.rows = dict(value), dict.fromkeys(_ORDER_LEVEL, number)
        else:
            mine.later.extend(_inconsistent(rows, po, mine, number, value))

    def latest(self, numbers: list[int]) -> datetime | None:
        """The latest updated-at value of the rows ``numbers`` (None: none given)."""
        given = [t for n in numbers if (t := (self.updated or {}).get(n)) is not None]
        return max(given) if given else None

    def updated_at(self, numbers: list[int]) -> str:
        stamp = self.latest(numbers)
        return stamp.isoformat(sep=" ") if stamp is not None else "(not given)"


class _Charges:
    """A PO's allowance and charge rows (the layout's allowance_records, allowance_items): each the order's heading
    SAC (ORDER_SACS), as an 850 flat file's allowance record or an ERP export's "Shipping" / "Discount" item line
    means it, never a line. Its amount: the allowance_amount column, else the row's price x quantity (or its price);
    SAC12 02 (off invoice: carried to the order's 810s). Allowance (A) or charge (C), as the row says it (_kind):
    its allowance_kind column's word, else its allowance_items entry's kind ("A:C310"), else its words (a
    "Discount" or "Freight" in its record type, item or description), else the amount's sign (negative an
    allowance). An allowance is the amount's size whichever sign the export writes it with (a cart's discount
    written positive, an ERP's discount line negative); a charge written negative contradicts itself and refuses
    its PO (CSV_VALUE_INVALID), never guessed."""

    __slots__ = ("records", "items", "kinds", "words")

    def __init__(self, m: CsvOrderMapping) -> None:
        self.records = {kind.strip().casefold() for kind in m.allowance_records}
        self.items = dict(m.allowance_items)
        self.kinds = bool(self.records or self.items)
        self.words = dict(m.allowance_kinds)

    def code_of(self, rows: CsvRows, fields: list[str]) -> tuple[str, str | None] | None:
        """The row's SAC02 code ("" none) and the kind its allowance_items entry names (None: not said) when it is
        an allowance or charge row, else None."""
        if self.records and rows.cell(fields, "record_type").casefold() in self.records:
            return rows.cell(fields, "allowance_code").upper(), None
        item = " ".join(rows.cell(fields, "vendor_part").split()).upper()
        if item and item in self.items:
            kind, _, code = self.items[item].rpartition(":")
            return rows.cell(fields, "allowance_code").upper() or code, kind or None
        return None

    def add(self, rows: CsvRows, number: int, state: _Po, v: dict, said: tuple[str, str | None], reading: _Reading,
            fields: list[str]) -> bool:
        """The row's SAC kept with its PO; False (with its finding at the row) when it has no amount, or its kind
        contradicts the amount's sign."""
        m = reading.mapping
        code, listed = said
        sent = v["allowance_amount"]
        if sent is not None:
            amount = reading.price(sent, m)[0]
        elif v["unit_price"] is not None:
            amount = v["unit_price"] * (v["quantity"] if isinstance(v["quantity"], Decimal) else 1)
        else:
            amount = None
        name = "allowance_amount" if m.allowance_amount else "unit_price"
        column = rows.header_names.get(name, name)
        if amount is None:
            rows.problem("CSV_NUMBER_INVALID" if sent is not None else "CSV_VALUE_MISSING",
                         f"Row {number} is an allowance or charge row (the layout's allowance_records / "
                         f"allowance_items) without an amount in {column!r}" + (f": {sent!r} is not a number."
                                                                                 if sent is not None else "."),
                         number, name, sent)
            return False
        if amount == 0:
            return True  # nothing allowed nor charged: no SAC (an 810 writes none of 0)
        told = self._kind(rows, number, v, listed, fields)
        if told is False:
            return False
        kind, why = told
        if kind == "C" and amount < 0:
            rows.problem("CSV_VALUE_INVALID", f"Row {number} is a charge by its {why} and its {column!r} "
                         f"{sent or v['unit_price']!s} is negative: whether it is charged or allowed is not known "
                         "(a charge never lowers the order's total), and the PO is refused.", number, name,
                         sent or str(v["unit_price"]))
            return False
        state.sacs.append({"line_number": None, "line_id": None, "kind": kind or ("A" if amount < 0 else "C"),
                           "code": code or None, "amount": abs(amount).quantize(_PLACES), "handling": "02",
                           "description": v["description"] or v["vendor_part"], "reference": v["allowance_deal"],
                           "segment_position": number, "file_segment": number})
        return True

    def _kind(self, rows: CsvRows, number: int, v: dict, listed: str | None,
              fields: list[str]) -> tuple[str | None, str] | bool:
        """"A" or "C" as the row says it (its allowance_kind cell, its allowance_items kind, its words) and what
        says it, None where it says not (the amount's sign decides); False (with its finding) for a kind word the
        layout does not know."""
        cell = v["allowance_kind"]
        if cell is not None:
            kind = self.words.get(" ".join(cell.split()).upper())
            column = rows.header_names.get("allowance_kind", "allowance_kind")
            if kind is None:
                rows.problem("CSV_VALUE_INVALID", f"{column!r} {cell!r} names no kind of allowance or charge the "
                             f"layout knows (its allowance_kinds: {', '.join(self.words)}): whether "
                             "the row is charged or allowed is not known, and the PO is refused.", number,
                             "allowance_kind", cell)
                return False
            return kind, f"{column!r} {cell!r}"
        if listed is not None:
            return listed, f"item {v['vendor_part']!r} (the layout's allowance_items {listed}:)"
        text = " ".join(filter(None, (rows.cell(fields, "record_type"), v["vendor_part"], v["description"])))
        found = {_CHARGE_KIND[w.group(0).casefold()] for w in _CHARGE_WORDS.finditer(text)}
        if len(found) == 1:
            return found.pop(), f"words ({text!r})"
        return None, ""


# the words that say a row is an allowance or a charge (its record type, item or description: "Discount",
# "Shipping", "Handling fee"); a row saying both kinds ("Shipping discount"), or neither, is told by its amount's sign
_CHARGE_KIND = {**dict.fromkeys(("discount", "discounts", "allowance", "rebate", "promotion", "promo", "markdown",
                                 "coupon"), "A"),
                **dict.fromkeys(("freight", "shipping", "delivery", "fee", "fees", "handling", "surcharge", "charge"),
                                "C")}
_CHARGE_WORDS = re.compile(r"\b(" + "|".join(_CHARGE_KIND) + r")\b", re.IGNORECASE)


# the order's shipping and discount columns (the layout's order_charges): each read as "order_charge#<its index>", a
# row's values kept as {index: (amount, row)} of the cells it gives (_order_charges_read)
_CHARGE = "order_charge#"
_CHARGE_TEXT = "order_charge_text#"  # the column describing one (the layout's order_charge_descriptions)
_ORDER_CHARGES = "order_charges"


def _charge_texts(m: CsvOrderMapping) -> list[tuple[int, str]]:
    """The layout's order_charges columns described by a column of their own: (index, that column's header)."""
    texts = dict(m.order_charge_descriptions)
    return [(i, texts[title]) for i, (title, _said) in enumerate(m.order_charges) if title in texts]


def _order_charges_read(rows: CsvRows, number: int, out: dict, m: CsvOrderMapping, reading: _Reading) -> bool:
    """The row's cells of the layout's order_charges columns read into ``out`` (its "order_charges": {index: (amount,
    row, description)} of the cells it gives, None for none: a later row of a Shopify order leaves them blank; the
    description the row's cell of the charge's order_charge_descriptions column, None for none); an allowance is its
    amount's size whichever sign it is written with. False (with its finding at the row) for a cell that is no number,
    or a charge written negative (charged or allowed is not known)."""
    given, ok = {}, True
    for i, (_title, said) in enumerate(m.order_charges):
        key = f"{_CHARGE}{i}"
        text = out.pop(key, None)
        described = out.pop(f"{_CHARGE_TEXT}{i}", None)
        if text is None:
            continue
        amount = reading.price(text, m)[0]
        if amount is None:
            rows.problem("CSV_NUMBER_INVALID", f"{text!r} is not a number." + number_hint(text, m, m.currency_symbol),
                         number, key, text)
            ok = False
        elif said.startswith("C") and amount < 0:
            rows.problem("CSV_VALUE_INVALID", f"{rows.header_names.get(key, key)!r} {text!r} is negative and the "
                         f"layout's order_charges reads the column as a charge ({said}): whether it is charged or "
                         "allowed is not known (a charge never lowers the order's total), and the PO is refused.",
                         number, key, text)
            ok = False
        else:
            given[i] = (abs(amount).quantize(_PLACES), number,
                        " ".join(described.split()) or None if described is not None else None)
    out[_ORDER_CHARGES] = given or None
    return ok


# a line's own allowance and charge columns (the layout's line_allowances): each read as "line_allowance#<its index>",
# the row's SACs kept as its value "line_sacs" (_line_allowances_read)
_LINE_SAC = "line_allowance#"
_LINE_SACS = "line_sacs"


def _line_allowances_read(rows: CsvRows, number: int, out: dict, m: CsvOrderMapping, reading: _Reading) -> bool:
    """The row's cells of the layout's line_allowances columns read into ``out`` ("line_sacs": the line's SACs, as an
    850's SAC in its PO1 loop: ORDER_SACS values but partner, line and lineage; none for a blank or 0 cell), the
    row's line_allowance_deal cell their SAC13. An allowance is its amount's size whichever sign it is written with;
    False (with its finding at the row) for a cell that is no number, a charge, percent or rate written negative, or a
    percent above 100 (what the line is allowed is not known)."""
    found, ok = [], True
    for i, (_title, said) in enumerate(m.line_allowances):
        key = f"{_LINE_SAC}{i}"
        text = out.pop(key, None)
        if text is None:
            continue
        kind, code, *how = said.split(":")
        what = how[0] if how else "amount"
        column = rows.header_names.get(key, key)
        value = reading.price(text.rstrip("%").strip() if what == "percent" else text, m)[0]
        if value is None:
            rows.problem("CSV_NUMBER_INVALID", f"{column!r} {text!r} is not a number (the layout's line_allowances "
                         f"reads it as the line's {what}, {said})." + number_hint(text, m, m.currency_symbol),
                         number, key, text)
            ok = False
            continue
        if value == 0:
            continue  # nothing allowed nor charged: no SAC
        if value < 0 and (kind == "C" or what != "amount"):
            rows.problem("CSV_VALUE_INVALID", f"{column!r} {text!r} is negative and the layout's line_allowances reads "
                         f"the column as {'a charge' if kind == 'C' else 'a ' + what} ({said}): what the line is "
                         "allowed or charged is not known, and the PO is refused.", number, key, text)
            ok = False
            continue
        if what == "percent" and value > 100:
            rows.problem("CSV_VALUE_INVALID", f"{column!r} {text!r} is above 100 and the layout's line_allowances "
                         f"reads the column as a percent of the line ({said}): the PO is refused.", number, key, text)
            ok = False
            continue
        size = abs(value)
        found.append({"kind": kind, "code": code, "handling": "02", "basis": "1" if what == "percent" else None,
                      "amount": size.quantize(_PLACES) if what == "amount" else None,
                      "percent": size if what == "percent" else None, "rate": size if what == "rate" else None,
                      "description": column, "reference": out.get("line_allowance_deal")})
    out[_LINE_SACS] = found or None
    return ok


def _line_sacs(lines: pa.Table, pos: Mapping[str, _Po], partner: str, file: str, sha: str) -> list[dict]:
    """The line SACs of the POs taken (``pos``' line_sacs), each given the line its row became in ``lines`` (the
    orders' lines as taken: numbered, a line id given to a line sent without one; a row of an earlier export's
    version left out is no line, and its SACs none), as an 850's: its line number and PO101 (line_id)."""
    wanted = {po: state for po, state in pos.items() if state.line_sacs and not state.bad and state.members}
    if not wanted or not lines.num_rows:
        return []
    at = {(po, row): (n, lid) for po, row, n, lid in zip(
        lines["po_number"].to_pylist(), lines["file_segment"].to_pylist(), lines["line_number"].to_pylist(),
        lines["line_id"].to_pylist(), strict=True) if po in wanted}
    out = []
    for po, state in wanted.items():
        for row, sac in state.line_sacs:
            if (line := at.get((po, row))) is None:
                continue
            out.append({"partner": partner, "order_ref": state.order_ref, "po_number": po, "line_number": line[0],
                        "line_id": line[1], **sac, "segment_position": row, "file_segment": row,
                        **_lineage(file, sha, state.st02)})
    return out


def _order_charges(state: _Po, m: CsvOrderMapping) -> list[dict]:
    """The PO's heading SACs (ORDER_SACS values but partner and lineage) its order_charges columns give (its head's:
    each column's first value, _inconsistent), in the layout's order, each once, at the row it was read from; a 0 is
    none (an 810 writes no SAC of 0). Its description (SAC15): its order_charge_descriptions column's text (a Shopify
    order's "Discount Code"), else the column's header."""
    out = []
    for i, (amount, number, described) in sorted(((state.head or {}).get(_ORDER_CHARGES) or {}).items()):
        if amount:
            title, said = m.order_charges[i]
            kind, code = said.split(":")
            out.append({"line_number": None, "line_id": None, "kind": kind, "code": code, "amount": amount,
                        "handling": "02", "description": described or title, "segment_position": number,
                        "file_segment": number})
    return out


def _lineage(file: str, sha: str, st02: str) -> dict:
    return dict(source_file=file, source_sha256=sha, isa13=CSV_ISA13, gs06="1", st02=st02)


class _Lines:
    """One batch's ORDER_LINES gathered column by column (no dict per line)."""

    _VARYING = ("order_ref", "po_number", "line_number", "line_id", "quantity", "quantity_sent", "unit", "unit_price",
                "price_sent", "price_basis", "sales_requirement",
                *_QUALIFIER, "product_ids", "description", "st02", "file_segment", *_ROW_DATES, *_LINE_SHIP_TO)

    def __init__(self) -> None:
        self.rows = 0
        self.columns: dict[str, list] = {name: [] for name in self._VARYING}

    def add(self, po: str, state: _Po, number: int, v: dict) -> None:
        c, n = self.columns, state.members
        c["order_ref"].append(state.order_ref)
        c["po_number"].append(po)
        c["line_number"].append(n)
        c["line_id"].append(v["line_id"])  # none sent: numbered once the PO's rows are all read (_numbered)
        for name in ("quantity", "quantity_sent", "unit", "unit_price", "price_sent", "description",
                     "sales_requirement", *_ROW_DATES):  # the row's own dates: _own_dates keeps those not the PO's
            c[name].append(v[name])
        c["price_basis"].append("PE" if v["unit_price"] is not None else None)
        for name in _QUALIFIER:
            c[name].append(v[name])
        c["product_ids"].append([{"qualifier": q, "id": v[name]} for name, q in _QUALIFIER.items() if v[name]])
        c["st02"].append(state.st02)
        c["file_segment"].append(number)
        # the row's ship-to, as its line's own where it is not its PO's (_own_ship_tos): the N2 in the name after
        # ", " and the buyer's own code (92) for an id, as the order's (read_csv_orders)
        c["ship_to_name"].append(", ".join(filter(None, (v["ship_to_name"], v["ship_to_name2"]))) or None)
        c["ship_to_id_qualifier"].append("92" if v["ship_to_id"] else None)
        for name in _LINE_SHIP_TO[2:]:
            c[name].append(v[name])
        self.rows += 1

    def table(self, partner: str, file: str, sha: str) -> pa.Table:
        same = {"partner": partner, "source_file": file, "source_sha256": sha, "isa13": CSV_ISA13, "gs06": "1"}
        columns = {**self.columns, "segment_position": self.columns["file_segment"]}
        return pa.table({f.name: pa.array(columns[f.name], f.type) if f.name in columns
                         else pa.nulls(self.rows, f.type) if f.name not in same
                         else pa.repeat(pa.scalar(same[f.name], f.type), self.rows) for f in ORDER_LINES},
                        schema=ORDER_LINES)


def _good_lines(batches: list[pa.Table], pos: dict[str, _Po]) -> pa.Table:
    """The lines of the POs that stand, grouped by PO in order of first appearance, rows in file order."""
    if not batches:
        return ORDER_LINES.empty_table()
    lines = pa.concat_tables(batches)
    bad = [po for po, state in pos.items() if state.bad]
    if bad:
        lines = lines.filter(pc.invert(pc.is_in(lines["po_number"], pa.array(bad, pa.string()))))
    index = pa.array([pos[po].index for po in lines["po_number"].to_pylist()], pa.int64())
    order = pc.sort_indices(pa.table({"po": index, "row": lines["file_segment"]}),
                            sort_keys=[("po", "ascending"), ("row", "ascending")])
    return _numbered(lines.take(order).combine_chunks())


def _numbered(lines: pa.Table) -> pa.Table:
    """``lines`` (grouped by PO, in file order) with an id for each line sent without one: its number in
    the PO (1..n), or, when another row of the PO sends that id, the next number no row of the PO uses;
    so a PO's line ids stay distinct (a shipment confirmation names its line by it) and the same file
    always numbers alike."""
    ids = lines["line_id"]
    if ids.null_count == 0:
        return lines
    filled = ids.to_pylist()
    pos, numbers = lines["po_number"].to_pylist(), lines["line_number"].to_pylist()
    start = 0
    while start < len(filled):
        stop = start
        while stop < len(filled) and pos[stop] == pos[start]:
            stop += 1
        taken = {i for i in filled[start:stop] if i is not None}
        for at in range(start, stop):
            if filled[at] is None:
                k = numbers[at]
                while str(k) in taken:
                    k += 1
                filled[at] = str(k)
                taken.add(filled[at])
        start = stop
    return lines.set_column(lines.schema.get_field_index("line_id"), "line_id", pa.array(filled, pa.string()))


_PLACES = Decimal("0.0001")  # ORDER_LINES' numbers are decimal128(18, 4)


class _Reading:
    """What every row of one file is read with: the mapped fields' positions (known once the header is
    read) and the numbers already parsed (a feed repeats its few prices and quantities)."""

    __slots__ = ("positions", "numbers", "prices", "limits", "mapping", "joined")

    def __init__(self, mapping: CsvOrderMapping, limits: tuple[tuple[str, int, str], ...] = ()) -> None:
        self.mapping = mapping
        self.limits = limits  # (column, most characters, X12 element name) of the ids written to X12
        self.positions: list[tuple[str, int | None]] | None = None
        self.numbers: dict[str, Decimal | None] = {}
        self.prices: dict[str, tuple[Decimal | None, str | None]] = {}  # read with the layout's currency symbol
        self.joined: list[str] = []  # the text fields the layout reads from several columns (CSV_JOINED)

    def number_of(self, text: str, money: bool) -> Decimal | None:
        """``number`` with the file's layout (set once the reading starts)."""
        return self.number(text, self.mapping, money)

    def number(self, text: str, m: CsvOrderMapping, money: bool = False) -> Decimal | None:
        text = _unquoted_number(text)
        if money:
            return self.price(text, m)[0]
        if text in self.numbers:
            return self.numbers[text]
        # any number of decimals: one past 4 is kept as sent beside its 4-decimal reading (_row), as the 850's
        value = parse_decimal(text, m, places=None)
        if len(self.numbers) < 100_000:
            self.numbers[text] = value
        return value

    def price(self, text: str, m: CsvOrderMapping) -> tuple[Decimal | None, str | None]:
        """A price cell's number and the currency code written with it (csv_common.parse_price)."""
        text = _unquoted_number(text)
        if text in self.prices:
            return self.prices[text]
        # "$ -": a spreadsheet's accounting format showing a price of 0 (a free line; the rules judge it as any price)
        got = (Decimal(0), None) if accounting_zero(text, m.currency_symbol) else parse_price(
            text, m, m.currency_symbol, places=None)
        if len(self.prices) < 100_000:
            self.prices[text] = got
        return got


# a UPC or GTIN a program wrote as a decimal number ("712345678905.0": pandas' float of an id column), its digits whole
_FLOAT_DIGITS = re.compile(r"^(\d{6,14})\.0+$")


def _unquoted_number(text: str) -> str:
    """A number cell without the apostrophe an exporter writes before it so a spreadsheet keeps it as text ("'12",
    "'0012", "'2.50"): a spreadsheet's text guard, never part of a number (a Swiss thousands apostrophe stands
    between digits). Any other cell as it is."""
    if text[:1] == "'" and any(c.isdigit() for c in text[1:3]):
        return text[1:]
    return text


def _row(rows: CsvRows, number: int, fields: list[str], m: CsvOrderMapping, reading: _Reading, *,
         head: bool = False, merged: str | None = None) -> dict | None:
    """A row's values read (None, with its findings, when one cannot be); ``head``: a PO's order row (record
    type H), which sends no quantity; ``merged``: the PO of the rows above a line row naming none, which it may
    continue (a PO number cell merged over its order's rows is saved in the first row only), said in its finding."""
    if reading.positions is None:
        reading.positions = [(name, rows.columns.get(name)) for name in (*_FIELDS, *(
            f"{_CHARGE}{i}" for i in range(len(m.order_charges))), *(f"{_CHARGE_TEXT}{i}" for i, _ in _charge_texts(
                m)), *(f"{_LINE_SAC}{i}" for i in range(len(m.line_allowances))))]
        for name in reading.joined:  # its columns found, as one: "Shipping First Name + Shipping Last Name"
            if found := [t for i in range(len(m.columns_of(name))) if (t := rows.header_names.get(f"{name}#{i}"))]:
                rows.header_names[name] = " + ".join(found)
    width = len(fields)
    out: dict = {name: (fields[at].strip() or None) if at is not None and at < width else None
                 for name, at in reading.positions}
    if '="' in "".join(fields):  # Excel's text guard somewhere in the row (rare): read the cells out of it
        out = {name: (cell_text(v) or None) if v is not None else None for name, v in out.items()}
    for name in reading.joined:  # the cells of its columns found, blank ones left out, one blank between
        out[name] = " ".join(filter(None, (rows.cell(fields, f"{name}#{i}")
                                           for i in range(len(m.columns_of(name)))))) or None
    ok = True
    for name in _REQUIRED[:1] if head else _REQUIRED:
        if not out[name]:
            hint = (f" If it continues PO {merged} above (a PO number cell merged over its order's rows is saved in "
                    "the first row only), set the layout's grouped = true." if merged and name == "po_number" else "")
            if rows.nulls and rows.was_null(number, name):
                hint = (" It holds NULL: a database export's empty cell (read as blank), so the row's value was "
                        f"never filled in the system it came from.{hint}")
            rows.problem("CSV_VALUE_MISSING", f"Row {number} has no {rows.header_names.get(name, name)!r}.{hint}",
                         number, name)
            ok = False
    if m.quantity_with_unit and out["quantity"] is not None:
        ok = _unit_in_quantity(rows, number, out, m) and ok
    out["price_currency"] = None  # the currency code the price cell names ("12.50 USD")
    for name, sent in (("quantity", "quantity_sent"), ("unit_price", "price_sent")):
        out[sent] = None
        if out[name] is not None:
            if name == "unit_price":
                value, out["price_currency"] = reading.price(out[name], m)
            else:
                value = reading.number(out[name], m)
            if value is None:
                rows.problem("CSV_NUMBER_INVALID", f"{out[name]!r} is not a number."
                             + number_hint(out[name], m, m.currency_symbol if name == "unit_price" else ""), number,
                             name, out[name])
                ok = False
            elif value != value.quantize(_PLACES):
                # 0.012345 per each, 12.34567 LB: held by the rules (PRICE_/QUANTITY_DECIMALS_UNSUPPORTED) as an
                # 850's PO104/PO102 is, never refused whole nor rounded without a word
                out[sent] = f"{value:f}"
                value = value.quantize(_PLACES, rounding=ROUND_HALF_EVEN)
            out[name] = value
    for name in _DATES:
        if out[name] is not None:
            value = parse_date(out[name], m)
            if value is None:
                rows.problem("CSV_DATE_INVALID", f"{out[name]!r} does not match {m.date_format!r}."
                             + date_hint(out[name], m), number, name, out[name])
                ok = False
            out[name] = value
    if out["updated_at"] is not None:
        stamp = updated_stamp(out["updated_at"], m)
        if stamp is None:
            rows.problem("CSV_DATE_INVALID", f"{rows.header_names.get('updated_at', 'updated_at')!r} "
                         f"{out['updated_at']!r} is no date-time (ISO 8601, or {m.date_format!r} and a time of day)."
                         + date_hint(out["updated_at"], m), number, "updated_at", out["updated_at"])
            ok = False
        out["updated_at"] = stamp
    if out["window_type"] is not None and ok:
        ok = _window_kind(rows, number, out, m)
    for name, most, element in reading.limits:
        value = out[name]
        if value is not None and len(value) > most:
            rows.problem("CSV_ID_TOO_LONG", f"{rows.header_names.get(name, name)!r} {value!r} has {len(value)} "
                         f"characters; our X12 documents write it as {element} ({most} at most) and never cut an "
                         "id: the PO is refused.", number, name, value)
            ok = False
    for name in _ECHOED_IDS:
        value = out[name]
        if value is not None and scientific(value):
            rows.problem("CSV_VALUE_GARBLED", f"{rows.header_names.get(name, name)!r} {value!r} is a number a "
                         "spreadsheet rewrote in scientific notation: its digits are lost, and the PO is refused "
                         "(it is never answered under an id it was not sent with).", number, name, value)
            ok = False
    for name in _LOST_IF_FAILED:
        value = out[name]
        if value is not None and spreadsheet_error(value):
            rows.problem("CSV_VALUE_GARBLED", f"{rows.header_names.get(name, name)!r} {value!r} is a spreadsheet's "
                         "error value (the formula filling the cell failed: a lookup that found nothing, a reference "
                         "deleted): the value is lost, and the PO is refused (it is never answered, nor shipped, under "
                         "a value it was not sent with). Have the sheet's formula fixed and the file saved again.",
                         number, name, value)
            ok = False
    for name in _ITEM_IDS:
        value = out[name]
        if value is not None and spreadsheet_error(value):
            column = rows.header_names.get(name, name)
            rows.note(finding(
                "CSV_VALUE_GARBLED", f"{column!r} {value!r} is a spreadsheet's error value (the formula filling the "
                "cell failed: a lookup that found nothing, a reference deleted): the item id is lost and read as no "
                "id, so the line is rejected (ITEM_UNKNOWN, ITEM_ID_MISSING) unless another of its ids names the "
                "item. Have the sheet's formula fixed and the file saved again.", severity="warning",
                file=rows.file, row=number, column=column, value=value))
            out[name] = None
    for name in _DIGITS_KEPT:  # "'02134": the apostrophe an exporter writes to keep a spreadsheet from dropping
        value = out[name]    # the zeros (Shopify's zip codes); never part of a postal code or a GTIN
        if value is not None and value[:1] == "'" and value[1:2].isalnum():
            out[name] = value[1:]
    for name in _GUARDED_IDS:
        out[name] = _unguarded(out[name])
    if out["ship_to_country"]:
        out["ship_to_country"] = countries.named(out["ship_to_country"])
    postal = out["ship_to_postal_code"]
    if postal is not None and 3 <= len(postal.split("-")[0]) <= 4 and postal.replace("-", "", 1).isdigit():
        restored = _zeros_dropped_postal(postal, out["ship_to_country"], out["ship_to_state"])
        if restored is not None:
            rows.problem("CSV_LEADING_ZEROS_RESTORED", f"{rows.header_names.get('ship_to_postal_code')!r} {postal!r} "
                         f"has {len(postal.split('-')[0])} digits: a spreadsheet dropped its leading zeros (every "
                         f"postal code of its country has 5); read as {restored}.", number, "ship_to_postal_code",
                         postal)
            out["ship_to_postal_code"] = restored
    for name, digits in _GS1_COLUMNS.items():
        value = out[name]
        sent = from_scientific(value)
        if sent is not None and len(sent[0]) == sent[1]:  # every digit in the mantissa: read back exactly
            rows.problem("CSV_SCIENTIFIC_RESTORED", f"{rows.header_names.get(name, name)!r} {value!r} is a number a "
                         f"spreadsheet wrote in scientific notation with all its {sent[1]} digits: read as "
                         f"{sent[0]}.", number, name, value)
            value = out[name] = sent[0]
        elif value is not None and (whole := _FLOAT_DIGITS.match(value)) is not None:
            rows.problem("CSV_SCIENTIFIC_RESTORED", f"{rows.header_names.get(name, name)!r} {value!r} is a number a "
                         f"program wrote as a decimal (a sheet read with its ids as floating-point numbers): read as "
                         f"{whole.group(1)}.", number, name, value)
            value = out[name] = whole.group(1)
        restored = zeros_dropped_gtin(value, digits)
        if restored is not None:
            rows.problem("CSV_LEADING_ZEROS_RESTORED", f"{rows.header_names.get(name, name)!r} {value!r} has "
                         f"{len(value)} digits: a spreadsheet dropped its leading zeros; read as {restored} (its check "
                         "digit is right).", number, name, value)
            out[name] = restored
    for name in _TEXT:
        value = out[name]
        if value is not None and not value.isprintable():  # a line break, a tab: a quoted cell of several lines
            out[name] = None
            if name == "ship_to_address1":  # its first line is the street, the others the address's second line
                first, *rest = [part for part in (" ".join(p.split()) for p in value.splitlines()) if part]
                out[name] = first
                out["ship_to_address2"] = ", ".join([*rest, *filter(None, [out["ship_to_address2"]])]) or None
            else:
                out[name] = " ".join(value.split()) or None
    out["unit"] = unit_code(out["unit"], m)
    if out["sales_requirement"] is not None:  # the layout's yes/no column: the CSH01 code its answer means
        answer = _YES_NO.get(out["sales_requirement"].casefold())
        if answer is None:
            column = rows.header_names.get("sales_requirement", "sales_requirement")
            rows.problem("CSV_VALUE_INVALID", f"{column!r} {out['sales_requirement']!r} is no yes or no (yes, no, "
                         "true, false, Y, N, 1, 0): how the order ships is not known, and the PO is refused.", number,
                         "sales_requirement", out["sales_requirement"])
            ok = False
        out["sales_requirement"] = dict(m.sales_requirement_codes).get(answer or "")
    for name, words, digits, what in (("order_type", m.order_types, False, "BEG02 order type"),
                                      ("purpose", m.purposes, True, "BEG01 purpose")):
        if out[name] is not None:  # the layout's words for the order's kind / purpose: the code an 850 sends
            sent = out[name]
            word = " ".join(sent.split()).upper()
            code = next((c for w, c in words if w == word), None)
            if code is None and len(word) == 2 and word.isascii() and (word.isdigit() if digits else word.isalnum()):
                code = word  # the code itself
            if code is None:
                column = rows.header_names.get(name, name)
                rows.problem("CSV_VALUE_INVALID", f"{column!r} {sent!r} is no {what} we know a word for "
                             f"({', '.join(w.title() for w, _c in words[:6])} ...: the layout's "
                             f"{'purposes' if digits else 'order_types'}): what the order asks is not known, and the "
                             "PO is refused.", number, name, sent)
                ok = False
            out[name] = code
    if m.order_charges:
        ok = _order_charges_read(rows, number, out, m, reading) and ok
    if m.line_allowances:
        ok = _line_allowances_read(rows, number, out, m, reading) and ok
    if out["currency"]:
        out["currency"] = out["currency"].upper()
    code = out["price_currency"]
    if code is not None and out["currency"] is not None and code != out["currency"]:
        sent = rows.cell(fields, "unit_price")
        rows.problem("CSV_PRICE_CURRENCY_MISMATCH", f"{rows.header_names.get('unit_price', 'unit_price')!r} {sent!r} "
                     f"is in {code}, the row's {rows.header_names.get('currency', 'currency')!r} says "
                     f"{out['currency']}: the price is never read in another currency than its order's, and the PO "
                     "is refused.", number, "unit_price", sent)
        ok = False
    elif code is not None:
        out["currency"] = code  # the order's currency, as the price names it (the rules check it: CURRENCY_MISMATCH)
    return out if ok else None


_TIME = re.compile(r"(?<![\d.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*([AaPp]\.?[Mm]\.?)?")


def updated_stamp(text: str, m: CsvOrderMapping) -> datetime | None:
    """An updated-at cell (the layout's updated_at: when the platform last changed the order) as a date-time: ISO
    8601 ("2026-11-26T09:15:00Z", "2026-11-26 09:15:00-05:00": one with a UTC offset moved to UTC, so two exports
    written in different zones compare), else a date in the layout's date_format and the time of day after it
    ("11/26/2026 9:15 AM"; none: midnight); None when it is neither."""
    value = " ".join(text.split())
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        day = parse_date(value, m)
        if day is None:
            return None
        stamp = datetime.combine(day, time())
        if (clock := _TIME.search(value)) is not None:
            hour, minute, second, half = int(clock[1]), int(clock[2]), int(clock[3] or 0), (clock[4] or "")[:1]
            if half:  # 12 AM is 0:00, 12 PM noon
                hour = hour % 12 + (12 if half in "pP" else 0)
            if hour > 23 or minute > 59 or second > 59:
                return None
            stamp = stamp.replace(hour=hour, minute=minute, second=second)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp


def _window_kind(rows: CsvRows, number: int, out: dict, m: CsvOrderMapping) -> bool:
    """The row's window dates moved to the pair its window type (the layout's window_type column, through
    window_types) names: a "Ship" row's dates read in the delivery columns are its ship window (DTM 037/038), a
    "Delivery" row's read in the ship columns its delivery window (DTM 064/063); a row giving both pairs is read as
    sent. A word the layout does not list refuses the row's PO (False, CSV_VALUE_INVALID)."""
    sent = out["window_type"]
    kind = dict(m.window_types).get(" ".join(sent.split()).upper())
    if kind is None:
        column = rows.header_names.get("window_type", "window_type")
        rows.problem("CSV_VALUE_INVALID", f"{column!r} {sent!r} names no kind of window the layout knows (its "
                     f"window_types: {', '.join(w for w, _k in m.window_types)}): whether the dates are a ship or a "
                     "delivery window is not known, and the PO is refused.", number, "window_type", sent)
        return False
    mine, other = _WINDOWS[kind], _WINDOWS["delivery" if kind == "ship" else "ship"]
    if all(out[name] is None for name in mine):
        for to, name in zip(mine, other, strict=True):
            out[to], out[name] = out[name], None
    return True


_QUANTITY_UNIT = re.compile(r"^(?P<number>[+-]?[\d.,'\u2019\u00a0\u202f ]*\d)\s*(?P<unit>[^\W\d][^\d]*)$")


def _unit_in_quantity(rows: CsvRows, number: int, out: dict, m: CsvOrderMapping) -> bool:
    """A quantity cell giving its unit after the number ("24 ea", "2 cs", "1.000 Stk": a hand-made sheet's), in a
    layout saying quantity_with_unit: the number is the quantity, the word its unit (read as the unit column's,
    through unit_names). A unit there other than the row's unit column's is refused at its row and column (False)."""
    found = _QUANTITY_UNIT.match(out["quantity"])
    if found is None:
        return True
    word = found["unit"].strip()
    if out["unit"] and unit_code(out["unit"], m) != unit_code(word, m):
        rows.problem("CSV_NUMBER_INVALID", f"{out['quantity']!r} is in {word!r}, the row's "
                     f"{rows.header_names.get('unit', 'unit')!r} says {out['unit']!r}.", number, "quantity",
                     out["quantity"])
        out["quantity"] = None  # refused once, not read again as a number
        return False
    out["quantity"], out["unit"] = found["number"].strip(), word
    return True


# countries (alpha-2) whose postal codes are all 5 digits, some beginning with 0 (a spreadsheet reads "06000" as
# the number 6000); in the U.S. only the ZIP codes of these states and territories begin with 0 (00501-09999)
_FIVE_DIGIT_POSTAL = frozenset({"US", "FR", "DE", "IT", "ES"})
_ZERO_ZIP_STATES = frozenset("CT MA ME NH NJ RI VT PR VI AE".split())


def _zeros_dropped_postal(postal: str, country: str | None, state: str | None) -> str | None:
    """A postal code of 3 or 4 digits (and a ZIP+4 after it) a spreadsheet took for a number, with its zeros back:
    in a country whose codes are all 5 digits, named in the row (in the U.S., or with no country, only for a state
    whose ZIP codes begin with 0: "5401", VT, is 05401); else None (read as sent, the rules judge it)."""
    code = countries.alpha2(country) if country else None
    code = code if code in _FIVE_DIGIT_POSTAL else None
    if (code is None and country) or (code in (None, "US") and (state or "").strip().upper() not in _ZERO_ZIP_STATES):
        return None
    head, _, plus = postal.partition("-")
    return head.zfill(5) + (f"-{plus}" if plus else "")


def _unguarded(value: str | None) -> str | None:
    """An id written after the apostrophe an exporter puts before digits so a spreadsheet keeps them as text
    ("'00123", "'614141000012": its leading zeros, its digits past 15): the digits. An apostrophe before anything
    else is kept (no exporter guards a text that is no number: it is the id as sent)."""
    if value is not None and value[:1] == "'" and value[1:].isascii() and value[1:].isdigit():
        return value[1:]
    return value


def unit_code(sent: str | None, m: CsvOrderMapping) -> str:
    """A row's unit as the X12 code (355) it means: the layout's default for none, its ``unit_names`` word's code
    (the partner's own words first: {"Case" = "CS"}), a 355 code as sent, a common English unit word as the code of
    that name as shipment files read it ("Each", "Cases", "Dozen", "Pallet", "lbs": EA, CA, DZ, PL, LB;
    schemas.units.unit_code_named), else the unit as sent, upper case (UNIT_UNKNOWN when it is no code)."""
    unit = " ".join((sent or m.default_unit).split()).upper()
    return next((code for word, code in m.unit_names if word == unit), None) or _unit_word_code(unit)


@functools.cache
def _unit_word_code(unit: str) -> str:
    """``unit`` (upper case) as a 355 code: itself when it is one, else the code its English name or usual
    abbreviation has, else itself. Cached: a feed writes a handful of unit words over all its rows."""
    return unit if is_unit_code(unit) else unit_code_named(unit) or unit


def _inconsistent(rows: CsvRows, po: str, state: _Po, number: int, v: dict) -> list[Finding]:
    """A later row's order-level values that differ from its PO's (CSV_ORDER_INCONSISTENT); a value its
    PO's earlier rows left blank is the PO's (an export giving the ship-to or a date on a later row only),
    and of the window's dates (_STRICTEST) the strictest is the PO's (a cancel date per line: the PO's
    earliest; each row's line keeps its own, _own_dates, and is held to it)."""
    out, head = [], state.head
    for name in _ORDER_LEVEL:
        if v[name] is None:
            continue
        if head[name] is None:
            head[name], state.rows[name] = v[name], number
        elif v[name] != head[name] and name != "sales_requirement":  # a row's own: its line's (_own_values)
            strictest = _STRICTEST.get(name)
            kept = f"; the PO keeps {strictest(v[name], head[name])!s}, the strictest" if strictest else ""
            if name in _OWN:
                kept += ", and each row's line its own"
            elif name.startswith("ship_to_"):
                kept = ("; the row's line keeps its own ship-to, as an 850's PO1-loop N1*ST (a place other than the "
                        "PO's holds the order for a person: LINE_SHIP_TO_DIFFERS)")
            out.append(finding("CSV_ORDER_INCONSISTENT", f"PO {po}: {name} {v[name]!s} here, {head[name]!s} on row "
                               f"{state.rows[name]}{kept}.", file=rows.file, row=number,
                               column=rows.header_names.get(name, name), value=str(v[name])))
            if strictest is not None and strictest(v[name], head[name]) != head[name]:
                head[name], state.rows[name] = v[name], number
    given = v.get(_ORDER_CHARGES)
    if given:  # the order's shipping and discount columns: each the first row's giving it, once per order
        known = head.get(_ORDER_CHARGES) or {}
        for i, (amount, _row_number, described) in given.items():
            if i not in known:
                known = {**known, i: given[i]}  # (a new dict: a version's head shares the first row's)
            elif amount == known[i][0] and described and not known[i][2]:  # its description on a later row only
                known = {**known, i: (*known[i][:2], described)}
            elif amount != known[i][0]:
                column = rows.header_names.get(f"{_CHARGE}{i}", f"{_CHARGE}{i}")
                out.append(finding("CSV_ORDER_INCONSISTENT", f"PO {po}: {column} {amount!s} here, {known[i][0]!s} on "
                                   f"row {known[i][1]}; the order's is that first one, counted once (a column of the "
                                   "order, not of each row).", file=rows.file, row=number, column=column,
                                   value=str(amount)))
        head[_ORDER_CHARGES] = known
    return out


def _other_currency(rows: CsvRows, po: str, state: _Po, number: int, fields: list[str], v: dict) -> bool:
    """True (with its finding, CSV_PRICE_CURRENCY_MISMATCH) when a later row's price names another currency than
    its PO's (its earlier rows' currency column or prices): never read as the PO's currency unsaid."""
    code, theirs = v["price_currency"], state.head["currency"]
    if code is None or theirs is None or code == theirs:
        return False
    sent = rows.cell(fields, "unit_price")
    rows.problem("CSV_PRICE_CURRENCY_MISMATCH", f"{rows.header_names.get('unit_price', 'unit_price')!r} {sent!r} is "
                 f"in {code}, PO {po} in {theirs} (row {state.rows['currency']}): the price is never read in another "
                 "currency than its order's, and the PO is refused.", number, "unit_price", sent)
    return True


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema}, schema=schema)

