"""A blanket order's releases held against the blanket (BEG02 RL against BEG02 BK, BE, KB, LB under one PO
number): a release calls off the blanket's quantities, so what its releases draw is kept against what the blanket
holds, and a release dated after the blanket's end (its DTM 036, ORDERS expires_on) calls off a blanket that is
over. Each release used to be decided as an order of its own, whatever its blanket said: a release past the
blanket's quantity, or after its end, was acknowledged and shipped without a word. A release line is drawn in its
blanket line's unit (converted by the item's pack, exactly), names an item the blanket lists, and counts the held
releases before it until a person rejects them; an answered release counts what we acknowledged (its lines as the
855 left them: rounded to the case pack, cut for lack of stock, rejected), one not answered yet what it asked. An
860 leaving a blanket's line below what its releases drew is named on the 860 (lowered_findings).

Pure: the caller (flows.decide) hands the orders deciding now and the blankets and earlier releases it holds under
their PO numbers (their current ORDERS / ORDER_LINES rows); nothing is read here."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from engine.lifecycle.moved_hold import BALANCE_PAST_BLANKET as MOVED_HOLD_CODE
from engine.lifecycle.people import RELEASE_HELD_BLANKET_CANCELLED as HELD_FOR_CANCELLED
from engine.lifecycle.table import move
from rules.business.common import _LINE_LOCATION, _ORDER_LOCATION, _text, business_finding
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.codes_changes import CHANGE_CATALOGUE
from schemas.findings import Finding, finding_at_row
from schemas.lifecycle import GONE_LINES, EventKind, LineRecord, OrderState
from schemas.order_keys import x12_po
from schemas.orders import BLANKET_TYPES
from schemas.units import rejected_exactly

if TYPE_CHECKING:
    from rules.shipment_units import ShipmentUnits

RELEASE = "RL"  # BEG02 Release or Delivery Order (code list 92)
CANCEL = "01"  # BEG01 cancellation: draws nothing
_HELD = "held"  # OrderState.HELD (and engine.decide HELD): waiting for a person, draws until rejected
_DECIDED_REJECTED = "rejected"  # engine.decide REJECTED (this run's decision; the store's state is also "rejected")
# OrderState values of a release that draws nothing: cancelled, rejected by us or by a person (answered or not yet)
_DRAW_NOTHING = frozenset({"cancelled", "rejected", "rejected_by_person"})
# a line's item as the buyer and we name it (the first of these sent, matched with a blanket line's same id)
_ITEM_IDS = ("buyer_part", "vendor_part", "upc", "gtin", "ean")
_ID_WORDS = {"buyer_part": "the buyer's part", "vendor_part": "our part", "upc": "UPC", "gtin": "GTIN", "ean": "EAN"}
_ORDER_COLUMNS = [*_ORDER_LOCATION, "partner", "po_number", "order_type", "purpose", "release_number", "po_date",
                  "expires_on", "contract_number", "agreement_number"]
# the heading references by which a release may name its contract or agreement instead of BEG03 (an ERP's release
# order, SAP S/4HANA's: BEG03 its own PO number, REF*CT the contract): said on RELEASE_BLANKET_UNKNOWN
_NAMED_BY = (("contract_number", "CT", "contract"), ("agreement_number", "AH", "agreement"))
_LINE_COLUMNS = [*_LINE_LOCATION, "partner", "po_number", "quantity", "unit", *_ITEM_IDS, "unit_price"]


def called_off(order: Mapping, blankets: Collection[tuple[str, str]]) -> tuple[str, str] | None:
    """The blanket (partner, PO number; among ``blankets``) the release ``order`` (an ORDERS row) calls off: the one
    under its BEG03, else the one under the number its contract (REF*CT) or agreement (REF*AH) names (an ERP's
    release order, SAP S/4HANA's: BEG03 its own PO number, the blanket its contract); None for none held."""
    own = (order["partner"], x12_po(order["po_number"]))
    if own in blankets:
        return own
    return next(((order["partner"], order[c].strip()) for c, _q, _w in _NAMED_BY
                 if (order.get(c) or "").strip() and (order["partner"], order[c].strip()) in blankets), None)


def ref_named(order: Mapping, blanket: tuple[str, str]) -> str:
    """How the release ``order`` names the blanket ``blanket`` when not by its BEG03: "contract 4600001188
    (REF*CT)"; "" when its BEG03 is the blanket's."""
    if x12_po(order["po_number"]) == x12_po(blanket[1]):
        return ""
    return next((f"{word} {blanket[1]} (REF*{q})" for c, q, word in _NAMED_BY
                 if (order.get(c) or "").strip() == blanket[1]), "")


# the states of a release that may draw on its blanket (not cancelled nor rejected): those looked up among a
# partner's releases naming their blanket by REF (their own BEG03: not found under the blanket's PO number)
DRAWING_STATES = tuple(s for s in OrderState
                       if s not in (OrderState.CANCELLED, OrderState.REJECTED, OrderState.REJECTED_BY_PERSON))


def held_blankets(records: Iterable) -> set[tuple[str, str]]:
    """(partner, PO number) of the blankets (BEG02 BK, BE, KB, LB) among the order records ``records``: a release
    naming one by its contract or agreement (REF*CT, REF*AH) is looked up only when one is held."""
    return {(r.partner, x12_po(r.po_number)) for r in records if r.order_type in BLANKET_TYPES}


def naming_by_ref(records: Iterable, orders: pa.Table, blankets: Collection[tuple[str, str]]) -> list:
    """The releases among ``records`` (order records; ``orders``: their current ORDERS rows) that call off one of
    ``blankets`` by their contract or agreement (REF*CT, REF*AH: called_off), their own BEG03 another number."""
    named = {(o["partner"], o["po_number"]) for o in _rows(orders, _ORDER_COLUMNS)
             if (o.get("order_type") or "") == RELEASE and (o["partner"], x12_po(o["po_number"])) not in blankets
             and called_off(o, blankets) is not None}
    return [r for r in records if r.key in named]


def drawing(records: Iterable, deciding: Collection) -> list:
    """The stored order records (``records``: OrderRecord) of a release's blanket and earlier releases that draw on
    the blanket as the releases in ``deciding`` (keys) are decided: not those being decided now, nor a cancelled or
    rejected one (by the partner or a person: it draws nothing); a held one draws until a person rejects it."""
    gone = {OrderState.CANCELLED, OrderState.REJECTED, OrderState.REJECTED_BY_PERSON}
    return [r for r in records if r.key not in deciding and r.state not in gone]


def cancelled_blankets(records: Iterable) -> set[tuple[str, str]]:
    """(partner, BEG03) of the blankets among the stored order records (``records``: OrderRecord) that the buyer
    cancelled (850 BEG01 01, 860 BCH01 01): a release calling one off calls off a blanket that is over."""
    return {(r.partner, x12_po(r.po_number)) for r in records
            if r.state == OrderState.CANCELLED and r.order_type in BLANKET_TYPES}


def has_releases(orders: pa.Table) -> bool:
    """True when some of ``orders`` is a release (BEG02 RL): only then are blankets looked up."""
    return bool(orders.num_rows) and "order_type" in orders.column_names and bool(
        pc.any(pc.fill_null(pc.equal(orders["order_type"], RELEASE), False)).as_py())


def release_pos(orders: pa.Table) -> set[tuple[str, str]]:
    """(partner, PO number) of each release's blanket: the PO numbers under which blankets and releases are held."""
    if not has_releases(orders):
        return set()
    rows = _rows(orders.filter(pc.fill_null(pc.equal(orders["order_type"], RELEASE), False)),
                 ["partner", "po_number", *(c for c, _q, _w in _NAMED_BY)])
    # and the numbers of the contracts or agreements they name by REF (a blanket held so is said, not drawn on)
    return {(r["partner"], x12_po(r["po_number"])) for r in rows} | {
        (r["partner"], r[c].strip()) for r in rows for c, _q, _w in _NAMED_BY if (r.get(c) or "").strip()}


def acknowledged(lines: Mapping[tuple[str, str], Iterable[LineRecord]]) -> dict[tuple[str, str], dict[int, tuple]]:
    """What we acknowledged of each line of the answered releases (``lines``: their line records, by key), as the
    855 left it and the store keeps it: line number -> (quantity, unit): the quantity acknowledged (``ordered``:
    PO102 rounded to the case pack) less what we rejected (a line refused, or cut for lack of stock, a balance
    cancelled since, exactly: the fraction of a unit of a line in one, schemas.units.rejected_exactly); nothing of a
    line deleted or cancelled."""
    return {key: {ln.line_number: (Decimal(0) if ln.state in GONE_LINES else
                                   max((ln.ordered or Decimal(0)) - rejected_exactly(ln.rejected, ln.rejected_fraction),
                                       Decimal(0)), ln.unit)
                  for ln in records} for key, records in lines.items()}


def _as_answered(line: dict, acks: Mapping[int, tuple] | None) -> dict:
    """A stored release line as it draws on its blanket: what we acknowledged of it (``acks``: acknowledged's, for an
    answered release), in the unit we acknowledged it in; as asked for a release not answered (None)."""
    if acks is None or line.get("line_number") not in acks:
        return line
    quantity, unit = acks[line["line_number"]]
    return {**line, "quantity": quantity, "unit": unit or line.get("unit")}


def moves_of(records: Iterable) -> dict[tuple[str, str], tuple[str, dict[int, Decimal]]]:
    """What each release among the order records ``records`` that an 860 moved to another contract or agreement after
    part of it shipped keeps of the move (OrderRecord.moved_from, moved_shipped), by key: (the number it left, line
    number -> units shipped then, in the line's unit)."""
    return {r.key: (r.moved_from, dict(r.moved_shipped)) for r in records if r.moved_shipped}


def _counts_on(call: dict, blanket: tuple[str, str], known: Collection[tuple[str, str]],
               moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]]) -> str:
    """How the release ``call`` (an ORDERS row) counts on ``blanket`` (among ``known``, the blankets called_off
    chooses between): "all" when it calls it off; "balance" when it calls it off since an 860 moved it there after
    part of it shipped (``moves``: moves_of's), what shipped before staying on the one it left; "shipped" when it
    is that blanket it left (only what shipped before the move counts); "" for none."""
    left = moves.get((call["partner"], call["po_number"]))
    back = left is not None and bool(left[0]) and (call["partner"], left[0].strip()) == blanket
    if called_off(call, known) == blanket:  # (moved back to the blanket it left: whole there again)
        return "all" if left is None or back else "balance"
    return "shipped" if back else ""


