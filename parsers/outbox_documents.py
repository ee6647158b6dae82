"""Our own outbound documents read back (an outbox file: TA1, 997, 855, 865, 870, 856, 810, 880): the control
numbers they used (and the SSCCs of an 856's MAN*GM, the invoice number of an 810's BIG02) and what
each transaction set answered, for rebuilding a lost state store (flows.rebuild)
so that no number is used again and no order is answered twice.

Bytes in (parsed by parsers.x12_reader), plain records out; no paths, no clock. Tolerant: a set
it cannot read is left out, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from parsers.x12_reader import read_interchanges


@dataclass(frozen=True, slots=True)
class SentSet:
    """One transaction set we sent (or the TA1 of an interchange)."""

    set_id: str  # 855, 865, 997, 856, 810 or TA1
    st02: str = ""
    gs06: str = ""
    po_number: str = ""  # BAK03 / BCA03
    release_number: str = ""  # BAK05 / BCA04: the release answered (850 BEG04)
    purpose: str = ""  # BAK01 / BCA01
    ack_type: str = ""  # BAK02 / BCA02
    lines: tuple = ()  # ((PO101 / POC01, PO102 / POC03 or None, ((ACK01, ACK02), ...)), ...)
    prices: tuple = ()  # ((PO101 / POC01, PO104 / POC06 or None), ...): each answered line's unit price
    units: tuple = ()  # ((PO101 / POC01, PO103 / POC05), ...): the unit each answered line's quantity is in
    items: tuple = ()  # per line of ``lines``, its product ids ((qualifier, id), ...): PO106/07..., POC08/09...
    promised: tuple = ()  # ((PO101 / POC01, CCYYMMDD), ...): the date its IB ACK promised (ACK04 068, ACK05)
    answers_isa13: str = ""  # TA101
    answers_gs06: str = ""  # AK102
    ssccs: tuple[str, ...] = ()  # an 856's MAN02 where MAN01 is GM (SSCC-18, with or without its AI)
    invoice_number: str = ""  # an 810's BIG02


@dataclass(frozen=True, slots=True)
class SentInterchange:
    isa13: str
    date: str  # GS04 (CCYYMMDD), else 20 + ISA09
    sets: tuple[SentSet, ...] = field(default_factory=tuple)
    receiver: tuple[str, str] = ("", "")  # ISA07, ISA08: whom it was addressed to


def read_sent(data: bytes, *, file: str = "") -> list[SentInterchange]:
    """Every interchange of one of our outbox files, with its sets."""
    result = read_interchanges(data, file=file)
    out = []
    for ic in result.interchanges:
        if ic.rejected:
            continue
        rows = result.segments.rows(ic.start, ic.end) if ic.end >= ic.start else []
        date = next((g.elements[3] for g in ic.groups if len(g.elements) > 3), "")
        if len(date) == 6:  # GS04 YYMMDD: a 997 in a release before 004010
            date = "20" + date
        if not date and len(ic.elements) > 8 and len(ic.elements[8]) == 6:
            date = "20" + ic.elements[8]
        sets = [SentSet("TA1", answers_isa13=_el(r, 1)) for r in rows if r and r[0] == "TA1"]
        for g in ic.groups:
            for ts in g.transactions:
                sets.append(_set(result.segments.rows(ts.start, ts.end), ts.set_id, ts.control_number,
                                 g.control_number))
        out.append(SentInterchange(ic.control_number, date, tuple(sets), (_el(ic.elements, 6), _el(ic.elements, 7))))
    return out


def _el(row: list[str], i: int) -> str:
    return row[i].strip() if len(row) > i else ""


def _qty(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _set(rows: list[list[str]], set_id: str, st02: str, gs06: str) -> SentSet:
    head = {"855": "BAK", "865": "BCA"}.get(set_id)
    if set_id == "997":
        ak1 = next((r for r in rows if r and r[0] == "AK1"), [])
        return SentSet("997", st02, gs06, answers_gs06=_el(ak1, 2))
    if set_id == "856":
        return SentSet("856", st02, gs06, ssccs=tuple(_el(r, 2) for r in rows if r and r[0] == "MAN"
                                                      and _el(r, 1) == "GM" and _el(r, 2)))
    if set_id == "810":
        big = next((r for r in rows if r and r[0] == "BIG"), [])
        return SentSet("810", st02, gs06, po_number=_el(big, 4), invoice_number=_el(big, 2))
    if set_id == "880":  # a grocer's invoice: G01 names the invoice and PO where BIG does
        g01 = next((r for r in rows if r and r[0] == "G01"), [])
        return SentSet("880", st02, gs06, po_number=_el(g01, 4), invoice_number=_el(g01, 2))
    if set_id == "870":  # an Order Status Report answering a PO (engine.order_status): BSR03 the PO, per PO1 its ISRs
        return _status_report(rows, st02, gs06)
    if head is None:
        return SentSet(set_id, st02, gs06)
    top = next((r for r in rows if r and r[0] == head), [])
    lines, prices, units = _answered_lines(rows, "ACK")
    return SentSet(set_id, st02, gs06, po_number=_el(top, 3), purpose=_el(top, 1), ack_type=_el(top, 2),
                   release_number=_el(top, 5 if head == "BAK" else 4), lines=lines, prices=prices, units=units,
                   items=_items(rows), promised=_promised(rows))


def _promised(rows: list[list[str]]) -> tuple:
    """Per answered line whose back order an ACK IB dated (ACK04 068, ACK05), (line id, that date): what the night
    promised it (a line's promised_date); a line with none, or dated by the heading's DTM 068 alone, is not listed."""
    out, line = [], None
    for r in rows:
        if r and r[0] in ("PO1", "POC"):
            line = _el(r, 1)
        elif r and r[0] == "ACK" and line is not None and _el(r, 1) == "IB" and _el(r, 4) == "068" and _el(r, 5):
            out.append((line, _el(r, 5)))
    return tuple(out)


def _items(rows: list[list[str]]) -> tuple:
    """Each answered line's product ids, in the order of its lines: (qualifier, id) pairs of PO106/PO107 onward (an
    855's PO1) or POC08/POC09 onward (an 865's POC): what names a line an 876's G68 (or an 860's POC without POC01)
    changed, its 865's POC echoing it with no line id."""
    out = []
    for r in rows:
        if r and r[0] in ("PO1", "POC"):
            first = 6 if r[0] == "PO1" else 8
            out.append(tuple((_el(r, i), _el(r, i + 1)) for i in range(first, len(r) - 1, 2)
                             if _el(r, i) and _el(r, i + 1)))
    return tuple(out)


