"""Apply one 860 purchase order change to a live order. Pure: the order, its stored ORDER_LINES, the
860's header row and POC rows (schemas.changes) and whether it has shipped come in; the revised lines,
what went back to stock, findings and one outcome per POC (the 865's ACK01) go out. No I/O, no clock.

Rules: an order that shipped (in part or whole) is changed only where it still can be (``progress``:
each line's shipped and invoiced units): what shipped stays on the order (a decrease, deletion or
cancellation below it keeps the shipped units and cancels the rest: CHANGE_BELOW_SHIPPED), a price is
not changed on a line with invoiced units (CHANGE_PRICE_INVOICED: no 810 is sent again; a PQ or RZ that
changes the quantity too has its quantity applied and is answered IC, the invoiced price kept), and no line is
added or raised once the order is complete (CHANGE_AFTER_SHIPMENT); a line added (AI, or RZ naming a new
line) to an order still open is added as on an order that did not ship; without ``progress`` a shipped
order is refused whole (CHANGE_AFTER_SHIPMENT, every POC rejected), and so is a closed one (``closed``);
BCH01 01 cancels the whole PO, and so does 17 (code list 353 "Cancel, to be Reissued": the order is
withdrawn, a reissue to follow); 00 (an original change request, as Walmart.com sends its line
cancellations), 04, 05 and 18 (reissue) apply the POC lines in order, each all-or-nothing (but that price
on invoiced units), as do 06
(confirmation), 07 (duplicate), 15 (re-submission) and 45 (follow-up) when no 860 with their content was applied
before (REPEAT_PURPOSES;
the caller knows); the heading's new dates (DTM 002/010/037/038, and the last and first acceptable dates
001/063/064) and ship-to are applied (heading_changes); a rejected POC leaves its
line as it was. Line numbers are never reused. Released quantities and changed lines are the difference
between the stored lines and the result, so several POCs on one line add up.

POC02 (code list 670): AI adds, DI deletes; QI/QD/QC and RQ set POC03 as the new total quantity; PC
and PR set POC06 as the new price; CA, PQ, MU and RZ set whichever of the two is sent (RZ restates
the product too); NC changes nothing, nor does CE (changes to item level allowance/charges) to the line: its
loop's SACs are its change (engine.finance_inputs.with_changes). POC04 (quantity left to receive: the balance before
the change: ordered less received) is never applied; sent without POC03 and outside what the line explains (from
its open balance, every shipped unit received, to its quantity, none received yet), the POC is rejected
(_left_only). CT (change of dates), RS (reschedule) and RB (replace all dates)
change only dates: the line is acknowledged as it is (IA, quantity and price unchanged). Of a line's dates
we keep its own cancel / do-not-deliver dates and ship window's end: the POC loop's DTM 001/063/064/038
(ORDER_CHANGES) under any applied POC become the line's (dated_line_numbers); and its requested ship date,
window's opening and requested delivery date, the loop's DTM 010 / 037 / 002 (LINE_DECIDING_DATES), which make the
line changed (decided again, its ACK 068 the day it now ships) on an order that has not shipped (once it has, the
date is not taken: CHANGE_DATES_NOT_STORED). A POC loop's PO4 packing an existing line otherwise is the line's
new pack (its PO4 columns, whole, as an added line's; changed, so decided again, on an order that shipped other
lines too: engine.lifecycle.changes.redecided_lines) until units of the line shipped: then it is not taken
(CHANGE_PACK_NOT_APPLIED); a dates POC that sends none of them gets a CHANGE_DATES_NOT_STORED
warning for a person to pass the date on, as does the date part of RQ, PR and MU.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import pyarrow as pa

from rules.business.by_weight import WEIGHT_MULTIPLES, defined_weight, weight_basis, whole_units
from rules.business.common import code_case_text
from rules.business.item_readings import item_identities
from rules.business.places import same_party
from rules.business.quantities import PO4_COLUMNS
from schemas.changes import (
    CHARGE_TYPES,
    DATE_TYPES,
    DEADLINE_CHANGES,
    DELETE_TYPES,
    EITHER_TYPES,
    HEADER_DATES,
    KEPT_PARTIES,
    LINE_DECIDING_DATES,
    LINE_DELIVERY_DATE,
    LINE_SHIP_DATE,
    LINE_SHIP_TO_COLUMNS,
    LINE_WINDOW_ENDS,
    PARTY_FIELDS,
    PRICE_TYPES,
    QUANTITY_TYPES,
    REF_CHANGES,
    REFUSED_TYPES,
    RELEASES,
    REPLACEMENT_TYPES,
    SHIP_TO_FIELDS,
    SHIP_TO_SENT,
    SUPPORTED_TYPES,
)
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.codes_changes import CHANGE_CATALOGUE
from schemas.findings import Finding, finding_at_row
from schemas.order_keys import shown, x12_po
from schemas.orders import (
    DEADLINES,
    ELEMENTS_SEP,
    LINE_MARK_FOR,
    LINE_WIDE_DATES,
    ORDER_LINES,
    ORDER_REFS,
    PRICE_PLACES,
    RANGE_ENDS,
    RANGE_START,
    SHIP_RANGE_SIDES,
    exact_price,
    order_ref_elements,
    range_start,
    sent_price,
    start_kept,
    window_named,
)
from schemas.units import NO_CHARGE, PRICE_PER_EACH, PRICE_PER_MANY, PRICE_PER_MEASURE, covering, weight_in, within_one

_MARK_FOR = tuple(f"mark_for_{f}" for f in LINE_MARK_FOR)  # a POC loop's N1*Z7, as ORDER_LINES keeps a PO1 loop's
_SHIP_TO_PARTY = LINE_SHIP_TO_COLUMNS[:3]  # a POC loop's N1*ST (N102, N103, N104): its N3/N4 come with it

# ACK01 line statuses sent back in the 865.
ACCEPTED, REJECTED, DELETED, QUANTITY_CHANGED, PRICE_CHANGED, CHANGED = "IA", "IR", "ID", "IQ", "IP", "IC"

CANCEL = "01"
# 01 cancellation, 17 cancel, to be reissued: the order is withdrawn either way (a reissue comes as a new
# 850, BEG01 18 or 05, which replaces the cancelled order: engine.lifecycle.intake)
CANCEL_PURPOSES = frozenset({CANCEL, "17"})
# 00: an original change request (its POCs say what changes); 05 (replace) and 18 (reissue: in place of a
# set withdrawn by a 17 "cancel, to be reissued", or sent again) re-send a change: all applied alike
# 06 (confirmation: the buyer confirms a change agreed another way) and 07 (duplicate: a copy of an 860 sent
# before) restate a change: engine.lifecycle.changes answers nothing new when an 860 with the same
# BCH03/BCH04/BCH05 and content was applied already (change_fingerprint); otherwise applied as 04 is, with
# a CHANGE_REPEAT warning (the original never reached us, or the agreed change was not sent as an 860)
# 15 (re-submission) and 45 (follow-up: "a second or subsequent transmission of the transaction set when an expected
# response has not yet been received") send an 860 again, as a 07 does: read alike (they used to be refused whole, an
# 865 RD telling the buyer a change we had applied and answered was refused)
REPEAT_PURPOSES = frozenset({"06", "07", "15", "45"})
REPEAT_WORDS = {"06": "confirmation", "07": "duplicate", "15": "re-submission", "45": "follow-up"}
# 22 (information copy: code list 353; a copy of the buyer's change sent for the record, e.g. to a party that is to
# know of it, not a request to act on): engine.lifecycle.changes records it, applies nothing and answers nothing
# (an 865 refusing it is noise to the buyer; the 997 acknowledges its receipt): CHANGE_INFORMATION_COPY
INFORMATION_COPY = "22"
# 49 (original - no response necessary: code list 353): a change the buyer sends as a 04 is, asking for no answer:
# applied as a 04, and no 865 (nor a revised 855 answering the change) is sent for it (answer_wanted; the 997 still
# acknowledges the set). It used to be refused whole, an 865 RD the buyer had asked not to get, the change not made.
NO_RESPONSE = "49"
# 13 (request): the 860 is the buyer's purchase order change *request*; a 13 asks for the change its POCs set out, as a
# 04 does: applied and answered alike
# 19 (seller initiated change): X12 gives the 860 two uses, a buyer's request to change a PO and "a buyer's confirmation
# of acceptance of a purchase order change initiated by the seller"; a 19 is the second: its POCs state the change we
# (the seller) made, the buyer agreeing to it. Applied as a 04 (the lines it states as we hold them stay so, each
# answered IA), answered alike; it used to be refused whole, an 865 RD refusing our own change
SELLER_INITIATED = "19"
# 26 (replace - specified buyer's parts only): a replace (05) limited to the buyer's parts it names: its POCs restate
# those lines as 05's do, and the lines it does not name stand (a 05 cancels them: _Editor.run ``restated``)
REPLACE_NAMED = "26"
APPLY_PURPOSES = frozenset({"00", "04", "05", "13", "18", SELLER_INITIATED, REPLACE_NAMED, NO_RESPONSE}) | \
    REPEAT_PURPOSES
# 02 (add) and 03 (delete) say what the 860 does to the order: one whose every POC does that (POC02 AI adds an item, DI
# deletes one) is a plain change, applied and answered as a 04; one whose POCs do anything else (or none: a delete
# naming no line is no cancel, BCH01 01 is) is refused whole, the message naming the clash (never a guess)
SINGLE_ACTION_PURPOSES = {"02": ("add", frozenset({"AI"})), "03": ("delete", frozenset({"DI"}))}
# 35 (request authority): the buyer asks our authority for something (a deduction, a return ...), not a change to the
# order: refused whole, the message saying so (a person answers it)
# The rest of code list 353 that an 860 may carry names no change to make (X12 gives them their names alone); each
# refused whole, the message saying what the code is and why nothing is applied (a person answers it)
REFUSED_WORDS = {
    "35": "request authority: the buyer asks our authority for something (a deduction, a return ...), not a change to "
          "the order; a person answers it",
    "08": "status: the buyer reports where its PO stands, it asks no change",
    "10": "not found: an answer that something was not found, not a change",
    "11": "response: an answer to something we sent, not a change",
    "12": "not processed: the buyer says it did not process something, not a change",
    "14": "advance notification: a change announced ahead, to be sent as a change later",
    "16": "proposed: a change the buyer proposes, not one it asks us to make; it is made when sent as BCH01 04",
    "20": "final transmission: the last of a series, naming no change of its own",
    "21": "transaction on hold: the buyer holds the change itself; it is made when sent again as BCH01 04",
    "24": "draft: a draft of a change, not one to act on",
    "25": "incremental: whether its POC quantities add to the line or state its new total is not said",
    "27": "verify: the buyer asks us to check something, not to change the order",
    "28": "query: the buyer asks a question, not a change to the order",
    "ZZ": "mutually defined: its meaning is agreed outside X12, and no partner agreement is set for it here",
}
NO_RESPONSE_NOTE = "no answer sent: BCH01 49, the buyer asked for no response to this change"


def answer_wanted(header: Mapping | None) -> bool:
    """Whether the buyer wants the change (``header``: its CHANGE_HEADERS row) answered: False for BCH01 49
    (no response necessary), whose change is applied and not answered (no 865, no revised 855 for it)."""
    return (header or {}).get("purpose") != NO_RESPONSE
_PRODUCT_COLUMNS = ("upc", "gtin", "ean", "vendor_part", "buyer_part", "product_ids")
LINE_DEADLINES = tuple(f.name for f in DEADLINES)  # a line's own cancel / do-not-deliver dates
# a line's own last (and first) acceptable dates a POC moves without deciding it again: LINE_DEADLINES and its ship
# window's end (DTM 038, a last date for some partners: AllocationPolicy.ship_no_later_is_cancel)
LINE_LAST_DATES = (*LINE_DEADLINES, LINE_WINDOW_ENDS)
# (a line's own requested ship date, ship window's opening or requested delivery date, DTM 010 / 037 / 002 of its
# POC loop, too: the line is decided again with it, as the order is with a heading's)
# (and the weight a line taken in by weight was ordered in: 470 LB of a 480 LB line is still 10 cases, answered again)
# (and its PO4 pack: a POC loop's PO4 taken before any of the line shipped, _Editor._take_pack)
# (and its own sales requirement, its POC loop's CSH01 / IT801: the line takes back orders or not, decided again with
# it; a CSH alone under POC*n*NC used to be dropped, the line's back order kept: "changed no line")
_COMPARED = ("quantity", "unit", "unit_price", "price_basis", *_PRODUCT_COLUMNS, *LINE_DECIDING_DATES,
             "weight_ordered", *PO4_COLUMNS, "sales_requirement")
# eaches in one ``unit`` of stored line ``line_number``'s item, or None when not known (the item master's units,
# the case pack, a count unit; else what ``row``'s PO4 says the unit holds: a POC's, or the line's own):
# engine.lifecycle.changes.unit_eaches
UnitEaches = Callable[[int, str, Mapping], "int | None"]
# why the 880 of a partner billed by it could not state a line as a POC would leave it (its line number, its row
# with the POC's quantity, unit, price and basis), or None (rules.business.money.not_on_880):
# engine.lifecycle.changes.on_880_check
On880 = Callable[[int, Mapping], "str | None"]
# (the item stored line ``line_number`` is, the item a POC ``row`` names by its product ids), our skus, each None where
# not known: engine.lifecycle.changes.items_named
ItemOf = Callable[[int, Mapping], "tuple[str | None, str | None]"]
_PO4_COLUMNS = ("po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit")  # a POC loop's first PO4
_LINEAGE = ("source_file", "source_sha256", "isa13", "gs06", "st02", "segment_position", "file_segment")


@dataclass(frozen=True, slots=True)
class LineResult:
    """The outcome of one POC: what the 865 echoes and acknowledges."""

    change: Mapping  # the ORDER_CHANGES row, echoed as the 865's POC
    status: str  # ACK01: IA, IR, ID, IQ, IP, IC
    line_number: int | None = None  # the order line it touched (None: unknown line, rejected add)
    quantity: Decimal | None = None  # ACK02: the line's quantity after the change (0 when deleted)
    unit: str | None = None  # ACK03
    code: str = ""  # the finding code when rejected, or when done only in part (IQ: cut to what shipped)
    # a POC in another unit than its line's, applied in the line's unit (``quantity`` and ``unit`` are the line's):
    # the POC's unit, and the eaches one of it and one of the line's unit hold, to answer in the buyer's unit
    buyers_unit: tuple[str, int | Decimal, int | Decimal] | None = None
    # a line taken in by weight (rules.business.by_weight) changed in a weight: answered in that weight, as many of
    # it as the line's whole cases make (``buyers_unit``: the weight, 1, one case's average weight in it)
    weighed: bool = False
    # such a line whose own unit is a weight too (600 KG of an item counted in LB: defined_weight): converted exactly,
    # the POC03 asked (``asked``, in the POC's weight) answered as sent when the line's units cover it
    defined: bool = False
    asked: Decimal | None = None
    # the changed line once decided is backordered: the day the whole line is to ship (the latest of its 855 parts)
    ship_date: date | None = None
    # the line's price restated by us per the unit the POC moved it to (it sent none): the 865's POC06, no POC07
    price: Decimal | None = None
    # the unit the 865's POC05 states ``price`` per where the POC sent none: the CTP05 the buyer priced it in
    # (``POC*1*PC`` with ``CTP**UCP*36*1*CA``: POC05 CA, POC06 36)
    price_unit: str | None = None
    # the POC replaced the line's item without a price (RZ naming another item): the line left unpriced, the 865
    # states the price the decide stage gives it (engine.lifecycle.decisions.final_change_result)
    unpriced: bool = False

    def acknowledged(self) -> tuple[Decimal | None, str | None]:
        """ACK02/ACK03: the quantity and unit, in the POC's unit when it was converted to the line's and the
        quantity is a whole number of it (36 EA for a line of 3 CA of 12, as an 855 answers a PO1 in its PO103);
        else as the line counts it."""
        if self.buyers_unit is None or self.quantity is None:
            return self.quantity, self.unit
        unit, per_unit, per_line = self.buyers_unit
        if self.defined:  # 1,103 LB are 500.3109 KG: 500 KG as asked, as the 855 answers such a line
            exact = _weight_in(self.quantity, self.unit, unit)
            if exact is not None and self.asked is not None and exact >= self.asked:
                return self.asked, unit
            return exact, unit
        back = self.quantity * per_line / per_unit
        if self.weighed:  # 8 cases of 48 LB: 384 LB (a weight need not be whole)
            return back, unit
        if back != back.to_integral_value():
            return self.quantity, self.unit
        return back.to_integral_value(), unit

    @property
    def line_id(self) -> str | None:
        return self.change.get("line_id")

    @property
    def change_type(self) -> str | None:
        return self.change.get("change_type")


@dataclass(frozen=True, slots=True)
class ChangeResult:
    new_lines: pa.Table  # ORDER_LINES after the change
    changed_line_numbers: frozenset[int]  # lines added, or whose quantity/unit/price/product changed
    deleted_line_numbers: frozenset[int]  # stored lines no longer on the order
    released: pa.Table  # RELEASES: quantity given back per stored line (decrease, delete, cancel)
    cancelled: bool  # BCH01 01 or 17 applied: the order has no lines left
    rejected: bool  # the change as a whole was refused (unknown order, unsupported purpose, shipped)
    findings: list[Finding]
    line_results: list[LineResult]
    # ORDERS columns the 860's heading changed (new DTM 002/010/037/038/001/063/064 dates, a new N1 ST ship-to):
    # new value
    order_changes: Mapping[str, object] = field(default_factory=dict)
    # an order that shipped: something asked was done only in part (a cancellation that kept shipped lines)
    partial: bool = False
    # an order that shipped: lines cut to their shipped units (the unshipped rest cancelled), changed or not
    settled_line_numbers: frozenset[int] = frozenset()
    # an order that shipped: lines a decrease brings to the buyer's own quantity, below the promise we
    # acknowledged (ordered 10, acknowledged 12 by case-pack rounding: QD 10 cuts our promise to 10)
    trimmed_line_numbers: frozenset[int] = frozenset()
    # lines whose own cancel / do-not-deliver dates (ORDER_LINES DEADLINES) a POC's DTM 001/063/064 moved
    dated_line_numbers: frozenset[int] = frozenset()
    # lines whose SDQ store quantities a POC's SDQ replaced (nothing else of them changed: not decided again)
    split_line_numbers: frozenset[int] = frozenset()
    # lines whose prepack components (SLN I) a POC's SLNs restated (nothing else of them changed: not decided again;
    # the new contents kept for the 856)
    packed_line_numbers: frozenset[int] = frozenset()
    # lines whose tax exemption (ORDER_LINES tax_exempt_sent) a POC's exempting TXI stated anew (nothing else of them
    # changed: not decided again; the new exemption kept for the 810)
    exempt_line_numbers: frozenset[int] = frozenset()
    # lines whose mark-for (ORDER_LINES mark_for_*) a POC loop's N1*Z7 named anew (nothing else of them changed: not
    # decided again; the new party kept for the 856's cartons)
    marked_line_numbers: frozenset[int] = frozenset()
    # lines whose own CTPs (ORDER_LINES line_prices: a retail price to ticket by) a POC loop's CTPs restated (nothing
    # else of them changed: not decided again; the new prices kept for the 810's and 856's CTP)
    priced_line_numbers: frozenset[int] = frozenset()
    # lines whose own ship-to (ORDER_LINES ship_to_*) a POC loop's N1*ST moved (with its N3/N4): decided again, as an
    # 850's line with its own N1*ST is (its new place checked by the rules: rules.business.places), the 856 sent there
    moved_line_numbers: frozenset[int] = frozenset()
    # lines whose own REFs (ORDER_LINES line_refs) a POC loop's REFs restated (nothing else of them changed: not
    # decided again; the new references kept for the 855, 856 and 810 that echo them)
    referenced_line_numbers: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class LineProgress:
    """What of a stored line already happened (an order that shipped): units shipped and invoiced."""

    shipped: Decimal = Decimal(0)
    invoiced: Decimal = Decimal(0)
    promised: Decimal = Decimal(0)  # units we acknowledged and will ship (placed + backordered)


@dataclass(frozen=True, slots=True)
class Progress:
    """An order that shipped in part or whole: each line's progress by line number, and whether the
    order is complete (every unit shipped and invoiced: nothing may be added to it)."""

    lines: Mapping[int, LineProgress]
    complete: bool = False
    state: str = "shipped"  # the order's state, named in findings
    rejected: frozenset[int] = frozenset()  # lines we rejected (IR): not decided again once the order shipped

    def shipped(self, line_number: int | None) -> Decimal:
        p = self.lines.get(line_number) if line_number is not None else None
        return p.shipped if p else Decimal(0)

    def invoiced(self, line_number: int | None) -> Decimal:
        p = self.lines.get(line_number) if line_number is not None else None
        return p.invoiced if p else Decimal(0)

    def unshipped(self, line_number: int | None) -> Decimal:
        p = self.lines.get(line_number) if line_number is not None else None
        return max(p.promised - p.shipped, Decimal(0)) if p else Decimal(0)


def apply_changes(
    order: Mapping | None, lines: pa.Table, header: Mapping, changes: pa.Table, *, shipped: bool,
    progress: Progress | None = None, closed: bool = False, same_case: Mapping[int, frozenset[str]] | None = None,
    unit_eaches: UnitEaches | None = None, on_880: On880 | None = None, echoed: Collection[str] = (),
    later: tuple[str, str] | None = None, ended: str | None = None, item_of: ItemOf | None = None,
    carried: str | None = None, beg03_blanket: str = "",
) -> ChangeResult:
    """Apply the 860 ``header`` (a CHANGE_HEADERS row) to ``order`` (an ORDERS row, None when no live
    order has BCH03) whose stored lines are ``lines``. ``changes`` may hold other 860s' rows too: only
    rows with the header's change_ref are used, in POC order. ``progress``: the order shipped (in part
    or whole): each line's shipped and invoiced units bound what the change may do; ``closed``: the order
    is closed (shipped, invoiced, its 810s delivered): the change is refused whole (CHANGE_AFTER_SHIPMENT).
    ``same_case``: per stored line number, the case units (CA, CS) the item master counts as the line's own
    case (engine.lifecycle.changes.same_case_units): a POC05 among them is the line's unit (POC05 CS on a line
    ordered in CA is the same case, as intake and the shipment checks read it), not CHANGE_UNIT_MISMATCH.
    ``unit_eaches``: eaches in a unit of a stored line's item (UnitEaches): a POC05 in another unit than the
    line's (eaches for a line in cases, as many buyers' translators send every quantity in the selling unit, or
    cases for a line in eaches) is applied in the line's unit when it converts to a whole number of it, as intake
    converts an 850's units (``POC*1*QD*96*EA`` on a line of 10 CA of 12: 8 CA), and answered in the buyer's
    unit; one that does not (100 EA: 8.33 cases of 12), or without it, is CHANGE_UNIT_MISMATCH. ``on_880``: for a
    partner billed by the 880, why it could not state a line as a POC would leave it (On880): a POC changing the
    quantity or price of a line its 880 states to one it does not (24 EA at 4.99 PD made 7 EA: 0.58333 DZ) is
    rejected at its POC03 (POC06 for a price alone), PRICE_BASIS_NOT_ON_880, the line left as it was, as intake
    finds such a line at its PO102. ``echoed``: the heading REF qualifiers the partner's 855, 856 and 810 carry back
    (its profile's order_refs): a new one of them the 860 adds is kept with the order (_refs_added). ``later``:
    (BCH05, source file) of a change with a higher change order sequence number applied to the order before: this
    860 comes out of sequence (sent before it, delivered after) and is refused whole, CHANGE_OUT_OF_SEQUENCE
    (applied now it would undo what the buyer asked later). ``ended``: with no ``order``, the state of the PO we hold
    that takes no change (rejected, cancelled): the finding says so, not that the PO is unknown. ``item_of``: the
    items a stored line and a POC name (ItemOf): an RZ (RE, RM) naming another item than the line's without a price
    leaves the line unpriced, for the decide stage's price rules to price the new item (our price list).
    ``carried``: with no ``order``, the partner whose orders this one carries on ([continues] in effect): the finding
    says neither holds the PO (an 860 naming a PO that partner holds is applied as its own, flows.intake).
    ``beg03_blanket``: for a release, the blanket we hold under its own BEG03 ("" none): a contract or agreement the
    860 gives it does not move it off that blanket, and CHANGE_HEADER_APPLIED says so (heading_finding)."""
    if order and order.get("po_number") != header.get("po_number"):
        raise ValueError(f"the 860 is for PO {header.get('po_number')!r}, not {order.get('po_number')!r}")
    pocs = sorted(
        (r for r in changes.to_pylist() if r.get("change_ref") == header.get("change_ref")),
        key=lambda r: r["poc_number"],
    )
    stored = sorted(lines.to_pylist(), key=lambda r: r["line_number"])
    po = header.get("po_number")
    if not order:
        return _refuse(
            lines,
            header,
            pocs,
            "CHANGE_ORDER_UNKNOWN",
            f"No live order {shown(po) if po else po!r} for this partner"
            + (f" nor for {carried}, whose orders this partner carries on (neither holds the PO)" if carried else "")
            + "; the change was not applied." if not ended
            else f"PO {po} was {ended} before this change came: an 860 does not reopen it, so the change was "
            "not applied. The buyer sends a new PO (850) for what it still wants.",
            "BCH03",
            x12_po(po) if po else po,
        )
    if closed:
        return _refuse(
            lines,
            header,
            pocs,
            "CHANGE_AFTER_SHIPMENT",
            f"PO {po} is closed: every unit shipped and was invoiced, and its invoices were delivered; the "
            "change was not applied. The buyer sends a new PO for more; returns and credits are settled with "
            "finance.",
            "BCH03",
            po,
            stored,
        )
    if later is not None:
        return _refuse(
            lines,
            header,
            pocs,
            "CHANGE_OUT_OF_SEQUENCE",
            f"BCH05 {header.get('change_order_ref')} of PO {po} is an earlier change than change {later[0]} (in "
            f"{later[1]}), applied to the order before: the buyer sent it first and it came late. Applied now it "
            "would undo what the later change asked, so it was not applied; ask the buyer if anything of it still "
            "stands.",
            "BCH05",
            header.get("change_order_ref"),
            stored,
        )
    if shipped and progress is None:
        return _refuse(
            lines,
            header,
            pocs,
            "CHANGE_AFTER_SHIPMENT",
            f"PO {po} has already shipped; the change was rejected and the order left as it was.",
            "BCH03",
            po,
            stored,
        )
    purpose = header.get("purpose")
    if purpose in CANCEL_PURPOSES and progress is not None:
        return _cancel_unshipped(order, stored, pocs, header, progress)
    if purpose in CANCEL_PURPOSES:
        results = []
        index = _LineIndex(stored)
        for poc in pocs:
            hit = _find_poc(stored, poc, index)
            results.append(
                LineResult(
                    poc, DELETED, hit["line_number"] if hit else None, Decimal(0), (hit or poc).get("unit")
                )
            )
        return _result(stored, [], results, [], cancelled=True)
    if purpose in SINGLE_ACTION_PURPOSES:
        what, types = SINGLE_ACTION_PURPOSES[purpose]
        others = sorted({poc.get("change_type") or "(none)" for poc in pocs} - types)
        if others or not pocs:
            return _refuse(
                lines,
                header,
                pocs,
                "CHANGE_PURPOSE_UNSUPPORTED",
                f"BCH01 {purpose} ({what}) of PO {po}: "
                + (f"its POCs also {', '.join(others)} (POC02), not only {'/'.join(sorted(types))}: what it "
                   f"asks is unclear" if pocs else f"it names no line to {what}"
                   + (" (to cancel the whole PO, BCH01 01)" if purpose == "03" else ""))
                + f"; nothing was changed. Ask the buyer to send it as BCH01 04 (or as a {what} of "
                f"{'/'.join(sorted(types))} POCs alone).",
                "BCH01",
                purpose,
                stored,
            )
    elif purpose not in APPLY_PURPOSES:
        if purpose in REFUSED_WORDS:
            return _refuse(lines, header, pocs, "CHANGE_PURPOSE_UNSUPPORTED",
                           f"BCH01 {purpose} ({REFUSED_WORDS[purpose]}); nothing was changed."
                           + ("" if purpose == "35" else " Ask the buyer to send the change as BCH01 04."),
                           "BCH01", purpose, stored)
        return _refuse(
            lines,
            header,
            pocs,
            "CHANGE_PURPOSE_UNSUPPORTED",
            f"BCH01 {purpose!r} is not a change we apply (00 original, 01 cancel, 04 change, 05 replace, "
            "06 confirmation, 07 duplicate, 13 request, 15 re-submission, 17 cancel to be reissued, 18 reissue, "
            "19 seller initiated change, 26 replace of the parts named, 45 follow-up, 49 change with no response "
            "asked; 02 add and 03 delete whose POCs all add or delete; 22, an information copy, is recorded).",
            "BCH01",
            purpose,
            stored,
        )
    if header.get("set_id") == "876":
        pocs = restated_items(stored, pocs, item_of)
    window = poc_window(header, stored, pocs)
    result = _Editor(order, stored, progress, same_case, unit_eaches, on_880, item_of).run(
        pocs, restated=purpose == "05")
    if purpose in REPEAT_PURPOSES:
        what = REPEAT_WORDS[purpose]
        at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
        result = replace(result, findings=[_finding(
            "CHANGE_REPEAT", f"BCH01 {purpose} ({what}) of PO {po}, change "
            f"{header.get('change_order_ref') or '(no BCH05)'}: no 860 with that content was applied before, so "
            "it was applied as a change (04).", at, "BCH01", purpose, seg="BCH"), *result.findings])
    result = _routing_named(_terms_named(_currency_named(result, order, header), order, header), order, header)
    result = _heading_codes_read(_units_read(result, pocs), header)
    result = _refs_named(_parties_named(result, order, header), order, header)
    result, added = _refs_added(result, order, header, echoed)
    changed = {**heading_changes(order, {**header, **window}), **added, **_blanket_refs_moved(order, header)}
    if not changed:
        return result
    return replace(result, order_changes=changed, findings=[*result.findings, heading_finding(
        order, header, changed, by_lines=frozenset(window), beg03_blanket=beg03_blanket, shipped=shipped)])


def restated_items(stored: list[dict], pocs: list[dict], item_of: ItemOf | None = None) -> list[dict]:
    """An 876's POCs (parsers.orders_876: each G68 restating an item's quantity and price, POC01 empty, POC02 CA, or
    DI for a quantity restated to zero), each named to the line it restates: by its product ids (_poc_lines: as sent
    or in another of the item's forms, as engine.changes reads a POC without POC01), else, ``item_of`` given, the one
    line that is the item its ids resolve to in our item master (the 875 ordered by the consumer UPC, the 876 restates
    it by the case GTIN-14: the same sku), the POC then carrying that line's id. A CA naming no line either way is
    the item added (AI): the 876 restates the order's items and adds a new one alike (X12 876: "changes are
    accomplished by restating the value"). One naming several lines stays as sent and is refused for it (never a
    guess)."""
    out = []
    for poc in pocs:
        if poc.get("change_type") not in ("CA", "DI") or poc.get("line_id") or not _pairs(poc) or \
                _poc_lines(stored, poc):
            out.append(poc)
            continue
        same = _same_item(stored, poc, item_of)
        if len(same) == 1:
            out.append(dict(poc, line_id=same[0].get("line_id") or str(same[0]["line_number"])))
        elif same or poc["change_type"] == "DI":
            out.append(poc)
        else:
            out.append(dict(poc, change_type="AI"))
    return out


def named_lines(result: ChangeResult, before: pa.Table) -> dict[int, tuple[str, int] | None]:
    """Each POC of an applied change (by its file_segment) -> (the PO101, the line number) of the line it named
    (ORDER_LINES line_id of the lines ``before`` the change or after it, ``result.new_lines``: an item it added; the
    line number as text for a line sent without PO101), None for one that named no line or that we refused (IR):
    what the SACs of POC loops sent without POC01 (an 876's G68 loops, naming their item, not a line) are resolved
    by (sacs_on_lines)."""
    ids: dict[int, str | None] = {}
    for table in (before, result.new_lines):
        if table.num_rows and "line_id" in table.column_names:
            ids.update(zip(table["line_number"].to_pylist(), table["line_id"].to_pylist(), strict=True))
    out: dict[int, tuple[str, int] | None] = {}
    for lr in result.line_results:
        at = lr.change.get("file_segment")
        if at is None:
            continue
        n = lr.line_number
        # (a POC we refused (IR) changes nothing: its SACs are not agreed, as accepted_changes leaves out a refused
        # POC01's; an 876's POC has no POC01 for the refusal filters to key on)
        out[at] = None if n is None or lr.status == REJECTED else (
            lr.change.get("line_id") or ids.get(n) or str(n), n)
    return out


def sacs_on_lines(sacs: pa.Table, change_ref: str, named: Mapping[int, tuple[str, int] | None]) -> pa.Table:
    """``sacs`` (CHANGE_SACS of one stored file) with each SAC of change ``change_ref`` that stands in a POC loop sent
    without POC01 (change_type set, line_id null, and no line number: an 876's G68 loop, engine.process.read_876_into:
    the loop's ordinal is no line of the order, so it is on no line, nor the heading, until then) given the PO101
    and line number of the line its POC named (``named``: named_lines, POC file_segment -> (PO101, line number); its
    POC the last one before it), so that it changes that line's allowances as an 860's POC loop's SAC changes its
    POC01's (rules' changed_allowances, engine.finance_inputs.with_changes). One whose POC named no line (refused:
    an item on several lines, an add refused) is taken out: it changes nothing (a loop's number is no line's). The
    same table when nothing is resolved."""
    if not sacs.num_rows or not named:
        return sacs
    pocs = sorted(named)
    rows = []
    changed = False
    for r in sacs.to_pylist():
        if r["order_ref"] == change_ref and r["change_type"] is not None and r["line_id"] is None:
            before = [p for p in pocs if p < r["file_segment"]]
            if before:
                changed = True
                line = named[before[-1]]
                if line is None:
                    continue
                r["line_id"], r["line_number"] = line
        rows.append(r)
    return pa.Table.from_pylist(rows, schema=sacs.schema) if changed else sacs


def sacs_placed_as(sacs: pa.Table, placed: pa.Table) -> pa.Table:
    """``sacs`` (CHANGE_SACS of one file read again: `state rebuild` replaying the archive) with each SAC of a POC
    loop sent without POC01 (on no line as read: engine.process.loose_item_sacs) placed as ``placed`` (the same file's
    CHANGE_SACS as the nights left them, sacs_on_lines having given it the line its item named when the change was
    applied) has it: on its line, still on none (a change not applied), or taken out (its POC named no line, or we
    refused it). Matched by the change (order_ref) and the SAC's file segment; the same table when nothing moves."""
    if not sacs.num_rows:
        return sacs
    before = {(r["order_ref"], r["file_segment"]): (r["line_id"], r["line_number"])
              for r in placed.select(["order_ref", "file_segment", "line_id", "line_number"]).to_pylist()}
    rows, changed = [], False
    for r in sacs.to_pylist():
        if r["change_type"] is not None and r["line_id"] is None and r["line_number"] is None:
            at = (r["order_ref"], r["file_segment"])
            if at not in before:
                changed = True
                continue
            if before[at][0] is not None:
                changed = True
                r["line_id"], r["line_number"] = before[at]
        rows.append(r)
    return pa.Table.from_pylist(rows, schema=sacs.schema) if changed else sacs


def _same_item(stored: list[dict], poc: Mapping, item_of: ItemOf | None) -> list[dict]:
    """The stored lines that are the sku ``poc``'s product ids resolve to (ItemOf), in line order; none unknown."""
    if item_of is None:
        return []
    found = []
    for line in stored:
        line_sku, poc_sku = item_of(line["line_number"], poc)
        if poc_sku is not None and line_sku == poc_sku:
            found.append(line)
    return found


def poc_window(header: Mapping, stored: list[dict], pocs: list[dict]) -> dict[str, object]:
    """The ship window dates (schemas.orders.LINE_WIDE_DATES: DTM 037 / 038) every POC loop of the 860 states alike,
    none in its heading, when its POCs name every line of the order (``stored``): the order's new window, as the
    850's PO1 loops' is (parsers.orders_850.common_line_dates). Williams-Sonoma moves its window with a POC*n*CT
    and DTM 037/038 under each line; the order kept the 850's window (each line CHANGE_DATES_NOT_STORED), so a
    shipment inside the new window was warned SHIPPED_OUTSIDE_WINDOW. Each POC's window is its line's own besides
    (_take_dates): an 860 naming some of the order's lines only moves theirs, the order's stays the other lines'
    (it used to move nothing, each such dates POC CHANGE_DATES_NOT_STORED). A window every POC sent as the same DTM
    010 range (its heading sending no DTM 010) brings that range, its first and last days (requested_ship_date,
    requested_ship_end), as the 850's PO1 loops' common range does: the order's window is named as the range sent
    (schemas.orders.window_named), not as a 037 / 038."""
    if not pocs or not stored:
        return {}
    index = _LineIndex(stored)
    named = {hit["line_number"] for p in pocs if (hit := _find_poc(stored, p, index)) is not None}
    if named != {r["line_number"] for r in stored}:
        return {}
    out: dict[str, object] = {}
    for name in LINE_WIDE_DATES.values():
        sent = {p.get(name) for p in pocs}
        if header.get(name) is None and len(sent) == 1 and None not in sent:
            out[name] = sent.pop()
    ranges = {(p.get(LINE_SHIP_DATE), p.get(RANGE_ENDS["010"])) for p in pocs}
    if header.get(LINE_SHIP_DATE) is None and len(ranges) == 1 and None not in (rng := ranges.pop()):
        out[LINE_SHIP_DATE], out[RANGE_ENDS["010"]] = rng
    return out


def _currency_named(result: ChangeResult, order: Mapping, header: Mapping) -> ChangeResult:
    """``result`` with CHANGE_HEADER_NOT_APPLIED when the 860's heading CUR (CHANGE_HEADERS currency_sent) names
    another currency than the order's (ORDERS currency, its 850's CUR02; none: not known to be the same): a
    currency is not changed by an 860, a person checks it. One restating the order's own changes nothing, and
    is not named (Home Depot restates CUR*BY*USD on every 860)."""
    sent = header.get("currency_sent")
    own = (order.get("currency") or "").strip().upper()
    if not sent or sent == own:
        return result
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries CUR {sent}; PO {order.get('po_number')} is in "
        f"{own or '(no CUR on its 850)'}: a change of currency is not applied, so it was not recorded; check it by "
        "hand.", at, "CUR02", sent, seg="CUR")])