def _part_counted(line: dict, how: str, move: tuple[str, Mapping[int, Decimal]] | None) -> dict | None:
    """The release line ``line`` (as answered) as it counts on a blanket (``how``: _counts_on's): whole ("all"); less
    what shipped of it before an 860 moved the release ("balance": on the blanket it moved to); only that
    ("shipped": on the one it left; None when nothing of it shipped)."""
    if how == "all" or move is None:
        return line
    at = move[1].get(line.get("line_number"), Decimal(0))
    if how == "shipped":
        return {**line, "quantity": at} if at else None
    quantity = line.get("quantity")
    if quantity is None or not at:
        return line
    quantity = quantity if isinstance(quantity, Decimal) else Decimal(str(quantity))
    return {**line, "quantity": max(quantity - at, Decimal(0))}


def _counted(names: Iterable[str], answered: Collection[str], whose: str = "the releases before it") -> str:
    """Which of the releases counted (``names``: ``whose``) drew what we acknowledged (``answered``) and which what
    they asked, as a sentence; "" for none."""
    names = list(dict.fromkeys(names))
    acked, asked = [n for n in names if n in answered], [n for n in names if n not in answered]
    said = [f"as we acknowledged {'them' if len(acked) > 1 else 'it'} (the 855's quantities) for "
            f"release{'s' if len(acked) > 1 else ''} {', '.join(acked)}"] if acked else []
    said += [f"as asked (not answered yet) for release{'s' if len(asked) > 1 else ''} {', '.join(asked)}"] \
        if asked else []
    return f" What {whose} called off is counted {'; '.join(said)}." if said else ""


def _rows(table: pa.Table, columns: list[str]) -> list[dict]:
    return table.select([c for c in columns if c in table.column_names]).to_pylist()


def _item(line: dict) -> tuple[str, str] | None:
    """How the line names its item: (what the id is, the id): the first id it sends, else our sku it resolved to."""
    for column in _ITEM_IDS:
        value = (line.get(column) or "").strip()
        if value:
            return _ID_WORDS[column], value
    return ("our item", line["sku"]) if line.get("sku") else None


def _same_item(line: dict, blanket_line: dict) -> bool:
    """The same item, in whatever unit: some id both lines send is the same (the buyer's part, ours, a GTIN), or both
    resolve to one sku of ours (``sku``: the buyer's part on one, our GTIN on the other)."""
    if line.get("sku") and line.get("sku") == blanket_line.get("sku"):
        return True
    return any((line.get(c) or "").strip() and (line.get(c) or "").strip() == (blanket_line.get(c) or "").strip()
               for c in _ITEM_IDS)


def _blanket_line(line: dict, blanket_lines: list[dict]) -> int | None:
    """The index of the blanket line of the release line's item (one in the line's own unit first), None for none."""
    same = [i for i, b in enumerate(blanket_lines) if _same_item(line, b)]
    return next((i for i in same if blanket_lines[i].get("unit") == line.get("unit")), same[0] if same else None)


def _in_blanket_unit(line: dict, blanket_line: dict, units: ShipmentUnits | None) -> Fraction | None:
    """The line's quantity in its blanket line's unit: as sent when both units are one; else converted by the item's
    pack (eaches per unit: items.unit, case_pack, item_units; rules.shipment_units), exactly (a Fraction). None when
    either unit's pack is unknown: never compared unit-blind."""
    quantity = Fraction(line["quantity"])
    if (line.get("unit") or "") == (blanket_line.get("unit") or ""):
        return quantity
    sku = line.get("sku") or blanket_line.get("sku")
    if units is None or not sku:
        return None
    sent, holds = units.each(sku, line.get("unit")), units.each(sku, blanket_line.get("unit"))
    if not sent or not holds:
        return None
    return quantity * sent / holds


def _amount(value: Fraction | Decimal) -> str:
    """A quantity as a decimal: exact when it ends (2.5), else to three places, marked as about that (about 3.333)."""
    value = Fraction(value)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(exact) == value:
        return _text(exact)
    return "about " + _text(exact.quantize(Decimal("0.001")))


def _skus(table: pa.Table, units: ShipmentUnits | None) -> list[str | None]:
    if units is None or not table.num_rows:
        return [None] * table.num_rows
    return units.resolve(table)


