"""The ops validation-failure report: findings (plus partner/file/order context) rendered as an HTML
page grouped partner -> file -> order -> line, and as a CSV of the same rows that is safe to open
in a spreadsheet. Pure: returns (html, csv bytes); the caller writes the files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from html import escape
from itertools import groupby

import pyarrow as pa

from schemas.codes import CATALOGUE
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.findings import Finding

HINTS: dict[str, str] = {
    # business
    "ITEM_ID_MISSING": (
        "Ask the partner to send a product id on every PO1 (a UPC (UP), GTIN (UK) or any id their "
        "cross-reference in partner_items.csv maps, e.g. BP, VP, SK)."
    ),
    "GTIN_CHECK_DIGIT_INVALID": (
        "The number is mistyped or truncated; ask the partner to correct it in their item master and "
        "resend. Leading zeros are often dropped."
    ),
    "ITEM_UNKNOWN": (
        "The finding lists every id tried. Add the partner's id to partner_items.csv (partner, qualifier "
        "as sent e.g. VP, id, sku) or items.csv (GTIN/UPC) if it is one of our items; otherwise tell the "
        "partner we do not sell it."
    ),
    "ITEM_DISCONTINUED": (
        "Offer the replacement item to the partner or ask them to remove it from their catalogue."
    ),
    "UNIT_UNKNOWN": (
        "PO103 is not a unit of measure code at all: ask the partner to send a standard unit (EA, CA, PK...)."
    ),
    "UNIT_NOT_CONVERTIBLE": (
        "If we sell the item in that unit, add sku,unit,eaches to item_units.csv (or the case_pack in items.csv "
        "for CA/CS); otherwise ask the partner to order in a unit we sell."
    ),
    "QTY_NOT_POSITIVE": "PO102 must be a positive number; ask the partner to resend the line.",
    "CASE_PACK_ROUNDED": "No action needed unless the partner disputes it; tell them the case pack.",
    "CASE_PACK_NOT_MULTIPLE": (
        "Ask the partner to order whole cases, or change this partner's case-pack policy."
    ),
    "QTY_BELOW_MINIMUM": (
        "Tell the partner the minimum order quantity; change min_order_qty in items.csv if wrong."
    ),
    "PRICE_MISSING": "No action: our price list applies. Ask the partner to send PO104 if they need it.",
    "PRICE_NOT_ON_FILE": (
        "Add a price for this partner and item valid on the PO date to prices.csv, then reprocess."
    ),
    "PRICE_OUT_OF_TOLERANCE": (
        "Check the contract price; update prices.csv if ours is stale, else the 855 carries our price."
    ),
    "DISCOUNT_OVER_THRESHOLD": (
        "Sales must approve the discount (or correct the price) before the order is released."
    ),
    "CURRENCY_MISMATCH": "Confirm the currency with the partner; the agreed one is in customers.csv.",
    "TERMS_MISMATCH": (
        "Our agreed terms apply; check customers.csv and tell the partner if theirs are outdated."
    ),
    "CUSTOMER_UNKNOWN": "Add the partner to customers.csv (credit limit, terms, currency).",
    "CREDIT_LIMIT_EXCEEDED": "Credit control must release the order or the partner must pay open invoices.",
    "ORDER_VALUE_BELOW_MINIMUM": "Tell the partner the minimum order value; combine with another order.",
    "SHIP_TO_UNKNOWN": "Add the location to ship_tos.csv, or ask the partner for the full N3/N4 address.",
    "ADDRESS_INCOMPLETE": (
        "Ask the partner for the missing N3/N4 elements, or add the location id to ship_tos.csv."
    ),
    "ADDRESS_IMPLAUSIBLE": "Check the state/province code and postal code format with the partner.",
    "DATE_IN_PAST": "Reschedule: the 855 offers the first date we can meet; confirm with the partner.",
    "SHIP_WINDOW_INCONSISTENT": (
        "Ask the partner to correct the DTM dates (037 <= 010 <= 038, delivery after ship)."
    ),
    "ORDER_PURPOSE_UNSUPPORTED": (
        "Ask the partner what the order is for (BEG01): approve it to process it as an original, or reject it."
    ),
    "ORDER_DUPLICATE": (
        "Nothing was acknowledged again. If it is a real change, the partner must send BEG01 05 (replace)"
        " or an 860."
    ),
    # structure (the most common ones)
    "SE_COUNT_MISMATCH": "The partner's translator miscounted segments; ask them to regenerate the file.",
    "ELEMENT_MANDATORY_MISSING": "Ask the partner to fill the element; the 997 tells them which one.",
    "ISA_DUPLICATE": (
        "A resend of an interchange we already have: usually safe to ignore; confirm with the partner."
    ),
    "PARTNER_SENDER_MISMATCH": (
        "The file came in the wrong partner's drop, or the partner changed their ISA id."
    ),
}

COLUMNS = [
    "partner",
    "file",
    "isa13",
    "gs06",
    "st02",
    "po_number",
    "line_number",
    "segment",
    "element",
    "value",
    "code",
    "severity",
    "message",
    "hint",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hint_for(code: str) -> str:
    if code in HINTS:
        return HINTS[code]
    spec = BUSINESS_CATALOGUE.get(code) or CATALOGUE.get(code)
    return f"{spec.text} See docs/error-codes.md." if spec else "See docs/error-codes.md."


def neutralise_cell(value: object) -> str:
    """A cell a spreadsheet will not evaluate: text starting with = + - @ TAB or CR gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def failure_rows(
    findings: Iterable[Finding],
    orders: pa.Table | None = None,
    *,
    file_partners: Mapping[str, str] | None = None,
) -> list[dict]:
    """One dict per finding (COLUMNS), with partner and PO number from ``orders`` (matched on file,
    ISA13, GS06, ST02) or ``file_partners`` (file -> partner) for findings above the order level.
    Sorted partner, file, order, line."""
    by_set: dict[tuple, dict] = {}
    partner_of_file = dict(file_partners or {})
    if orders is not None:
        for o in orders.select(["partner", "po_number", "source_file", "isa13", "gs06", "st02"]).to_pylist():
            by_set[o["source_file"], o["isa13"], o["gs06"], o["st02"]] = o
            partner_of_file.setdefault(o["source_file"], o["partner"])
    rows = []
    for f in findings:
        loc = f.location
        order = by_set.get((loc.file, loc.isa13, loc.gs06, loc.st02), {})
        segment = loc.segment_id + (f"@{loc.segment_position}" if loc.segment_position is not None else "")
        if loc.row is not None:  # a CSV feed's finding: its row and column stand where X12 has segment and element
            segment = f"row {loc.row}"
        rows.append(
            {
                "partner": order.get("partner") or partner_of_file.get(loc.file, ""),
                "file": loc.file,
                "isa13": loc.isa13,
                "gs06": loc.gs06,
                "st02": loc.st02,
                "po_number": order.get("po_number", ""),
                "line_number": loc.line_number,
                "segment": segment,
                "element": loc.element or loc.column,
                "value": loc.value,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "hint": hint_for(f.code),
            }
        )
    rows.sort(
        key=lambda r: (
            r["partner"],
            r["file"],
            r["isa13"],
            r["gs06"],
            r["st02"],
            -1 if r["line_number"] is None else r["line_number"],
        )
    )
    return rows


