"""846 inventory inquiry/advice from a 3PL or a warehouse system -> stock rows: one per item per warehouse per set,
what `orderbridge inventory load` writes into the snapshot (flows.inventory_load). Reads the segments of the 846 sets
of a parsed file (parsers.x12_reader); no I/O, no reference data (the flow turns product ids into our SKUs):
  BIA   BIA04 the report's date: the day the stock was counted
  DTM   a heading DTM 405 (production) or 007 (effective) dates the report when BIA04 does not
  N1    heading N1 WH / SF / RL / ST / SN: the warehouse the quantities are of (N104, else N102); an N1 inside an
        item's LIN loop names the warehouse of the QTYs after it (a 3PL's per-location quantities)
  LIN   the item: each LIN02/03, 04/05 ... pair (SK, VN, VP, MG: our item number; UP, UK, EN, UA: a GTIN)
  QTY   QTY01 17 quantity on hand, 33 quantity available for sale (the free stock; on hand less it is held);
        QTY02 the quantity, QTY03 its unit (C001's first component; none: eaches). Other qualifiers are not read
A set's problems are findings at their segment and element (a date that is none, a quantity that is not a whole
number, an item without an id or a quantity); the flow refuses the file on any error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from parsers.x12_dates import parse as parse_date
from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding

WAREHOUSE_PARTIES = frozenset({"WH", "SF", "RL", "ST", "SN"})
ON_HAND, AVAILABLE = "17", "33"


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


def read_846(result: ParseResult) -> tuple[list[StockAdvice], list[Finding]]:
    """Every 846 set of ``result``: its items' quantities and the findings of what could not be read."""
    rows: list[StockAdvice] = []
    findings: list[Finding] = []
    for ic, g, ts in result.transaction_sets():
        if ts.set_id != "846":
            continue
        where = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
        r, f = _read_set(result.segments.rows(ts.start, ts.end), where, ts.control_number)
        rows += r
        findings += f
    return rows, findings


def _read_set(segs: list[list[str]], where: dict, st02: str) -> tuple[list[StockAdvice], list[Finding]]:
    findings: list[Finding] = []
    as_of: date | None = None
    dated: date | None = None  # a heading DTM's
    heading_wh = ""
    items: list[dict] = []
    item: dict | None = None

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
                item["places"].append({"warehouse": name, "qty": {}, "unit": ""})
        elif sid == "LIN":
            close()
            ids = tuple((el[k].strip().upper(), el[k + 1].strip()) for k in range(2, len(seg) - 1, 2)
                        if el[k].strip() and el[k + 1].strip())
            if not ids:
                bad("ELEMENT_MANDATORY_MISSING", "LIN names no product id (LIN02/LIN03).", "LIN", pos, "LIN03")
            item = {"ids": ids, "pos": pos, "places": [{"warehouse": None, "qty": {}, "unit": ""}]}
        elif sid == "QTY" and item is not None and el[1] in (ON_HAND, AVAILABLE):
            place = item["places"][-1]
            count = _whole(el[2])
            if count is None:
                bad("ELEMENT_INVALID_CHARACTER", f"QTY02 {el[2]!r} ({'on hand' if el[1] == ON_HAND else 'available'})"
                    " is not a whole number of units.", "QTY", pos, "QTY02", el[2])
                continue
            place["qty"][el[1]] = count
            place["unit"] = el[3].split(">")[0].strip().upper() if el[3] else place["unit"]
    close()
    out: list[StockAdvice] = []
    for it in items:
        places = [p for p in it["places"] if p["qty"]]
        if not places and it["ids"]:
            bad("ELEMENT_MANDATORY_MISSING", f"LIN {it['ids'][0][1]} has no QTY 17 (on hand) nor 33 (available).",
                "LIN", it["pos"])
        for p in places:
            out.append(StockAdvice(as_of or dated, p["warehouse"] if p["warehouse"] is not None else heading_wh,
                                   it["ids"], p["qty"].get(ON_HAND), p["qty"].get(AVAILABLE), p["unit"], st02,
                                   it["pos"]))
    return out, findings


def _whole(text: str) -> int | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)