def release_findings(orders: pa.Table, lines: pa.Table, held_orders: pa.Table, held_lines: pa.Table, *,
                     units: ShipmentUnits | None = None, states: Mapping[tuple[str, str], str] | None = None,
                     outside: Collection[str] = (), decided: Mapping[tuple[str, str], str] | None = None,
                     answered: Mapping[tuple[str, str], Mapping[int, tuple]] | None = None,
                     cancelled: Collection[tuple[str, str]] = (),
                     moved: Collection[tuple[str, str]] = (),
                     elsewhere: Collection[tuple[str, str]] = (),
                     moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]] | None = None
                     ) -> list[Finding]:
    """Each release deciding now (``orders`` / ``lines``) held against its blanket, with what the blanket's earlier
    releases called off (``held_orders`` / ``held_lines``: the releases held under its PO number, and those deciding
    now with a lower release number):

    - RELEASE_PAST_BLANKET for a line that draws more than its blanket's line of the same item holds; a line in
      another unit (CA against EA) is converted into the blanket line's by the item's pack (``units``: its sku and
      eaches per unit), exactly;
    - RELEASE_UNIT_UNCONVERTED for a line in another unit whose pack we do not know (it draws nothing: never compared
      unit-blind);
    - RELEASE_ITEM_NOT_ON_BLANKET for a line of an item the blanket does not list;
    - RELEASE_AFTER_BLANKET_END for a release dated (BEG05) after the blanket's end (DTM 036).

    ``states``: each order's state (OrderState values) by (partner, PO number): a release a person rejected (even one
    deciding now, to be answered 855 RD), one we rejected, or cancelled draws nothing; one held (waiting for a person)
    draws until rejected, and the finding names it as held. ``decided``: what this run decided for the releases
    deciding now (engine.decide: accepted, held, rejected), once it has: a release decided held draws and is named
    held, one decided rejected draws nothing, one accepted draws (answered); before (none given) a release deciding
    now draws as asked and is named held only when the store holds it so (a recheck). Whether it is held is what the
    decision (the partner's outcomes) says, never what this check assumes of its own findings. ``answered``: of the
    earlier releases we answered, what we acknowledged of each line (``acknowledged``): they draw that (3,950 asked,
    4,000 answered rounded to the case pack; less, for lack of stock; nothing of a line rejected), the others what
    they asked; the finding says which.

    - RELEASE_BLANKET_UNKNOWN (a warning unless the partner's outcomes hold it) for a release whose blanket we do not
      hold (never received, or rejected): it names the blanket PO number the release refers to; not for the partners
      in ``outside`` (their blankets are agreed outside EDI: [rules] blankets_outside_edi);
    - RELEASE_BLANKET_CANCELLED instead for one whose blanket the buyer cancelled (``cancelled``: (partner, BEG03) of
      such blankets, cancelled_blankets), for every partner: it calls off a blanket that is over.

    ``moves``: the releases an 860 moved to another contract or agreement after part of them shipped (moves_of):
    each counts what shipped before the move on the blanket it left, and the rest on the one it calls off now."""
    if not has_releases(orders):
        return []
    states, decided, answered, moves = states or {}, decided or {}, answered or {}, moves or {}
    every = [*_rows(orders, _ORDER_COLUMNS), *_rows(held_orders, _ORDER_COLUMNS)]
    # by its PO number: a blanket sent after a release holding the number is keyed apart (order_keys.blanket_key)
    blankets = {(o["partner"], x12_po(o["po_number"])): o for o in every
                if (o.get("order_type") or "") in BLANKET_TYPES and (o.get("purpose") or "") != CANCEL}
    # a release deciding now whose blanket we do not hold (never received, or rejected): said, by name; one whose
    # blanket the buyer cancelled calls off a blanket that is over, whoever agreed it
    # (a release naming its blanket by its contract or agreement, REF*CT / REF*AH, calls off the blanket held under
    # that number: called_off)
    # (one an 860 moved to its contract or agreement now, ``moved``: keys, off the blanket it was answered under, is
    # held: RELEASE_MOVED_BLANKET_UNKNOWN)
    unknown = [_cancelled(o, over) if over is not None else _moved_unknown(o)
               if (o["partner"], o["po_number"]) in moved and o["partner"] not in outside else _no_blanket(o, blankets)
               for o in _rows(orders, _ORDER_COLUMNS) if (o.get("order_type") or "") == RELEASE
               and (o.get("purpose") or "") != CANCEL and called_off(o, blankets) is None
               and states.get((o["partner"], o["po_number"]), "") not in _DRAW_NOTHING
               and ((over := called_off(o, cancelled)) is not None or o["partner"] not in outside)]
    if not blankets:
        return unknown
    by_order: dict[tuple[str, str], list[dict]] = {}
    for table in (lines, held_lines):
        for line, sku in zip(_rows(table, _LINE_COLUMNS), _skus(table, units), strict=True):
            by_order.setdefault((line["partner"], line["po_number"]), []).append({**line, "sku": sku})
    deciding = {(o["partner"], o["po_number"]) for o in _rows(orders, ["partner", "po_number"])}
    releases: dict[tuple[str, str], list[dict]] = {}  # blanket key -> its releases, in release order
    # (an earlier release whose BEG03 names another blanket we hold, ``elsewhere``, not loaded here, calls off that
    # one, not the blanket it names by REF: drawdown's)
    # (a release an 860 moved off a blanket after part of it shipped counts what shipped on that one too: moves)
    how: dict[tuple[tuple[str, str], tuple[str, str]], str] = {}  # (blanket, release) -> _counts_on's
    for o in every:
        if (o.get("order_type") or "") != RELEASE or (o.get("purpose") or "") == CANCEL \
                or states.get((o["partner"], o["po_number"]), "") in _DRAW_NOTHING:
            continue
        blanket = called_off(o, {*blankets, *elsewhere})
        left = moves.get((o["partner"], o["po_number"]))
        for b in {blanket, (o["partner"], left[0].strip()) if left is not None and left[0] else None}:
            if b in blankets and (b, (o["partner"], o["po_number"])) not in how:
                how[(b, (o["partner"], o["po_number"]))] = _counts_on(o, b, {*blankets, *elsewhere}, moves)
                releases.setdefault(b, []).append(o)
    out: list[Finding] = unknown
    for key, calls in sorted(releases.items()):
        blanket = blankets[key]
        calls.sort(key=lambda o: ((o.get("release_number") or "").zfill(30), o["po_number"]))
        drawn: dict[int, Fraction] = {}  # blanket line index -> quantity called off by the releases before
        by: dict[int, list[str]] = {}  # ... and which releases
        blanket_lines = by_order.get((blanket["partner"], blanket["po_number"]), [])
        held: set[str] = set()  # the releases waiting for a person (held, or held by this check now)
        acked: set[str] = set()  # the releases counted as we acknowledged them (answered before)
        for call in calls:
            own = (call["partner"], call["po_number"])
            name = call.get("release_number") or call["po_number"]
            mine = own in deciding
            acks = None if mine else answered.get(own)
            if acks is not None:
                acked.add(name)
            # what happened to it: this run's decision for one deciding now (once made), else the store's state
            fate = decided.get(own) if mine and own in decided else states.get(own, "")
            draws = fate != _DECIDED_REJECTED
            told = _after_end(call, blanket) if mine else []
            for line in by_order.get(own, []):
                line = _part_counted(_as_answered(line, acks), how[(key, own)], moves.get(own))
                if line is None:
                    continue
                index = _blanket_line(line, blanket_lines)
                if index is None:
                    if mine and _item(line) is not None:
                        told.append(_not_listed(call, line, blanket))
                    continue
                if line.get("quantity") is None:
                    continue
                if blanket_lines[index].get("quantity") is None:  # a blanket line agreed by value, not quantity
                    if mine:
                        told.append(_by_value(call, line, blanket, blanket_lines[index]))
                    continue
                quantity = _in_blanket_unit(line, blanket_lines[index], units)
                if quantity is None:
                    if mine:
                        told.append(_unconverted(call, line, blanket, blanket_lines[index]))
                    continue
                before = drawn.get(index, Fraction(0))
                total = before + quantity
                holds = blanket_lines[index].get("quantity")
                if mine and holds is not None and total > Fraction(holds):
                    told.append(_past(call, line, blanket, blanket_lines[index], quantity, before, total,
                                      by.get(index, []), held, acked))
                if draws:
                    drawn[index] = total
                    by.setdefault(index, []).append(name)
            if fate == _HELD:  # decided held now, or held by the store (waiting for a person)
                held.add(name)
            out += told
    return out