def _terms_named(result: ChangeResult, order: Mapping, header: Mapping) -> ChangeResult:
    """``result`` with CHANGE_HEADER_NOT_APPLIED when the 860's heading ITD (CHANGE_HEADERS itd_sent) states other
    terms than the order's 850 did (ORDERS itd_sent; none: other terms): terms are not changed by an 860, a person
    checks them. One restating the order's own changes nothing, and is not named (Advance Auto Parts' 860 guide
    requires ITD on every change)."""
    sent = header.get("itd_sent")
    own = order.get("itd_sent")
    if not sent or sent == own:
        return result
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    said, had = (text.replace(ELEMENTS_SEP, "*") if text else "" for text in (sent, own))
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries ITD {said}; PO {order.get('po_number')}'s terms are "
        f"{'ITD ' + had if had else '(no ITD on its 850)'}: a change of terms is not applied, so it was not recorded; "
        "check it by hand.", at, "ITD01", said, seg="ITD")])


def _routing_named(result: ChangeResult, order: Mapping, header: Mapping) -> ChangeResult:
    """``result`` with CHANGE_HEADER_NOT_APPLIED when the 860's heading TD5 or FOB (CHANGE_HEADERS td5_sent,
    fob_sent: the first of each) is not the order's 850's (ORDERS td5_sent, fob_sent; none: another): routing and
    FOB terms are not changed by an 860, a person checks them. One restating the order's own changes nothing, and is
    not named (a replace, BCH01 05, restates the whole PO: Nordstrom's; it used to be named on every such 860, as
    CHANGE_HEADER_NOT_APPLIED "carries TD5", for a person to check a carrier that had not changed)."""
    differ = [(seg, sent, own) for seg, sent, own in (
        (seg, header.get(name), order.get(name)) for seg, name in (("TD5", "td5_sent"), ("FOB", "fob_sent")))
        if sent and sent != own]
    if not differ:
        return result
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    named = "; ".join(
        f"{seg} {sent.replace(ELEMENTS_SEP, '*')} (PO {order.get('po_number')}'s: "
        f"{seg + ' ' + own.replace(ELEMENTS_SEP, '*') if own else f'no {seg} on its 850'})"
        for seg, sent, own in differ)
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries {named}: a change of routing or FOB terms is not "
        "applied, so it was not recorded; check it by hand.", at, f"{differ[0][0]}01",
        " ".join(seg for seg, _sent, _own in differ), seg=differ[0][0])])  # (the segments, as rules.set_checks names)


