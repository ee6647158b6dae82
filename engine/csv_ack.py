"""CSV acknowledgment: what a CSV partner receives instead of an 855 — one row per order line with
its status, quantities accepted and backordered, price and promised date, in the partner's layout.

Pure: orders, lines and their LineAcks (the same decisions engine.po_ack renders as an 855) in,
bytes out. Deterministic: the same inputs give the same bytes (encoding, delimiter, quoting and
line terminator from CsvAckSettings; a utf-8-sig encoding writes a BOM). Numbers are written with
the layout's decimal separator and no thousands separator; dates with its date format.
`build_csv_held` tells the lines of an order held for a person (status IH, "On hold": nothing accepted yet), in the
night it is held, as the 855 never does (a partner without EDI gets no 997 either: this says the order arrived).
`build_csv_refusals` answers the rows intake did not take (a CSV order file's rows in error, and the other
rows of their POs): status IR, each with its row, column and reason, as a 997 answers an 850 set in error.
The `allowances` column (when the layout has it) states the allowances a deal agreed with the buyer pre-approved
(deals.csv: rules.business.allowance_discounts.agreed_allowances) on each line, the PO's and its own, as an 855 of a
partner asking states them in SACs (`allowance_words`).
A character the layout's encoding cannot hold (a Polish "Ł" of a UTF-8 file, answered in Windows-1252) is
written as its letter without accents where that is one ("Ő" -> "O"), else "?" (`_encoded`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal

from engine.csv_findings import for_partner
from engine.po_ack import LineAck
from parsers.x12_writer import x12_decimal
from schemas.fulfilment import CsvAckSettings
from schemas.inventory import REST
from schemas.order_keys import x12_po
from schemas.orders import NO_BACKORDER

STATUS_TEXT = {
    "IA": "Accepted", "AC": "Accepted", "IC": "Accepted with changes", "IQ": "Quantity changed",
    "IP": "Price changed", "DR": "Date rescheduled", "IB": "Backordered",
    "BP": "Partly accepted, balance backordered", "IH": "On hold", "IR": "Rejected", "ID": "Deleted",
    "IS": "Substituted", "IW": "On hold, waiting",
}
_NOT_ACCEPTED = {"IR", "ID", "IB", "IH", "IW"}
# IP on a line sent without a price (an 850's PO1 without PO104, a CSV order without a price column or cell): the 855's
# code, as the partner's PRICE_MISSING outcome gives it, but no price was changed: ours was supplied, and said so
PRICED_BY_US = "Accepted at our price (none sent)"
# the allocation's line reasons (engine.allocate, the `reason` column's codes) in words, for `reason_text`
REASON_TEXT = {
    "filled": "accepted in full from stock",
    "split": "accepted, shipped from more than one warehouse",
    "partial": "part of the quantity is available now",
    "backordered": "not in stock now: backordered, to ship on the promised date",
    "held_ship_complete": "held: the order ships complete and not all of it is available yet",
    "rejected_by_policy": "not accepted: we do not backorder this for you",
    "no_receipt": "no stock is expected in time for the rest: not accepted",
    "unknown_sku": "not accepted: we do not know this item",
    "invalid_quantity": "not accepted: the quantity is not valid",
    "rounded_to_zero": "not accepted: rounded to full cases, nothing is left to ship",
    "past_cancel_date": "not accepted: it could only ship after the order's cancel date",
    "no_backorder": "not accepted: the order takes no backorders and it is not in stock now",
    "not allocated": "not accepted: nothing was allocated",
    "nothing to allocate": "nothing to ship",
    "rejected": "not accepted",
    "order rejected": "the order is not accepted",
    "held for review": "received, held for review by our staff: the final answer follows",
}
# the reason of each line of an order held for a person (HELD_STATUS): the night's acknowledgment says it arrived and
# waits, not why (the hold's reasons are ours to weigh); its final rows follow once a person decides
HELD_STATUS, HELD_REASON = "IH", "held for review"
_ROUNDED = {"+case_pack_up": " (quantity rounded up to full cases)",
            "+case_pack_down": " (quantity rounded down to full cases)"}

AckEntry = tuple[Mapping[str, object], Sequence[Mapping[str, object]], Sequence[LineAck]]


def build_csv_ack(entries: Sequence[AckEntry], settings: CsvAckSettings, *,
                  reasons: Mapping[tuple[str, int], str] | None = None,
                  agreed: Mapping[str, Sequence] | None = None) -> bytes:
    """One CSV file for the given (order row, its line rows, one LineAck per line) entries, in the
    order given. ``reasons``: (PO, line_number) -> text for the reason column (finding messages); ``agreed``: PO ->
    its agreed allowances (AgreedAllowance: the SAC and its deal), for the allowances column."""
    reasons = reasons or {}
    agreed = agreed or {}
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=settings.delimiter, quotechar=settings.quotechar,
                        lineterminator=settings.line_terminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([settings.headers.get(c, c) for c in settings.columns])
    for order, lines, acks in entries:
        if len(lines) != len(acks):
            raise ValueError("one LineAck per line is required")
        for line, ack in zip(lines, acks, strict=True):
            values = _values(order, line, ack, settings, reasons)
            if "allowances" in settings.columns:
                mine = agreed.get(str(order.get("po_number") or ""), agreed.get(values["po_number"], ()))
                values["allowances"] = allowance_words(mine, line.get("line_number"), line.get("line_id"), settings)
            writer.writerow([values.get(c, "") for c in settings.columns])
    return _encoded(buf.getvalue(), settings.encoding)


def build_csv_held(entries: Sequence[tuple[Mapping[str, object], Sequence[Mapping[str, object]]]],
                   settings: CsvAckSettings) -> bytes:
    """One CSV file for orders held for a person ((order row, its line rows) each, in the order given): a row per
    line in the acknowledgment's layout, status HELD_STATUS (IH, "On hold": the status the layout has for a hold,
    which every reader of it takes as nothing accepted), quantity ordered as sent, none accepted or backordered,
    no promised date, reason HELD_REASON. The order's answer follows, as any order's, once a person decides."""
    held = LineAck(HELD_STATUS)
    return build_csv_ack([(order, lines, [held] * len(lines)) for order, lines in entries], settings, reasons={
        (x12_po(str(order.get("po_number") or "")), int(line.get("line_number") or 0)): HELD_REASON
        for order, lines in entries for line in lines})


def build_csv_refusals(rows: Sequence, settings: CsvAckSettings, *, more: int = 0) -> bytes:
    """One CSV file answering each refused row (parsers.csv_orders.RefusedRow: its PO left out at intake)
    with status IR and its reason, in the acknowledgment's columns; a value that could not be read is
    written as sent. ``more``: refused rows not listed (over parsers.csv_orders.MOST_REFUSED), said in a
    last row."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=settings.delimiter, quotechar=settings.quotechar,
                        lineterminator=settings.line_terminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([settings.headers.get(c, c) for c in settings.columns])
    for r in rows:
        values = {"po_number": r.po_number, "line_id": r.line_id, "sku": r.sku, "status": "IR",
                  "status_text": STATUS_TEXT["IR"], "quantity_ordered": _as_sent(r.quantity, settings),
                  "quantity_accepted": _num(Decimal(0), settings), "quantity_backordered": _num(Decimal(0), settings),
                  "unit": r.unit, "unit_price": _as_sent(r.unit_price, settings), "reason": r.reason,
                  "reason_text": r.reason}  # already words: the row, the column and what is wrong
        writer.writerow([values.get(c, "") for c in settings.columns])
    if more:
        writer.writerow([f"{more} more rows not taken are not listed; the file's findings name them"
                         if c in ("reason", "reason_text")
                         else "IR" if c == "status" else "" for c in settings.columns])
    return _encoded(buf.getvalue(), settings.encoding)