def drawdown(blanket: tuple[str, str], held_orders: pa.Table, held_lines: pa.Table, *,
             units: ShipmentUnits | None = None, states: Mapping[tuple[str, str], str] | None = None,
             answered: Mapping[tuple[str, str], Mapping[int, tuple]] | None = None,
             elsewhere: Collection[tuple[str, str]] = (),
             moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]] | None = None) -> list[dict]:
    """What the releases of the blanket keyed ``blanket`` (partner, key; among ``held_orders`` / ``held_lines``, its
    releases those under its PO number, cancelled and rejected ones left out by ``states``) called off of each of its
    lines, as release_findings counts it (in the line's unit, converted by the item's pack; an answered release what
    we acknowledged, ``answered``, one not answered what it asked): one dict per blanket line, in line order:
    line_number, item (the id it names its item by), unit, holds (its quantity), called_off, left (never below
    nothing), releases ([{release, quantity}] in release order, those drawing nothing left out) and, when some
    release line's unit no pack converts, unconverted (those releases). Quantities as text (exact decimals, or
    "about" when they do not end). [] when the blanket has no line. ``elsewhere``: (partner, PO number) of the other
    blankets held under the BEG03 of releases naming this one by REF: such a release calls off the one its BEG03
    names (called_off), not this one, and is not counted here. ``moves``: as release_findings's (a release an 860
    moved after part of it shipped counts what shipped on the blanket it left, the rest on this one)."""
    states, answered, moves = states or {}, answered or {}, moves or {}
    mine = (blanket[0], x12_po(blanket[1]))
    by_order: dict[tuple[str, str], list[dict]] = {}
    for line, sku in zip(_rows(held_lines, _LINE_COLUMNS), _skus(held_lines, units), strict=True):
        by_order.setdefault((line["partner"], line["po_number"]), []).append({**line, "sku": sku})
    blanket_lines = sorted(by_order.get(blanket, []), key=lambda b: b.get("line_number") or 0)
    calls = sorted((o for o in _rows(held_orders, _ORDER_COLUMNS) if (o.get("order_type") or "") == RELEASE
                    and _counts_on(o, mine, {mine, *elsewhere}, moves)
                    and (o.get("purpose") or "") != CANCEL
                    and states.get((o["partner"], o["po_number"]), "") not in _DRAW_NOTHING),
                   key=lambda o: ((o.get("release_number") or "").zfill(30), o["po_number"]))
    drew: list[dict[str, Fraction]] = [{} for _ in blanket_lines]
    unconverted: list[list[str]] = [[] for _ in blanket_lines]
    for call in calls:
        own = (call["partner"], call["po_number"])
        name = call.get("release_number") or call["po_number"]
        how = _counts_on(call, mine, {mine, *elsewhere}, moves)
        for line in by_order.get(own, []):
            line = _part_counted(_as_answered(line, answered.get(own)), how, moves.get(own))
            index = _blanket_line(line, blanket_lines) if line is not None else None
            if index is None or line.get("quantity") is None:
                continue
            quantity = _in_blanket_unit(line, blanket_lines[index], units)
            if quantity is None:
                unconverted[index].append(name)
            elif quantity:
                drew[index][name] = drew[index].get(name, Fraction(0)) + quantity
    out = []
    for b, took, unknown in zip(blanket_lines, drew, unconverted, strict=True):
        holds = b.get("quantity")
        total = sum(took.values(), Fraction(0))
        item = _item(b)
        row = {"line_number": b.get("line_number"), "item": item[1] if item else "", "unit": b.get("unit") or "",
               "holds": _text(holds) if holds is not None else "", "called_off": _amount(total),
               "left": _amount(max(Fraction(holds) - total, Fraction(0))) if holds is not None else "",
               "releases": [{"release": n, "quantity": _amount(q)} for n, q in took.items()]}
        if unknown:
            row["unconverted"] = list(dict.fromkeys(unknown))
        out.append(row)
    return out


def changed_blanket_pos(orders: pa.Table, changed: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """(partner, PO number) of the blankets among ``orders`` that an 860 changed in this run (``changed``: keys):
    their releases are looked up to see whether the change went below what they drew."""
    if not changed or not orders.num_rows or "order_type" not in orders.column_names:
        return set()
    return {(o["partner"], x12_po(o["po_number"])) for o in _rows(orders, ["partner", "po_number", "order_type"])
            if (o.get("order_type") or "") in BLANKET_TYPES and (o["partner"], o["po_number"]) in changed}


def lowered_findings(changed: Mapping[tuple[str, str], Iterable], orders: pa.Table, lines: pa.Table,
                     held_orders: pa.Table, held_lines: pa.Table, *, units: ShipmentUnits | None = None,
                     states: Mapping[tuple[str, str], str] | None = None,
                     answered: Mapping[tuple[str, str], Mapping[int, tuple]] | None = None,
                     elsewhere: Collection[tuple[str, str]] = (),
                     moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]] | None = None
                     ) -> list[tuple[tuple[str, str], Finding]]:
    """BLANKET_BELOW_RELEASES, with the blanket's key, for each line of a blanket (BEG02 BK, BE, KB, LB, among
    ``orders``) that an 860 of this run left below what its releases already called off: ``changed``: each changed
    order's line results (engine.changes.LineResult: the POC row, the line number and its quantity and unit after the
    change); the releases are those under the blanket's PO number in ``held_orders`` / ``held_lines`` (and
    ``orders``), cancelled and rejected ones left out (``states``); each drawn in the blanket line's unit. Located at
    the 860's POC (POC03), naming the releases and what each drew. A warning: the change stands (no later release
    can draw on the line), the releases are not changed. ``answered``: as release_findings's (an answered release
    drew what we acknowledged, one not answered what it asked; the finding says which). ``elsewhere``: as drawdown's
    (a release whose BEG03 names another blanket we hold calls off that one). ``moves``: as drawdown's."""
    states, answered, moves = states or {}, answered or {}, moves or {}
    keys = {(o["partner"], o["po_number"]) for o in _rows(orders, ["partner", "po_number", "order_type"])
            if (o.get("order_type") or "") in BLANKET_TYPES and (o["partner"], o["po_number"]) in changed}
    if not keys:
        return []
    every = [*_rows(orders, _ORDER_COLUMNS), *_rows(held_orders, _ORDER_COLUMNS)]
    by_order: dict[tuple[str, str], list[dict]] = {}
    for table in (lines, held_lines):
        for line, sku in zip(_rows(table, _LINE_COLUMNS), _skus(table, units), strict=True):
            by_order.setdefault((line["partner"], line["po_number"]), []).append({**line, "sku": sku})
    out: list[tuple[tuple[str, str], Finding]] = []
    for key in sorted(keys):
        mine = (key[0], x12_po(key[1]))
        calls = sorted((o for o in every if (o.get("order_type") or "") == RELEASE
                        and _counts_on(o, mine, {mine, *elsewhere}, moves)
                        and (o.get("purpose") or "") != CANCEL
                        and states.get((o["partner"], o["po_number"]), "") not in _DRAW_NOTHING),
                       key=lambda o: ((o.get("release_number") or "").zfill(30), o["po_number"]))
        calls = list({(o["partner"], o["po_number"]): o for o in calls}.values())
        blanket_lines = by_order.get(key, [])
        for result in changed[key]:
            index = next((i for i, b in enumerate(blanket_lines) if b.get("line_number") == result.line_number),
                         None)
            if index is None or result.quantity is None:
                continue
            drew: list[tuple[str, Fraction, str]] = []  # (release, what it drew of the line, its state)
            for call in calls:
                own = (call["partner"], call["po_number"])
                quantity = Fraction(0)
                how = _counts_on(call, mine, {mine, *elsewhere}, moves)
                for line in by_order.get(own, []):
                    line = _part_counted(_as_answered(line, answered.get(own)), how, moves.get(own))
                    if line is None or line.get("quantity") is None or _blanket_line(line, blanket_lines) != index:
                        continue
                    quantity += _in_blanket_unit(line, blanket_lines[index], units) or Fraction(0)
                if quantity:
                    drew.append((call.get("release_number") or call["po_number"], quantity, states.get(own, "")))
            total = sum((q for _n, q, _s in drew), Fraction(0))
            if total > Fraction(result.quantity):
                out.append((key, _below(x12_po(key[1]), blanket_lines[index], result, total, drew,
                                        {c.get("release_number") or c["po_number"] for c in calls
                                         if (c["partner"], c["po_number"]) in answered})))
    return out


