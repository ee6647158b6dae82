"""880 Grocery Products Invoice (X12 004010 and 005010, group GP): the invoice a grocer that orders by the 875
expects (UCS practice), written from the 810 body our invoice builder made and checked (engine.invoice.body_810),
so both say the same: the same lines, quantities shipped, agreed prices, item ids as the PO sent them, terms and
totals, numbered from the same sequence. Pure: segments in, segments out (DocumentError when the 810 says what
the 880 has no place for, so the invoice is not sent wrong: INVOICE_NOT_BUILT, retried).

Mapping (004010 880 set table: schemas/x12dict/data/sets/880-004010.txt; 005010's, 880-005010.txt, the same but
for CAD in G27's place):
- BIG01..04 -> G01 (invoice date, invoice number, PO date, PO number); BIG07 is not carried (G0108 is another list).
- heading REF -> N9 (same qualifier and value, 10 at most); PER -> G61; DTM*011 (shipped) -> G62*11;
  ITD -> G23 (type, basis date, discount percent, its due date and days, net due date and days, discount amount,
  percent payable, description: the ITD elements the G23 has); CAD (with its transport method) -> G27 in 004010,
  the CAD itself in 005010 (whose 880 has CAD where 004010 has G27: sets/880-005010.txt; ``version``);
  N1/N2/N3/N4 loops as they are (a loop's REF/PER has no place in the 880's N1 loop: left out).
- IT1 -> G17 (G1701 quantity invoiced, G1702 unit, G1703 item list cost = the agreed price, G1705..G1708 the first
  two id pairs as the PO sent them, e.g. UA/UP; a price kept per dozen/hundred/thousand, IT105 PD/HP/TP, per each
  where exact in 9 digits, else the line in DZ/HU/TH at the price as sent: _g1701_to_03); a catch-weight line's
  QTY*39 (units shipped) -> G1710/G1711;
  PID*F description -> G69; a line REF -> N9 in the G17 loop.
- TDS01 -> G33 (total dollars, implied 2 decimals); CTT/ISS -> G31 (G3101 the units invoiced, the G1701s added up;
  G3102 their unit when the lines share one, else UN).
- SAC -> G72 (+ G73 for its SAC15 description): a heading SAC (the 810's summary SAC loop) in the heading's G72
  loop, a line SAC (in its IT1 loop) in its G17 loop. G7201 (element 340, the grocery allowance/charge list, not
  the SAC02's 1300 list) by the partner's [fulfilment.invoice] g72_codes ("A:C310" = "51": its guide's code), else
  SAC_TO_G7201: only the SAC01/SAC02 pairs whose 340 code names the same allowance or charge; any other SAC02 is
  refused, naming it and the g72_codes key that would map it. G7202 (331) = SAC12, or 02 off invoice (an
  allowance) / 06 paid by the customer (a charge) when the 810 sends none: its amount is in the total. G7203 =
  SAC13, G7205 = SAC08 rate, G7206 = SAC10, G7207 = SAC09 unit, G7208 = SAC05 amount, G7209 = SAC07 percent. G33 =
  TDS01: the G17 extensions plus charges less allowances (340 codes 1-499 are allowances, 500-999 charges), as
  the 810's TDS.
- TXI (a summary's, after TDS) -> a heading G72 charge (the 880 has no TXI; 340 lists taxes as charges): G7201 by
  g72_codes ("TXI:LS" = "537"), else TAX_TO_G7201 (ST state sales tax, SP state/provincial tax, PG/PS state or
  provincial tax on goods/services -> 537 State or Province Tax, AF alcoholic beverage tax -> 526 Beverage Tax), else
  501 Taxes (a county's, city's, local, combined state and local, sales and use tax); G7202 06 (paid by the customer: in
  the total), G7208 TXI02 (cents), G7209 TXI03 as a number of percent (G7209's own: 7.25 is 7.25 %; TXI03 as a
  fraction, [fulfilment.invoice] tax_percent = "decimal", times 100). G33 = TDS01 holds it as the TDS does.
- Not carried, refused (DocumentError): a tax on the lines (TXI in an IT1 loop, tax_at = "line": the summary's
  TXI holds it too, so a G72 in the G17 loop besides the heading's would bill it twice), a TXI with our tax
  registration number (TXI09: GST/HST/QST; a G72 has no place for it), a currency other than USD (the 880 states
  none). CUR*SE*USD, FOB and CTP are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from engine.invoice_po_sacs import money
from parsers.x12_writer import Segment, x12_decimal
from schemas.errors import DocumentError
from schemas.fulfilment import G72_TAX_CODES
from schemas.grocery_invoice import G1701_DIGITS, G1703_DIGITS, SAC_TO_G7201, g17_statement, in_many_unit
from schemas.units import priced_per
from schemas.x12dict import release_dictionary

SET_ID = "880"
FUNCTIONAL_ID = "GP"  # X12 functional identifier of the 880 (Grocery Products Invoice)
HEADING_N9_MAX = 10
LINE_N9_MAX = 5
G69_MAX = 5
N1_LOOPS_MAX = 10
DATES_432 = {"011": "11", "035": "35"}  # DTM (374) -> G62 (432): shipped on, delivered on
CAD_FROM = "005010"  # the 880's heading carrier detail is CAD from this version (G27 in 004010)
# G2502 (433 F.O.B. Point Code: 02 Destination, 04 Point of Origin) of the 810's FOB02 (309 Location Qualifier: DE
# Destination (Shipping), OR Origin (Shipping Point)): the two points an FOB names by these codes
FOB_POINT_433 = MappingProxyType({"DE": "02", "OR": "04"})
MIXED_UNITS = "UN"  # G3102 when the lines are invoiced in several units
# TXI01 (963) -> G7201 (340) of a tax: the tax types whose 340 tax names them (any other: 501 Taxes). 340 lists three
# taxes, 501 Taxes, 526 Beverage Tax and 537 State or Province Tax: a tax the state or province levies alone is 537;
# a county's (CT), a city's (CI), a local one (LT), the state's and the locality's together (LS State and Local Sales
# Tax), a sales and use tax naming no jurisdiction (SU), a federal one (FT, GS) are no state's tax: 501
TAX_TO_G7201 = {
    "ST": "537",  # state sales tax: state or province tax
    "SP": "537",  # state/provincial tax: state or province tax
    "PG": "537",  # state or provincial tax on goods: state or province tax
    "PS": "537",  # state or provincial tax on services: state or province tax
    "AF": "526",  # alcoholic beverage tax: beverage tax
}
TAXES_340 = "501"  # Taxes: a tax TAX_TO_G7201 does not name
G7209_MAX = 6
HANDLING_331 = {"A": "02", "C": "06"}  # G7202 when the SAC sends no SAC12: off invoice / paid by the customer
G7203_MAX = 16
G73_MAX = 45


def body_880(body_810: Sequence[Segment], codes: Mapping[str, str] | None = None,
             tax_percent: str = "percent", version: str = "004010") -> list[list[str]]:
    """The 880 body (G01 .. G33, no ST/SE) saying what ``body_810`` (BIG .. CTT, as body_810 built it) says.
    ``codes``: the partner's G7201 codes ([fulfilment.invoice] g72_codes: "A:C310" / "TXI:ST" -> a 340 code),
    before the built-in tables; ``tax_percent``: how the 810's TXI03 states its rate (InvoiceSettings.tax_percent);
    ``version``: the dictionary version the 880 is built by (schemas.x12dict.built_by of its GS08): from 005010 the
    heading's carrier detail is a CAD (as the 810's), a G27 before."""
    codes = codes or {}
    body = [list(map(_text, s)) for s in body_810]
    if not body or body[0][0] != "BIG":
        raise DocumentError("an 880 is written from an 810 body starting with its BIG")
    big = body[0] + [""] * 5
    g01 = ["G01", big[1], big[2], big[3], big[4]]
    n9s: list[list[str]] = []
    g61s: list[list[str]] = []
    g62s: list[list[str]] = []
    g23s: list[list[str]] = []
    g27s: list[list[str]] = []
    parties: list[list[str]] = []
    lines: list[list[str]] = []  # the G17 loops, in order
    allowances: list[list[str]] = []  # the heading's G72 loops
    quantities: list[tuple[Decimal, str]] = []
    total = ""
    fob: list[str] | None = None  # the 810's FOB (the PO's, InvoiceSettings.fob): a G25 where the release needs one
    in_lines = in_party = False
    described = 0  # G69s of the current G17 loop
    for s in body[1:]:
        tag = s[0]
        if tag == "TXI":
            if in_lines or not total:
                raise DocumentError("the 880 states a tax once, as a heading G72: a tax on its lines (TXI in an IT1 "
                                    "loop: [fulfilment.invoice] tax_at = \"line\") is the summary's too and would "
                                    "be billed twice; the partner's 880 is not built with tax_at = \"line\"",
                                    segment="*".join(s[:3]))
            allowances.append(_tax_g72(s, codes, tax_percent))
            continue
        if tag == "SAC":
            (lines if in_lines else allowances).extend(_g72(s, codes))
            continue
        if tag == "IT1":
            in_lines, in_party = True, False
            lines.append(g17 := _g17(s))
            described = 0
            quantities.append((Decimal(g17[1]), g17[2]))  # as the G17 states it (in DZ for a line priced so)
            continue
        if in_lines and tag == "QTY" and len(s) > 2 and s[1] == "39":  # a catch-weight line's units shipped
            g17 = lines[-1]
            g17 += [""] * (12 - len(g17))
            g17[10], g17[11] = s[2], s[3] if len(s) > 3 else ""
            continue
        if in_lines and tag == "PID":
            description = s[5] if len(s) > 5 else ""
            if description and described < G69_MAX:
                lines.append(["G69", description[:45]])
                described += 1
            continue
        if in_lines and tag == "REF":
            lines.append(["N9", *s[1:3]])
            continue
        if tag == "TDS":
            total = s[1]
            in_lines = False
            continue
        if tag == "CUR":
            if len(s) > 2 and s[2] not in ("", "USD"):
                raise DocumentError("the 880 states no currency: an invoice in " + s[2] + " is written as an 810 only")
            continue
        if tag == "N1":
            in_party = True
            parties.append(s)
            continue
        if tag in ("N2", "N3", "N4") and in_party:
            parties.append(s)
            continue
        if tag in ("REF", "PER") and in_party:  # the N1 loop's own: the 880's N1 loop has no place for them
            continue
        in_party = False
        if tag == "FOB" and fob is None:
            fob = s
        elif tag == "REF" and not in_lines:
            n9s.append(["N9", *s[1:3]])
        elif tag == "PER":
            g61s.append(["G61", *s[1:6]])
        elif tag == "DTM" and len(s) > 2 and s[1] in DATES_432:
            g62s.append(["G62", DATES_432[s[1]], s[2]])
        elif tag == "ITD":
            if (g23 := _g23(s)) is not None:
                g23s.append(g23)
        elif tag == "CAD" and len(s) > 1 and s[1]:  # CAD01 (G2701) required: a CAD without is left out
            cad = s + [""] * (6 - len(s))
            g27s.append(list(s) if version >= CAD_FROM else ["G27", cad[1], cad[4], cad[3], "", cad[5]])
    if not lines or not quantities:
        raise DocumentError("an 880 bills at least one line (G17)")
    if not total:
        raise DocumentError("the 810 body has no TDS: no total for the 880's G33")
    units = {u for _q, u in quantities}
    g31 = ["G31", x12_decimal(sum((q for q, _u in quantities), Decimal(0))),
           units.pop() if len(units) == 1 else MIXED_UNITS]
    g25s = [_g25(fob, version)] if _g25_required(version) else []
    out = [g01, *n9s[:HEADING_N9_MAX], *g61s[:3], *g62s[:5], *g27s[:5], *g23s[:20], *g25s, *parties, *allowances,
           *lines, g31, ["G33", total]]
    check_880(out)
    return [_trim(s) for s in out]


def _g25_required(version: str) -> bool:
    """The 880 of ``version`` must state its F.O.B. (G25): 003040's (its heading G25 mandatory, optional from
    003050), as the release's set table says."""
    d = release_dictionary(version)
    table = d.set_table(SET_ID) if d is not None else None
    return table is not None and any(e[0] == "G25" and e[1] == "M" for e in table.entries)


