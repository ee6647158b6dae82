"""846 inventory inquiry/advice from a 3PL or a warehouse system -> stock rows: one per item per warehouse per set,
what `orderbridge inventory load` writes into the snapshot (flows.inventory_load). Reads the segments of the 846 sets
of a parsed file (parsers.x12_reader); no I/O, no reference data (the flow turns product ids into our SKUs):
  BIA   BIA04 the report's date: the day the stock was counted
  DTM   a heading DTM 405 (production) or 007 (effective) dates the report when BIA04 does not
  N1    heading N1 WH / SF / RL / ST / SN: the warehouse the quantities are of (N104, else N102); an N1 inside an
        item's LIN loop names the warehouse of the QTYs after it (a 3PL's per-location quantities)
  LIN   the item: each LIN02/03, 04/05 ... pair (SK, VN, VP, MG: our item number; UP, UK, EN, UA: a GTIN)
  QTY   QTY01 (X12 element 673) says what the quantity is; QTY02 the quantity, QTY03 its unit (C001's first
        component; none: eaches). Read as (HELD, COMING, NOT_STOCK below): 17 on hand; 33 available for sale (the
        free stock: on hand less it is held); held back from what is free: QH on hold, 74 damaged goods, 20
        unusable, 27 committed, 15 in hold out, XU reserved, XT protected; coming in: 63 on order, IQ in transit.
        Any other qualifier (02 cumulative, 18 previous week, 29 projected available, 37 work in process, 40
        remaining, 72/73 minimum and maximum stock level ... or one not in the list) is kept as not read, to be
        named, never counted
  DTM   after a QTY of what is coming in (before the next QTY): its expected day (DTM01 002, 017, 018, 067, 069,
        371; DTM02 the day)
  SCH   after such a QTY: a part of it due on a day (SCH01 the quantity, SCH06 the day)
  SDQ   quantities per location (SDQ01 their unit, SDQ02 the ids' qualifier, then id/quantity pairs): of the QTY01
        the caller says (``sdq``), else of the QTY right before it in the item (a 3PL's guide puts it after the
        quantity it splits); kept as sent (StockAdvice.sdq; after a QTY of goods coming in, StockAdvice.coming_sdq,
        with that QTY's position): which location is which warehouse is the caller's
  LM/LQ the item's codes (LQ01 the list, LQ02 the code), after its LIN; a heading LM loop's are the set's
``meanings`` (QTY01 -> ON_HAND_ROLE, AVAILABLE_ROLE, "held", "coming" or "not_counted") overrides what a
qualifier is read as (a 3PL whose guide means 34, noncommitted inventory on shelf, as what is free).
A set's problems are findings at their segment and element (a date that is none, a quantity that is not a whole
number, an item without an id or a quantity); the flow refuses the file on any error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from parsers.x12_dates import parse as parse_date
from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding

WAREHOUSE_PARTIES = frozenset({"WH", "SF", "RL", "ST", "SN"})
ON_HAND, AVAILABLE = "17", "33"
# QTY01 of stock on hand but not free to promise (X12 element 673's names)
HELD = {"QH": "on hold", "74": "damaged goods", "20": "unusable", "27": "committed", "15": "in hold out",
        "XU": "reserved", "XT": "protected"}
# QTY01 of stock coming in: a receipt when the QTY is dated (a DTM or SCH after it)
COMING = {"63": "on order", "IQ": "in transit"}
# QTY01 846s carry that are not stock to promise: named when met, never counted
NOT_STOCK = {"02": "cumulative quantity", "18": "previous week quantity", "26": "total inventory",
             "29": "projected available inventory", "34": "noncommitted inventory on shelf", "37": "work in process",
             "38": "original quantity", "40": "remaining quantity", "57": "minimum order quantity",
             "62": "days covered by inventory", "69": "incremental order quantity", "70": "maximum order quantity",
             "72": "minimum stock level", "73": "maximum stock level", "75": "receipts", "76": "returns",
             "77": "stock transfers in", "78": "stock transfers out", "87": "quantity received",
             "BQ": "backorder quantity"}
# DTM01 that date a quantity coming in: delivery requested, estimated delivery, available, current schedule delivery,
# promised for delivery, estimated arrival
ETA_DATES = frozenset({"002", "017", "018", "067", "069", "371"})


ROLES = ("on_hand", "available", "held", "coming", "not_counted")  # what a QTY01 may be read as (``meanings``)


def role_of(qualifier: str, meanings: Mapping[str, str] | None = None) -> str:
    """What a QTY01 is read as: ``meanings``' word for it, else the reader's own (17 on hand, 33 available, HELD,
    COMING; any other not counted)."""
    if meanings and qualifier in meanings:
        return meanings[qualifier]
    return ("on_hand" if qualifier == ON_HAND else "available" if qualifier == AVAILABLE else
            "held" if qualifier in HELD else "coming" if qualifier in COMING else "not_counted")


def qty_name(qualifier: str) -> str:
    """What a QTY01 is, for a person ("on hold"; "a qualifier not read" for one the reader does not know)."""
    names = {ON_HAND: "on hand", AVAILABLE: "available", **HELD, **COMING, **NOT_STOCK}
    return names.get(qualifier, "a qualifier not read")


@dataclass(frozen=True, slots=True)
class StockAdvice:
    """One item's quantities at one warehouse, as an 846 gives them."""

    as_of: date | None
    warehouse: str  # the N1's id (N104), else its name; "" when the set names none
    ids: tuple[tuple[str, str], ...]  # (qualifier, id) of the LIN, in order
    on_hand: int | None
    available: int | None
    unit: str  # QTY03 as sent, upper case; "" none
    st02: str
    segment_position: int  # the LIN's, in its set
    held: tuple[tuple[str, int, str, int], ...] = ()  # (QTY01, count, unit, QTY's position) on hand, not free
    coming: tuple[tuple[str, int, str, int, date | None], ...] = ()  # (QTY01, count, unit, position, day or None)
    unread: tuple[tuple[str, str, int], ...] = ()  # (QTY01 or "SDQ", its quantity as sent, position) not counted
    # SDQs: (QTY01 their quantities are of, "" none said; SDQ01 unit; SDQ02; ((location, count), ...); position)
    sdq: tuple[tuple[str, str, str, tuple[tuple[str, int], ...], int], ...] = ()
    on_hand_by: str = ""  # the QTY01 read as on hand ("17"; another where ``meanings`` say so), "" none
    available_by: str = ""  # the QTY01 read as available
    codes: tuple[tuple[str, str, int], ...] = ()  # the item's and its set heading's LQ (LQ01, LQ02, position)
    # SDQs after a QTY of goods coming in (63, IQ): (that QTY's position, its QTY01, SDQ01, SDQ02, pairs, position)
    coming_sdq: tuple[tuple[int, str, str, str, tuple[tuple[str, int], ...], int], ...] = ()