def allowance_words(agreed: Sequence, line_number: int | None, line_id: str | None, settings: CsvAckSettings) -> str:
    """The agreed allowances (AgreedAllowance: ``sac`` an ORDER_SACS row, ``deal`` its deal number) that apply to one
    line, in the order sent: the PO's (a heading SAC: on every line) and the line's own (by line number, or PO101),
    each "C310 12% off the PO, deal SPRING26" (its SAC05 amount in the layout's decimals, else its percent, else its
    rate per its unit), joined by "; "; "" none."""
    said = []
    for a in agreed:
        sac = a.sac
        number, ident = sac.get("line_number"), sac.get("line_id")
        if number is not None and number != line_number or number is None and ident is not None and ident != line_id:
            continue
        code = sac.get("code") or sac.get("agency_code") or ""
        if sac.get("amount") not in (None, 0):
            figure = f"{Decimal(sac['amount']):.2f}".replace(".", settings.decimal_separator)  # money: 2 places
        elif sac.get("percent") is not None:
            figure = f"{_num(sac['percent'], settings)}%"
        else:
            figure = f"{_num(sac.get('rate'), settings)} per {sac.get('unit') or 'unit'}"
        on = "the PO" if number is None and ident is None else "the line"
        said.append(f"{code} {figure} off {on}, deal {a.deal}".strip())
    return "; ".join(said)