def _g25(fob: Sequence[str] | None, version: str) -> list[str]:
    """G25 of the 810's FOB: G2501 its FOB01 (146, the same list), G2502 the F.O.B. point its FOB02 names
    (FOB_POINT_433), G2503 its FOB03 (the point's description). No FOB, or a point the 433 list has no code for:
    DocumentError (no 880 of ``version`` without its mandatory G25; nothing made up)."""
    if fob is None:
        raise DocumentError(f"an 880 in {version} states its F.O.B. (G25, mandatory in {version}'s 880) from the "
                            "PO's FOB: the PO sent none, or [fulfilment.invoice] fob is off (the 810 echoes it)")
    f = list(fob) + [""] * 4
    point = FOB_POINT_433.get(f[2])
    if not f[1] or point is None:
        raise DocumentError(f"an 880 in {version} states its F.O.B. (G25): the PO's FOB names "
                            + (f"its point as FOB02 {f[2]!r}, which G2502 has no code for (DE destination, OR "
                               "origin)" if f[1] else "no shipment method of payment (FOB01)"),
                            segment="*".join(fob))
    return ["G25", f[1], point, f[3]]


def _g17(it1: Sequence[str]) -> list[str]:
    """G17 of an IT1 (IT101 line id, IT102 quantity, IT103 unit, IT104 price, IT105 basis, then id pairs)."""
    pairs = [(it1[i], it1[i + 1]) for i in range(6, len(it1) - 1, 2) if it1[i] and it1[i + 1]]
    if not pairs:
        raise DocumentError("an 880 line names its item (G1704 or G1705/G1706): the PO line sent no id",
                            line_id=it1[1])
    g17 = ["G17", *_g1701_to_03(it1), "", *pairs[0]]
    if len(pairs) > 1:
        g17 += list(pairs[1])
    return g17