def read_846(result: ParseResult, *, meanings: Mapping[str, str] | None = None,
             sdq: str | None = None) -> tuple[list[StockAdvice], list[Finding]]:
    """Every 846 set of ``result``: its items' quantities and the findings of what could not be read. ``meanings``:
    QTY01 -> what it is read as (ROLES), over the reader's own; ``sdq``: the QTY01 an SDQ's quantities are of
    (None: the QTY right before it)."""
    rows: list[StockAdvice] = []
    findings: list[Finding] = []
    for ic, g, ts in result.transaction_sets():
        if ts.set_id != "846":
            continue
        where = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
        r, f = _read_set(result.segments.rows(ts.start, ts.end), where, ts.control_number, meanings or {}, sdq)
        rows += r
        findings += f
    return rows, findings


def _read_set(segs: list[list[str]], where: dict, st02: str, meanings: Mapping[str, str],
              sdq: str | None) -> tuple[list[StockAdvice], list[Finding]]:
    findings: list[Finding] = []
    as_of: date | None = None
    dated: date | None = None  # a heading DTM's
    heading_wh = ""
    heading_codes: list[tuple[str, str, int]] = []  # a heading LM loop's LQs
    items: list[dict] = []
    item: dict | None = None
    last: dict | None = None  # the item's last QTY: a DTM or SCH after it dates it

    def bad(code: str, message: str, seg: str, pos: int, element: str = "", value: str | None = None) -> None:
        findings.append(finding(code, message, seg=seg, element=element, value=value, segment_position=pos, **where))

    def close() -> None:
        if item is not None:
            items.append(item)

    for pos, seg in enumerate(segs, start=1):
        sid = seg[0]
        el = seg + [""] * 6
        if sid == "BIA":
            as_of = parse_date(el[4])
            if as_of is None:
                bad("ELEMENT_INVALID_DATE", f"BIA04 {el[4]!r} is not a date: the day the stock was counted.", "BIA",
                    pos, "BIA04", el[4])
        elif sid == "DTM" and item is None and el[1] in ("405", "007"):
            dated = parse_date(el[2])
        elif sid == "N1" and el[1] in WAREHOUSE_PARTIES:
            name = el[4].strip() or el[2].strip()
            if item is None:
                heading_wh = name
            else:  # a location of the item: its QTYs follow
                item["places"].append(_place(name))
                last = None
        elif sid == "LIN":
            close()
            ids = tuple((el[k].strip().upper(), el[k + 1].strip()) for k in range(2, len(seg) - 1, 2)
                        if el[k].strip() and el[k + 1].strip())
            if not ids:
                bad("ELEMENT_MANDATORY_MISSING", "LIN names no product id (LIN02/LIN03).", "LIN", pos, "LIN03")
            item = {"ids": ids, "pos": pos, "places": [_place(None)], "codes": []}
            last = None
        elif sid == "QTY" and item is not None:
            place = item["places"][-1]
            role = role_of(el[1], meanings)
            if role == "not_counted" or (role in ("on_hand", "available") and place["qty"].get(role, (el[1],))[0]
                                         != el[1]):  # a second qualifier read as the same: the first's kept
                place["unread"].append((el[1], el[2].strip() or el[4].strip(), pos))  # a decimal, a QTY04 text
                last = {"q": el[1], "role": "not_counted", "pos": pos}
                continue
            count = _whole(el[2])
            if count is None:
                bad("ELEMENT_INVALID_CHARACTER", f"QTY02 {el[2]!r} ({qty_name(el[1])}) is not a whole number of "
                    "units.", "QTY", pos, "QTY02", el[2])
                last = None
                continue
            unit = el[3].split(">")[0].strip().upper() if el[3] else ""
            last = {"q": el[1], "role": role, "count": count, "unit": unit, "pos": pos, "dates": []}
            if role in ("on_hand", "available"):
                place["qty"][role] = (el[1], count)
                place["unit"] = unit or place["unit"]
            elif role == "held":
                place["held"].append(last)
            else:
                place["coming"].append(last)
        elif sid == "DTM" and last is not None and last["role"] == "coming" and el[1] in ETA_DATES:
            day = parse_date(el[2])
            if day is None:
                bad("ELEMENT_INVALID_DATE", f"DTM02 {el[2]!r} is not a date: the day the {qty_name(last['q'])} "
                    "quantity is expected.", "DTM", pos, "DTM02", el[2])
            else:
                last["dates"].append((last["count"], day))
        elif sid == "SCH" and last is not None and last["role"] == "coming":
            count, day = _whole(el[1]), parse_date(seg[6] if len(seg) > 6 else "")
            if count is None:
                bad("ELEMENT_INVALID_CHARACTER", f"SCH01 {el[1]!r} is not a whole number of units (a part of the "
                    f"{qty_name(last['q'])} quantity).", "SCH", pos, "SCH01", el[1])
            elif day is None:
                bad("ELEMENT_INVALID_DATE", f"SCH06 is not a date: the day a part of the {qty_name(last['q'])} "
                    "quantity is expected.", "SCH", pos, "SCH06")
            else:
                last.setdefault("scheduled", []).append((count, day))
        elif sid == "SDQ" and item is not None:
            of = sdq or (last["q"] if last is not None else "")
            role = role_of(of, meanings) if of else ""
            if role in ("on_hand", "available", "held") or (role == "coming" and last is not None
                                                              and last["q"] == of and "count" in last):
                parts = []
                for k in range(3, len(seg) - 1, 2):
                    if not seg[k].strip() and not seg[k + 1].strip():
                        continue
                    count = _whole(seg[k + 1])
                    if count is None:
                        bad("ELEMENT_INVALID_CHARACTER", f"SDQ{k + 1:02d} {seg[k + 1]!r} (the quantity at "
                            f"{seg[k].strip()!r}) is not a whole number of units.", "SDQ", pos, f"SDQ{k + 1:02d}",
                            seg[k + 1])
                        continue
                    parts.append((seg[k].strip(), count))
                split = (of, el[1].strip().upper(), el[2].strip(), tuple(parts), pos)
                if role == "coming":  # the receipts of the QTY right before it, per location (its DTM's day)
                    last.setdefault("sdq", []).append(split)
                else:
                    item["places"][-1]["sdq"].append(split)
            else:  # of a quantity not counted, of none said, or of goods coming in the SDQ does not follow: named
                item["places"][-1]["unread"].append(("SDQ", " ".join(seg[3:]), pos))
        elif sid == "LQ":
            (item["codes"] if item is not None else heading_codes).append((el[1].strip(), el[2].strip(), pos))
    close()
    out: list[StockAdvice] = []
    for it in items:
        places = [p for p in it["places"] if p["qty"] or p["held"] or p["coming"] or p["unread"] or p["sdq"]]
        if not any(p["qty"] or p["held"] or p["coming"] or p["sdq"] for p in places) and it["ids"]:
            unread = sorted({q for p in places for q, _c, _p in p["unread"]})
            bad("ELEMENT_MANDATORY_MISSING", f"LIN {it['ids'][0][1]} has no QTY 17 (on hand) nor 33 (available)"
                + (f": QTY {', '.join(unread)} ({', '.join(qty_name(q) for q in unread)}) not stock to count."
                   if unread else ".") + " (What a qualifier is read as is the layout's to say: [advice.qty], e.g. "
                "\"34\" = \"available\".)", "LIN", it["pos"])
            continue
        for p in places:
            coming = tuple((c["q"], n, c["unit"], c["pos"], day) for c in p["coming"] for n, day in _parts(c))
            coming_sdq = tuple((c["pos"], *split) for c in p["coming"] for split in c.get("sdq", ()))
            on_hand, available = p["qty"].get("on_hand", ("", None)), p["qty"].get("available", ("", None))
            out.append(StockAdvice(as_of or dated, p["warehouse"] if p["warehouse"] is not None else heading_wh,
                                   it["ids"], on_hand[1], available[1], p["unit"], st02,
                                   it["pos"], tuple((h["q"], h["count"], h["unit"], h["pos"]) for h in p["held"]),
                                   coming, tuple(p["unread"]), tuple(p["sdq"]), on_hand[0], available[0],
                                   tuple(heading_codes + it["codes"]), coming_sdq))
    return out, findings


def _parts(qty: dict) -> list[tuple[int, date | None]]:
    """A quantity coming in as (count, day) parts: its SCHs' (what they leave undated a part of no day), else the
    whole on its DTM's day, else on none."""
    if "scheduled" in qty:
        rest = qty["count"] - sum(n for n, _d in qty["scheduled"])
        return qty["scheduled"] + ([(rest, None)] if rest > 0 else [])
    return [(qty["count"], qty["dates"][0][1] if qty["dates"] else None)]


def _place(warehouse: str | None) -> dict:
    """An item's quantities at one warehouse (None: the set's heading N1's)."""
    return {"warehouse": warehouse, "qty": {}, "unit": "", "held": [], "coming": [], "unread": [], "sdq": []}


def _whole(text: str) -> int | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)