_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{margin-top:2rem;border-bottom:2px solid #444}h3{margin-top:1.2rem;color:#333}
h4{margin:.8rem 0 .3rem}table{border-collapse:collapse;width:100%;margin-bottom:.8rem}
th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f0f0f0}td.error{color:#a00;font-weight:600}td.warning{color:#a60}code{white-space:pre-wrap}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _html(rows: list[dict], title: str, generated_at: str) -> str:
    errors = sum(r["severity"] == "error" for r in rows)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{len(rows)} findings ({errors} errors, {len(rows) - errors} warnings)"
        + (f", generated {_e(generated_at)}" if generated_at else "")
        + ".</p>",
    ]
    if not rows:
        out.append("<p>No validation failures.</p>")
    for partner, p_rows in groupby(rows, key=lambda r: r["partner"]):
        out.append(f"<section><h2>Partner {_e(partner or '(unknown)')}</h2>")
        for file, f_rows in groupby(p_rows, key=lambda r: r["file"]):
            out.append(f"<h3>File {_e(file or '(none)')}</h3>")
            for (isa13, gs06, st02, po), o_rows in groupby(
                f_rows, key=lambda r: (r["isa13"], r["gs06"], r["st02"], r["po_number"])
            ):
                label = f"PO {po}" if po else ("Transaction set" if st02 else "File / envelope")
                out.append(
                    f"<h4>{_e(label)} <small>ISA13 {_e(isa13 or '-')} / GS06 {_e(gs06 or '-')} / "
                    f"ST02 {_e(st02 or '-')}</small></h4>"
                )
                out.append(
                    "<table><thead><tr><th>Line</th><th>X12 location</th><th>Value</th><th>Code</th>"
                    "<th>Message</th><th>How to fix</th></tr></thead><tbody>"
                )
                for r in o_rows:
                    where = " ".join(x for x in (r["segment"], r["element"]) if x)
                    out.append(
                        f"<tr><td>{_e(r['line_number'] if r['line_number'] is not None else '')}</td>"
                        f"<td>{_e(where)}</td><td><code>{_e(r['value'])}</code></td>"
                        f'<td class="{_e(r["severity"])}">{_e(r["code"])}</td><td>{_e(r["message"])}</td>'
                        f"<td>{_e(r['hint'])}</td></tr>"
                    )
                out.append("</tbody></table>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([neutralise_cell(r[c]) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def render_failure_report(
    findings: Iterable[Finding],
    orders: pa.Table | None = None,
    *,
    file_partners: Mapping[str, str] | None = None,
    title: str = "OrderBridge validation failures",
    generated_at: str = "",
) -> tuple[str, bytes]:
    """(html, csv_bytes) for ``findings``; every partner-supplied text is escaped (HTML) or
    neutralised against formula injection (CSV). ``generated_at`` is passed in, not read from a clock."""
    rows = failure_rows(findings, orders, file_partners=file_partners)
    return _html(rows, title, generated_at), _csv(rows)