def _g1701_to_03(it1: Sequence[str]) -> tuple[str, str, str]:
    """G1701 quantity, G1702 unit and G1703 item list cost (per G1702 unit: the G17 has no basis of price) of an IT1,
    as schemas.grocery_invoice.g17_statement states it: an IT104 kept as the price of so many of its units (IT105
    TP on EA, TF on FT) per unit where exact in 9 digits (12.37 per thousand EA: 0.01237), else a line in eaches
    priced per dozen, hundred or thousand in the price's own unit as grocers' 880s state eggs by the dozen (30 EA at
    4.99 PD: 2.5 DZ at 4.99, 12.475 -> 12.48 as the 810's q x p / 12); a price that is neither (7 EA at 4.99 PD:
    0.58333... DZ, 0.41583... per EA) is refused loudly (the invoice not built), never stated per dozen as per each
    (the intake rules hold such a line of a partner billed by the 880: PRICE_BASIS_NOT_ON_880). Any other IT1's
    IT102/IT103/IT104 as they are."""
    quantity, unit, price = it1[2], it1[3], it1[4]
    basis = it1[5] if len(it1) > 5 else ""
    stated = g17_statement(quantity, unit, price, basis)
    if stated is not None:
        return stated
    many = priced_per(unit, basis)
    by_many = in_many_unit(unit, basis)
    restated = f"; nor {quantity} {unit} a quantity in {by_many} of at most {G1701_DIGITS} digits" if by_many else ""
    raise DocumentError(f"the 880's G17 states a price per {unit} (G1703, no basis of price): IT104 {price} per "
                        f"{many:,} {unit} (IT105 {basis}) is no price per {unit} of at most {G1703_DIGITS} "
                        f"digits{restated}", line_id=it1[1])


