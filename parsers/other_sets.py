"""The transaction sets a partner sends that we do not process (an 820 remittance, an 812 adjustment, an 852, an 846
of its own stock, an 816 store list, 753/754 routing, 830/862 schedules, a 180 return, an 869 inquiry, a set we never
heard of), each said in a line for the people and systems that must act on it: what it is, and the figures and
references that matter (an 820's total, trace number and the invoices it pays; an 812's amount, debit or credit and
its invoice). Read tolerantly from a parsed file: what a set leaves out is left out of its line. Nothing here acts on
the content. No paths, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.handoff import HANDOFF_FOLDER
from schemas.x12 import Group, Interchange, TransactionSet

# the X12 names of the sets partners send suppliers besides orders (and a few sent to us by mistake)
SET_NAMES = {
    "820": "Payment Order/Remittance Advice", "812": "Credit/Debit Adjustment", "852": "Product Activity Data",
    "846": "Inventory Inquiry/Advice", "816": "Organizational Relationships", "753": "Request for Routing Instructions",
    "754": "Routing Instructions", "830": "Planning Schedule with Release Capability", "862": "Shipping Schedule",
    "180": "Return Merchandise Authorization and Notification", "869": "Order Status Inquiry",
    "870": "Order Status Report", "832": "Price/Sales Catalog", "861": "Receiving Advice/Acceptance Certificate",
    "867": "Product Transfer and Resale Report", "204": "Motor Carrier Load Tender", "214": "Shipment Status Message",
    "990": "Response to a Load Tender", "940": "Warehouse Shipping Order", "945": "Warehouse Shipping Advice",
    "856": "Ship Notice/Manifest", "810": "Invoice", "855": "Purchase Order Acknowledgment",
    "865": "Purchase Order Change Acknowledgment", "880": "Grocery Products Invoice",
    "835": "Health Care Claim Payment",
}
_SHOWN = 10  # references a line names before "and N more"


def _el(seg: list[str], i: int) -> str:
    return seg[i].strip() if len(seg) > i else ""


def _listed(values: Iterable[str]) -> str:
    values = [v for v in dict.fromkeys(values) if v]
    more = len(values) - _SHOWN
    return ", ".join(values[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _n2(value: str) -> str:
    """An N2 amount (BCD04: "4620") as the number it is ("46.20"); one written with its point, or no number, as
    written."""
    sign, digits = ("-", value[1:]) if value.startswith("-") else ("", value)
    if not (digits.isascii() and digits.isdigit()):
        return value
    digits = digits.rjust(3, "0")
    return f"{sign}{int(digits[:-2])}.{digits[-2:]}"


def describe(result: ParseResult, ts: TransactionSet) -> str:
    """One line saying what set ``ts`` of ``result`` is and says: its X12 name, then by set id the figures a
    person acts on; for a set we hold no description of, its segment count and first segment id."""
    segs = [s for s in result.segments.rows(ts.start, ts.end) if s]
    by: dict[str, list[list[str]]] = {}
    for s in segs:
        by.setdefault(s[0].strip(), []).append(s)

    def first(seg_id: str, i: int) -> str:
        return _el(by[seg_id][0], i) if seg_id in by else ""

    def refs(qualifier: str) -> list[str]:
        return [_el(s, 2) for s in by.get("REF", []) if _el(s, 1) == qualifier]

    name = SET_NAMES.get(ts.set_id, "a transaction set we hold no description of")
    pos = _listed([*(_el(s, 1) for s in by.get("PRF", [])), *refs("PO"), *(_el(s, 1) for s in by.get("XPO", []))])
    items = len(by.get("LIN", []))
    parts: list[str] = []
    sid = ts.set_id
    if sid == "820":
        currency = first("CUR", 2)
        parts.append(f"payment {first('BPR', 2)}{' ' + currency if currency else ''}"
                     + (f" by {first('BPR', 4)}" if first("BPR", 4) else "")
                     + (f" on {first('BPR', 16)}" if first("BPR", 16) else ""))
        if first("TRN", 2):
            parts.append(f"trace {first('TRN', 2)}")
        paid = [f"{_el(s, 1)} {_el(s, 2)} paid {_el(s, 4)}" + (f" of {_el(s, 5)}" if _el(s, 5) and _el(s, 5) != _el(
            s, 4) else "") + (f" (adjusted {_el(s, 6)})" if _el(s, 6) else "") for s in by.get("RMR", [])]
        if paid:
            parts.append(f"{len(paid)} document(s): {_listed(paid)}")
    elif sid == "812":
        flag = {"C": "credit", "D": "debit"}.get(first("BCD", 5), first("BCD", 5) or "adjustment")
        parts.append(f"{flag} {first('BCD', 2)} of {_n2(first('BCD', 4))} dated {first('BCD', 1)}")
        if first("BCD", 7):
            parts.append(f"invoice {first('BCD', 7)}")
        if first("BCD", 10):
            parts.append(f"PO {first('BCD', 10)}")
    elif sid in ("852", "846"):
        head = (f"{first('XQ', 2)} to {first('XQ', 3)}" if sid == "852" else
                f"{first('BIA', 3)} dated {first('BIA', 4)}")
        quantities = len(by.get("ZA" if sid == "852" else "QTY", []))
        parts.append(f"{head}: {items} item(s), {quantities} quantit{'y' if quantities == 1 else 'ies'}")
    elif sid == "816":
        parts.append(f"{len(by.get('N1', []))} parties: {_listed(_el(s, 2) for s in by.get('N1', []))}")
    elif sid in ("830", "862"):
        seg = "BFR" if sid == "830" else "BSS"
        at = (6, 7) if sid == "830" else (5, 6)
        parts.append(f"{first(seg, 2)} from {first(seg, at[0])} to {first(seg, at[1])}: {items} item(s), "
                     f"{len(by.get('FST', []))} forecast line(s)")
    elif sid in ("753", "754", "180"):
        parts.append(f"{first('BGN', 2)} dated {first('BGN', 3)}" + (f": {items} item(s)" if items else ""))
    elif sid == "869":
        parts.append(f"{first('BSI', 1)} dated {first('BSI', 2)}")
    else:
        body = segs[1:-1] if len(segs) > 2 else segs
        parts.append(f"{len(segs)} segments" + (f", beginning {body[0][0].strip()}" if body else ""))
    if pos:
        parts.append(f"PO {pos}")
    return f"{sid} {name}: " + "; ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Kept:
    """A set taken without processing as its SET_RECEIVED_NOT_PROCESSED finding states it (kept_finding): what it
    says (describe), where it is (the archived ``file``, its ISA13, GS01, GS06, ST02 and its ST's ordinal in the
    file) and the name it is handed off as (handoff_name; "" when nothing is handed off: `inspect`)."""

    said: str
    file: str
    isa13: str
    functional_id: str
    gs06: str
    st02: str
    set_id: str
    file_segment: int
    handoff: str = ""

    @property
    def where(self) -> tuple[str, str, str, str]:
        """Its finding's location: (file, ISA13, GS06, ST02)."""
        return self.file, self.isa13, self.gs06, self.st02