def _below(po: str, blanket_line: dict, result, total: Fraction, drew: list[tuple[str, Fraction, str]],
           answered: Collection[str] = ()) -> Finding:
    item = _item(blanket_line)
    unit = blanket_line.get("unit") or ""
    said = ", ".join(f"release {name} {_amount(q)} {unit}" + (" (held, waiting for a person)" if state == _HELD
                                                                 else "") for name, q, state in drew)
    return finding_at_row(
        "BLANKET_BELOW_RELEASES",
        f"The 860 lowers line {result.line_number}{f' ({item[1]})' if item else ''} of blanket PO {po} to "
        f"{_text(result.quantity)} {result.unit or unit}, below the {_amount(total)} {unit} its releases called off: "
        f"{said}. Those releases are not changed (answered or shipped ones stand, a held one is still a person's "
        "call) and no later release can draw on the line: ask the buyer whether the change meant to take back what "
        "was called off." + _counted((n for n, _q, _s in drew), answered, "its releases"),
        result.change, severity=CHANGE_CATALOGUE["BLANKET_BELOW_RELEASES"].severity, seg="POC",
        element="POC03", value=_text(result.quantity), line_number=result.line_number)


def _no_blanket(call: dict, blankets: Mapping[tuple[str, str], dict] | None = None) -> Finding:
    """RELEASE_BLANKET_UNKNOWN at BEG03: the blanket PO number the release refers to, which we hold no blanket
    under. A warning by default: buyers' guides send only the standard order or the release as an 850, the
    blanket agreed on paper or in a contract, so a release with no EDI blanket is ordinary; a partner whose releases
    always follow an EDI blanket holds them ([rules.outcomes] RELEASE_BLANKET_UNKNOWN = "hold_order")."""
    number = call.get("release_number") or ""
    po = x12_po(call["po_number"])
    named = next(((call[c].strip(), q, word) for c, q, word in _NAMED_BY if (call.get(c) or "").strip()), None)
    if named is None:
        said = (f"refers to blanket PO {po} (BEG03), and we hold no blanket order under that PO number (never "
                "received, or rejected)")
    else:  # an ERP's release order: BEG03 its own number, its contract or agreement named by REF
        ref, qualifier, word = named
        said = (f"of PO {po} names {word} {ref} (REF*{qualifier}), and we hold no blanket order under PO {po} (BEG03)"
                f" or {ref} (never received, or rejected)")
    return business_finding(
        "RELEASE_BLANKET_UNKNOWN",
        f"Release {number or '(no BEG04)'} (BEG02 RL) {said}: the release is decided as an order of its own, its "
        "quantities, items and dates not checked against a blanket.", call, seg="BEG", element="BEG03",
        value=po, line=False)


def _moved_unknown(call: dict) -> Finding:
    """RELEASE_MOVED_BLANKET_UNKNOWN at BEG03: an 860 moved the release (its REF*CT / REF*AH changed or added) to a
    contract or agreement under which we hold no blanket order. Held for a person by default: the buyer moved it off
    the blanket it was checked against to one we never received (or named a wrong number), so what it calls off is
    checked against nothing."""
    number = call.get("release_number") or ""
    po = x12_po(call["po_number"])
    named = next(((call[c].strip(), q, word) for c, q, word in _NAMED_BY if (call.get(c) or "").strip()), None)
    said = f"{named[2]} {named[0]} (REF*{named[1]})" if named else "no contract or agreement (REF*CT, REF*AH)"
    return business_finding(
        "RELEASE_MOVED_BLANKET_UNKNOWN",
        f"Release {number or '(no BEG04)'} (BEG02 RL) of PO {po}: the buyer's 860 moved it to {said}, and we hold no "
        f"blanket order under PO {po} (BEG03) or that number (never received, or rejected): its quantities, items and "
        "date are checked against no blanket. The release is not allocated or shipped and waits for a person: ask the "
        "buyer for that blanket's 850 (once it is taken, recheck the release: `orderbridge recheck`) or whether the "
        "number is right; approve it to ship it as acknowledged (the 860 answered 865 AK), or reject it to refuse "
        "the change and the release (865 RJ, 855 RD).", call, seg="BEG",
        element="BEG03", value=po, line=False)


def moved_unknown_findings(order: Mapping, lines: Iterable[Mapping], left: Mapping[int, Decimal],
                           shipped: Mapping[int, Decimal], *, moved_by: str = "") -> list[Finding]:
    """RELEASE_MOVED_BLANKET_UNKNOWN at BEG03 for a release part of which shipped that an 860 (``moved_by``: its file)
    moved to a contract or agreement under which we hold no blanket order (``order``: its ORDERS row as the 860 left
    it; ``lines``: its ORDER_LINES rows; ``left`` / ``shipped``: each line's units still to ship and shipped, by line
    number, in the line's unit): what shipped stands (under the blanket it named before), what is left to ship is
    checked against no blanket and waits for a person. [] when nothing is left to ship."""
    rows = {ln.get("line_number"): ln for ln in lines}
    waiting = [(n, q) for n, q in sorted(left.items()) if q > 0]
    if not waiting:
        return []
    number = order.get("release_number") or ""
    po = x12_po(order["po_number"])
    named = next(((order[c].strip(), q, word) for c, q, word in _NAMED_BY if (order.get(c) or "").strip()), None)
    said = f"{named[2]} {named[0]} (REF*{named[1]})" if named else "no contract or agreement (REF*CT, REF*AH)"

    def units(n: int, q: Decimal) -> str:
        line = rows.get(n, {})
        item = _item(line)
        return f"{_text(q)} {line.get('unit') or ''} of {item[1] if item else f'line {n}'} (line {n})"

    went = [units(n, q) for n, q in sorted(shipped.items()) if q > 0]
    by = f"the 860 in {moved_by}" if moved_by else "the buyer's 860"
    return [business_finding(
        "RELEASE_MOVED_BLANKET_UNKNOWN",
        f"Release {number or '(no BEG04)'} (BEG02 RL) of PO {po}: {by} moved it to {said} after "
        f"{', '.join(went) or 'part of it'} shipped, and we hold no blanket order under PO {po} (BEG03) or that number "
        "(never received, or rejected). What shipped stands (its 856s and 810s went, under the blanket it named "
        f"before); the {', '.join(units(n, q) for n, q in waiting)} left to ship are checked against no blanket: the "
        "release is held, a warehouse's confirmation of more is still recorded, but nothing more is billed until a "
        "person decides. Ask the buyer for that blanket's 850 or whether the number is right: approve to ship the "
        "balance anyway, or reject to cancel the balance (what shipped stands, its stock released). The 860 was "
        "answered when it came (865 AK).", order, seg="BEG", element="BEG03", value=po, line=False)]


def _cancelled(call: dict, blanket: tuple[str, str] | None = None) -> Finding:
    """RELEASE_BLANKET_CANCELLED at BEG03: the blanket the release calls off is one the buyer cancelled (850 BEG01 01,
    860 BCH01 01). Held for a person by default: a blanket cancelled is over (as one past its end,
    RELEASE_AFTER_BLANKET_END), and a release of it may be one the buyer's system sent before the cancellation
    reached it, or a blanket reissued outside EDI."""
    number = call.get("release_number") or ""
    po = x12_po(call["po_number"])
    named = ref_named(call, blanket) if blanket is not None else ""
    said = f"of PO {po} calls off blanket {named}" if named else f"calls off blanket PO {po} (BEG03)"
    return business_finding(
        "RELEASE_BLANKET_CANCELLED",
        f"Release {number or '(no BEG04)'} (BEG02 RL) {said}, which the buyer cancelled: "
        "it calls off a blanket that is over, is not allocated or shipped and waits for a person (ask the buyer "
        "whether the blanket was reissued; the releases answered before stand).", call, seg="BEG",
        element="BEG03", value=po, line=False)