def _g72(sac: Sequence[str], codes: Mapping[str, str]) -> list[list[str]]:
    """G72 (and G73 with its description) of a SAC: SAC01 kind, SAC02 code, SAC05 amount, SAC07 percent, SAC08
    rate, SAC09 unit, SAC10 quantity, SAC12 handling, SAC13 reference, SAC15 description."""
    s = list(sac) + [""] * (16 - len(sac))
    code = codes.get(f"{s[1]}:{s[2]}") or SAC_TO_G7201.get((s[1], s[2]))
    if code is None:
        key = f'"{s[1]}:{s[2]}" = "<code>"' if s[2] else "(a SAC with no SAC02 cannot be mapped)"
        raise DocumentError(f"the 880's G72 has no allowance or charge code (element 340) mapped for SAC {s[1]} "
                            f"{s[2] or '(no SAC02)'}: the invoice is not built until the partner's "
                            f"[fulfilment.invoice] g72_codes maps it to the 340 code its guide assigns, {key}",
                            segment="*".join(s[:3]))
    if len(s[13]) > G7203_MAX:
        raise DocumentError(f"the 880's G7203 holds {G7203_MAX} characters: SAC13 {s[13]!r} does not fit",
                            segment="*".join(s[:3]))
    out = [_trim(["G72", code, s[12] or HANDLING_331[s[1]], s[13], "", s[8], s[10], s[9], s[5], s[7]])]
    if s[15]:
        out.append(["G73", s[15][:G73_MAX]])
    return out


