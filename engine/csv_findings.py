"""Business findings on orders that came from a CSV file, told in the partner's own terms: the row of
its file (a line's row; an order-level finding's PO first row) and the column as its layout names it
(its header text, e.g. "Qty" where an 850 has PO102), and the message's X12 element names given as
those columns. X12 orders' findings pass unchanged.

Pure: findings and the partners' CSV layouts (schemas.fulfilment.CsvOrderMapping) in, findings out.
A CSV order's lineage (parsers.csv_orders): isa13 "CSV", st02 = its PO's first row, a line's
file_segment = its row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from schemas.findings import Finding
from schemas.fulfilment import CsvOrderMapping

# X12 element -> the canonical field (CsvOrderMapping attribute) a CSV layout sends it in
_ELEMENTS = {"PO102": "quantity", "PO103": "unit", "PO104": "unit_price", "BEG03": "po_number",
             "BEG05": "po_date", "CUR02": "currency", "N104": "ship_to_id", "N102": "ship_to_name",
             "N301": "ship_to_address1", "N302": "ship_to_address2", "N401": "ship_to_city",
             "N402": "ship_to_state", "N403": "ship_to_postal_code", "N404": "ship_to_country",
             "PO101": "line_id", "BEG04": "release_number"}
# DTM qualifier (as check_dates' messages name it, "DTM 001 (cancel after)") -> its field
_DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", "037": "ship_not_before",
          "038": "ship_no_later", "001": "cancel_after", "063": "do_not_deliver_after",
          "064": "do_not_deliver_before"}
_IDS = ("upc", "gtin", "vendor_part", "buyer_part")  # the order parsers.csv_orders lists a line's ids in
_DTM = re.compile(r"DTM (\d{3}) \([^)]*\)")
_TOKEN = re.compile(r"\b(PO1\d{2}|BEG0\d|CUR02|N1\d{2}|N3\d{2}|N4\d{2})\b")
_ID_RANGE = re.compile(r"PO106-PO125")


def csv_located(findings: Sequence[Finding], lines: pa.Table,
                layouts: Mapping[str, CsvOrderMapping | None], owner: Mapping[tuple[str, str], str]) -> list[Finding]:
    """``findings`` with those on CSV orders at their row and column (see the module). ``lines``: the
    orders' lines (a product id finding's column: which id the line sent); ``layouts``: partner -> its CSV
    order layout; ``owner``: (file, ISA13-GS06-ST02) -> partner (rules.suite.owners_of)."""
    if not any(f.location.isa13 == "CSV" for f in findings):
        return list(findings)
    ids, rows = _line_ids(lines)
    out = []
    for f in findings:
        loc = f.location
        layout = layouts.get(owner.get((loc.file, f"{loc.isa13}-{loc.gs06}-{loc.st02}"), ""))
        if loc.isa13 != "CSV" or layout is None or loc.row is not None:
            out.append(f)
            continue
        row = loc.file_segment  # a line's row; else the line's the finding names, else its PO's first row
        if row is None and loc.line_number is not None:
            row = rows.get((loc.file, loc.st02, loc.line_number))
        if row is None and loc.st02.isdigit():
            row = int(loc.st02)
        sent = ids.get((loc.file, loc.st02, loc.line_number), ids.get((loc.file, row), ()))  # a wide row: the line's
        field = sent_in(_field(f, sent), layout)
        column = layout.column_text(field) if field else ""  # a name over two columns: "First + Last"
        message = f.message
        if layout.sales_requirement:  # the PO's or its row's ship-complete / backorder answer, as the file names it
            name = layout.sales_requirement
            message = message.replace("its CSH01 N or SP", f"its {name!r} answer, read as CSH01 N or SP", 1)
            message = message.replace("its loop's CSH01 or IT801", f"its row's {name!r} answer", 1)
        if f.code == "PRICE_MISSING":  # "No PO104 price": none was sent, in the layout's price column or at all
            message = message.replace("No PO104 price", "No price was sent in PO104" if layout.unit_price else
                                      "No price was sent (the layout reads no price column)", 1)
        if f.code == "UNIT_UNKNOWN" and f.location.element == "PO103":
            message += unit_names_hint(f.location.value, layout)
        out.append(replace(f, message=_message(message, layout, sent),
                           location=replace(loc, row=row, column=column)))
    return out


_HINT = " If it is a unit the partner uses, add it to the CSV layout's unit_names"
_HINT_END = " under [fulfilment.csv_orders]."


def unit_names_hint(unit: str | None, layout: CsvOrderMapping) -> str:
    """What ops do about a CSV order's unit word we do not read: the layout's ``unit_names`` names the X12 code the
    word means (the common English words, "Each", "Case", "Dozen", "Pallet", are read without it). For ops (the
    findings, `status`, the console); the partner's acknowledgment leaves it out (for_partner)."""
    word = (unit or "").replace('"', "")
    listed = ", ".join(f'"{w}" = "{c}"' for w, c in layout.unit_names)
    now = f" (now {{ {listed} }})" if listed else ""
    return f'{_HINT}{now} with the X12 unit code it means: unit_names = {{ "{word}" = "<code>" }}{_HINT_END}'