def _release_of(call: dict, blanket: dict) -> str:
    """"Release N of blanket PO P": the release's BEG04 (or that it sent none) and its blanket's BEG03 (a blanket keyed
    apart from its release is named by its PO number alone)."""
    key = (blanket["partner"], x12_po(blanket["po_number"]))
    named = ref_named(call, key)
    if named:  # BEG03 its own PO number, the blanket its contract or agreement
        return (f"Release {call.get('release_number') or '(no BEG04)'} (PO {x12_po(call['po_number'])}) of blanket "
                f"{named}")
    return f"Release {call.get('release_number') or '(no BEG04)'} of blanket PO {x12_po(blanket['po_number'])}"


def _after_end(call: dict, blanket: dict) -> list[Finding]:
    end, day = blanket.get("expires_on"), call.get("po_date")
    if end is None or day is None or day <= end:
        return []
    return [business_finding(
        "RELEASE_AFTER_BLANKET_END",
        f"{_release_of(call, blanket)} is dated {_text(day)} (BEG05), after "
        f"the blanket's end {_text(end)} (its DTM 036): it calls off a blanket that is over, is not allocated or "
        "shipped and waits for a person (ask the buyer whether the blanket was extended).", call, seg="BEG",
        element="BEG05", value=day, line=False)]


def _not_listed(call: dict, line: dict, blanket: dict) -> Finding:
    kind, item = _item(line)
    return business_finding(
        "RELEASE_ITEM_NOT_ON_BLANKET",
        f"{_release_of(call, blanket)} calls off item {item} ({kind}, line "
        f"{line.get('line_number')}), which the blanket does not list: a release draws only what its blanket holds, "
        "so it is not taken as an order of its own; the release is not allocated or shipped and waits for a person.",
        line, seg="PO1", element="PO107", value=item)


def _by_value(call: dict, line: dict, blanket: dict, blanket_line: dict) -> Finding:
    """RELEASE_BLANKET_BY_VALUE: the release calls off a blanket line that states no quantity (PO102 empty: a blanket
    agreed by value, its limit an amount). We found no public guide saying how a value-only blanket is sent (an AMT,
    a CTT, lines priced and not counted), so no amount is read as its limit: the release is held, said so."""
    item = _item(line)
    said = item[1] if item else f"line {line.get('line_number')}"
    return business_finding(
        "RELEASE_BLANKET_BY_VALUE",
        f"{_release_of(call, blanket)} calls off {_text(line['quantity'])} {line.get('unit') or ''} of {said} (line "
        f"{line.get('line_number')}), and the blanket's line {blanket_line.get('line_number')} states no quantity "
        "(PO102 empty: a blanket agreed by value, its limit an amount): we keep no value limit of a blanket, so what "
        "the releases called off is not checked against it. The release is not allocated or shipped and waits for a "
        "person (check the releases against the blanket's amount, then approve or reject).",
        line, seg="PO1", element="PO102", value=_text(line["quantity"]))


def _unconverted(call: dict, line: dict, blanket: dict, blanket_line: dict) -> Finding:
    item = _item(line)
    said = item[1] if item else f"line {line.get('line_number')}"
    unit, theirs = line.get("unit") or "", blanket_line.get("unit") or ""
    return business_finding(
        "RELEASE_UNIT_UNCONVERTED",
        f"{_release_of(call, blanket)} calls off {_text(line['quantity'])} "
        f"{unit} of {said} (line {line.get('line_number')}), the blanket's line {blanket_line.get('line_number')} "
        f"holding {_text(blanket_line.get('quantity'))} {theirs}: we know no pack of the item saying how many "
        f"{theirs} one {unit} is (items.csv unit and case_pack, item_units.csv), so what it draws of the blanket is "
        "not known. The release is not allocated or shipped and waits for a person.",
        line, seg="PO1", element="PO103", value=unit)


def _past(call: dict, line: dict, blanket: dict, blanket_line: dict, quantity: Fraction, before: Fraction,
          total: Fraction, earlier: Iterable[str], held: set[str], answered: Collection[str] = ()) -> Finding:
    item = _item(line)
    said = f"{item[1]}" if item else f"line {line.get('line_number')}"
    unit, sent = blanket_line.get("unit") or "", line.get("unit") or ""
    earlier = list(earlier)
    drew = (f"with {_amount(before)} {unit} called off by release{'s' if len(earlier) > 1 else ''} "
            f"{', '.join(earlier)} before it" if earlier else "with nothing called off before it")
    waiting = [n for n in earlier if n in held]
    if waiting:
        drew += (f" (of them, release{'s' if len(waiting) > 1 else ''} {', '.join(waiting)} held, waiting for a "
                 "person, counted until rejected)")
    asks = f"{_text(line['quantity'])} {sent}"
    if sent != unit:
        asks += f" ({_amount(quantity)} {unit})"
    return business_finding(
        "RELEASE_PAST_BLANKET",
        f"{_release_of(call, blanket)} calls off {asks} of {said} (line "
        f"{line.get('line_number')}), {drew}: {_amount(total)} {unit} in all, past the blanket's "
        f"{_text(blanket_line.get('quantity'))} {unit}. The release is not allocated or shipped and waits for a "
        "person." + _counted(earlier, answered),
        line, seg="PO1", element="PO102", value=line["quantity"])


# the states of a release that may still ship something: not yet answered, answered and not shipped, or partly shipped
# (a shipped, invoiced, closed, cancelled or rejected release is over)
OPEN_RELEASES = frozenset({OrderState.RECEIVED, OrderState.CHANGED, OrderState.HELD, OrderState.APPROVED,
                           OrderState.ACKNOWLEDGED, OrderState.PARTIALLY_SHIPPED})


def cancelled_by(plan) -> list:
    """The records of the blankets (BEG02 BK, BE, KB, LB) ``plan`` (a Plan) cancels by an 850 BEG01 01 or an 860
    BCH01 01."""
    by = {EventKind.PO_CANCELLED, EventKind.CHANGE_CANCELLED}
    return [t.record for t in plan.transitions if t.record.state == OrderState.CANCELLED
            and t.record.order_type in BLANKET_TYPES and any(e.event in by for e in t.events)]


def open_releases(blanket, records: Iterable, *, by_ref: Iterable = ()) -> list:
    """The releases among ``records`` (OrderRecord: the orders held under the blanket's PO number) and ``by_ref``
    (those naming it by its contract or agreement: naming_by_ref) that may still ship something (OPEN_RELEASES), the
    blanket ``blanket`` (its OrderRecord) left out, by key."""
    by_ref = list(by_ref)
    named = {r.key for r in by_ref}
    return sorted({r.key: r for r in [*records, *by_ref] if r.key != blanket.key and r.partner == blanket.partner
                   and (x12_po(r.po_number) == x12_po(blanket.po_number) or r.key in named)
                   and r.order_type not in BLANKET_TYPES and r.state in OPEN_RELEASES}.values(),
                  key=lambda r: r.po_number)


def cancelled_with_releases(blanket, releases: Iterable, names: Mapping, row: Mapping, *, seg: str = "BEG",
                            element: str = "BEG01", value: str = CANCEL, held: Collection = (),
                            closed: Collection = ()) -> Finding:
    """BLANKET_CANCELLED_RELEASES_OPEN at the cancellation (``row``: the 850's order row or the 860's header; ``seg``
    and ``element`` its BEG01 or BCH01): the buyer cancelled the blanket ``blanket`` while ``releases`` (open_releases)
    may still ship, each named (``names``: how people read each key, flows.releases.order_names) with its state, and
    those held by the cancellation (``held``: keys, hold_released) said so, and those whose balance it closed short
    (``closed``: keys, engine.lifecycle.balance.cancel_released_balance). A warning for ops: the buyer's
    cancellation names the blanket only, and each release is an order of its own (855'd on its own): one answered
    and not shipped is held for a person (RELEASE_HELD_BLANKET_CANCELLED), one partly shipped keeps what left and
    its balance is cancelled (a confirmation of it is held), one not answered yet waits for a person when decided
    (RELEASE_BLANKET_CANCELLED), as does a release sent from now on."""
    po, releases = x12_po(blanket.po_number), list(releases)
    now = {**dict.fromkeys(closed, ": balance cancelled now"), **dict.fromkeys(held, ": held now")}
    told = ", ".join(f"{names.get(r.key, r.po_number)} ({r.state.value}{now.get(r.key, '')})" for r in releases)
    count = len(releases)
    said = []
    if held:
        said.append("those acknowledged and not shipped are held for a person (RELEASE_HELD_BLANKET_CANCELLED: "
                    "approve one to ship it as answered, reject it to answer 855 RD)")
    if closed:
        said.append("one partly shipped keeps what left and its balance is cancelled, its stock released (a "
                    "warehouse's confirmation of it is held): should the buyer still want it, its 860 reopens the "
                    "release")
    if any(r.state not in (OrderState.ACKNOWLEDGED, OrderState.PARTIALLY_SHIPPED) for r in releases):
        said.append("one not answered yet waits for a person when decided (RELEASE_BLANKET_CANCELLED)")
    return finding_at_row(
        "BLANKET_CANCELLED_RELEASES_OPEN",
        f"Blanket PO {po} is cancelled ({element} {value}) with {count} release{'s' if count != 1 else ''} of it "
        f"still open: {told}. The cancellation names the blanket only and each release is an order of its own: "
        f"{'; '.join(said)}. A release sent from now on waits for a person (RELEASE_BLANKET_CANCELLED).", row,
        severity=BUSINESS_CATALOGUE["BLANKET_CANCELLED_RELEASES_OPEN"].severity, seg=seg, element=element,
        value=value, position=False)