def kept(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], file: str,
         partner: str | None = None) -> list[Kept]:
    """Kept of each of ``sets``, the sets taken without processing (Acceptance.kept), handed off under handoff_name
    for ``partner`` (an intake; `inspect` hands nothing off)."""
    return [Kept(describe(result, ts), file, ic.control_number, g.functional_id, g.control_number, ts.control_number,
                 ts.set_id, ts.start + 1, handoff_name(partner, ic, g, ts) if partner else "") for ic, g, ts in sets]


def kept_finding(k: Kept, partner: str | None, handoff: str | None = None) -> Finding:
    """SET_RECEIVED_NOT_PROCESSED (a warning: the set was answered AK5 A and the file is processed) for ``k``: what
    it says in a line and where it is kept: the archived file and, for the ``partner`` whose sets are handed off, its
    hand-off file under handoff/<partner>/ (``handoff``, by default k.handoff: flows.handoff.as_handed_off names
    the file as written when another set had its name first)."""
    name = k.handoff if handoff is None else handoff
    handed = f" and handed off alone as {HANDOFF_FOLDER}/{partner}/{name}," if partner and name else ""
    return finding("SET_RECEIVED_NOT_PROCESSED",
                   f"{k.said}. Received, not processed: answered by its 997 on its syntax alone; the set is in the "
                   f"archived file {k.file} (GS {k.functional_id} {k.gs06}, ST02 {k.st02}){handed} for ops, finance "
                   "or the ERP to act on.", seg="ST", element="ST01", value=k.set_id, isa13=k.isa13, gs06=k.gs06,
                   st02=k.st02, segment_position=1, file_segment=k.file_segment).with_file(k.file)


def received_not_processed(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]],
                           file: str, partner: str | None = None) -> list[Finding]:
    """kept_finding of each of ``sets`` (kept), the sets taken without processing (Acceptance.kept)."""
    return [kept_finding(k, partner) for k in kept(result, sets, file, partner)]


def handoff_name(partner: str, ic: Interchange, g: Group, ts: TransactionSet) -> str:
    """The file a kept set is handed off as: partner, set, sender, ISA13, GS06 and ST02, so ops and the ERP find it by
    any of them ("walmart_820_925485US00_000088101_88101_0001.x12"); characters a file name cannot hold are "-"."""
    parts = [partner, ts.set_id, ic.sender, ic.control_number, g.control_number, ts.control_number]
    return "_".join(_SAFE.sub("-", p) or "-" for p in parts) + ".x12"


_SAFE = re.compile(r"[^A-Za-z0-9.-]")


def as_received(result: ParseResult, ic: Interchange, g: Group, ts: TransactionSet) -> bytes:
    """Set ``ts`` alone in its own envelope: the partner's ISA and GS as received, the set's segments as read, then
    GE*1*<GS06> and IEA*1*<ISA13> (one set, one group, so the file is a whole interchange an ERP's translator reads on
    its own), with the partner's delimiters, each segment on its line; encoded as the file was (UTF-8, else
    Windows-1252)."""
    d = ic.delimiters
    rows = result.segments.elements.slice(ts.start, ts.end - ts.start + 1)
    body = pc.binary_join(rows, d.element).to_pylist()
    isa = d.element.join(["ISA", *ic.elements])
    gs = d.element.join(["GS", *g.elements])
    trailer = [d.element.join(["GE", "1", g.control_number]), d.element.join(["IEA", "1", ic.control_number])]
    text = "".join(s + d.segment + "\n" for s in [isa, gs, *body, *trailer])
    return text.encode("utf-8" if result.encoding == "utf-8" else "cp1252", errors="replace")


def handed_off(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], partner: str
               ) -> list[tuple[str, bytes]]:
    """(handoff_name, as_received) of each of ``sets``, the sets taken without processing."""
    return [(handoff_name(partner, ic, g, ts), as_received(result, ic, g, ts)) for ic, g, ts in sets]