def _answered_lines(rows: list[list[str]], status: str) -> tuple[tuple, tuple, tuple]:
    """The lines an answer states: per PO1 (or an 865's POC) (line id, quantity, its statuses), (line id, price) and
    (line id, unit); its statuses each ``status`` segment after it: ACK as (ACK01, ACK02), ISR as (ISR01, None)."""
    lines: list[tuple[str, Decimal | None, list]] = []
    prices: list[tuple[str, Decimal | None]] = []
    units: list[tuple[str, str]] = []
    for r in rows:
        if r and r[0] == "PO1":
            lines.append((_el(r, 1), _qty(_el(r, 2)), []))
            prices.append((_el(r, 1), _qty(_el(r, 4))))
            units.append((_el(r, 1), _el(r, 3)))
        elif r and r[0] == "POC":
            lines.append((_el(r, 1), _qty(_el(r, 3)), []))
            prices.append((_el(r, 1), _qty(_el(r, 6))))
            units.append((_el(r, 1), _el(r, 5)))
        elif r and r[0] == status and lines:
            lines[-1][2].append((_el(r, 1), _qty(_el(r, 2)) if status == "ACK" else None))
    return (tuple((line_id, qty, tuple(said)) for line_id, qty, said in lines), tuple(prices), tuple(units))


def _status_report(rows: list[list[str]], st02: str, gs06: str) -> SentSet:
    """An 870 as an answer: BSR03 the PO, PRF02 the release; per item level its PO1 (PO101, PO102, PO104) and its
    ISRs as (ISR01, None): the report states no quantity per status (engine.order_status reads them back)."""
    bsr = next((r for r in rows if r and r[0] == "BSR"), [])
    prf = next((r for r in rows if r and r[0] == "PRF"), [])
    lines, prices, units = _answered_lines(rows, "ISR")
    return SentSet("870", st02, gs06, po_number=_el(bsr, 3), release_number=_el(prf, 2), lines=lines, prices=prices,
                   units=units)