def reason_text(reason: str, *, own: str | None = None) -> str:
    """A line's ``reason`` in words: each code of it ("partial; no_receipt", "filled+case_pack_up") said
    as REASON_TEXT says it; text that is not a code (a finding's message, "order rejected: ...") as it is. ``own``:
    the line's own sales requirement (ORDER_LINES sales_requirement): a no_backorder of a line whose own rule is N or
    SP is said as the line's, not the order's."""
    if not reason:
        return ""
    mine = (own or "").strip().upper()
    words_of = REASON_TEXT if mine not in NO_BACKORDER else {
        **REASON_TEXT, "no_backorder": f"not accepted: this line takes no backorders (its own sales requirement "
                                       f"{mine}) and it is not in stock now"}
    return "; ".join(_part_text(part, words_of) for part in reason.split("; "))


def _part_text(part: str, words_of: Mapping[str, str]) -> str:
    """One part of a reason in words; what was placed of the rest of a line that shipped some units while held
    ("rest: filled", schemas.inventory.REST) as "rest: " and its code's words ("rest: accepted in full from
    stock"; it was shown as the bare code)."""
    if part.startswith(REST):
        return REST + _part_text(part[len(REST):], words_of)
    head, colon, rest = part.partition(": ")
    code, rounded = head, ""
    for suffix, words in _ROUNDED.items():
        if code.endswith(suffix):
            code, rounded = code[: -len(suffix)], words
    words = words_of.get(code)
    return part if words is None else words + rounded + (colon + rest if colon else "")


def _as_sent(value, settings: CsvAckSettings) -> str:
    return "" if value is None else _num(value, settings) if isinstance(value, Decimal) else str(value)


def _values(order, line, ack: LineAck, settings: CsvAckSettings, reasons) -> dict[str, str]:
    ordered = line.get("quantity")
    parts = ack.parts or ()
    if parts:
        accepted = sum((p.quantity or Decimal(0) for p in parts if p.status not in _NOT_ACCEPTED), Decimal(0))
        backordered = sum((p.quantity or Decimal(0) for p in parts if p.status == "IB"), Decimal(0))
        promised = next((p.ship_date for p in parts if p.ship_date is not None), None)
        status = parts[0].status if len({p.status for p in parts}) == 1 else (
            "BP" if backordered and accepted else parts[0].status)
    else:
        qty = ack.quantity if ack.quantity is not None else ordered
        accepted = Decimal(0) if ack.status in _NOT_ACCEPTED else qty
        backordered = qty if ack.status == "IB" else Decimal(0)
        promised, status = ack.ship_date, ack.status
    price = ack.unit_price if ack.unit_price is not None else line.get("unit_price")
    po = x12_po(str(order.get("po_number") or line.get("po_number") or ""))
    return {
        "po_number": po,
        "po_date": _date(order.get("po_date"), settings),
        "line_id": str(line.get("line_id") or line.get("line_number") or ""),
        "line_number": str(line.get("line_number") or ""),
        "sku": str(line.get("vendor_part") or line.get("buyer_part") or ""),
        "status": status,
        "status_text": PRICED_BY_US if status == "IP" and line.get("unit_price") is None and price is not None
        else STATUS_TEXT.get(status, status),
        "quantity_ordered": _num(ordered, settings),
        "quantity_accepted": _num(accepted, settings),
        "quantity_backordered": _num(backordered, settings),
        "unit": str(line.get("unit") or ""),
        "unit_price": _num(price, settings),
        "promised_date": _date(promised, settings),
        "reason": (reason := for_partner(reasons.get((po, int(line.get("line_number") or 0)), ""))),
        "reason_text": reason_text(reason, own=line.get("sales_requirement")),
        # a substituted line (rules.business.items.substitute): the part we ship instead, as the 855's ACK07.. name it
        "substitute": " ".join(f"{p['qualifier']} {p['id']}" for p in line.get("substitute_ids") or ()),
    }