def unshipped_answered(releases: Iterable) -> list:
    """The releases among ``releases`` (open_releases's) that we answered and nothing of which shipped
    (acknowledged): those held for a person when the buyer cancels their blanket (hold_released). One partly shipped
    is left out: what left stands, and its balance is cancelled (shipped_in_part)."""
    return [r for r in releases if r.state == OrderState.ACKNOWLEDGED]


def shipped_in_part(releases: Iterable) -> list:
    """The releases among ``releases`` (open_releases's) part of which shipped (partially_shipped): when the buyer
    cancels their blanket, what left stands and the balance is cancelled
    (engine.lifecycle.balance.cancel_released_balance). It used to ship as answered, named in the warning only."""
    return [r for r in releases if r.state == OrderState.PARTIALLY_SHIPPED]


def hold_released(blanket, releases: Iterable, names: Mapping, row: Mapping, *, at: str, run_id: str,
                  seg: str = "BEG", element: str = "BEG01", value: str = CANCEL) -> list[tuple]:
    """Each of ``releases`` (unshipped_answered's) held for a person because the buyer cancelled their blanket
    ``blanket`` (its OrderRecord): (the release's transition, acknowledged -> held by BLANKET_CANCELLED, its
    hold_codes RELEASE_HELD_BLANKET_CANCELLED; the finding, at the cancellation ``row``'s ``seg``/``element``, naming
    the release as people read it, ``names``). A release is an order of its own, answered by its own 855, and the
    buyer's cancellation names the blanket only: so the release is not cancelled by us, but neither is it shipped
    against an agreement the buyer ended without a person asking the buyer whether it stands. Approved, it ships as
    answered (no new 855: the buyer has one); rejected, the next run answers it 855 RD and its reservations go. Its
    shipments wait meanwhile (SHIPMENT_RELEASE_HELD)."""
    po = x12_po(blanket.po_number)
    out = []
    for r in releases:
        name = names.get(r.key, r.po_number)
        f = finding_at_row(
            HELD_FOR_CANCELLED,
            f"{name} was acknowledged and nothing of it shipped, and the buyer cancelled its blanket PO {po} "
            f"({element} {value}): the release is held for a person, not shipped against a cancelled agreement. "
            "Ask the buyer whether it stands: approve it to ship it as answered (no new 855), or reject it (855 RD, "
            "its stock released).", {**row, "po_number": r.po_number},
            severity=BUSINESS_CATALOGUE[HELD_FOR_CANCELLED].severity, seg=seg, element=element, value=value,
            position=False)
        t = move(r, EventKind.BLANKET_CANCELLED, at=at, run_id=run_id, note=f.message,
                 hold_codes=(HELD_FOR_CANCELLED,), hold_reasons=(f.message,))
        out.append((t, f))
    return out


# a release part of which shipped, moved by an 860 to another blanket whose remaining quantity its balance overdraws
# (held by engine.lifecycle.moved_hold)
BALANCE_PAST_BLANKET = MOVED_HOLD_CODE


def _drawn_by_others(blanket: tuple[str, str], blanket_lines: list[dict], held_orders: pa.Table,
                     by_order: Mapping[tuple[str, str], list[dict]], *, units: ShipmentUnits | None,
                     states: Mapping[tuple[str, str], str], answered: Mapping[tuple[str, str], Mapping[int, tuple]],
                     elsewhere: Collection[tuple[str, str]], leave: tuple[str, str],
                     moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]] | None = None
                     ) -> list[dict[str, Fraction]]:
    """What each release of ``blanket`` but ``leave`` called off of each of its lines (release name -> quantity in
    the blanket line's unit), as drawdown counts it (``moves``: drawdown's)."""
    moves = moves or {}
    drew: list[dict[str, Fraction]] = [{} for _ in blanket_lines]
    for call in (o for o in _rows(held_orders, _ORDER_COLUMNS) if (o.get("order_type") or "") == RELEASE
                 and (o["partner"], o["po_number"]) != leave and _counts_on(o, blanket, {blanket, *elsewhere}, moves)
                 and (o.get("purpose") or "") != CANCEL
                 and states.get((o["partner"], o["po_number"]), "") not in _DRAW_NOTHING):
        own = (call["partner"], call["po_number"])
        name = call.get("release_number") or call["po_number"]
        how = _counts_on(call, blanket, {blanket, *elsewhere}, moves)
        for line in by_order.get(own, []):
            line = _part_counted(_as_answered(line, answered.get(own)), how, moves.get(own))
            if line is None:
                continue
            index = _blanket_line(line, blanket_lines)
            if index is None or line.get("quantity") is None:
                continue
            quantity = _in_blanket_unit(line, blanket_lines[index], units)
            if quantity:
                drew[index][name] = drew[index].get(name, Fraction(0)) + quantity
    return drew