def _units_read(result: ChangeResult, pocs: list[dict]) -> ChangeResult:
    """``result`` with UNIT_CASE_CONVERTED for each POC whose POC05 was a unit code in small letters (the parser's
    ``unit_sent``: "ea" read as EA, schemas.units.capital_units), as intake tells an 850's PO103: the POC applied in
    the code, never refused for its letter case."""
    read = [poc for poc in pocs if poc.get("unit_sent")]
    result = replace(result, findings=[*result.findings, *(_finding(
        "UNIT_CASE_CONVERTED", f"POC05 {poc['unit_sent']!r} is no unit code as sent (X12's unit codes, element 355, "
        f"are capitals): read as {poc['unit']}; our answers state {poc['unit']}.", poc, "POC05", poc["unit_sent"])
        for poc in read)]) if read else result
    # likewise CODE_CASE_CONVERTED for each POC07 price basis and POC08, POC10 ... qualifier in small letters (hp: HP)
    told = [poc for poc in pocs if poc.get("codes_case_sent")]
    return replace(result, findings=[*result.findings, *(_finding(
        "CODE_CASE_CONVERTED", code_case_text(poc["codes_case_sent"]), poc, poc["codes_case_sent"].split(" ", 1)[0],
        poc["codes_case_sent"].split("; ")[0].split(" ", 1)[1]) for poc in told)]) if told else result


def _heading_codes_read(result: ChangeResult, header: Mapping) -> ChangeResult:
    """``result`` with CODE_CASE_CONVERTED, at the heading's N1, when the 860's heading sent codes in small letters
    read as their capitals (CHANGE_HEADERS codes_case_sent: "N101 st", as the 850's ORDERS codes_case_sent is told
    by rules.business.places): the new ship-to applied, the parties compared, never dropped for their letter case."""
    told = header.get("codes_case_sent")
    if not told:
        return result
    first = told.split("; ")[0].split(" ", 1)
    return replace(result, findings=[*result.findings, _finding(
        "CODE_CASE_CONVERTED", code_case_text(told), header, first[0], first[1], seg=first[0][:-2])])


def _refs_named(result: ChangeResult, order: Mapping, header: Mapping) -> ChangeResult:
    """``result`` with CHANGE_HEADER_NOT_APPLIED when a heading REF of the 860 (CHANGE_HEADERS refs_sent) states
    another value of a reference the order keeps (ORDER_REFS: REF DP department, IA vendor number, PD promotion
    ...; the order's from its 850) than the order's: an 860 does not change the order's references (which its 855,
    856 and 810 carry back), a person checks it. One restating the order's changes nothing, and is not named
    (Target's 860 restates REF*DP on every change); one the order has none of is not compared. It used to be
    answered 865 AK with no word: a PO moved to another department, our 856 and 810 naming the old one."""
    differ, seen = [], set()
    moved = _blanket_refs_of(order)  # a release's contract and agreement: applied (_blanket_refs_moved), not named
    for ref in header.get("refs_sent") or ():
        q, sent = ref.get("qualifier"), (ref.get("id") or "").strip()
        if q in seen or q in moved:  # the first REF of each qualifier, as the 850 reads its column
            continue
        seen.add(q)
        own = (order.get(ORDER_REFS[q]) or "").strip() if q in ORDER_REFS else ""
        if own and sent and sent != own:
            differ.append((q, sent, own))
    if not differ:
        return result
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    named = "; ".join(f"REF {q} {sent} (PO {order.get('po_number')}'s: REF {q} {own})" for q, sent, own in differ)
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries {named}: an 860 does not change the order's "
        "references, so it was not recorded; check it by hand.", at, "REF02",
        " ".join(q for q, _sent, _own in differ), seg="REF")])


def _refs_added(result: ChangeResult, order: Mapping, header: Mapping, echoed: Collection[str]
                ) -> tuple[ChangeResult, dict[str, object]]:
    """``result`` and the ORDERS columns of the heading REFs of the 860 (CHANGE_HEADERS refs_sent, the first of each
    qualifier with a REF02, and ref_descriptions, their REF03s and the REFs stated by REF03 alone) of a qualifier the
    order has none of (its 850 sent none: order_ref_elements). One the
    partner's 855, 856 or 810 carries back (``echoed``: the union of the profile's order_refs) is kept with the order:
    its ORDER_REFS column, if it has one, and refs_sent (the new REF after the 850's), with its REF03 in
    ref_descriptions (as the 850's: REF*DP*084*HOUSEWARES, REF*JB**SPRING RESET), so the documents still to write
    carry it as they would the 850's (order_ref_descriptions), and CHANGE_HEADER_APPLIED names it (heading_finding);
    any other is named CHANGE_HEADER_NOT_APPLIED, for
    a person to see it. A REF changing one the order has is _refs_named's. They used to be neither applied nor told:
    a new promotion (REF*PD) or department (REF*DP) the 856 and 810 never carried; then kept without their REF03."""
    had = {e[0] for e in order_ref_elements(order)}
    echoed = {*echoed, *_blanket_refs_of(order)}  # a release's new contract or agreement names its blanket: kept
    texts = {r["qualifier"]: r["description"] for r in header.get("ref_descriptions") or ()
             if r.get("qualifier") and r.get("description")}
    new, seen = [], set()
    for ref in header.get("refs_sent") or ():
        q, sent = ref.get("qualifier"), (ref.get("id") or "").strip()
        if not q or q in seen or not sent:
            continue
        seen.add(q)
        if q not in had:
            new.append((q, sent))
    new += [(q, "") for q in texts if q not in seen and q not in had]  # stated by REF03 alone
    kept = [(q, sent) for q, sent in new if q in echoed]
    added: dict[str, object] = {ORDER_REFS[q]: sent for q, sent in kept if q in ORDER_REFS and sent}
    if any(sent for _q, sent in kept):
        added["refs_sent"] = [*(order.get("refs_sent") or ()), *({"qualifier": q, "id": sent} for q, sent in kept
                                                                 if sent)]
    if any(q in texts for q, _sent in kept):
        added["ref_descriptions"] = [*(order.get("ref_descriptions") or ()), *(
            {"qualifier": q, "description": texts[q]} for q, _sent in kept if q in texts)]
    told = [(q, sent) for q, sent in new if q not in echoed]
    if not told:
        return result, added
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    named = "; ".join(" ".join(v for v in ("REF", q, sent, texts.get(q)) if v) for q, sent in told)
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries {named}, a reference PO {order.get('po_number')}'s "
        "850 did not send and our 855, 856 and 810 do not carry back (the partner's order_refs): it was not "
        "recorded; check it by hand.", at, "REF01", " ".join(q for q, _sent in told), seg="REF")]), added


# the heading references by which a release (BEG02 RL) names the blanket it calls off when its BEG03 is its own PO
# number (engine.blankets.called_off: an ERP's release order, SAP S/4HANA's): REF*CT contract, REF*AH agreement
BLANKET_REFS = {"CT": "contract_number", "AH": "agreement_number"}
_RELEASE = "RL"  # BEG02 Release or Delivery Order (engine.blankets.RELEASE)


def _blanket_refs_of(order: Mapping) -> dict[str, str]:
    """BLANKET_REFS when ``order`` (an ORDERS row) is a release, else none: an 860 changes a release's contract or
    agreement (_blanket_refs_moved), not another order's (_refs_named: a person checks it)."""
    return BLANKET_REFS if (order.get("order_type") or "").strip() == _RELEASE else {}


def _blanket_refs_moved(order: Mapping, header: Mapping) -> dict[str, str]:
    """The ORDERS columns of a release's contract and agreement (REF*CT, REF*AH) the 860's heading changes: the first
    REF of each qualifier with a REF02 (as the 850's column is read) other than the release's own, trimmed. The
    buyer moved the release to another blanket agreement (an ERP's release order names its outline agreement so):
    kept with the order, it is drawn on the blanket its new number names, and found by it (StateStore.releases_naming,
    a blanket's cancellation, `status`), no longer by the old one's. A REF adding one the release had none of is
    _refs_added's (the same column). It used to be CHANGE_HEADER_NOT_APPLIED for a person to check, the release
    still found by the old number: a cancellation of the blanket it had left held it, one of its new blanket did not."""
    moved, seen = {}, set()
    for q, column in _blanket_refs_of(order).items():
        for ref in header.get("refs_sent") or ():
            if ref.get("qualifier") != q or q in seen:
                continue
            seen.add(q)
            sent, own = (ref.get("id") or "").strip(), (order.get(column) or "").strip()
            if sent and own and sent != own:
                moved[column] = sent
    return moved


def refs_said(order: Mapping, changed: Mapping) -> list[str]:
    """'REF PD (none) -> SPRING26' for each heading reference ``changed`` (ORDERS columns: _refs_added) adds to
    ``order``, in the order the 860 sent them, with its REF03 where it sent one ('REF DP (none) -> 084 HOUSEWARES';
    'REF JB (none) -> SPRING RESET', stated by REF03 alone)."""
    had = {e[0] for e in order_ref_elements(order)}
    texts = {r["qualifier"]: r["description"] for r in changed.get("ref_descriptions") or ()
             if r.get("qualifier") not in had}
    said = [(r["qualifier"], r["id"]) for r in changed.get("refs_sent") or () if r.get("qualifier") not in had]
    said += [(q, "") for q in texts if q not in {q for q, _id in said}]
    # and a release's contract or agreement the 860 changed (_blanket_refs_moved): 'REF CT 4600009999 -> FAS8900401'
    moved = [f"REF {q} {(order.get(c) or '').strip()} -> {changed[c]}" for q, c in BLANKET_REFS.items()
             if c in changed and (order.get(c) or "").strip() and changed[c] != (order.get(c) or "").strip()]
    return [f"REF {q} (none) -> " + " ".join(v for v in (sent, texts.get(q)) if v) for q, sent in said] + moved


def _parties_named(result: ChangeResult, order: Mapping, header: Mapping) -> ChangeResult:
    """``result`` with CHANGE_HEADER_NOT_APPLIED when an N1 BT / BY / Z7 loop of the 860's heading (CHANGE_HEADERS
    parties_sent) is not the order's own party (ORDERS bill_to, buyer, mark_for): an 860 does not change them, a
    person checks it. As heading_changes reads a ship-to: a party sent with an id (N104) is another party when its
    id (or N103) is not the order's; one sent by name and address alone (or with an id the order's has not) when
    one of them is not (case and spaces aside); a party the order has none of is another. One restating the
    order's own changes nothing, and is not named (Hudson's Bay repeats its N1*BY on every 860)."""
    differ = [p for p in header.get("parties_sent") or [] if not _same_party(p, order, KEPT_PARTIES[p["qualifier"]])]
    if not differ:
        return result

    def said(p: Mapping, prefix: str = "") -> str:
        return " ".join(str(p[f"{prefix}{n}"]) for n in ("id", "name") if p.get(f"{prefix}{n}")) or "(none)"

    named = "; ".join(
        f"N1 {p['qualifier']} {said(p)} (the order's {KEPT_PARTIES[p['qualifier']].replace('_', '-')}: "
        f"{said(order, KEPT_PARTIES[p['qualifier']] + '_')})" for p in differ)
    first = differ[0]
    at = dict(header, segment_position=first["segment_position"],
              file_segment=(header.get("st_file_segment") or 0) + (first["segment_position"] or 1) - 1)
    return replace(result, findings=[*result.findings, _finding(
        "CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries {named}: an 860 does not change the order's "
        "parties, so it was not recorded; check it by hand.", at, "N101",
        " ".join(dict.fromkeys(p["qualifier"] for p in differ)), seg="N1")])


def _same_party(sent: Mapping, order: Mapping, prefix: str) -> bool:
    """The party ``sent`` (a parties_sent row) is the order's ``prefix`` party (heading_changes' reading)."""
    def norm(value) -> str:
        return " ".join(str(value or "").split()).casefold()

    if sent.get("id") and order.get(f"{prefix}_id"):
        return (norm(sent.get("id_qualifier")), norm(sent["id"])) == (
            norm(order.get(f"{prefix}_id_qualifier")), norm(order.get(f"{prefix}_id")))
    # by name and address (an id on one side only: the 850 named the party without it, or the 860 does)
    named = [n for n in PARTY_FIELDS if n not in ("id_qualifier", "id") and sent.get(n) is not None]
    return bool(named) and any(order.get(f"{prefix}_{n}") for n in PARTY_FIELDS) and all(
        norm(sent[n]) == norm(order.get(f"{prefix}_{n}")) for n in named)


def _cancel_unshipped(order: Mapping, stored: list[dict], pocs: list[dict], header: Mapping,
                      progress: Progress) -> ChangeResult:
    """BCH01 01 or 17 for an order that shipped: only what did not ship is cancelled. A line with
    shipped units stays on the order at its shipped quantity (invoiced or still to invoice), the rest
    of it and every line that shipped nothing are cancelled; one CHANGE_BELOW_SHIPPED names the kept
    lines. The POCs sent are answered per line: ID (gone), IQ (cut to what shipped, ACK02) or IR
    (it had shipped in full: nothing left to cancel)."""
    kept, findings = [], []
    if not pocs:  # a cancel without POC lines: each line is answered as if deleted (what happened to it)
        pocs = [{"line_id": r.get("line_id") or str(r["line_number"]), "change_type": "DI", "unit": r.get("unit"),
                 "poc_number": k} for k, r in enumerate(stored, 1)]
    for line in stored:
        done = progress.shipped(line["line_number"])
        if done > 0:
            kept.append(dict(line, quantity=done))
    results = []
    by_number = {r["line_number"]: r for r in kept}
    index = _LineIndex(stored)
    for poc in pocs:
        hit = _find_poc(stored, poc, index)
        if hit is None:
            results.append(LineResult(poc, DELETED, None, Decimal(0), poc.get("unit")))
            continue
        now = by_number.get(hit["line_number"])
        if now is None:
            results.append(LineResult(poc, DELETED, hit["line_number"], Decimal(0), hit.get("unit")))
        else:
            cut = progress.unshipped(hit["line_number"]) > 0
            results.append(LineResult(poc, QUANTITY_CHANGED if cut else REJECTED, hit["line_number"],
                                      now["quantity"], hit.get("unit"), code="CHANGE_BELOW_SHIPPED"))
    if kept:
        said = ", ".join(f"{r.get('line_id') or r['line_number']} ({_n(r['quantity'])} shipped)" for r in kept)
        at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
        findings.append(_finding(
            "CHANGE_BELOW_SHIPPED", f"BCH01 {header.get('purpose')} cancels PO {order.get('po_number')}, which "
            f"is {progress.state}: only what had not shipped was cancelled; line(s) {said} stay on the order "
            "and are invoiced as shipped. Returns or credits are settled with the buyer.", at, "BCH01",
            header.get("purpose"), seg="BCH"))
    result = _result(stored, kept, results, findings, cancelled=not kept)
    return replace(result, partial=bool(kept), settled_line_numbers=frozenset(
        r["line_number"] for r in kept if progress.unshipped(r["line_number"]) > 0))