def for_partner(reason: str) -> str:
    """A line's reason as its partner's CSV acknowledgment says it: without the advice to ops about our layout
    (unit_names_hint), which names our settings, not theirs."""
    at = reason.find(_HINT)
    if at < 0:
        return reason
    end = reason.find(_HINT_END, at)
    return reason[:at] + (reason[end + len(_HINT_END):] if end >= 0 else "")


# a window's date and the same date of the other kind of window (the layout's window_type moves a row's dates so)
_PAIRED = {"ship_not_before": "do_not_deliver_before", "ship_no_later": "do_not_deliver_after",
           "do_not_deliver_before": "ship_not_before", "do_not_deliver_after": "ship_no_later"}


def sent_in(field: str, layout: CsvOrderMapping) -> str:
    """The field whose column a CSV order's ``field`` was read from: a window date the layout's window_type moved
    into the other kind's pair (a "Ship" row's dates read from the columns mapped as the delivery window, Amazon
    Vendor Central's "Window start" and "Window end") was sent in the other pair's column, where the layout names
    that one and not its own (left at its default, a column the file has not). It used to be named by the layout's
    default ("Ship Not Before"), a column the partner's file does not have."""
    other = _PAIRED.get(field)
    if other is None or layout.window_type is None:
        return field
    named = layout.model_fields_set
    if (field not in named or getattr(layout, field) is None) and other in named and getattr(layout, other):
        return other
    return field


def csv_layouts(profiles: Mapping) -> dict[str, CsvOrderMapping]:
    """partner -> its CSV order layout, for the partners that send CSV orders."""
    return {pid: p.fulfilment.csv_orders for pid, p in profiles.items() if p.fulfilment.csv_orders is not None}


def _line_ids(lines: pa.Table) -> tuple[dict[tuple, tuple[str, ...]], dict[tuple[str, str, int], int]]:
    """(file, row) and (file, ST02, line number) -> the id fields a CSV line sent, in the order its PO106/PO107
    pairs list them (a wide export's row holds several lines: the line's own by its number); and (file, ST02,
    line number) -> the line's row."""
    if not lines.num_rows or "isa13" not in lines.column_names:
        return {}, {}
    csv = lines.filter(pc.equal(lines["isa13"], "CSV"))
    present = [c for c in _IDS if c in csv.column_names]
    cols = {c: csv[c].to_pylist() for c in ("source_file", "st02", "line_number", "file_segment", *present)}
    keys = list(zip(cols["source_file"], cols["file_segment"], strict=True))
    ids: dict[tuple, tuple[str, ...]] = {key: tuple(c for c in present if cols[c][i]) for i, key in enumerate(keys)}
    ids.update({(file, st02, number): tuple(c for c in present if cols[c][i]) for i, (file, st02, number) in
                enumerate(zip(cols["source_file"], cols["st02"], cols["line_number"], strict=True))})
    rows = {(file, st02, number): row for file, st02, number, row in zip(
        cols["source_file"], cols["st02"], cols["line_number"], cols["file_segment"], strict=True)}
    return ids, rows


def _field(f: Finding, sent: tuple[str, ...]) -> str:
    element = f.location.element
    if element in _ELEMENTS:
        return _ELEMENTS[element]
    if element == "DTM02":  # the date the finding is about: its DTM01 (its detail; of several on one day,
        # BACKORDER_AFTER_CANCEL's "001 063", the last, as its words name them; none: no column named)
        named = [q for q in f.detail.qualifier.split() if q in _DATES]
        return _DATES[named[-1]] if named else ""
    if element.startswith("PO1") and element[3:].isdigit() and int(element[3:]) >= 6:
        at = (int(element[3:]) - 6) // 2  # PO106/PO107 the first pair, PO108/PO109 the second ...
        return sent[at] if at < len(sent) else ""
    return ""


def _message(message: str, layout: CsvOrderMapping, sent: tuple[str, ...]) -> str:
    """The message with each X12 element the layout sends in a column named by that column."""

    def header(field: str) -> str | None:
        names = layout.columns_of(field)
        return f"column{'s' * (len(names) > 1)} {' + '.join(map(repr, names))}" if names else None

    def dtm(m: re.Match) -> str:
        name = header(sent_in(_DATES[m.group(1)], layout))
        return f"{name} ({m.group(0)})" if name else m.group(0)

    def element(m: re.Match) -> str:
        token = m.group(1)
        field = _ELEMENTS.get(token)
        if field is None and token.startswith("PO1") and int(token[3:]) >= 6:
            at = (int(token[3:]) - 6) // 2
            field = sent[at] if at < len(sent) else None
        name = header(field) if field else None
        return name or token

    message = _DTM.sub(dtm, message)
    ids = [n for n in (getattr(layout, c, None) for c in _IDS) if n]
    if ids:
        message = _ID_RANGE.sub("the columns " + ", ".join(repr(n) for n in ids), message)
    return _TOKEN.sub(element, message)