def balance_findings(order: Mapping, lines: Iterable[Mapping], left: Mapping[int, Decimal],
                     shipped: Mapping[int, Decimal], held_orders: pa.Table, held_lines: pa.Table, *,
                     units: ShipmentUnits | None = None, states: Mapping[tuple[str, str], str] | None = None,
                     answered: Mapping[tuple[str, str], Mapping[int, tuple]] | None = None,
                     elsewhere: Collection[tuple[str, str]] = (), moved_by: str = "",
                     moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]] | None = None
                     ) -> list[Finding]:
    """RELEASE_BALANCE_PAST_BLANKET for each line of the release ``order`` (its ORDERS row as the 860 ``moved_by``
    (its file) left it: a new contract or agreement, REF*CT / REF*AH; ``lines``: its ORDER_LINES rows) part of which
    shipped before the move, whose balance (``left``: line number -> units still to ship, in the line's unit;
    ``shipped``: what shipped of it) is more than the blanket it calls off now still holds of the line's item: the
    blanket line's quantity less what its other releases called off (among ``held_orders`` / ``held_lines``, the
    blanket and its releases as decide loads them, the moved one not among them; counted as drawdown counts them).
    What shipped stays on the blanket it shipped against (the 856 and 810 said that contract): only the balance calls
    off the new one. [] when the release calls off no blanket held there, or its balance fits."""
    states, answered = states or {}, answered or {}
    rows = [*_rows(held_orders, _ORDER_COLUMNS)]
    blankets = {(o["partner"], x12_po(o["po_number"])): o for o in rows
                if (o.get("order_type") or "") in BLANKET_TYPES and (o.get("purpose") or "") != CANCEL}
    key = called_off(order, blankets)
    if key is None:
        return []
    blanket = blankets[key]
    by_order: dict[tuple[str, str], list[dict]] = {}
    for line, sku in zip(_rows(held_lines, _LINE_COLUMNS), _skus(held_lines, units), strict=True):
        by_order.setdefault((line["partner"], line["po_number"]), []).append({**line, "sku": sku})
    blanket_lines = sorted(by_order.get((blanket["partner"], blanket["po_number"]), []),
                           key=lambda b: b.get("line_number") or 0)
    own = (order["partner"], order["po_number"])
    drew = _drawn_by_others(key, blanket_lines, held_orders, by_order, units=units, states=states,
                            answered=answered, elsewhere=elsewhere, leave=own, moves=moves)
    mine = list(lines)
    skus = _skus(pa.Table.from_pylist(mine), units) if mine and units is not None else [None] * len(mine)
    out = []
    wanted: dict[int, Fraction] = {}  # blanket line index -> the balance of the release's lines of its item
    for line, sku in zip(mine, skus, strict=True):
        line = {**line, "sku": sku}
        number = line.get("line_number")
        balance = left.get(number)
        if not balance or balance <= 0:
            continue
        index = _blanket_line(line, blanket_lines)
        if index is None:
            continue  # (an item the blanket does not list: the release was checked for it when it was decided)
        if blanket_lines[index].get("quantity") is None:  # a line agreed by value: the balance's value, for a person
            out.append(_balance_by_value(order, line, blanket, blanket_lines[index], balance,
                                         shipped.get(number, Decimal(0)),
                                         _valued_by_others(key, blanket_lines, index, held_orders, by_order,
                                                           states=states, answered=answered, elsewhere=elsewhere,
                                                           leave=own, moves=moves or {}), moved_by))
            continue
        quantity = _in_blanket_unit({**line, "quantity": balance}, blanket_lines[index], units)
        if quantity is None:
            continue
        before = wanted.get(index, Fraction(0))
        wanted[index] = before + quantity
        holds = Fraction(blanket_lines[index]["quantity"])
        others = sum(drew[index].values(), Fraction(0))
        remaining = max(holds - others, Fraction(0))
        if before + quantity <= remaining:
            continue
        out.append(_balance_past(order, line, blanket, blanket_lines[index], balance, quantity,
                                 shipped.get(number, Decimal(0)), others, remaining, before + quantity - remaining,
                                 list(drew[index]), moved_by))
    return out


def _valued_by_others(blanket: tuple[str, str], blanket_lines: list[dict], index: int, held_orders: pa.Table,
                      by_order: Mapping[tuple[str, str], list[dict]], *, states: Mapping[tuple[str, str], str],
                      answered: Mapping[tuple[str, str], Mapping[int, tuple]],
                      elsewhere: Collection[tuple[str, str]], leave: tuple[str, str],
                      moves: Mapping[tuple[str, str], tuple[str, Mapping[int, Decimal]]]) -> dict[str, Decimal | None]:
    """What each release of ``blanket`` but ``leave`` called off of its line ``index`` (one agreed by value) by value:
    release name -> its lines' quantities (as drawdown counts them) at their prices (PO104), None for a line sent
    without one."""
    out: dict[str, Decimal | None] = {}
    for call in (o for o in _rows(held_orders, _ORDER_COLUMNS) if (o.get("order_type") or "") == RELEASE
                 and (o["partner"], o["po_number"]) != leave and (o.get("purpose") or "") != CANCEL
                 and states.get((o["partner"], o["po_number"]), "") not in _DRAW_NOTHING):
        how = _counts_on(call, blanket, {blanket, *elsewhere}, moves)
        if not how:
            continue
        own = (call["partner"], call["po_number"])
        name = call.get("release_number") or call["po_number"]
        for line in by_order.get(own, []):
            line = _part_counted(_as_answered(line, answered.get(own)), how, moves.get(own))
            if line is None or line.get("quantity") is None or _blanket_line(line, blanket_lines) != index:
                continue
            price = line.get("unit_price")
            value = None if price is None or (name in out and out[name] is None) else \
                out.get(name, Decimal(0)) + Decimal(str(line["quantity"])) * Decimal(str(price))
            out[name] = value
    return out


def _balance_by_value(call: dict, line: dict, blanket: dict, blanket_line: dict, balance: Decimal, shipped: Decimal,
                      others: Mapping[str, Decimal | None], moved_by: str) -> Finding:
    """RELEASE_BLANKET_BY_VALUE for the balance of a release part of which shipped that an 860 moved to a blanket
    whose line of its item is agreed by value (no quantity): we keep no value limit of a blanket, so the balance is
    checked by value by a person, the finding giving its value and what the blanket's other releases called off of
    the line by value (at their prices, PO104)."""
    item = _item(line)
    said = item[1] if item else f"line {line.get('line_number')}"
    unit = line.get("unit") or ""
    price = line.get("unit_price")
    worth = (f"come to {_text(Decimal(str(balance)) * Decimal(str(price)))} at its price {_text(Decimal(str(price)))}"
             " (PO104)" if price is not None else "have no value we know (the line sent no price, PO104)")
    if others:
        known = {n: v for n, v in others.items() if v is not None}
        drew = (f"its other release{'s' if len(others) > 1 else ''} "
                + ", ".join(f"{n} {_text(v)}" if v is not None else f"{n} (a line without a price)"
                            for n, v in others.items())
                + (f" called off {_text(sum(known.values(), Decimal(0)))} of it by value" if known else
                   " called off lines of it"))
    else:
        drew = "no other release called it off"
    by = f"the 860 in {moved_by}" if moved_by else "the buyer's 860"
    return business_finding(
        "RELEASE_BLANKET_BY_VALUE",
        f"{_release_of(call, blanket)}: {by} moved it there after {_text(shipped)} {unit} of {said} (line "
        f"{line.get('line_number')}) shipped, which stay on the blanket they shipped against. The blanket's line "
        f"{blanket_line.get('line_number')} states no quantity (PO102 empty: agreed by value, its limit an amount): "
        f"the {_text(balance)} {unit} left to ship {worth}; {drew}. We keep no value limit of a blanket, so "
        "the balance is checked by value by a person: the release is held, what shipped stands, a warehouse's "
        "confirmation of more is still recorded, but nothing more is billed until a person decides. Check the "
        "blanket's amount: approve to ship the balance against it, or reject to cancel the balance (what shipped "
        "stands, its stock released).",
        line, seg="PO1", element="PO102", value=line.get("quantity"))


def _balance_past(call: dict, line: dict, blanket: dict, blanket_line: dict, balance: Decimal, quantity: Fraction,
                  shipped: Decimal, others: Fraction, remaining: Fraction, over: Fraction, names: list[str],
                  moved_by: str) -> Finding:
    item = _item(line)
    said = item[1] if item else f"line {line.get('line_number')}"
    unit, sent = blanket_line.get("unit") or "", line.get("unit") or ""
    asks = f"{_text(balance)} {sent}" + (f" ({_amount(quantity)} {unit})" if sent != unit else "")
    drew = (f"its other release{'s' if len(names) > 1 else ''} {', '.join(names)} called off {_amount(others)} {unit}"
            if names else "no other release called it off")
    by = f"the 860 in {moved_by}" if moved_by else "the buyer's 860"
    return business_finding(
        BALANCE_PAST_BLANKET,
        f"{_release_of(call, blanket)}: {by} moved it there after {_text(shipped)} {sent} of {said} (line "
        f"{line.get('line_number')}) shipped, which stay on the blanket they shipped against. The {asks} left to ship "
        f"overdraw it by {_amount(over)} {unit}: its line {blanket_line.get('line_number')} holds "
        f"{_text(blanket_line.get('quantity'))} {unit}, {drew}, so {_amount(remaining)} {unit} remain. The release is "
        "held: what shipped stands (its 856s and 810s went), a warehouse's confirmation of more is still recorded, "
        "but nothing more is billed until a person decides. Ask the buyer whether the blanket is raised (its 860) or "
        "the balance belongs elsewhere: approve to ship the balance against this blanket anyway, or reject to cancel "
        "the balance (what shipped stands, its stock released).",
        line, seg="PO1", element="PO102", value=line.get("quantity"))