def _n(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def change_fingerprint(header: Mapping, changes: pa.Table) -> tuple:
    """What an 860 asks, to know a 06/07 repeat of one applied before: BCH03, BCH04, BCH05, the heading's
    dates and ship-to, and each POC's line, type, quantities, unit, price, basis (and the CTP multiplier sent),
    product ids, description and PIDs as sent, its own dates (DTM 001/063/064/010 under the POC: a corrected cancel or
    ship date resent as a 06/07 is a change, not a repeat; they used to be left out, and the new dates were dropped),
    its PO4 pack, its SDQ store split, its prepack components (SLN I), its CTPs, its exempting TXIs and its N1*Z7
    mark-for, in order. Not BCH01 (a duplicate's 07 is the original's 04) nor the envelope or dates sent. Every POC
    column engine.changes applies is here: one left out makes a repeat that differs only in it read as the same
    change, and what it changes silently dropped. (The 860's SACs
    are not: they are kept apart, CHANGE_SACS, and the reconciliation applies those of every change answered, a
    repeat's too.)"""
    pocs = sorted((r for r in changes.to_pylist() if r.get("change_ref") == header.get("change_ref")),
                  key=lambda r: r["poc_number"])
    keep = ("line_id", "change_type", "quantity_ordered", "quantity_left_to_receive", "unit", "unit_price",
            "price_basis", "quantity_sent", "quantity_left_sent", "price_sent", "price_multiplier_sent",
            "description", *LINE_DEADLINES, LINE_SHIP_DATE, LINE_DELIVERY_DATE, *LINE_WIDE_DATES.values(),
            *RANGE_ENDS.values(),
            *_PO4_COLUMNS,
            "tax_exempt_sent", *_MARK_FOR, *LINE_SHIP_TO_COLUMNS)
    return (header.get("po_number"), header.get("release_number"), header.get("change_order_ref"),
            tuple(header.get(n) for n in (*HEADER_DATES.values(), *RANGE_ENDS.values(), *SHIP_TO_SENT)),
            tuple((*(p.get(k) for k in keep), tuple((i["qualifier"], i["id"]) for i in p.get("product_ids") or []),
                   tuple((i["characteristic"], i["description"], i.get("language")) for i in p.get("pids_sent") or []),
                   _split(p.get("store_quantities")), _split(p.get("line_prices")),
                   _components(p.get("prepack_components")), _split(p.get("line_refs"))) for p in pocs))


def _components(components: list | None) -> tuple | None:
    """A POC loop's prepack components (SLN I sublines) as a comparable value (None: none sent, the line keeps its
    own)."""
    return None if components is None else tuple(
        (c.get("subline"), c.get("quantity"), c.get("unit"), c.get("unit_price"), c.get("price_basis"),
         tuple((i.get("qualifier"), i.get("id")) for i in c.get("product_ids") or ())) for c in components)


def _split(stores: list | None) -> tuple | None:
    """An SDQ store split (or a POC loop's CTPs: line_prices) as a comparable value (None: none sent, the line keeps
    its own)."""
    return None if stores is None else tuple(tuple(sorted(s.items())) for s in stores)


def heading_changes(order: Mapping, header: Mapping) -> dict[str, object]:
    """The ORDERS columns the 860's heading changes: each DTM date it sends that differs from the order's,
    and the whole ship-to party (every N1 ST column, as sent, with its N2s and PER: SHIP_TO_SENT) when it names
    another party: another N104 (or N103), or, sent without an id, another name or address. The same id restated
    changes nothing. Its heading CSH01 (CHANGE_HEADERS sales_requirement) other than the order's is the order's new
    sales requirement."""
    out: dict[str, object] = {n: header[n] for n in HEADER_DATES.values()
                              if header.get(n) is not None and header[n] != order.get(n)}
    # the DTM 010 / 002 it sends replaces the order's whole: a range's last day (schemas.orders.RANGE_ENDS) with it, or
    # none for a single day (the order's range ended). A single DTM 010 with no window of its own leaves the window the
    # 850's range gave, and so the range's end that names it (schemas.orders.window_named)
    for q, end in RANGE_ENDS.items():
        if header.get(HEADER_DATES[q]) is None:
            continue
        if q == "010" and header.get(end) is None and all(header.get(side) is None for side in SHIP_RANGE_SIDES):
            # the window and its range stay, and so does the range's first day naming the opening (RANGE_START)
            if (start := start_kept(range_start(order), {**order, **out})) != order.get(RANGE_START):
                out[RANGE_START] = start
            continue
        if q == "010" and order.get(RANGE_START) is not None:
            out[RANGE_START] = None  # the DTM 010 sent is the range's first day (a single day: no range)
        if header.get(end) != order.get(end):
            out[end] = header.get(end)
    # its heading CSH01: the order's sales requirement (ORDERS sales_requirement), as an 850's heading CSH01 sets it.
    # It used to be named CHANGE_HEADER_NOT_APPLIED only: a PO changed to CSH*N kept its back orders, one changed to
    # CSH*SC was not held to ship complete
    if (csh := header.get("sales_requirement")) is not None and csh != (order.get("sales_requirement") or None):
        out["sales_requirement"] = csh
    sent = {n: header.get(n) for n in SHIP_TO_FIELDS}
    if sent["ship_to_id"]:  # a party named by its id: another id (or id qualifier) is another party
        moved = (sent["ship_to_id_qualifier"], sent["ship_to_id"]) != (order.get("ship_to_id_qualifier"),
                                                                       order.get("ship_to_id"))
    else:  # by name and address only
        moved = any(v is not None and v != order.get(n) for n, v in sent.items())
    if moved:  # the new party whole: its N2s and PER too (none sent: the old party's are not the new one's)
        out.update({n: header.get(n) for n in SHIP_TO_SENT})
    return out


def dates_said(order: Mapping, changed: Mapping, *, by_lines: frozenset[str] = frozenset(),
               names: Mapping[str, str] | None = None) -> list[str]:
    """'DTM 001 2026-12-10 -> 2026-12-20' for each heading date ``changed`` moved from ``order``'s, in DTM01 order
    ('DTM 001 (cancel after) ...' with ``names``: column -> what it is), each as the buyer sent it: a ship window
    side that came from a DTM 010 range (schemas.orders.window_named) is said by that range, 'DTM 010 range end
    2026-12-30 -> 2027-01-05' (the range's first day is the DTM 010's), never as a 037 / 038 it did not send; the
    end of a DTM 002 range likewise. ``by_lines``: the dates every POC loop sent (poc_window)."""
    new = {**order, **changed}
    said = []
    for q, n in HEADER_DATES.items():
        end = RANGE_ENDS.get(q)
        said_by = RANGE_ENDS["010"] if n == "ship_no_later" else "requested_ship_date"  # says a side from the range
        sent, what = window_named(n, q, (names or {}).get(n, ""), new)
        if n in changed and not (sent != q and said_by in changed):
            label = f"DTM {sent}" + (f" ({what})" if names or sent != q else "")
            said.append(f"{label} {order.get(n) or '(none)'} -> {changed[n]}"
                        + (" (in every POC loop)" if n in by_lines else ""))
        if end is not None and end in changed:
            said.append(f"DTM {q} range end {order.get(end) or '(none)'} -> {changed[end] or '(none)'}")
    return said


def heading_finding(order: Mapping, header: Mapping, changed: Mapping, by_lines: frozenset[str] = frozenset(),
                    beg03_blanket: str = "", shipped: bool = False) -> Finding:
    """CHANGE_HEADER_APPLIED naming old and new values; ``by_lines``: the dates every POC loop sent (poc_window);
    ``beg03_blanket``: the blanket we hold under the release's own BEG03 ("" none), which it still calls off whatever
    contract or agreement the 860 gives it (engine.blankets.called_off reads BEG03 first); ``shipped``: the order
    shipped (in part or whole): a release moved so is not decided again, and the finding says so."""
    said = dates_said(order, changed, by_lines=by_lines)
    if "ship_to_id" in changed:
        def party(row: Mapping, street: bool = False) -> str:  # ``street``: its N301 and N403 too
            named = ("ship_to_id", "ship_to_name", *(("ship_to_address1",) * street), "ship_to_city",
                     *(("ship_to_postal_code",) * street))
            return " ".join(str(row.get(n)) for n in named if row.get(n)) or "(none)"
        # a consumer's address corrected (a drop ship: no id, the same name and city) is told by its street (it
        # used to read "JANE DOE AUSTIN -> JANE DOE AUSTIN")
        street = party(order) == party(changed)
        said.append(f"ship-to {party(order, street)} -> {party(changed, street)}")
    if "sales_requirement" in changed:
        said.append(f"CSH01 {order.get('sales_requirement') or '(none)'} -> {changed['sales_requirement']}")
    said += refs_said(order, changed)
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    # (an answered order whose last dates or references alone changed is not decided again: engine.lifecycle.changes)
    then = " ".join(([] if changed.keys() <= REF_CHANGES else [
        "Its backorders follow the new dates: offered stock while they have not passed, cancelled once they have."])
        + (["Its new references are kept for its 855, 856 and 810."] if changed.keys() & REF_CHANGES else [])
        ) if changed.keys() <= DEADLINE_CHANGES | REF_CHANGES else "The order was decided again with them."
    if changed.keys() & set(_blanket_refs_of(order).values()) and beg03_blanket:  # its BEG03 still decides
        then += (f" The release still calls off blanket {beg03_blanket}, the one its BEG03 names (a release calls off"
                 " the blanket of its BEG03 before one its contract or agreement names): that blanket's drawdown and"
                 " cancellation still count it, the contract or agreement is kept as a reference, and it is not"
                 " decided again.")
    elif changed.keys() & set(_blanket_refs_of(order).values()) and shipped:  # (not decided again after shipment)
        then += (" The release calls off the blanket its contract or agreement names now: that blanket's cancellation"
                 " holds it, the one it named before no longer does, and that blanket's drawdown counts it. It has"
                 " shipped, so it is not decided again: what shipped stays on the blanket it shipped against, and"
                 " what is left to ship is held against what the new blanket still holds (past it, the release is"
                 " held for a person: RELEASE_BALANCE_PAST_BLANKET).")
    elif changed.keys() & set(_blanket_refs_of(order).values()):  # a release moved to another blanket agreement
        then += (" The release calls off the blanket its contract or agreement names now: that blanket's cancellation"
                 " holds it, the one it named before no longer does, and it is decided again as that blanket's"
                 " release (its quantities, items and date held against it).")
    return _finding("CHANGE_HEADER_APPLIED", f"The 860's heading changed PO {order.get('po_number')}: "
                    f"{'; '.join(said)}. {then}", at, "BCH03", " ".join(sorted(changed)), seg="BCH")


class _Editor:
    """The POC-by-POC edit of one order's lines (a working copy of rows, keyed by line number)."""

    def __init__(self, order: Mapping, stored: list[dict], progress: Progress | None = None,
                 same_case: Mapping[int, frozenset[str]] | None = None,
                 unit_eaches: UnitEaches | None = None, on_880: On880 | None = None,
                 item_of: ItemOf | None = None) -> None:
        self.order = order
        self.item_of = item_of
        self.on_880 = on_880
        self.same_case = same_case or {}
        self.unit_eaches = unit_eaches
        self.stored = stored
        self.progress = progress
        self.settled: set[int] = set()  # lines cut to what they shipped
        self.trimmed: set[int] = set()  # lines a decrease brings to the buyer's quantity, below our promise
        self.lines: dict[int, dict] = {r["line_number"]: dict(r) for r in stored}
        self.next_number = max(self.lines, default=0) + 1
        self.findings: list[Finding] = []
        self.results: list[LineResult] = []
        self._naming: tuple[Mapping, Mapping] | None = None  # (the POC being applied, its line): _items
        self._named: tuple[str | None, str | None] | None = None  # what item_of said of them, once asked
        self._index: _LineIndex | None = None  # self.lines indexed for the POCs' look-ups (_lines_index)

    def _lines_index(self) -> _LineIndex:
        """self.lines (in their order) indexed by POC01; built again after a line was added or dropped."""
        if self._index is None:
            self._index = _LineIndex(list(self.lines.values()))
        return self._index

    def run(self, pocs: list[dict], *, restated: bool = False) -> ChangeResult:
        """Each POC applied in turn. POC02 RZ (replace all values) restates the line it names (code list 670
        describes the change to that line item); an 860 that replaces the PO (BCH01 05 "Replace", ``restated``: the
        original PO is replaced by the 860's line items) cancels the lines it leaves out whatever POC02 codes its
        lines carry (RZ, NC, CA, PC, QD...: CHANGE_REPLACE_DROPPED_LINES, each answered ID), unless it sends no POC
        at all (a heading alone restated: the lines stand). It used to drop them only when a line came as RZ: a
        replace restating its lines as NC/PC kept lines the buyer no longer ordered, their stock reserved. An RZ
        under a 04 change leaves the other lines as they were: reading it as "drop the rest" lost the lines of every
        translator that restates one line with RZ."""
        replace_all = restated and bool(pocs)
        mentioned: set[int] = set()
        for poc in pocs:
            index = self._lines_index()
            hit = _find_poc(index.lines, poc, index)
            if hit is not None:
                mentioned.add(hit["line_number"])
            was = hit.get("quantity") if hit is not None else None
            result = self._apply(poc, hit)
            if result.line_number is not None:
                mentioned.add(result.line_number)
                if result.status != REJECTED and result.line_number in self.lines:
                    _take_dates(poc, self.lines[result.line_number], ship=self.progress is None)
                    if self.progress is not None and any(poc.get(c) is not None for c in LINE_DECIDING_DATES):
                        self._ship_date_not_applied(poc, self.lines[result.line_number])
                    self._take_stores(poc, self.lines[result.line_number], was if hit is not None else None)
                    if poc.get("line_prices"):  # the POC loop's CTPs replace the line's (an 810 may echo them)
                        self.lines[result.line_number]["line_prices"] = poc["line_prices"]
                    if poc.get("tax_exempt_sent"):  # the POC loop's exempting TXIs: the taxes an 810 leaves off
                        self.lines[result.line_number]["tax_exempt_sent"] = poc["tax_exempt_sent"]
                    if poc.get("sales_requirement"):  # the POC loop's CSH01 / IT801: the line's back-order rule
                        self.lines[result.line_number]["sales_requirement"] = poc["sales_requirement"]
                    if poc.get("prepack_components"):  # the POC loop's SLN I sublines: the pack's new contents
                        self.lines[result.line_number]["prepack_components"] = poc["prepack_components"]
                    if any(poc.get(c) for c in _MARK_FOR):  # the POC loop's N1*Z7: whom the line's goods are for
                        self.lines[result.line_number].update({c: poc.get(c) for c in _MARK_FOR})
                    if any(poc.get(c) for c in _SHIP_TO_PARTY):  # the POC loop's N1*ST: where the line's goods go
                        self._take_ship_to(poc, self.lines[result.line_number])
                    if poc.get("line_refs"):  # the POC loop's REFs: the line's own references, as an 850's
                        self.lines[result.line_number]["line_refs"] = poc["line_refs"]
                    if hit is not None:  # the POC loop's PO4: the line's new pack (an added line took it whole)
                        self._take_pack(poc, self.lines[result.line_number])
            self.results.append(result)
        if replace_all:
            self._drop_unmentioned(pocs[0], mentioned)
        final = [self.lines[k] for k in sorted(self.lines)]
        result = _result(self.stored, final, self.results, self.findings, cancelled=False)
        if self.trimmed:
            result = replace(result, trimmed_line_numbers=frozenset(self.trimmed))
        return replace(result, settled_line_numbers=frozenset(self.settled)) if self.settled else result

    # --- one POC ----------------------------------------------------------------------------------
    def _apply(self, poc: dict, hit: dict | None) -> LineResult:
        ct = poc.get("change_type")
        self._naming, self._named = (poc, hit) if hit is not None else None, None
        if ct not in SUPPORTED_TYPES:
            why = REFUSED_TYPES.get(ct or "", "no code of X12's list 670 (change or response type)")
            return self._reject(
                poc,
                hit,
                "CHANGE_TYPE_UNSUPPORTED",
                f"POC02 {ct!r} is not a change type we apply ({why}); the line stays as it was.",
                "POC02",
                ct,
            )
        rounded = self._rounded(poc, hit)
        if rounded:
            return rounded
        if ct == "AI" or (ct == "RZ" and hit is None):
            if self.progress is not None and self.progress.complete and hit is None:
                return self._after_shipment(poc, None, "no line is added to an order that is "
                                            f"{self.progress.state}; the buyer sends a new PO for it")
            # an order still open (shipped in part or whole, or invoiced): the new line is decided by the
            # rules and allocated as an 850's is (engine.lifecycle.changes, decisions)
            return self._add(poc, hit)
        if hit is None:
            why = (
                self._unnamed(poc)
                if not poc.get("line_id")
                else f"PO {self.order['po_number']} has no line {poc.get('line_id')!r}"
            )
            return self._reject(
                poc,
                None,
                "CHANGE_LINE_UNKNOWN",
                f"{why}; the {ct} change was not applied.",
                "POC01",
                poc.get("line_id"),
            )
        if ct in DELETE_TYPES:
            if self.progress is not None and self.progress.shipped(hit["line_number"]) > 0:
                return self._keep_shipped(poc, hit, Decimal(0))
            return self._delete(poc, hit)
        if ct == "NC" or ct in CHARGE_TYPES:  # CE: its loop's SACs are the change (finance_inputs.with_changes)
            return self._done(poc, hit, ACCEPTED)
        left = self._left_only(poc, hit)
        if left:
            return left
        quantity, price = poc.get("quantity_ordered"), poc.get("unit_price")
        if (ct in QUANTITY_TYPES or ct == "RZ") and quantity is None or (
            ct in ("PQ", "MU") and quantity is None and price is None
        ):
            left = poc.get("quantity_left_to_receive")
            also = "" if left is None else (
                f" POC04 {_n(left)} is the balance left to receive before the change (X12), which the line as it "
                "stands explains, not a new quantity: confirm the new total quantity with the buyer (an 860 with "
                "POC03).")
            return self._reject(
                poc, hit, "CHANGE_QUANTITY_INVALID", f"POC03 is empty on a {ct} change.{also}", "POC03", None
            )
        if ct in REPLACEMENT_TYPES and not poc.get("product_ids"):
            return self._reject(
                poc, hit, "CHANGE_PRODUCT_MISSING", f"POC02 {ct} replaces the line's item, but the POC names no item "
                "(POC08/POC09): the line stays as it was.", "POC08", None)
        if ct in PRICE_TYPES and price is None:
            return self._reject(
                poc, hit, "CHANGE_PRICE_INVALID", "POC06 is empty on a price change.", "POC06", None
            )
        new_quantity = quantity if ct in QUANTITY_TYPES | EITHER_TYPES else None
        new_price = price if ct in PRICE_TYPES | EITHER_TYPES else None
        converted = self._converted(poc, hit, new_quantity)
        problem = self._check_quantity(poc, hit, new_quantity, converted) or self._check_price(poc, hit, new_price)
        if problem:
            return problem
        if isinstance(converted, _Converted):  # POC05 in another unit: the line keeps its own, POC03 converted
            new_quantity = converted.quantity
        per_one = _per_one_of_weight(poc, hit, new_price)
        if isinstance(per_one, str):
            return self._reject(poc, hit, "CHANGE_PRICE_INVALID", per_one, "POC06", new_price)
        new_price = per_one
        priced = None  # a price alone sent per another unit than the line's, restated per the line's: answered in it
        if not (isinstance(converted, _Converted) and converted.weight is not None):
            in_line, priced = self._price_in_line_unit(poc, hit, new_price)
            if isinstance(in_line, str):
                return self._reject(poc, hit, "CHANGE_PRICE_INVALID", in_line, "POC06", new_price)
            new_price = in_line
            if isinstance(converted, _Converted) or new_quantity is not None or poc.get("price_unit"):
                priced = None  # (a quantity sent is answered as its own conversion says)
        if self.progress is not None and self.progress.shipped(hit["line_number"]) > 0 and \
                self._moves_unit(poc, hit, new_quantity, converted):
            # its shipped (and invoiced) units are counted in the line's unit: 2 CA against 6 EA shipped is no
            # quantity, and a price per CA is none of the units billed per EA (it used to be kept in EA at the new
            # price per CA, or moved to CA at the old price per EA)
            return self._after_shipment(poc, hit, f"line {hit.get('line_id') or hit['line_number']} shipped "
                                        f"{_n(self.progress.shipped(hit['line_number']))} {hit.get('unit') or ''}"
                                        f"; its unit is not changed to {poc.get('unit')}".replace(" ;", ";"))
        replaced = self._replaces_item(poc, hit, new_price)  # another item, no price: the old one's is not its
        moved_price = None if replaced else self._moved_price(poc, hit, new_quantity, new_price, converted)
        if isinstance(moved_price, str):
            return self._reject(poc, hit, "CHANGE_UNIT_MISMATCH", moved_price, "POC05", poc.get("unit"))
        restated = moved_price is not None  # the line's price restated per the unit the POC moves it to
        if restated:
            new_price = moved_price
        refused = self._not_on_880(poc, hit, new_quantity, new_price, converted)
        if refused:
            return refused
        kept_price = None  # a price refused on invoiced units while the POC's quantity is applied
        if self.progress is not None:
            kept_price = self._price_invoiced(hit, new_quantity, new_price)
            problem = self._check_progress(poc, hit, new_quantity, None if kept_price is not None else new_price)
            if problem:
                return problem
            if kept_price is not None:
                self._keep_invoiced_price(poc, hit, kept_price)
                new_price = None
            done = self.progress.shipped(hit["line_number"])
            if new_quantity is not None and new_quantity < done:
                sent = poc.get("price_sent") if new_price == poc.get("unit_price") else None
                if new_price is not None and exact_price(new_price, sent) != exact_price(hit.get("unit_price"),
                                                                                      hit.get("price_sent")):
                    hit["unit_price"] = new_price
                    hit["price_sent"] = sent  # as below
                    hit["price_basis"] = poc.get("price_basis") or hit.get("price_basis")
                return _in_buyers_unit(self._keep_shipped(poc, hit, new_quantity), converted)
        before = dict(hit)
        self._take_weight(poc, hit, converted, new_quantity)
        trim = new_quantity is not None and new_quantity == hit.get("quantity") and \
            new_quantity < self._promised(hit)  # the buyer's own quantity, below what we acknowledged
        if new_quantity is not None:
            hit["quantity"] = new_quantity
            hit["quantity_sent"] = None  # the 850's PO102 past 4 decimals, if it was, is replaced by an exact one
            if not self._same_case(poc.get("unit"), hit) and not isinstance(converted, _Converted):
                hit["unit"] = poc.get("unit") or hit.get("unit")  # (CS for a line in CA: the line keeps its unit)
                hit["unit_sent"] = None  # the 850's PO103 in small letters, if it was, is the POC's unit now
        if new_price is not None:
            hit["unit_price"] = new_price
            # the 850's PO104 past 4 decimals replaced by the POC's price: 4 decimals or fewer, or its exact
            # price of up to PRICE_PLACES (0.004185) as sent beside its 4-decimal reading (schemas.orders)
            hit["price_sent"] = poc.get("price_sent") if new_price == poc.get("unit_price") and not restated else None
            weighed_basis = self._weighed_basis(poc, before)
            if weighed_basis:  # the basis sent is the 855's echo (weight_basis_sent), ours the price per the weight
                hit["weight_basis_sent"] = poc.get("price_basis") or hit.get("weight_basis_sent")
            # a POC that moves the line to another unit (RZ in cases of a line in eaches) and sends no basis prices
            # it per that unit: the line's old basis (PE, per each) is no basis of the new unit's price (36 per CA
            # kept PE read as 36 per each, twelve times the case's price)
            moved = hit.get("unit") != before.get("unit")
            hit["price_basis"] = weighed_basis or poc.get("price_basis") or (None if moved else hit.get("price_basis"))
        if ct == "RZ" or ct in REPLACEMENT_TYPES:
            self._restate_product(poc, hit)
        if replaced:
            # the old item's price is no price of the new one: unpriced, the line is priced by the decide stage's
            # price rules as an 850 line without PO104 is (PRICE_MISSING: our price for the new item; none on file,
            # PRICE_NOT_ON_FILE holds it). It used to keep the old item's price (a 24% discount held for a person)
            hit["unit_price"] = hit["price_sent"] = hit["price_basis"] = None
        if new_quantity == 0:  # a change to zero is a deletion
            return _in_buyers_unit(self._delete(poc, hit), converted)
        # a line's own DTM 001/063/064/010/037/038 are kept (_take_dates; a window every POC sent is the order's too:
        # poc_window)
        if ct in DATE_TYPES and not _sent_dates(poc):
            self._dates_not_stored(poc, hit, quantity if new_quantity is None else None)
        status = _status(before, hit)
        if status in (ACCEPTED, PRICE_CHANGED) and hit.get("weight_ordered") != before.get("weight_ordered") and \
                hit.get("weight_ordered") is not None:  # 470 LB of a 480 LB line: still 10 cases, the weight changed
            status = CHANGED if status == PRICE_CHANGED else QUANTITY_CHANGED
        if trim:
            self.trimmed.add(hit["line_number"])
            status = CHANGED if status == PRICE_CHANGED else QUANTITY_CHANGED
        if kept_price is not None:  # accepted with changes: the quantity as asked (ACK02), the price as invoiced
            return _in_buyers_unit(LineResult(poc, CHANGED, hit["line_number"], hit.get("quantity"), hit.get("unit"),
                                              code="CHANGE_PRICE_INVOICED"), converted)
        done = self._done(poc, hit, status)
        if replaced:
            done = replace(done, unpriced=True)
        if restated:  # the 865 states the price per the new unit the line now stands at (POC06, no POC07)
            done = replace(done, price=hit.get("unit_price"))
        elif poc.get("price_unit") and new_price is not None and new_price == hit.get("unit_price"):
            in_ctp = self._in_ctp_unit(poc, hit, new_price) if new_quantity is None and converted is None else None
            if in_ctp is not None:  # no POC05: answered in the CTP05 the buyer priced it in (POC05 CA, ACK 1 CA)
                per_ctp, priced = in_ctp
                done = replace(done, price=per_ctp, price_unit=priced.unit)
            else:
                done = replace(done, price=self._echo_price(poc, hit, new_price))  # (per POC05, not the CTP's unit)
        return _in_buyers_unit(done, priced or converted)

    def _not_on_880(self, poc: dict, line: dict, quantity: Decimal | None, price: Decimal | None,
                    converted: _Converted | str | None) -> LineResult | None:
        """The POC rejected (PRICE_BASIS_NOT_ON_880, at POC03, or POC06 for a price alone) when it would leave a line
        its partner's 880 states as one it cannot state (``on_880``: 24 EA at 4.99 PD, 2 DZ, made 7 EA); a line
        it could not state before (approved so by a person) is left to that decision. A POC replacing the item by
        another of ours is judged as that item (its sku in the row: its case pack and minimum)."""
        if self.on_880 is None or (quantity is None and price is None) or isinstance(converted, _Converted) and \
                converted.weight is not None:
            return None
        n = line["line_number"]
        after = dict(line)
        replacement = self._replacement()  # an RZ (RE, RM) to another item of ours: the line is that item now, so
        if replacement:  # its case pack and minimum answer the quantity (the old item's were used)
            after["sku"] = replacement
        if quantity is not None:
            after["quantity"] = quantity
            if not self._same_case(poc.get("unit"), line) and not isinstance(converted, _Converted):
                after["unit"] = poc.get("unit") or line.get("unit")
        if price is not None:
            after["unit_price"], after["price_basis"] = price, poc.get("price_basis") or line.get("price_basis")
        why = self.on_880(n, after)
        if why is None or self.on_880(n, line) is not None:
            return None
        element, value = ("POC03", _n(poc.get("quantity_ordered"))) if quantity is not None else ("POC06", _n(price))
        return self._reject(
            poc, line, "PRICE_BASIS_NOT_ON_880",
            f"{why} The {poc.get('change_type')} change was not applied: line {line.get('line_id') or n} stays "
            f"{_n(line.get('quantity'))} {line.get('unit') or ''} at {_n(line.get('unit_price'))}"
            f"{' ' + line['price_basis'] if line.get('price_basis') else ''}, which the 880 states (ask the buyer "
            "for a quantity the 880 bills, or a price per unit, PO105 PE).", element, value)

    def _rounded(self, poc: dict, hit: dict | None) -> LineResult | None:
        """The POC rejected when a quantity or price it applies (POC03; POC06, or the CTP03 read for it) was
        sent with more than 4 decimals that are not all zeros (the parser's ``quantity_sent``/``price_sent``):
        our decimal128(18, 4) reading holds it rounded, and a line changed to a rounded quantity or price
        is not what the buyer asked. The line stays as it was; the 865 echoes the value as sent (IR)."""
        ct = poc.get("change_type")
        sent = poc.get("quantity_sent")
        if sent and ct in QUANTITY_TYPES | EITHER_TYPES | {"AI"}:
            kept = poc.get("quantity_ordered")
            return self._reject(
                poc, hit, "CHANGE_QUANTITY_INVALID",
                f"POC03 {sent} has more than 4 decimal places; our orders carry 4, so it would be "
                f"{_n(kept)} (off by {_n(abs(Decimal(sent) - kept))}): the {ct} change was not applied (ask the "
                "buyer for a quantity with at most 4 decimals, or in a smaller unit).", "POC03", sent)
        sent = poc.get("price_sent")
        if sent and sent_price(sent) is None and ct in PRICE_TYPES | EITHER_TYPES | {"AI"}:
            kept = poc.get("unit_price")
            return self._reject(
                poc, hit, "CHANGE_PRICE_INVALID",
                f"POC06 {sent} has more than {PRICE_PLACES} decimal places; our orders, 855s and 810s carry "
                f"{PRICE_PLACES}, so it would be {_n(kept)} (off by {_n(abs(Decimal(sent) - kept))}): the {ct} change "
                f"was not applied (agree a price with at most {PRICE_PLACES} decimals with the buyer).", "POC06",
                sent)
        factor = poc.get("price_multiplier_sent")
        if factor and ct in PRICE_TYPES | EITHER_TYPES | {"AI"}:
            value, _, kind = factor.partition(" ")
            return self._reject(
                poc, hit, "CHANGE_PRICE_INVALID",
                f"The CTP pricing this change at {_n(poc.get('unit_price'))} carries a multiplier (CTP07 {value}"
                f"{', CTP06 ' + kind if kind else ''}): the price meant is not CTP03, and we do not apply "
                f"multipliers: the {ct} change was not applied (ask the buyer for the net price in POC06).",
                "POC06", value)
        return None

    def _take_stores(self, poc: dict, line: dict, was: Decimal | None) -> None:
        """The POC loop's SDQ (a buyer moving units between stores, a QI/QD with its new split, an added line's
        split) replaces the line's store quantities, as the 850's SDQ set them. CHANGE_SDQ_MISMATCH (a warning,
        as SDQ_QUANTITY_MISMATCH is for the 850) when the line then has a split, in its own unit, that does not
        add up to its quantity: a new split that does not, or a new quantity sent without one (the line keeps
        its old split, which no longer adds up: a store-level partner's cartons are checked against it,
        rules.shipments.store_checks). ``was``: the stored line's quantity before the POC (None: added)."""
        sent = poc.get("store_quantities")
        if sent:
            line["store_quantities"] = sent
        split = line.get("store_quantities")
        quantity, unit = line.get("quantity"), line.get("unit")
        if not split or quantity is None or not (sent or quantity != was):
            return
        if {s.get("unit") for s in split} != {unit}:
            return  # another unit (or none): the sum cannot be compared with the line's quantity (as the 850's)
        total = sum((s["quantity"] for s in split if s.get("quantity") is not None), Decimal(0))
        if total == quantity:
            return
        name = line.get("line_id") or line["line_number"]
        stores = ", ".join(f"{s.get('store')}: {_n(s.get('quantity'))}" for s in split)
        if sent:
            why = (f"its new SDQ store quantities ({stores}) add up to {_n(total)}; the split was taken as sent: "
                   "ask the buyer which is meant before the stores' cartons ship")
        else:
            why = (f"the POC sent no SDQ, so the line keeps its earlier store quantities ({stores}), which add up "
                   f"to {_n(total)}: cartons are checked per store against them (the units past them cannot ship "
                   "to a store); ask the buyer for the new split")
        self.findings.append(_finding(
            "CHANGE_SDQ_MISMATCH", f"POC {poc.get('change_type')} leaves line {name} at {_n(quantity)} {unit}, "
            f"but {why}.", poc, "POC03", None if poc.get("quantity_ordered") is None else _n(poc["quantity_ordered"]),
            line_number=line["line_number"]))

    def _left_only(self, poc: dict, line: dict) -> LineResult | None:
        """The POC rejected when it sends POC04 (quantity left to receive) without POC03 and POC04 is not a balance
        the line as it stands explains. X12 makes POC03 the quantity ordered (the new total) and POC04 the balance
        the buyer has still to receive counted before the change (X12 5050+ C063-06: "based on the Current Order
        Quantity before any quantity changes are applied", beside C063-05, the quantity received to date; 3020
        requires it beside POC03): the line's quantity less what the buyer received. We know what we shipped, not
        what the buyer received, which is no more than what shipped (units on an 856 still in transit are shipped,
        not received). So a POC04 from the line's open balance (its quantity less what shipped: every shipped unit
        received) up to its quantity (none received yet) only states the balance as the buyer counts it: the POC
        goes on as without it (it asks no new quantity; a QD or QI then still needs its POC03). Outside it the
        buyer asks something we cannot know, and a person decides: below the open balance it counts as received
        more than we shipped (a smaller balance wanted, or units shipped we do not know of), above the quantity it
        counts on a larger order than ours (a raise, or a change we never received). It used to be acknowledged IA
        (CA, PQ, MU, a dates type) with nothing changed: the buyer's change lost in silence; and a POC04 counting
        units in transit as still to receive (between the two) used to be refused too. A POC04 beside a change
        type that changes no quantity (PC, PR, CT, RS, RB) is only stated (a buyer counting units in transit as
        still to receive must not lose its price change)."""
        left = poc.get("quantity_left_to_receive")
        if left is None or poc.get("quantity_ordered") is not None or \
                poc.get("change_type") not in QUANTITY_TYPES | EITHER_TYPES:
            return None  # (a price or dates change with a POC04 asks no quantity: the balance is only stated)
        current = line.get("quantity")
        shipped = self.progress.shipped(line["line_number"]) if self.progress is not None else Decimal(0)
        opened = max(current - shipped, Decimal(0)) if current is not None else None
        converted = self._converted(poc, line, left)
        asked = converted.quantity if isinstance(converted, _Converted) else left
        if opened is not None and not isinstance(converted, str) and opened <= asked <= max(current, opened):
            return None  # the balance as the buyer counts it: (asked - opened) shipped units not received yet
        unit, line_unit = poc.get("unit") or line.get("unit") or "", line.get("unit") or ""
        name = poc.get("line_id") or line["line_number"]
        held = f"{_n(current)} {line_unit} ordered" + (f", {_n(shipped)} shipped" if shipped else "")
        why = f" ({converted.lstrip(': ')})" if isinstance(converted, str) and converted else ""
        if why or opened is None:
            said = f"is not the {_n(opened)} {line_unit} line {name} has open ({held})"
        elif asked < opened:
            said = (f"is below the {_n(opened)} {line_unit} line {name} has open ({held}): the buyer cannot have "
                    "received more than we shipped, so it asks a smaller balance or counts units shipped we do not "
                    "know of")
        else:
            said = (f"is above the {_n(current)} {line_unit} line {name} has ordered ({held}): the buyer counts on a "
                    "larger order than ours, so it asks a raise or holds a change we never received")
        return self._reject(
            poc, line, "CHANGE_QUANTITY_INVALID",
            f"POC03 is empty and POC04 (quantity left to receive) {_n(left)} {unit}{_as(converted, line_unit)}{why} "
            f"{said}. X12 defines POC04 as the balance left to receive before the change (what was ordered less "
            "what the buyer received, which is between what is open and what was ordered while shipped units are "
            f"in transit) and POC03 as the new total quantity, so what the {poc.get('change_type')} change asks "
            "cannot be known; the line was left as it was. Confirm the new total quantity with the buyer (an 860 "
            "with POC03).", "POC04", left)

    def _promised(self, line: Mapping) -> Decimal:
        """An order that shipped: the units we acknowledged for the line (placed + backordered); else 0."""
        p = self.progress.lines.get(line["line_number"]) if self.progress is not None else None
        return p.promised if p else Decimal(0)

    def _check_quantity(self, poc: dict, line: dict, quantity: Decimal | None,
                        converted: _Converted | str | None = None) -> LineResult | None:
        """``converted``: POC03 converted to the line's unit (_converted), or why it could not be."""
        ct = poc.get("change_type")
        if quantity is None:
            return None
        current = line.get("quantity")
        unit, line_unit = poc.get("unit"), line.get("unit")
        asked = converted.quantity if isinstance(converted, _Converted) else quantity
        promised = self._promised(line)
        if isinstance(converted, _Converted) and converted.weight is not None:
            # a line taken by weight: its weight asked against the weight it stands at (470 LB of a 480 LB line is a
            # decrease, though its whole cases stay 10), in the line's weight unit
            asked, current, promised = converted.weight, line.get("weight_ordered"), Decimal(0)
            line_unit = line.get("weight_unit")
        if quantity < 0:
            why = "is negative"
        elif self._other_unit(poc, line) and not isinstance(converted, _Converted):
            # before comparing with the line's quantity: 2 CA against 12 EA is no decrease
            return self._reject(
                poc,
                line,
                "CHANGE_UNIT_MISMATCH",
                f"POC05 {unit} is not the line's unit {line_unit}{converted or ''}; the quantity was not applied.",
                "POC05",
                unit,
            )
        elif ct == "QI" and current is not None and asked <= current:
            why = (f"({_n(quantity)}{_as(converted, line_unit)}) is not above the current {_n(current)} on a quantity "
                   "increase")
        elif ct == "QD" and current is not None and asked >= max(current, promised):
            # below what we acknowledged (a case pack rounded up) is a decrease too, once the order shipped
            now = max(current, promised)
            why = (f"({_n(quantity)}{_as(converted, line_unit)}) is not below the current {_n(now)} on a quantity "
                   "decrease")
        else:
            return None
        return self._reject(poc, line, "CHANGE_QUANTITY_INVALID", f"POC03 {why}.", "POC03", _n(quantity))

    def _price_in_line_unit(self, poc: Mapping, line: Mapping, price: Decimal | None
                            ) -> tuple[Decimal | str | None, _Converted | None]:
        """POC06 ``price``, per POC05 when POC07 sends no basis of its own, restated per the line's unit when POC05 is
        another (McKesson's POC*1*PQ*80*10*EA*9.55 on a line of cases of 10: 95.50 per CA), through the eaches each
        holds as POC03 is (_converted); why not, when that is not exact to 4 places. It used to be kept as the price
        per the line's unit: 8 CA at 9.55, the order held for a discount of 90%, or billed so once approved. A basis
        of its own (POC07 PE per each, HP per hundred, a price per a measure, NC: read against the line's unit as a
        PO105 is), a line taken in by weight (_per_one_of_weight) and a unit whose eaches we do not know leave it as
        sent. With it, the conversion (the POC's unit and the eaches one of it and one of the line's unit hold) when
        restated: a price alone changed so (PC 36 per CA on a line of 12 EA) is answered in the buyer's unit where the
        line's quantity is a whole number of it (ACK*IP*1*CA beside the echoed POC05 CA, POC06 36), as a quantity
        sent in it is; it used to be ACK*IP*12*EA under the buyer's price per case."""
        basis = poc.get("price_basis") or ""
        ctp_unit = poc.get("price_unit")  # the price's own unit (its CTP's CTP05), another than POC05
        if ctp_unit:
            return self._ctp_price_in_line_unit(poc, line, price, ctp_unit)
        if price is None or self.unit_eaches is None or line.get("weight_per_unit") or not self._other_unit(
                poc, line) or basis in PRICE_PER_MANY or basis in PRICE_PER_EACH or basis in PRICE_PER_MEASURE or \
                basis == NO_CHARGE:
            return price, None
        n = line["line_number"]
        per_poc, per_line = self._eaches(n, poc["unit"], poc), self._eaches(n, line["unit"], line)
        if not per_poc or not per_line:
            return price, None
        per = Decimal(price) * Decimal(per_line) / Decimal(per_poc)
        if per != per.quantize(Decimal("0.0001")):
            return (f"POC06 {_n(price)} per {poc['unit']} is {_n(per.quantize(Decimal('0.000001')))} per "
                    f"{line['unit']} (the line's unit, {_n(Decimal(per_line))} eaches to "
                    f"{_n(Decimal(per_poc))} a {poc['unit']}), not exact to 4 places: the line stays as it was."), None
        return per.normalize(), _Converted(Decimal(0), poc["unit"], per_poc, per_line)

    def _ctp_price_in_line_unit(self, poc: Mapping, line: Mapping, price: Decimal | None, ctp_unit: str
                                ) -> tuple[Decimal | str | None, None]:
        """The price of a CTP read for POC06 whose CTP05 (``ctp_unit``) is another unit than POC05 (parsers.orders_860:
        ORDER_CHANGES price_unit), restated per the line's unit (the POC's for an RZ, which moves the line to it)
        through the eaches each holds: ``POC*1*PC***EA`` with ``CTP**UCP*36*1*CA`` on a line of 12 EA is 3.00 per EA.
        A basis of its own (CTP09/POC07 PE, a measure, NC) or a line taken in by weight leaves it as sent. Why not,
        where the eaches of either unit are unknown or the price is not exact to 4 places: never taken per another
        unit than the one it was sent per (it was: 36 per EA)."""
        basis = poc.get("price_basis") or ""
        if price is None or line.get("weight_per_unit") or basis in PRICE_PER_EACH or basis in PRICE_PER_MEASURE or \
                basis == NO_CHARGE:
            return price, None
        moved = poc.get("change_type") == "RZ" and poc.get("unit")
        line_unit, row = (poc["unit"], poc) if moved else (line.get("unit"), line)
        if not line_unit or ctp_unit == line_unit or (not moved and self._same_case(ctp_unit, line)):
            return price, None
        n = line["line_number"]
        per_ctp = self._eaches(n, ctp_unit, poc) if self.unit_eaches else None
        per_line = self._eaches(n, line_unit, row) if self.unit_eaches else None
        said = f"CTP03 {_n(price)} per {ctp_unit} (its CTP05)"
        if not per_ctp or not per_line:
            missing = ctp_unit if not per_ctp else line_unit
            return (f"{said} cannot be restated per {line_unit}, the line's unit: we know no count of eaches in a "
                    f"{missing} of its item; the line stays as it was."), None
        per = Decimal(price) * Decimal(per_line) / Decimal(per_ctp)
        if per != per.quantize(Decimal("0.0001")):
            return (f"{said} is {_n(per.quantize(Decimal('0.000001')))} per {line_unit} (the line's unit, "
                    f"{_n(Decimal(per_line))} eaches to {_n(Decimal(per_ctp))} a {ctp_unit}), not exact to 4 places: "
                    "the line stays as it was."), None
        return per.normalize(), None

    def _replaces_item(self, poc: Mapping, line: Mapping, price: Decimal | None) -> bool:
        """The POC (RZ, RE, RM) replaces the line's item by another of ours, or one we do not know, without a
        price (no POC06, no cost CTP): its product ids resolve (ItemOf) to another sku than the line's."""
        ct = poc.get("change_type")
        if price is not None or self.item_of is None or not poc.get("product_ids") or \
                not (ct == "RZ" or ct in REPLACEMENT_TYPES):
            return False
        old, new = self._items(poc, line)
        return bool(old) and new != old

    def _items(self, poc: Mapping, line: Mapping) -> tuple[str | None, str | None]:
        """item_of for the POC being applied and its line (the line's sku, the sku the POC's ids name), asked once
        per POC; (None, None) without item_of."""
        if self.item_of is None:
            return None, None
        if self._naming is None or self._naming[0] is not poc or self._named is None:
            self._naming, self._named = (poc, line), self.item_of(line["line_number"], poc)
        return self._named

    def _eaches(self, n: int, unit: str, row: Mapping) -> int | None:
        """unit_eaches of line ``n``'s item, or of the item the POC being applied replaces it with (an RZ, RE or RM
        whose ids name another of ours: ``POC*1*RZ*2**CA`` moving 24 EA of a pen in cases of 12 to tape in cases of
        24 counts 24 eaches to its CA), for its POC05 and for the line's own unit alike: the line is that item now.
        Its quantity in another unit and its price per another unit were counted through the old item's pack (2 CA
        of the tape read as 24 EA; 4.72 per EA read as 56.64 per CA)."""
        if self.unit_eaches is None:
            return None
        sku = self._replacement()
        return self.unit_eaches(n, unit, {**row, "sku": sku} if sku else row)

    def _replacement(self) -> str | None:
        """The sku of ours the POC being applied (RZ, RE, RM naming product ids) replaces its line's item with, where
        that is another than the line's; else None."""
        if self._naming is None:
            return None
        poc, line = self._naming
        ct = poc.get("change_type")
        if not poc.get("product_ids") or not (ct == "RZ" or ct in REPLACEMENT_TYPES):
            return None
        old, new = self._items(poc, line)
        return new if old and new and new != old else None

    def _in_ctp_unit(self, poc: Mapping, line: Mapping, price: Decimal) -> tuple[Decimal, _Converted] | None:
        """A price alone sent in a CTP whose CTP05 is another unit than the line's, under a POC with no POC05
        (``POC*1*PC`` with ``CTP**UCP*36*1*CA`` on a line of 12 EA, ``price`` being 3.00 per EA now): that price per
        the CTP05 unit (36) and the conversion to answer in it (ACK*IP*1*CA where the line is a whole number of
        cases), so the 865 states it in the unit the buyer priced it in (POC05 CA, POC06 36) rather than the line's
        (ACK*IP*12*EA, POC06 3); what we bill is the line's, per EA. None where the POC names a unit (its POC05 is
        echoed, the price per it: _echo_price) or the eaches are unknown or the price per CTP05 is not exact to 4
        places."""
        ctp_unit, line_unit = poc.get("price_unit"), line.get("unit")
        if poc.get("unit") or not ctp_unit or not line_unit or self.unit_eaches is None or line.get("weight_per_unit"):
            return None
        restated = self._restated(price, ctp_unit, poc, line)
        if restated is None:
            return None
        per, per_ctp, per_line = restated
        return per.normalize(), _Converted(Decimal(0), ctp_unit, per_ctp, per_line)

    def _restated(self, price: Decimal, unit: str, row: Mapping, line: Mapping) -> tuple[Decimal, int, int] | None:
        """``price`` per the line's unit restated per ``unit`` (as ``row`` names it), with the eaches of each: None
        where either's eaches are unknown or the result is not exact to 4 places."""
        n = line["line_number"]
        per_unit, per_line = self._eaches(n, unit, row), self._eaches(n, line.get("unit"), line)
        if not per_unit or not per_line:
            return None
        per = Decimal(price) * Decimal(per_unit) / Decimal(per_line)
        return (per, per_unit, per_line) if per == per.quantize(Decimal("0.0001")) else None

    def _echo_price(self, poc: Mapping, line: Mapping, price: Decimal) -> Decimal:
        """The 865's POC06 for a price read from a CTP per another unit than POC05 (price_unit), ``price`` being
        per the line's unit now: per POC05's unit where it names one the eaches convert exactly to, else per the
        line's (no POC07 either way), so the echo never says the CTP's number per POC05."""
        unit, line_unit = poc.get("unit"), line.get("unit")
        if not unit or unit == line_unit or self._same_case(unit, line) or self.unit_eaches is None:
            return price
        restated = self._restated(price, unit, poc, line)
        return restated[0].normalize() if restated else price

    def _moved_price(self, poc: Mapping, line: Mapping, quantity: Decimal | None, price: Decimal | None,
                     converted: _Converted | str | None) -> Decimal | str | None:
        """The line's price restated per the unit a POC moves it to without sending a price (``RZ*2**CA`` on a line
        of 12 EA at 2.50: 30.00 per CA, a case holding 12), through the eaches each holds (unit_eaches, as POC03 is
        converted); None when the POC moves no unit, sends a price, or the price needs no restating (none, zero,
        no charge, per a measure or weight, a line taken in by weight: per that weight whatever it is counted in).
        A price per each (POC07/PO105 PE and kin) is per each in any unit: times the eaches of the new unit; none,
        per the old unit. Why not, for CHANGE_UNIT_MISMATCH, where the eaches of either unit are not known or the
        price per the new unit is not exact to 4 places: the POC is refused, the line as it was. It used to keep
        the number: 2.50 per CA (billed a twelfth), its PE kept too."""
        unit, line_unit, was = poc.get("unit"), line.get("unit"), line.get("unit_price")
        if price is not None or not self._moves_unit(poc, line, quantity, converted) or was is None or was == 0 or \
                line.get("weight_per_unit"):
            return None
        basis = line.get("price_basis") or ""
        if basis == NO_CHARGE or basis in PRICE_PER_MEASURE:
            return None
        n = line["line_number"]
        per_new = self._eaches(n, unit, poc) if self.unit_eaches else None
        per_each = basis in PRICE_PER_EACH
        per_old = 1 if per_each else self._eaches(n, line_unit, line) if self.unit_eaches else None
        was_said = f"{_n(Decimal(was))}{' ' + basis if basis else ''} per {'each' if per_each else line_unit}"
        head = (f"POC02 {poc.get('change_type')} moves line {line.get('line_id') or n} from {line_unit} to {unit} "
                f"without a price (POC06): its {was_said}")
        if basis in PRICE_PER_MANY or basis and not per_each:
            return f"{head} has a basis we do not restate per {unit}; the line stays as it was. Ask the buyer for " \
                f"the price per {unit} (an 860 with POC06)."
        if not per_new or not per_old:
            missing = unit if not per_new else line_unit
            return f"{head} cannot be restated per {unit}: we know no count of eaches in a {missing} of its item; " \
                f"the line stays as it was. Ask the buyer for the price per {unit} (an 860 with POC06)."
        per = Decimal(was) * Decimal(per_new) / Decimal(per_old)
        if per != per.quantize(Decimal("0.0001")):
            return f"{head} is {_n(per.quantize(Decimal('0.000001')))} per {unit} ({_n(Decimal(per_new))} eaches " \
                f"to a {unit}), not exact to 4 places; the line stays as it was. Ask the buyer for the price per " \
                f"{unit} (an 860 with POC06)."
        return per.normalize()

    def _moves_unit(self, poc: Mapping, line: Mapping, quantity: Decimal | None,
                    converted: _Converted | str | None) -> bool:
        """The POC moves the line to another unit (POC05 neither the line's, nor its case under another code, nor
        converted to it: an RZ restating the line in cases), as _apply takes its quantity."""
        unit, line_unit = poc.get("unit"), line.get("unit")
        return bool(quantity is not None and unit and line_unit and unit != line_unit
                    and not self._same_case(unit, line) and not isinstance(converted, _Converted))

    def _other_unit(self, poc: Mapping, line: Mapping) -> bool:
        """POC05 names another unit than the line's (not RZ, which restates the line's unit; not the line's own
        case under its other code)."""
        unit, line_unit = poc.get("unit"), line.get("unit")
        return bool(unit and line_unit and unit != line_unit and poc.get("change_type") != "RZ"
                    and not self._same_case(unit, line))

    def _converted(self, poc: Mapping, line: Mapping | None, quantity: Decimal | None) -> _Converted | str | None:
        """POC03 ``quantity`` in POC05, another unit than ``line``'s, converted to the line's unit through the
        eaches each holds (unit_eaches: our item master, the case pack, a count unit, else the POC's PO4 for its
        unit and the line's own PO4 for the line's), when that is a whole number of the line's unit (96 EA for a
        line in cases of 12: 8 CA; 3 CA for a line in eaches: 36 EA). Else why not, for CHANGE_UNIT_MISMATCH
        (100 EA is 8.33 cases of 12); None when POC05 is the line's unit (or there is nothing to convert)."""
        if quantity is None or quantity < 0 or line is None:
            return None
        weighed = _by_weight(poc, line, quantity)
        if weighed is not None:
            return weighed
        if not self._other_unit(poc, line):
            return None
        unit, line_unit, n = poc["unit"], line["unit"], line["line_number"]
        per_poc = self._eaches(n, unit, poc) if self.unit_eaches else None
        per_line = self._eaches(n, line_unit, line) if self.unit_eaches else None
        if per_poc is None or per_line is None:
            if self.unit_eaches is None:
                return ""
            return f": we know no count of eaches in a {unit if per_poc is None else line_unit} of its item"
        eaches = quantity * per_poc
        in_line = eaches / per_line
        if in_line != in_line.to_integral_value():
            was = f"{_n(quantity)} {unit} is " + (f"{_n(eaches)} eaches, " if per_poc != 1 else "")
            return (f": {was}{in_line.quantize(Decimal('0.01')).normalize():f} {line_unit} of {per_line}, not a whole "
                    f"number of {line_unit}")
        return _Converted(in_line.to_integral_value(), unit, per_poc, per_line)

    def _take_weight(self, poc: Mapping, line: dict, converted: _Converted | str | None,
                     quantity: Decimal | None) -> None:
        """A line taken in by weight whose quantity the POC changes: in a weight (_by_weight), the weight asked is
        the line's weight ordered (the 855 answers it) and the POC's price basis the one sent; in the line's own unit
        (cases), the buyer now counts the line in cases: the weight it sent before is no longer what it asks, so
        it is dropped (a revised 855 answers the cases; the average weight per case stays, for earlier answers)."""
        if quantity is None or line.get("weight_per_unit") is None:
            return
        if isinstance(converted, _Converted) and converted.weight is not None:
            line["weight_ordered"] = converted.weight
            line["weight_basis_sent"] = poc.get("price_basis") or line.get("weight_basis_sent")
        elif line.get("weight_ordered") is not None:
            line["weight_ordered"] = line["weight_basis_sent"] = None

    @staticmethod
    def _weighed_basis(poc: Mapping, line: Mapping) -> str | None:
        """The price basis of a POC06 for a line taken in by weight, sent per its weight (POC05 a weight, or none):
        the price per that weight (PP per pound), as the 850's PO104 was taken (the basis sent, PE, is per the
        weight the buyer counts in, not per our case); None otherwise."""
        unit = poc.get("unit") or line.get("weight_unit")
        if line.get("weight_per_unit") is None or not unit or unit == line.get("unit"):
            return None
        return weight_basis(WEIGHT_MULTIPLES.get(unit, (unit, 1))[0])  # per CW: restated per LB (_per_one_of_weight)

    def _same_case(self, unit: str | None, line: Mapping) -> bool:
        """POC05 ``unit`` is another code of the line's own case (CS for a line in CA, or the reverse, the item
        master counting both alike): the same unit, as intake and the shipment checks read it."""
        return bool(unit) and unit != line.get("unit") and unit in self.same_case.get(line["line_number"], ())

    def _check_price(self, poc: dict, line: dict, price: Decimal | None) -> LineResult | None:
        if price is not None and price < 0:
            return self._reject(
                poc, line, "CHANGE_PRICE_INVALID", f"POC06 {price} is negative.", "POC06", price
            )
        return None

    def _dates_not_stored(self, poc: dict, line: dict, quantity: Decimal | None) -> None:
        """CHANGE_DATES_NOT_STORED: the POC changes the line's dates (its DTM/SCH), which we keep nowhere;
        ``quantity``: a POC03 sent with a dates-only change, reported when it is not the line's."""
        ct, current = poc.get("change_type"), line.get("quantity")
        also = ""
        if quantity is not None and current is not None and quantity != current:
            also = (f" POC03 {quantity.normalize():f} is not the line's {current.normalize():f}; a {ct} change "
                    "does not change quantities.")
        self.findings.append(
            _finding(
                "CHANGE_DATES_NOT_STORED",
                f"POC02 {ct} changes the dates of line {line.get('line_id') or line['line_number']}; of a line's "
                "dates we keep its cancel and do-not-deliver dates (DTM 001/063/064), requested ship and delivery "
                "dates (DTM 010, 002) and ship window (DTM 037/038) only, and it sent none, so the new date was "
                "acknowledged but not recorded: pass it on to the "
                f"warehouse.{also}",
                poc,
                "POC02",
                ct,
                line_number=line["line_number"],
            )
        )

    def _ship_date_not_applied(self, poc: dict, line: dict) -> None:
        """CHANGE_DATES_NOT_STORED for a line ship date (the POC loop's DTM 010, its window's opening, 037, or its
        delivery date, 002) sent
        for an order that shipped: its lines are not decided again (as its heading's new ship date is not applied:
        CHANGE_HEADER_NOT_APPLIED), so the date is left to a person to pass on to the warehouse for what is still
        to ship."""
        moved = " and ".join(f"the {what} of line {line.get('line_id') or line['line_number']} to "
                             f"{poc[c].isoformat()} (DTM {q})" for c, q, what in _SHIP_DAY_NAMES
                             if poc.get(c) is not None)
        self.findings.append(_finding(
            "CHANGE_DATES_NOT_STORED",
            f"POC02 {poc.get('change_type')} moves {moved}, but PO "
            f"{self.order['po_number']} has shipped ({self.progress.state}) and is not decided again: the date was "
            "not applied; pass it on to the warehouse for what is still to ship.", poc, "POC02",
            poc.get("change_type"), line_number=line["line_number"]))

    def _take_ship_to(self, poc: Mapping, line: dict) -> None:
        """The POC loop's N1*ST (with the N3/N4 of its loop) becomes the line's own ship-to, the whole party replaced
        (ORDER_LINES ship_to_*, as an 850's PO1 loop's N1*ST sets them): the line is decided again with it
        (moved_line_numbers), its new place checked as an 850 line's (rules.business.places: LINE_SHIP_TO_DIFFERS,
        SHIP_TO_UNKNOWN, ADDRESS_INCOMPLETE ... at the line) and its 856 sent there; an N1*ST naming the order's own
        ship-to moves it back there. An order that shipped is not decided again: the move is not applied
        (CHANGE_LINE_SHIP_TO_NOT_APPLIED, naming what of the line already went to its old place), as its heading's
        new ship-to is not (CHANGE_HEADER_NOT_APPLIED)."""
        if self.progress is None:
            line.update({c: poc.get(c) for c in LINE_SHIP_TO_COLUMNS})
            return
        current = line if any(line.get(c) for c in _SHIP_TO_PARTY) else {
            c: self.order.get(c) for c in LINE_SHIP_TO_COLUMNS}  # where the line goes now: its own, else the order's
        if same_party(poc, current):  # (the place it goes to already, restated: nothing to move)
            return
        new, old = _place(poc), _place(current) or "the order's ship-to"
        shipped = self.progress.shipped(line["line_number"])
        went = (f"{_n(shipped)} {line.get('unit') or ''} of it already shipped to {old}".replace("  ", " ")
                if shipped > 0 else "none of it has shipped yet, but the order is not decided again")
        self.findings.append(_finding(
            "CHANGE_LINE_SHIP_TO_NOT_APPLIED",
            f"POC02 {poc.get('change_type')} moves line {line.get('line_id') or line['line_number']} to N1*ST {new}, "
            f"but PO {self.order['po_number']} has shipped ({self.progress.state}): {went}. The new ship-to was not "
            f"applied: what is still to ship goes to {old}; agree it with the partner and tell the warehouse.",
            poc, "N104" if poc.get("ship_to_id") else "N102", poc.get("ship_to_id") or poc.get("ship_to_name"),
            line_number=line["line_number"], seg="N1"))

    def _take_pack(self, poc: Mapping, line: dict) -> None:
        """The POC loop's first PO4 on a line the order has: a pack other than the line's (ORDER_LINES po4_pack,
        po4_inner_pack, po4_size, po4_size_unit) becomes the line's, the four taken whole as an added line's are
        (as the 850 reader fills them): what converts a confirmation in another unit (rules.shipment_units) and
        what the rules check (PO4_PACK_DIFFERS ...). The line is changed (_COMPARED): decided again with it on an
        order that has not shipped, answered as any applied change. Once units of the line shipped (in part or
        whole) it is not applied, the line keeps the pack they went in, and CHANGE_PACK_NOT_APPLIED names old and
        new; a line of an order that shipped none of whose units did takes it and is decided again with it
        (engine.lifecycle.changes.redecided_lines: the rules judge a line by its pack), as an added line is. A PO4
        restating the line's, or none, changes nothing; nor does the PO4 of a POC in another unit than the line's,
        which says what that unit holds (_converted). It used to be dropped unsaid (865 IA, the
        850's pack kept: a DC's confirmation in cases converted by the old pack)."""
        sent = {c: poc.get(c) for c in PO4_COLUMNS}
        if all(v is None for v in sent.values()) or all(sent[c] == line.get(c) for c in PO4_COLUMNS) or \
                self._other_unit(poc, line):  # (a POC in another unit: its PO4 counts that unit, _converted)
            return
        n = line["line_number"]
        shipped = Decimal(0) if self.progress is None else self.progress.shipped(n)
        if shipped <= 0:
            line.update(sent)
            return
        went = " ".join(str(v) for v in (_n(shipped), line.get("unit")) if v)
        self.findings.append(_finding(
            "CHANGE_PACK_NOT_APPLIED",
            f"POC02 {poc.get('change_type')} packs line {line.get('line_id') or n} of PO {self.order['po_number']} as "
            f"{_pack_said(sent)} (it was {_pack_said(line)}), but {went} of it shipped already "
            f"({self.progress.state}): the new pack was not applied; what is still to ship goes and is confirmed in "
            "the old pack. Agree the pack with the buyer and tell the warehouse.",
            poc, "PO401", sent.get("po4_pack"), line_number=n, seg="PO4"))

    def _add(self, poc: dict, hit: dict | None) -> LineResult:
        if hit is not None:
            return self._reject(
                poc,
                hit,
                "CHANGE_LINE_EXISTS",
                f"PO {self.order['po_number']} already has line "
                f"{poc.get('line_id')!r}; it was not added again.",
                "POC01",
                poc.get("line_id"),
            )
        quantity = poc.get("quantity_ordered")
        if quantity is None or quantity <= 0:
            return self._reject(
                poc,
                None,
                "CHANGE_QUANTITY_INVALID",
                "POC03 must be a positive quantity to add a line.",
                "POC03",
                quantity,
            )
        price = poc.get("unit_price")
        if price is not None and price < 0:
            return self._reject(
                poc, None, "CHANGE_PRICE_INVALID", f"POC06 {price} is negative.", "POC06", price
            )
        number = self.next_number
        self.next_number += 1
        line = {
            "partner": self.order["partner"],
            "order_ref": self.order["order_ref"],
            "po_number": self.order["po_number"],
            "line_number": number,
            "line_id": poc.get("line_id"),
            "quantity": quantity,
            "unit": poc.get("unit"),
            "unit_price": price,
            "price_basis": poc.get("price_basis"),
            **{c: poc.get(c) for c in _PRODUCT_COLUMNS},
            "description": poc.get("description"),
            "pids_sent": poc.get("pids_sent"),  # the POC loop's PIDs as sent (a PO1 loop's are the line's)
            **{c: poc.get(c) for c in PO4_COLUMNS},  # the POC loop's PO4: a pack unit it counts converts as an 850's
            **{c: poc.get(c) for c in _LINEAGE},
        }
        self.lines[number] = line
        self._index = None
        return self._done(poc, line, ACCEPTED)

    def _delete(self, poc: dict, line: dict) -> LineResult:
        del self.lines[line["line_number"]]
        self._index = None
        return LineResult(poc, DELETED, line["line_number"], Decimal(0), line.get("unit"))

    def _restate_product(self, poc: dict, line: dict) -> None:
        """RZ (and RE, RM: a replacement item) replaces the product identification and description where the POC
        carries them."""
        if poc.get("product_ids"):
            for c in _PRODUCT_COLUMNS:
                line[c] = poc.get(c)
            self._index = None  # (its pairs and identities indexed: _LineIndex.by_pair)
        if poc.get("description"):
            line["description"] = poc["description"]
            line["pids_sent"] = poc.get("pids_sent")  # the 850's PIDs described the item replaced: the POC's now

    def _drop_unmentioned(self, first_poc: dict, mentioned: set[int]) -> None:
        if self.progress is not None:  # a line with shipped units stays, cut to them
            for k in sorted(self.lines):
                if k not in mentioned and self.progress.shipped(k) > 0:
                    mentioned.add(k)
                    self._keep_shipped(first_poc, self.lines[k], Decimal(0))
        dropped = [self.lines.pop(k) for k in sorted(self.lines) if k not in mentioned]
        self._index = None
        if dropped:
            ids = ", ".join(str(r.get("line_id") or r["line_number"]) for r in dropped)
            self.findings.append(
                _finding(
                    "CHANGE_REPLACE_DROPPED_LINES",
                    f"The replace (BCH01 05) restates PO {self.order['po_number']} whole and does not name "
                    f"line(s) {ids}: no longer ordered, cancelled (answered ID, their reserved units released).",
                    first_poc,
                    "POC02",
                    first_poc.get("change_type"),
                )
            )
        # each cancelled line answered as deleted (ACK ID, as a cancel without POC lines answers each line), the
        # 865 echoing it by its PO1 line number and product ids
        after = max((res.change.get("poc_number") or 0 for res in self.results), default=0)
        for k, r in enumerate(dropped, after + 1):
            poc = {"line_id": r.get("line_id") or str(r["line_number"]), "change_type": "DI", "unit": r.get("unit"),
                   "poc_number": k, **{c: r.get(c) for c in _PRODUCT_COLUMNS},
                   **{c: first_poc.get(c) for c in ("po_number", "order_ref", *_LINEAGE) if c in first_poc}}
            self.results.append(LineResult(poc, DELETED, r["line_number"], Decimal(0), r.get("unit")))

    def _check_progress(self, poc: dict, line: dict, quantity: Decimal | None,
                        price: Decimal | None) -> LineResult | None:
        """An order that shipped: a new price for a line with invoiced units, a quantity above the
        line's on a complete order, or another product for a line that shipped, cannot be honoured."""
        n = line["line_number"]
        if n in self.progress.rejected and (quantity is not None and quantity > 0 or price is not None):
            return self._after_shipment(poc, line, f"line {line.get('line_id') or n} was rejected when the order "
                                        "was answered and an order that shipped is not decided again; the buyer "
                                        "sends a new PO for it")
        if price is not None and price != line.get("unit_price") and self.progress.invoiced(n) > 0:
            return self._reject(
                poc, line, "CHANGE_PRICE_INVOICED",
                f"POC06 {_n(price)} for line {line.get('line_id') or n}: {_n(self.progress.invoiced(n))} of its "
                "units were invoiced already; the price was not changed and no 810 is sent again. Finance settles "
                "the difference with the buyer (credit or debit memo).",
                "POC06", price)
        if quantity is not None and self.progress.complete and quantity > (line.get("quantity") or 0):
            return self._after_shipment(poc, line, f"line {line.get('line_id') or n} is not raised: the order is "
                                        f"{self.progress.state} (every unit shipped and invoiced); the buyer sends "
                                        "a new PO for more")
        if (poc.get("change_type") == "RZ" or poc.get("change_type") in REPLACEMENT_TYPES) and \
                poc.get("product_ids") and self.progress.shipped(n) > 0 and \
                _pairs(poc) != _pairs(line):
            return self._after_shipment(poc, line, f"line {line.get('line_id') or n} shipped; its product is "
                                        "not restated")
        return None

    def _price_invoiced(self, line: dict, quantity: Decimal | None, price: Decimal | None) -> Decimal | None:
        """An order that shipped: the POC's new price when the line has invoiced units (not changed: no 810 is
        sent again) and the POC also asks a new quantity that can be applied without it (a PQ or RZ changing
        both); else None (a price alone, or with the quantity the line has, is refused whole: _check_progress)."""
        n = line["line_number"]
        if price is None or price == line.get("unit_price") or self.progress.invoiced(n) <= 0 or \
                quantity is None or quantity == line.get("quantity") or n in self.progress.rejected:
            return None
        return price

    def _keep_invoiced_price(self, poc: dict, line: dict, price: Decimal) -> None:
        n = line["line_number"]
        self.findings.append(_finding(
            "CHANGE_PRICE_INVOICED",
            f"POC06 {_n(price)} for line {line.get('line_id') or n}: {_n(self.progress.invoiced(n))} of its units "
            f"were invoiced already at {_n(line.get('unit_price'))}; the price was not changed and no 810 is sent "
            f"again, the POC's quantity ({_n(poc.get('quantity_ordered'))}) was applied (865 IC). Finance settles "
            "the price difference with the buyer (credit or debit memo).", poc, "POC06", _n(price), line_number=n))

    def _after_shipment(self, poc: dict, line: dict | None, why: str) -> LineResult:
        return self._reject(poc, line, "CHANGE_AFTER_SHIPMENT", f"POC02 {poc.get('change_type')}: {why}.",
                            "POC02", poc.get("change_type"))

    def _keep_shipped(self, poc: dict, line: dict, asked: Decimal) -> LineResult:
        """A decrease or deletion below what the line shipped: the shipped units stay on the order (they
        are invoiced as shipped), the rest is cancelled; IQ with the shipped quantity, or IR when the
        line had shipped every unit it still asked (nothing was changed)."""
        n = line["line_number"]
        done, rest = self.progress.shipped(n), self.progress.unshipped(n)
        what = "deletes" if asked == 0 else f"lowers to {_n(asked)}"
        line["quantity"] = done
        if rest > 0 and n not in self.settled:
            self.settled.add(n)
            status, said = QUANTITY_CHANGED, f"the {_n(rest)} unshipped unit(s) were cancelled"
        else:
            status, said = REJECTED, "nothing was left to cancel"
        self.findings.append(_finding(
            "CHANGE_BELOW_SHIPPED", f"POC02 {poc.get('change_type')} {what} line {line.get('line_id') or n} of "
            f"PO {self.order['po_number']}, which shipped {_n(done)}: {said}; the shipped units stay on the order "
            "and are invoiced as shipped. Returns or credits are settled with the buyer.", poc, "POC03",
            _n(asked), line_number=n))
        return LineResult(poc, status, n, line.get("quantity"), line.get("unit"), code="CHANGE_BELOW_SHIPPED")

    def _done(self, poc: dict, line: dict, status: str) -> LineResult:
        return LineResult(poc, status, line["line_number"], line.get("quantity"), line.get("unit"))

    def _unnamed(self, poc: Mapping) -> str:
        """Why a POC without POC01 names no line: none is named by its product ids, or several are (_poc_lines)."""
        index = self._lines_index()
        hits = _poc_lines(index.lines, poc, index)
        if len(hits) < 2:
            return "POC01 is empty and no one line carries its product ids"
        sent = ", ".join(f"{q} {i}" for q, i in sorted(_pairs(poc)))
        named = [str(r.get("line_id") or r["line_number"]) for r in hits]
        return (f"POC01 is empty and its product ids ({sent}) name lines {', '.join(named[:-1])} and {named[-1]} "
                "(the item as sent or in another of its forms): the change is applied to neither, never on a guess; "
                "the buyer sends POC01 to say which line")

    def _reject(
        self, poc: dict, line: dict | None, code: str, message: str, element: str, value
    ) -> LineResult:
        number = line["line_number"] if line else None
        self.findings.append(_finding(code, message, poc, element, value, line_number=number))
        return LineResult(
            poc,
            REJECTED,
            number,
            line.get("quantity") if line else None,
            (line or poc).get("unit"),
            code=code,
        )


# --- helpers ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Converted:
    """A POC03 in another unit than its line's, converted exactly: ``quantity`` in the line's unit; the POC's
    ``unit`` and the eaches one of it (``per_unit``) and one of the line's unit (``per_line``) hold."""

    quantity: Decimal
    unit: str
    per_unit: int | Decimal
    per_line: int | Decimal
    # a line taken in by weight: POC03 in the line's weight unit (weight_ordered), its quantity the whole cases
    weight: Decimal | None = None
    # its own unit a weight too (_by_weight): converted exactly; the POC03 to answer when covered (LineResult.asked)
    defined: bool = False
    asked: Decimal | None = None


def _as(converted: _Converted | str | None, line_unit: str | None) -> str:
    """", 36 CA" after a POC03 that was converted to the line's unit, for messages."""
    return f", {_n(converted.quantity)} {line_unit}" if isinstance(converted, _Converted) else ""


def _in_buyers_unit(result: LineResult, converted: _Converted | str | None) -> LineResult:
    """The result of a POC converted to its line's unit, to be answered in the POC's (LineResult.acknowledged)."""
    if not isinstance(converted, _Converted):
        return result
    return replace(result, buyers_unit=(converted.unit, converted.per_unit, converted.per_line),
                   weighed=converted.weight is not None, defined=converted.defined, asked=converted.asked)


def _by_weight(poc: Mapping, line: Mapping, quantity: Decimal) -> _Converted | None:
    """POC03 ``quantity`` of a line taken in by weight (480 LB as 10 CA of 48 LB: rules.business.by_weight.as_cases)
    sent in a weight (POC05 LB, KG ...; none: the weight the line was ordered in), taken as the 850's was: the whole
    cases nearest to it (400 LB: 8 CA), the weight kept in the line's weight unit, answered in the POC's weight (8 x
    48 = 384 LB). A line whose own unit is a weight too (600 KG of an item counted in LB, taken in by the units'
    definitions: rules.business.by_weight._by_definition) is taken as intake took it: the whole units that cover the
    weight (schemas.units.covering: 500 KG is 1,103 LB, never the nearest 1,102 LB, 499.8672 KG), answered exactly
    in the POC's weight, or as asked when they cover it by less than one of the line's weight unit (within_one, as
    intake takes such a line at all). None for another unit (the line's CA: as any line) or a line not taken by
    weight."""
    per, weight_unit, own = line.get("weight_per_unit"), line.get("weight_unit"), line.get("unit")
    sent = poc.get("unit") or weight_unit
    if not per or not weight_unit or sent == own:
        return None
    weight = _weight_in(quantity, sent, weight_unit)
    per_sent = _weight_in(per, weight_unit, sent)
    if weight is None or not per_sent:
        return None
    if defined_weight(own, weight_unit):
        whole = covering(weight, weight_unit, own) if weight > 0 else Decimal(0)
        asked = quantity if weight > 0 and within_one(whole, own, weight, weight_unit) else None
        return _Converted(whole, sent, 1, per_sent, weight=weight, defined=True, asked=asked)
    cases = whole_units(weight, per) if weight > 0 else Decimal(0)
    return _Converted(cases, sent, 1, per_sent, weight=weight)


def _weight_in(weight: Decimal, unit: str | None, measure: str) -> Decimal | None:
    """weight_in, also of or in a number of a weight (WEIGHT_MULTIPLES, as intake takes a PO1 in one:
    rules.business.by_weight.as_cases): 131 CW is 13,100 LB; 3,267 LB is 32.67 CW."""
    if unit in WEIGHT_MULTIPLES:
        unit, holds = WEIGHT_MULTIPLES[unit]
        weight = weight * holds
    if measure in WEIGHT_MULTIPLES:
        of, holds = WEIGHT_MULTIPLES[measure]
        in_it = weight_in(weight, unit, of)
        return None if in_it is None else in_it / holds
    return weight_in(weight, unit, measure)


def _per_one_of_weight(poc: Mapping, line: Mapping, price: Decimal | None) -> Decimal | str | None:
    """POC06 ``price`` of a line taken in by weight, sent per a number of a weight (POC05 CW, POC07 none or per
    each: 49.80 per hundred pounds), restated per one of that weight as intake restates a PO104 (0.498 per LB: code
    list 639 has no price per CW), when exact at 4 places; why not, when it is not; else ``price`` as sent."""
    unit, basis = poc.get("unit"), poc.get("price_basis") or ""
    if price is None or unit not in WEIGHT_MULTIPLES or not line.get("weight_per_unit") or \
            basis not in ("", *PRICE_PER_EACH):
        return price
    measure, holds = WEIGHT_MULTIPLES[unit]
    per_one = price / holds
    if per_one != per_one.quantize(Decimal("0.0001")):
        return (f"POC06 {_n(price)} per {unit} is {_n(per_one)} per {measure} ({holds} {measure} a {unit}), not exact "
                f"to 4 places: the line is priced per {measure} (code list 639 has no price per {unit}); the line "
                "stays as it was.")
    return per_one.normalize()


# the line dates that move its ship day (schemas.changes.LINE_DECIDING_DATES): column, DTM01, what it is
_SHIP_DAY_NAMES = ((LINE_SHIP_DATE, "010", "requested ship date"), (LINE_WIDE_DATES["037"], "037", "ship not before"),
                   (LINE_DELIVERY_DATE, "002", "requested delivery date"))


def _pack_said(row: Mapping) -> str:
    """A PO4 as its pack, size and inner pack, for messages: "PO4 12", "PO4 24 of 12 OZ, inner pack 2"."""
    said = "PO4 " + (_n(row.get("po4_pack")) or "(no pack)")
    if row.get("po4_size") is not None:
        said += f" of {_n(row['po4_size'])} {row.get('po4_size_unit') or ''}".rstrip()
    if row.get("po4_inner_pack") is not None:
        said += f", inner pack {row['po4_inner_pack']}"
    return "no PO4" if all(row.get(c) is None for c in PO4_COLUMNS) else said


def _place(row: Mapping) -> str:
    """A ship-to as a message names it: N102 N103 N104 and its city, as sent (ship_to_* of a POC, a line or an
    order)."""
    party = " ".join(v for v in (row.get(c) for c in _SHIP_TO_PARTY) if v)
    city = ", ".join(v for v in (row.get("ship_to_city"), row.get("ship_to_state")) if v)
    return f"{party} ({city})" if party and city else party or city


def _sent_dates(poc: Mapping) -> dict[str, object]:
    """The line dates a POC's own DTM 001/063/064/010/037/038/002 send (ORDER_CHANGES DEADLINE columns,
    LINE_SHIP_DATE, the window's and LINE_DELIVERY_DATE), by column."""
    return {c: poc[c] for c in (*LINE_LAST_DATES, *LINE_DECIDING_DATES) if poc.get(c) is not None}


def _take_dates(poc: Mapping, line: dict, *, ship: bool = True) -> None:
    """A POC applied to ``line``: its own DTM 001/063/064 become the line's cancel / do-not-deliver dates, its DTM
    038 its window's end, its DTM 010 / 037 / 002 the line's requested ship date / window's opening / requested
    delivery date (``ship``: the order has not shipped; once it has, the line is not decided again and those are not
    taken: _ship_date_not_applied). The DTM 010 / 002 sent brings its range's last day (schemas.orders.RANGE_ENDS;
    none for a single day) as heading_changes does the order's: the DTM 010's with its window's end (a last date,
    taken once shipped too), so a window a POC's range moved is named as that range (schemas.orders.window_named),
    not as a DTM 038 it did not send; a single DTM 010 with no window of its own leaves the line's window and the
    range's end naming it. (The end used to be dropped: after a POC moved a line's range, its window's end was named
    DTM 038.)"""
    start = range_start(line)  # the range's first day naming the window's opening (RANGE_START), as it was
    line.update({c: v for c, v in _sent_dates(poc).items() if ship or c not in LINE_DECIDING_DATES})
    ship_end, delivery_end = RANGE_ENDS["010"], RANGE_ENDS["002"]
    if poc.get(LINE_SHIP_DATE) is not None and (poc.get(ship_end) is not None or any(
            poc.get(side) is not None for side in SHIP_RANGE_SIDES)):
        line[ship_end] = poc.get(ship_end)
        if ship:  # the opening is the new range's first day (once shipped the opening is not taken, nor its start)
            start = poc[LINE_SHIP_DATE] if poc.get(ship_end) is not None else None
    if poc.get(LINE_SHIP_DATE) is not None:  # a single DTM 010 alone keeps it: the opening is still the range's
        line[RANGE_START] = start_kept(start, line)
    if ship and poc.get(LINE_DELIVERY_DATE) is not None:
        line[delivery_end] = poc.get(delivery_end)



def _find_poc(lines: list[dict], poc: Mapping, index: _LineIndex | None = None) -> dict | None:
    """The line a POC names: by POC01 (_find; ``index``: ``lines`` indexed, for an 860's many POCs); a POC without
    POC01 (a PO whose PO1s had no PO101, as grocers send them) by its product ids, when exactly one line is named by
    them (_poc_lines). An add (AI) or replace (RZ) without POC01 names no line."""
    if poc.get("line_id") or poc.get("change_type") in ("AI", "RZ"):
        return (index or _LineIndex(lines)).find(poc.get("line_id"))
    hits = _poc_lines(lines, poc, index)
    return hits[0] if len(hits) == 1 else None


def _poc_lines(lines: list[dict], poc: Mapping, index: _LineIndex | None = None) -> list[dict]:
    """The lines a POC without POC01 names by its product ids, in line order: for each of its (qualifier, id) pairs,
    the lines carrying that pair as sent, or, none carrying it, those naming its item in another form
    (rules.business.item_readings.item_identities: the UPC-A of the UPC-E the 850 sent, its EAN-13 or GTIN-14, the
    buyer's number in another case or without its ERP's leading zeros), the readings an 850's lines are matched to our
    items by. More than one line is no line (_find_poc): never a guess. (``index``: ``lines`` indexed.)"""
    found: dict[int, dict] = {}
    pairs = sorted(_pairs(poc))
    if pairs and index is None:
        index = _LineIndex(lines)
    for pair in pairs:
        hits = index.by_pair(pair)
        named = item_identities(*pair) if not hits else frozenset()
        if named:
            hits = index.by_identities(named)
        found.update((line["line_number"], line) for line in hits)
    return [found[k] for k in sorted(found)]


def _identities(row: Mapping) -> frozenset[str]:
    """The item identities (item_identities) of a line's or POC's product pairs."""
    return frozenset().union(*(item_identities(q, i) for q, i in _pairs(row)))


def _pairs(row: Mapping) -> set[tuple[str, str]]:
    """A line's or POC's (qualifier, id) product pairs."""
    return {(p["qualifier"], p["id"]) for p in row.get("product_ids") or [] if p.get("qualifier") and p.get("id")}


def _find(lines: list[dict], line_id: str | None) -> dict | None:
    """The line whose PO101 is POC01; leading zeros are ignored when that match is unique. A line sent
    without PO101 is known by its line number (what our 855 and 856 call it). (_LineIndex.find, for one look-up.)"""
    return _LineIndex(lines).find(line_id) if line_id else None


class _LineIndex:
    """An order's ``lines`` (the list, its dicts themselves) indexed once for _find's look-up by POC01: by PO101 as
    sent (the first line of it), by PO101 without its leading zeros, and a line sent without PO101 by its line
    number; for a POC without POC01 (_poc_lines), by product id pair and by item identity. An 860 of 5,000 POCs on a
    PO of 5,000 lines used to scan the lines for each POC (25 million steps). Built again when lines are added or
    dropped or a line's product ids restated (ChangeRun._index)."""

    def __init__(self, lines: list[dict]) -> None:
        self.lines = lines
        self._pairs: dict[tuple[str, str], list[int]] | None = None  # by_pair's, built when first asked
        self._identities: dict[str, list[int]] | None = None  # by_identities'
        self.exact: dict[str | None, dict] = {}
        self.loose: dict[str, list[dict]] = {}
        self.numbered: dict[int, list[dict]] = {}
        for line in lines:
            line_id = line.get("line_id")
            self.exact.setdefault(line_id, line)
            if line_id:
                self.loose.setdefault(line_id.lstrip("0"), []).append(line)
            else:
                self.numbered.setdefault(line["line_number"], []).append(line)

    def by_pair(self, pair: tuple[str, str]) -> list[dict]:
        """The lines carrying the (qualifier, id) ``pair`` as sent, in their order (_poc_lines)."""
        if self._pairs is None:
            self._pairs = {}
            for k, line in enumerate(self.lines):
                for got in _pairs(line):
                    self._pairs.setdefault(got, []).append(k)
        return [self.lines[k] for k in self._pairs.get(pair, ())]

    def by_identities(self, named: frozenset[str]) -> list[dict]:
        """The lines naming one of the item identities ``named`` (_identities of their pairs), in their order."""
        if self._identities is None:
            self._identities = {}
            for k, line in enumerate(self.lines):
                for identity in _identities(line):
                    self._identities.setdefault(identity, []).append(k)
        return [self.lines[k] for k in sorted({k for i in named for k in self._identities.get(i, ())})]

    def find(self, line_id: str | None) -> dict | None:
        if not line_id:
            return None
        hit = self.exact.get(line_id)
        if hit is not None:
            return hit
        loose = self.loose.get(line_id.lstrip("0"), [])
        if not loose and line_id.isascii() and line_id.isdigit():
            loose = self.numbered.get(int(line_id), [])
        return loose[0] if len(loose) == 1 else None


def _status(before: Mapping, after: Mapping) -> str:
    qty = (before.get("quantity"), before.get("unit")) != (after.get("quantity"), after.get("unit"))
    price = (before.get("unit_price"), before.get("price_basis")) != (
        after.get("unit_price"),
        after.get("price_basis"),
    )
    product = any(before.get(c) != after.get(c) for c in _PRODUCT_COLUMNS)
    if product or (qty and price):
        return CHANGED
    return QUANTITY_CHANGED if qty else PRICE_CHANGED if price else ACCEPTED


def _finding(
    code: str,
    message: str,
    row: Mapping,
    element: str,
    value=None,
    *,
    line_number: int | None = None,
    seg: str = "POC",
) -> Finding:
    spec = CHANGE_CATALOGUE.get(code) or BUSINESS_CATALOGUE[code]  # a business rule's code on its POC: the 880's
    return finding_at_row(code, message, row, severity=spec.severity, seg=seg, element=element,
                          value=None if value is None else str(value), line_number=line_number)


def _refuse(
    lines: pa.Table,
    header: Mapping,
    pocs: list[dict],
    code: str,
    message: str,
    element: str,
    value,
    stored: list[dict] | None = None,
) -> ChangeResult:
    """The whole change refused: one header finding, every POC rejected, the lines untouched."""
    at = dict(header, segment_position=2, file_segment=(header.get("st_file_segment") or 0) + 1)
    stored = stored or []
    results = []
    index = _LineIndex(stored)
    for poc in pocs:
        hit = _find_poc(stored, poc, index)
        results.append(
            LineResult(
                poc,
                REJECTED,
                hit["line_number"] if hit else None,
                hit.get("quantity") if hit else None,
                (hit or poc).get("unit"),
                code=code,
            )
        )
    return ChangeResult(
        new_lines=lines,
        changed_line_numbers=frozenset(),
        deleted_line_numbers=frozenset(),
        released=RELEASES.empty_table(),
        cancelled=False,
        rejected=True,
        findings=[_finding(code, message, at, element, value, seg="BCH")],
        line_results=results,
    )


def _result(
    stored: list[dict],
    final: list[dict],
    results: list[LineResult],
    findings: list[Finding],
    *,
    cancelled: bool,
) -> ChangeResult:
    """Released quantities and changed lines as the difference between the stored and the final lines."""
    after = {r["line_number"]: r for r in final}
    released = []
    for line in stored:
        old = line.get("quantity") or Decimal(0)
        kept = after.get(line["line_number"])
        new = (kept.get("quantity") or Decimal(0)) if kept else Decimal(0)
        if old > new:
            released.append(
                {"line_number": line["line_number"], "line_id": line.get("line_id"), "quantity": old - new}
            )
    before = {r["line_number"]: r for r in stored}
    changed = frozenset(
        k for k, r in after.items() if k not in before or any(before[k].get(c) != r.get(c) for c in _COMPARED)
        # a price changed past 4 decimals (0.61 to 0.61001: unit_price 0.6100 either way), or to 4
        or exact_price(before[k].get("unit_price"), before[k].get("price_sent")) != exact_price(
            r.get("unit_price"), r.get("price_sent"))
    )
    dated = frozenset(k for k, r in after.items() if k in before and any(before[k].get(c) != r.get(c)
                                                                         for c in LINE_LAST_DATES))
    split = frozenset(k for k, r in after.items() if k in before and k not in changed
                      and before[k].get("store_quantities") != r.get("store_quantities"))
    packed = frozenset(k for k, r in after.items() if k in before and k not in changed
                       and _components(before[k].get("prepack_components")) != _components(r.get("prepack_components")))
    exempt = frozenset(k for k, r in after.items() if k in before and k not in changed
                       and before[k].get("tax_exempt_sent") != r.get("tax_exempt_sent"))
    marked = frozenset(k for k, r in after.items() if k in before and k not in changed
                       and any(before[k].get(c) != r.get(c) for c in _MARK_FOR))
    priced = frozenset(k for k, r in after.items() if k in before and k not in changed
                       and _split(before[k].get("line_prices")) != _split(r.get("line_prices")))
    moved = frozenset(k for k, r in after.items() if k in before
                      and any(before[k].get(c) != r.get(c) for c in LINE_SHIP_TO_COLUMNS))
    referenced = frozenset(k for k, r in after.items() if k in before and k not in changed
                           and _split(before[k].get("line_refs")) != _split(r.get("line_refs")))
    return ChangeResult(
        new_lines=pa.Table.from_pylist(final, schema=ORDER_LINES),
        changed_line_numbers=changed,
        deleted_line_numbers=frozenset(before) - frozenset(after),
        released=pa.Table.from_pylist(released, schema=RELEASES),
        cancelled=cancelled,
        rejected=False,
        findings=findings,
        line_results=results,
        dated_line_numbers=dated,
        split_line_numbers=split,
        packed_line_numbers=packed,
        exempt_line_numbers=exempt,
        marked_line_numbers=marked,
        priced_line_numbers=priced,
        moved_line_numbers=moved,
        referenced_line_numbers=referenced,
    )
