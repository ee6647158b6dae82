"""A blanket order's releases held against the blanket (BEG02 RL against BEG02 BK, BE, KB, LB under one PO
number): a release calls off the blanket's quantities, so what its releases draw is kept against what the blanket
holds, and a release dated after the blanket's end (its DTM 036, ORDERS expires_on) calls off a blanket that is
over. Each release used to be decided as an order of its own, whatever its blanket said: a release past the
blanket's quantity, or after its end, was acknowledged and shipped without a word.

Pure: the caller (flows.decide) hands the orders deciding now and the blankets and earlier releases it holds under
their PO numbers (their current ORDERS / ORDER_LINES rows); nothing is read here."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _LINE_LOCATION, _ORDER_LOCATION, _text, business_finding
from schemas.findings import Finding
from schemas.order_keys import x12_po
from schemas.orders import BLANKET_TYPES

RELEASE = "RL"  # BEG02 Release or Delivery Order (code list 92)
CANCEL = "01"  # BEG01 cancellation: draws nothing
# a line's item as the buyer and we name it (the first of these sent, matched with a blanket line's same id)
_ITEM_IDS = ("buyer_part", "vendor_part", "upc", "gtin", "ean")
_ORDER_COLUMNS = [*_ORDER_LOCATION, "partner", "po_number", "order_type", "purpose", "release_number", "po_date",
                  "expires_on"]
_LINE_COLUMNS = [*_LINE_LOCATION, "partner", "po_number", "quantity", "unit", *_ITEM_IDS]


def has_releases(orders: pa.Table) -> bool:
    """True when some of ``orders`` is a release (BEG02 RL): only then are blankets looked up."""
    return bool(orders.num_rows) and "order_type" in orders.column_names and bool(
        pc.any(pc.fill_null(pc.equal(orders["order_type"], RELEASE), False)).as_py())


def release_pos(orders: pa.Table) -> set[tuple[str, str]]:
    """(partner, PO number) of each release's blanket: the PO numbers under which blankets and releases are held."""
    if not has_releases(orders):
        return set()
    rows = orders.filter(pc.fill_null(pc.equal(orders["order_type"], RELEASE), False)).select(
        ["partner", "po_number"]).to_pylist()
    return {(r["partner"], x12_po(r["po_number"])) for r in rows}


def _rows(table: pa.Table, columns: list[str]) -> list[dict]:
    return table.select([c for c in columns if c in table.column_names]).to_pylist()


def _item(line: dict) -> tuple[str, str] | None:
    for column in _ITEM_IDS:
        value = (line.get(column) or "").strip()
        if value:
            return column, value
    return None


def _matches(line: dict, blanket_line: dict) -> bool:
    """The same item: some id both lines send is the same (the buyer's part, ours, a GTIN), in the same unit."""
    if (line.get("unit") or "") != (blanket_line.get("unit") or ""):
        return False
    return any((line.get(c) or "").strip() and (line.get(c) or "").strip() == (blanket_line.get(c) or "").strip()
               for c in _ITEM_IDS)


def release_findings(orders: pa.Table, lines: pa.Table, held_orders: pa.Table, held_lines: pa.Table
                     ) -> list[Finding]:
    """RELEASE_PAST_BLANKET for each line of a release deciding now (``orders`` / ``lines``) that, with what the
    blanket's earlier releases called off of the same item (``held_orders`` / ``held_lines``: the releases held
    under its PO number, cancelled and rejected ones left out by the caller, and those deciding now with a lower
    release number), draws more than its blanket's line holds; RELEASE_AFTER_BLANKET_END for a release dated
    (BEG05) after the blanket's end (DTM 036). A release whose blanket we do not hold raises nothing."""
    if not has_releases(orders):
        return []
    every = [*_rows(orders, _ORDER_COLUMNS), *_rows(held_orders, _ORDER_COLUMNS)]
    blankets = {(o["partner"], o["po_number"]): o for o in every if (o.get("order_type") or "") in BLANKET_TYPES
                and (o.get("purpose") or "") != CANCEL}
    if not blankets:
        return []
    by_order: dict[tuple[str, str], list[dict]] = {}
    for line in [*_rows(lines, _LINE_COLUMNS), *_rows(held_lines, _LINE_COLUMNS)]:
        by_order.setdefault((line["partner"], line["po_number"]), []).append(line)
    deciding = {(o["partner"], o["po_number"]) for o in _rows(orders, ["partner", "po_number"])}
    releases: dict[tuple[str, str], list[dict]] = {}  # blanket key -> its releases, in release order
    for o in every:
        blanket = (o["partner"], x12_po(o["po_number"]))
        if (o.get("order_type") or "") == RELEASE and blanket in blankets and (o.get("purpose") or "") != CANCEL:
            releases.setdefault(blanket, []).append(o)
    out: list[Finding] = []
    for key, calls in sorted(releases.items()):
        blanket = blankets[key]
        calls.sort(key=lambda o: ((o.get("release_number") or "").zfill(30), o["po_number"]))
        drawn: dict[int, Decimal] = {}  # blanket line index -> quantity called off by the releases before
        by: dict[int, list[str]] = {}  # ... and which releases
        blanket_lines = by_order.get(key, [])
        for call in calls:
            own = (call["partner"], call["po_number"])
            mine = own in deciding
            if mine:
                out += _after_end(call, blanket)
            for line in by_order.get(own, []):
                index = next((i for i, b in enumerate(blanket_lines) if _matches(line, b)), None)
                if index is None or line.get("quantity") is None:
                    continue
                before = drawn.get(index, Decimal(0))
                total = before + line["quantity"]
                holds = blanket_lines[index].get("quantity")
                if mine and holds is not None and total > holds:
                    out.append(_past(call, line, blanket, holds, before, total, by.get(index, [])))
                drawn[index] = total
                by.setdefault(index, []).append(call.get("release_number") or call["po_number"])
    return out


def _after_end(call: dict, blanket: dict) -> list[Finding]:
    end, day = blanket.get("expires_on"), call.get("po_date")
    if end is None or day is None or day <= end:
        return []
    number = call.get("release_number") or ""
    return [business_finding(
        "RELEASE_AFTER_BLANKET_END",
        f"Release {number or '(no BEG04)'} of blanket PO {blanket['po_number']} is dated {_text(day)} (BEG05), after "
        f"the blanket's end {_text(end)} (its DTM 036): it calls off a blanket that is over, is not allocated or "
        "shipped and waits for a person (ask the buyer whether the blanket was extended).", call, seg="BEG",
        element="BEG05", value=day, line=False)]


def _past(call: dict, line: dict, blanket: dict, holds: Decimal, before: Decimal, total: Decimal,
          earlier: Iterable[str]) -> Finding:
    item = _item(line)
    said = f"{item[1]}" if item else f"line {line.get('line_number')}"
    unit = line.get("unit") or ""
    earlier = list(earlier)
    drew = (f"with {_text(before)} {unit} called off by release{'s' if len(earlier) > 1 else ''} "
            f"{', '.join(earlier)} before it" if earlier else "with nothing called off before it")
    number = call.get("release_number") or ""
    return business_finding(
        "RELEASE_PAST_BLANKET",
        f"Release {number or '(no BEG04)'} of blanket PO {blanket['po_number']} calls off {_text(line['quantity'])} "
        f"{unit} of {said} (line {line.get('line_number')}), {drew}: {_text(total)} {unit} in all, past the "
        f"blanket's {_text(holds)} {unit}. The release is not allocated or shipped and waits for a person.",
        line, seg="PO1", element="PO102", value=line["quantity"])
