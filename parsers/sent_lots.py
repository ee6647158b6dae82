"""The lots and expiry dates one of our own 856s lists, read back for `orderbridge status` (a partner whose 856
carries lots, asn.lots: LIN ... LT lot or REF*LT, and DTM*036). Plain Python over the interchange's bytes, no
dataframe package (status loads none: tests/test_console.py); our 856s are well formed (ISA fixed width, as
parsers.x12_writer writes it). No paths, no clock."""

from __future__ import annotations

from datetime import date, datetime


def _segments(data: bytes) -> list[list[str]]:
    """The segments of an interchange of ours: the element separator after ``ISA``, the segment terminator
    after ISA16 (byte 105); line breaks between segments dropped."""
    text = data.decode("latin-1").lstrip("\ufeff")
    if not text.startswith("ISA") or len(text) < 106:
        return []
    element, terminator = text[3], text[105]
    return [seg.strip("\r\n ").split(element) for seg in text.split(terminator) if seg.strip("\r\n ")]


def _date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 else None
    except ValueError:
        return None


def lots_shipped(data: bytes, *, st02: str = "", po_number: str = "") -> list[dict]:
    """Per item loop of the 856 set ``st02`` (every 856 set when "") that names a lot, under the order level
    whose PRF01 is ``po_number`` (every order when ""): the PO, the LIN01 line id, the lot, its expiry (a date,
    None when not sent), SN102/SN103 and the carton or pallet SSCCs (MAN GM) of its pack level (the item's
    parent in S-O-P-I, its children in S-O-I-P)."""
    out: list[dict] = []
    levels: dict[str, dict] = {}
    current: dict | None = None
    inside = False
    for seg in _segments(data):
        el = lambda i, seg=seg: seg[i].strip() if len(seg) > i else ""  # noqa: E731
        if seg[0] == "ST":
            inside, levels, current = el(1) == "856" and (not st02 or el(2) == st02), {}, None
        elif not inside:
            continue
        elif seg[0] == "SE":
            out += _items(levels, po_number)
            inside = False
        elif seg[0] == "HL":
            current = levels[el(1)] = {"parent": el(2), "level": el(3), "marks": [], "po": "", "line_id": "",
                                       "lot": "", "expires": None, "quantity": "", "unit": ""}
        elif current is None:
            continue
        elif seg[0] == "PRF":
            current["po"] = el(1)
        elif seg[0] == "MAN" and el(1) == "GM" and el(2):
            current["marks"].append(el(2))
        elif seg[0] == "LIN":
            current["line_id"] = el(1)
            pairs = [el(k) for k in range(2, len(seg))]
            current["lot"] = next((pairs[k + 1] for k in range(0, len(pairs) - 1, 2) if pairs[k] == "LT"), "")
        elif seg[0] == "REF" and el(1) == "LT" and not current["lot"]:
            current["lot"] = el(2)
        elif seg[0] == "DTM" and el(1) == "036":
            current["expires"] = _date(el(2))
        elif seg[0] == "SN1":
            current["quantity"], current["unit"] = el(2), el(3)
    return out


def _items(levels: dict[str, dict], po_number: str) -> list[dict]:
    def order_of(hl: dict | None) -> str:
        while hl is not None and hl["level"] != "O":
            hl = levels.get(hl["parent"])
        return hl["po"] if hl is not None else ""

    out = []
    for hl_id, hl in levels.items():
        if hl["level"] != "I" or not hl["lot"] or (po_number and order_of(hl) != po_number):
            continue
        parent = levels.get(hl["parent"])
        packs = (parent["marks"] if parent is not None and parent["level"] in ("P", "T") else
                 [m for c in levels.values() if c["parent"] == hl_id and c["level"] == "P" for m in c["marks"]])
        out.append({"po_number": order_of(hl), "line_id": hl["line_id"], "lot": hl["lot"],
                    "expiration_date": hl["expires"], "quantity": hl["quantity"], "unit": hl["unit"],
                    "cartons": packs})
    return out