def _num(value, settings: CsvAckSettings) -> str:
    text = x12_decimal(value)
    return text.replace(".", settings.decimal_separator) if settings.decimal_separator != "." else text


def _date(value, settings: CsvAckSettings) -> str:
    return value.strftime(settings.date_format) if value is not None else ""


def _encoded(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; a character it cannot hold (a file read as UTF-8, its mark winning over the
    layout's Windows-1252, answered in Windows-1252) as its letter without accents when the encoding holds that
    ("Ő" -> "O", "ş" -> "s"), else "?". It used to stop the answer: the partner's whole intake (a refusal) or
    its order's decision failed, every night, and the order was never answered."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return "".join(_nearest(ch, encoding) for ch in text).encode(encoding)


def _nearest(ch: str, encoding: str) -> str:
    if ch.isascii():
        return ch
    try:
        ch.encode(encoding)
        return ch
    except UnicodeEncodeError:
        pass
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        base.encode(encoding)
    except UnicodeEncodeError:
        return "?"
    return base or "?"


# what read_csv_ack gives of each row (engine.finance_inputs reads our acknowledgments back as the 855's ACKs)
ACK_READ = ("po_number", "line_id", "line_number", "status", "quantity_ordered", "quantity_accepted",
            "quantity_backordered", "unit", "unit_price", "promised_date")


def read_csv_ack(content: bytes, settings: CsvAckSettings) -> list[dict[str, object]]:
    """The rows of a CSV acknowledgment build_csv_ack wrote in ``settings``' layout, read back: per row the
    ACK_READ columns the file holds (numbers as Decimal, dates as date; a column the layout leaves out, or a
    cell that cannot be read, is None). Columns are found by the header row (the layout's header texts, else
    the column names), else by the layout's order. A row naming no PO (the last row of a refusal saying how
    many more it left out) is skipped."""
    from datetime import datetime

    text = content.decode(settings.encoding, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=settings.delimiter, quotechar=settings.quotechar)
    head = next(reader, None)
    if head is None:
        return []
    named = {settings.headers.get(c, c): c for c in settings.columns}
    named.update({c: c for c in settings.columns if c not in named})
    columns = [named.get(h.strip()) for h in head]
    if not any(columns):  # a header we do not know: the layout's order
        columns = list(settings.columns)

    numbers: dict[str, Decimal | None] = {}  # each distinct cell read once: a night's rows repeat their values
    days: dict[str, object] = {}

    def number(cell: str) -> Decimal | None:
        if cell not in numbers:
            text = cell.strip().replace(settings.decimal_separator, ".") if settings.decimal_separator != "." \
                else cell.strip()
            try:
                numbers[cell] = Decimal(text) if text else None
            except ArithmeticError:
                numbers[cell] = None
        return numbers[cell]

    def day(cell: str):
        if cell not in days:
            try:
                days[cell] = datetime.strptime(cell.strip(), settings.date_format).date() if cell.strip() else None
            except ValueError:
                days[cell] = None
        return days[cell]

    def text(cell: str) -> str | None:
        return cell.strip() or None

    readers = {c: number if c.startswith("quantity") or c == "unit_price" else day if c == "promised_date" else text
               for c in ACK_READ}
    at = {c: columns.index(c) for c in ACK_READ if c in columns}
    wanted = [(c, at[c], readers[c]) for c in ACK_READ if c in at]
    absent = dict.fromkeys(c for c in ACK_READ if c not in at)
    po_at = at.get("po_number")
    out = []
    for cells in reader:
        if po_at is None or po_at >= len(cells) or not cells[po_at].strip():
            continue
        out.append({**absent, **{c: read(cells[i]) if i < len(cells) else None for c, i, read in wanted}})
    return out