def _tax_g72(txi: Sequence[str], codes: Mapping[str, str], tax_percent: str) -> list[str]:
    """G72 of a summary TXI: G7201 the tax's 340 code (``codes`` "TXI:" + TXI01, else TAX_TO_G7201, else 501),
    G7202 06, G7208 TXI02 in cents, G7209 TXI03 as a number of percent; a TXI09 (registration) is refused."""
    t = list(txi) + [""] * (10 - len(txi))
    where = "*".join(t[:3])
    if t[9]:
        raise DocumentError(f"the 880's G72 has no place for our tax registration number (TXI09 {t[9]!r}) that the "
                            f"invoice of a {t[1]} tax states: the partner's 880 is not built with it",
                            segment=where)
    code = codes.get(f"TXI:{t[1]}") or TAX_TO_G7201.get(t[1], TAXES_340)
    if code not in G72_TAX_CODES:  # a profile's code is checked so (InvoiceSettings._g72_kinds): never here
        raise DocumentError(f"a tax is a G72 of a 340 tax code ({', '.join(G72_TAX_CODES)}), not {code}",
                            segment=where)
    try:
        amount = money(Decimal(t[2] or "0"))
        percent = Decimal(t[3]) * (100 if tax_percent == "decimal" else 1) if t[3] else None
    except InvalidOperation:
        raise DocumentError(f"the 810's TXI states no number: {where}", segment=where) from None
    rate = x12_decimal(percent) if percent is not None else ""
    if len(rate.replace(".", "").replace("-", "")) > G7209_MAX:
        raise DocumentError(f"the 880's G7209 holds {G7209_MAX} digits: the tax's rate {rate} does not fit",
                            segment=where)
    return _trim(["G72", code, HANDLING_331["C"], "", "", "", "", "", str(int(amount * 100)), rate])


def _g23(itd: Sequence[str]) -> list[str] | None:
    """G23 of an ITD: G2301 type, G2302 basis date code (both required: None without them), G2305 discount percent,
    G2306 its due date, G2307 its days, G2308 net due date, G2309 net days, G2310 discount amount, G2314 percent
    payable, G2315 description."""
    i = list(itd) + [""] * (16 - len(itd))
    if not i[1] or not i[2]:
        return None
    return ["G23", i[1], i[2], "", "", i[3], i[4], i[5], i[6], i[7], i[8], "", "", "", i[11], i[12]]


def check_880(body: Sequence[Segment]) -> None:
    """Raise DocumentError unless G33 is the G17 extensions (G1701 x G1703, half up to cents) plus the G72
    charges less its allowances (G7208; G7201 1-499 an allowance, 500 and on a charge), G31 adds up the G1701s,
    one G01 starts it and every G17 names its item.
    Reads only the segments, so it holds the builder to the document it wrote."""
    problems = []
    merchandise, units, g31, g33 = Decimal(0), Decimal(0), [], []
    for s in body:
        tag = s[0]
        if tag == "G17":
            q = Decimal(s[1])
            merchandise += money(q * Decimal(s[3]))
            units += q
            if not (len(s) > 4 and s[4]) and not (len(s) > 6 and s[5] and s[6]):
                problems.append(f"a G17 ({s[1]} {s[2]}) names no item")
        elif tag == "G72":
            amount = Decimal(int(s[8])) / 100 if len(s) > 8 and s[8] else Decimal(0)
            merchandise += amount if int(s[1]) >= 500 else -amount
        elif tag == "G31":
            g31.append(s)
        elif tag == "G33":
            g33.append(s)
    if not body or body[0][0] != "G01":
        problems.append("the 880 starts with its G01")
    if len(g33) != 1:
        problems.append("one G33 is required")
    elif Decimal(int(g33[0][1])) / 100 != merchandise:
        problems.append(f"G33 {g33[0][1]} is not the lines' extensions plus charges less allowances ({merchandise})")
    if len(g31) != 1 or Decimal(g31[0][1]) != units:
        problems.append(f"G31 does not add up the {units} units of the G17s")
    if problems:
        raise DocumentError("the 880 failed its self-check: " + "; ".join(problems))


def number_880(body: Sequence[Segment], number: str) -> list[Segment]:
    """``body`` with ``number`` as its invoice number (G0102)."""
    g01 = body[0]
    return [["G01", g01[1], number, *g01[3:]], *body[1:]]


def _text(v: object) -> str:
    return "" if v is None else str(v)


def _trim(s: list[str]) -> list[str]:
    while len(s) > 1 and s[-1] == "":
        s.pop()
    return s


__all__ = ["FUNCTIONAL_ID", "SAC_TO_G7201", "SET_ID", "TAX_TO_G7201", "body_880", "check_880", "number_880"]
