"""Units of measure: which PO103/ACK03 codes are units at all (X12 data element 355, Unit or Basis for
Measurement Code). Definitions only; how many eaches a unit holds for an item is reference data
(items.unit, items.case_pack, item_units) and rules.business.quantities converts with it.

The codes come from the X12 dictionaries (schemas.x12dict): the standard's complete 355 list when a
dictionary holds one, else the codes known from public references (codes/355-known.txt, 781 codes:
not a complete list, so it is never used to refuse a document in a 997, only to tell a unit from a
typing error in our business rules).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import TYPE_CHECKING

from schemas.x12dict import dictionary

if TYPE_CHECKING:
    import pyarrow as pa


@functools.cache
def _known_355() -> frozenset[str]:
    text = (resources.files("schemas.x12dict") / "data" / "codes" / "355-known.txt").read_text(encoding="utf-8")
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def unit_codes(version: str = "004010") -> frozenset[str]:
    """The unit of measure codes (element 355) of ``version``: the dictionary's complete list when it
    holds one, else the codes known from references."""
    d = dictionary(version)
    held = d.codes("355") if d is not None else None
    return frozenset(held) if held else _known_355()


def capital_units(units: pa.Array) -> tuple[pa.Array, pa.Array]:
    """PO103 (``units``: element 355 as sent) as read, and as sent where read otherwise (null elsewhere): a value in
    small letters that is no unit code as sent and whose capitals are one ("ea", "Cs": EA, CS; an ERP such as Infor
    SX.e writes its own unit table's case) is read as that code, for X12's unit codes are capitals and a line lost
    over letter case is worse than a warning (rules.business.quantities: UNIT_CASE_CONVERTED). Anything else as sent
    ("PCE", "xx": UNIT_UNKNOWN as before). One columnar look when every unit is in capitals (every usual set)."""
    import pyarrow as pa  # (here: importing schemas.units loads no pyarrow)

    from schemas.code_case import capital_codes

    return capital_codes(units, pa.array(sorted(unit_codes()), pa.string()))


# PO105 (element 639, Basis of Unit Price) codes whose PO104 is the price of several PO103 units: X12's per
# ten/dozen/hundred/thousand/10,000/100,000 prices, plain and as catalog (L.), quoted (Q.), retail (R.),
# contract (T.) and wholesale (W.) prices
PRICE_PER_MANY: dict[str, int] = {
    "PN": 10, "PD": 12, "LD": 12, "RD": 12, "TD": 12, "WD": 12, "HP": 100, "LC": 100, "QH": 100, "RC": 100,
    "TC": 100, "WC": 100, "TP": 1000, "LM": 1000, "QS": 1000, "RM": 1000, "TM": 1000, "WM": 1000, "TT": 10_000,
    "HT": 100_000}
# the price per each of the same kind (plain PE; catalog LE, quoted QE, retail RE, contract TE, wholesale WE)
PRICE_PER_EACH_OF: dict[str, str] = {
    **dict.fromkeys(("PN", "PD", "HP", "TP", "TT", "HT"), "PE"), **dict.fromkeys(("LD", "LC", "LM"), "LE"),
    **dict.fromkeys(("QH", "QS"), "QE"), **dict.fromkeys(("RD", "RC", "RM"), "RE"),
    **dict.fromkeys(("TD", "TC", "TM"), "TE"), **dict.fromkeys(("WD", "WC", "WM"), "WE")}
# the prices per each themselves (PO105 PE and its catalog, quoted, retail, contract and wholesale kin): on a line
# whose PO103 is a pack of eaches (CA, BX, PK ...) PO104 is strictly the price of one each of the pack, though many
# translators write PE on the price of the pack (per PO103 unit); the price rules try both readings
PRICE_PER_EACH: tuple[str, ...] = ("PE", "LE", "QE", "RE", "TE", "WE")
# PO105 NC (No Charge): the buyer marks the line as free goods
NO_CHARGE = "NC"
# the finding of a line whose per-each price (PE ... on a CA of 12) was read strictly per each: we answer and
# invoice it at our price per PO103 unit (per CA), a number no per-each code may label
RESTATED_PER_UNIT = "PRICE_BASIS_PER_EACH"


# in a line's codes (beside its finding codes, as the store keeps them): the eaches one PO103 unit holds, e.g.
# PO103 units counting eaches by default (code list 355): EA each, UN unit (one of the item as it is sold, as
# industrial and automotive partners order), PC piece (as home and farm retailers order: PO1*1*96*PC). A partner's
# own are RuleSettings.each_units; the SDQ, SLN and stock words that count eaches use these
EACH_UNITS = ("EA", "UN", "PC")


def said_in(item_unit: str | None) -> str:
    """What an item's quantities are said in, in words of a finding: "eaches" for an item sold by the each (EA, UN,
    PC, or no unit on file), else its unit (FT, LB, CM, PR ...): wire sold by the foot is "30 FT", not "30 eaches"."""
    unit = (item_unit or "").strip().upper()
    return "eaches" if unit in ("", *EACH_UNITS) else unit

# PO103 units of measure (code list 355) that name one measure twice: FT foot and LF linear foot, YD yard and LY
# linear yard, MR metre and LM linear metre, IN inch and LI linear inch, CM and LC (HVAC, plumbing and electrical
# buyers order copper line sets, pipe and wire in LF). A line in one of an item sold in the other (or holding an
# item_units row of the other) is that many of the item's unit
SAME_MEASURE: dict[str, str] = {**{a: b for a, b in (("LF", "FT"), ("LY", "YD"), ("LM", "MR"), ("LI", "IN"),
                                                     ("LC", "CM"))},
                                **{b: a for a, b in (("LF", "FT"), ("LY", "YD"), ("LM", "MR"), ("LI", "IN"),
                                                     ("LC", "CM"))}}
# 355 units that are a number of another measure: YD (LY) three feet, HL hundred (linear) feet, TL thousand feet; SY
# square yard (nine square feet), TR ten, UY fifty, HS hundred and TS thousand square feet; BP hundred and TM thousand
# board feet (BF) (wire and cable by the hundred or thousand feet, carpet by the square yard, flooring and insulation
# by the hundred square feet, dimensional lumber by the thousand board feet, MBF); CW hundred pounds (the
# hundredweight, CWT) and HK hundred kilograms (bulk resin, metals, chemicals by the hundredweight); MR (LM) metre, a
# hundred centimetres (fabric, ribbon and trim cut by the centimetre, ordered by the metre: 45.5 MR is 4,550 CM): a
# line in one of an item sold by the foot (square foot, board foot, pound, kilogram, centimetre) is so many of them.
# Not SQ (Square): roofing's 100 square feet by trade usage only, not by the code's definition; an item_units row says
# what a square of an item is
MEASURE_MULTIPLES: dict[str, tuple[str, int]] = {"YD": ("FT", 3), "LY": ("FT", 3), "HL": ("FT", 100),
                                                 "TL": ("FT", 1000), "SY": ("SF", 9), "TR": ("SF", 10),
                                                 "UY": ("SF", 50), "HS": ("SF", 100), "TS": ("SF", 1000),
                                                 "BP": ("BF", 100), "TM": ("BF", 1000), "CW": ("LB", 100),
                                                 "HK": ("KG", 100), "MR": ("CM", 100), "LM": ("CM", 100)}
# 355's metric units that are a power of ten of a smaller one (the SI prefixes: a kilogram is 1,000 grams, a litre
# 1,000 millilitres, a metre 1,000 millimetres, a centimetre 10): a line in one of an item counted in the smaller
# (bulk spices by the gram, a lotion by the millilitre, tubing by the millimetre) is so many of it, as
# MEASURE_MULTIPLES' are; kept apart from them, whose units also price a line by weight (CW, HK: rules.business.
# by_weight) and state a price per many (PRICE_PER_MANY_OF)
METRIC_MULTIPLES: dict[str, tuple[tuple[str, int], ...]] = {
    "KG": (("GR", 1000),), "LT": (("ML", 1000),), "MR": (("MM", 1000),), "LM": (("MM", 1000),),
    "CM": (("MM", 10),), "LC": (("MM", 10),), "KM": (("MR", 1000), ("CM", 100_000), ("MM", 1_000_000))}
# PO103 units of a volume (code list 355: GA US gallon, GI imperial gallon, LT litre, ML millilitre, QT quart, PT
# pint): a line in one of an item sold by the drum (tote, pail ...) whose PO4 states the drum's content in it
# (Univar's PO1*3*220*GA with PO4*1*55*GA) is taken in as whole drums through that content
# (rules.business.by_weight.as_cases)
VOLUME_UNITS = ("GA", "GI", "LT", "ML", "QT", "PT")
# count units of hundreds and thousands (HU, TH: COUNT_UNITS) that the paper and packaging trade writes with a
# fraction, as the count it is: 2.5 TH (M) of sheets, envelopes, labels or cups sold by the each is 2,500 of them, an
# exact quantity of the item (as 1.344 TM of lumber is 1,344 board feet), taken and stated as sent. Not DZ, GS ...:
# 2.5 DZ stays a case-pack question (rounded to whole DZ, rules.business.quantities)
FRACTIONAL_COUNTS: frozenset[str] = frozenset({"HU", "TH"})


def fraction_of_item(unit: str | None) -> bool:
    """A line in ``unit`` may be a fraction of it when that fraction is a whole number of the item's own unit
    (MEASURE_MULTIPLES: 1.344 TM is 1,344 BF; METRIC_MULTIPLES: 12.5 KG is 12,500 GR; FRACTIONAL_COUNTS: 2.5 TH is
    2,500 eaches)."""
    return unit in MEASURE_MULTIPLES or unit in METRIC_MULTIPLES or unit in FRACTIONAL_COUNTS

def defined_multiple(larger: str | None, smaller: str | None) -> int | None:
    """How many ``smaller`` one ``larger`` is by the units' definitions (METRIC_MULTIPLES: a litre is 1,000 ML, a
    kilogram 1,000 GR, a metre 1,000 MM; MEASURE_MULTIPLES: a metre 100 CM, a yard 3 FT; a unit named twice, LM for
    MR, LC for CM, SAME_MEASURE, either way), None when neither is defined as so many of the other: 500 ML of an item
    counted in litres is 0.5 LT whatever the item master says."""
    if not larger or not smaller:
        return None
    names = (smaller, SAME_MEASURE.get(smaller))
    for unit in (larger, SAME_MEASURE.get(larger)):
        for base, many in (*METRIC_MULTIPLES.get(unit or "", ()), *((MEASURE_MULTIPLES[unit],)
                                                                      if unit in MEASURE_MULTIPLES else ())):
            if base in names:
                return many
    return None


# A line priced per each (PO105 PE and kin) whose unit is a pack of more than one each (a CA of 12) keeps how many
# eaches its unit holds (order_lines.unit_eaches, schemas.lifecycle.LineRecord), written by the answer from the
# decision's eaches per unit (the item master, the case pack, the line's PO4), so the 810 knows, as the 855 did, that
# our price on the line (per PO103 unit) is no price per each. UNIT_EACHES: the "UNIT_EACHES:12" mark it was among
# the line's codes before schema version WORDS_AS_DATA, read once by that version's migration step.
UNIT_EACHES = "UNIT_EACHES:"


def stated_basis(basis: str | None, codes: str | Collection[str], restated: bool, unit_eaches: int | None = 0) -> str:
    """PO105/IT105 for a price we state: the buyer's basis, except on a line priced per each (PE and kin)
    whose unit is a pack of eaches (``unit_eaches`` more than 1, or RESTATED_PER_UNIT among its finding ``codes``:
    read per each) when the price is ours (``restated``: answered IP at our price per PO103 unit, whatever the
    cause: read per each, out of tolerance, missing, a held order approved): then none, the price being per the
    line's unit (PO103/IT103): 470.4 per CA of 12, not per each. A per-case number never goes out labelled PE."""
    if isinstance(codes, str):  # as the store keeps them, comma-joined
        codes = codes.split(",")
    if restated and basis in PRICE_PER_EACH and ((unit_eaches or 0) > 1 or RESTATED_PER_UNIT in (codes or ())):
        return ""
    return basis or ""


def basis_sent(basis: str | None, weight_ordered: object, weight_basis_sent: str | None) -> str:
    """IT105 of a line as the buyer sent its PO105: a line taken in through a weight or volume it was ordered in
    (rules.business.by_weight.as_cases keeps the line as sent: ``weight_ordered`` not None) is billed through the
    price_basis intake gave it (400 OZ of an item counted in LB: 25 LB priced PO, per ounce, which is what bills
    it by the ounce), but states the PO105 the buyer sent (``weight_basis_sent``: none for none, as the 855 echoes
    it); any other line its own ``basis``. An IT105 the PO never sent is a basis the buyer's system never asked."""
    if weight_ordered is not None:
        return weight_basis_sent or ""
    return basis or ""


# PO105 codes whose PO104 is per unit of a measure (per pound, kilogram, litre, foot ...) and the PO103 units that
# are that measure (a foot's price is per LF too: SAME_MEASURE): such a price is per unit of the line only when PO103
# is one of them. Ten CA priced PP (per pound) is a catch-weight line: meat, cheese, produce ordered in cases and
# billed by the weight shipped.
PRICE_PER_MEASURE: dict[str, tuple[str, ...]] = {
    "PP": ("LB",), "PK": ("KG",), "PG": ("GR",), "PL": ("LT",), "ML": ("ML",), "PO": ("OZ",), "PA": ("TO",),
    "PF": ("FT", "LF"), "PY": ("YD", "LY"), "PT": ("TN",), "P7": ("MR", "LM"), "P6": ("MM",), "P2": ("CM", "LC"),
    "P3": ("DM",), "P4": ("HM",), "P5": ("KM",), "HF": (), "TF": (), "PS": (), "P1": ()}
# those of them that are a price of many units of the measure (per 100 or 1000 feet, per 1000 metres, per 1000 square
# feet) and that measure: on a line in it, PO104 is the price of so many PO103 units (2,500 FT of wire at 285.50 per
# thousand feet is 0.2855 per FT: wire and cable cut to length are priced per C / M feet in the electrical trade)
PRICE_PER_MANY_OF: dict[str, tuple[str, int]] = {"HF": ("FT", 100), "TF": ("FT", 1000), "P1": ("MR", 1000),
                                                 "PS": ("SF", 1000)}
# the weights among them: a line in cases priced per one of these is billed by the net weight shipped
PRICE_PER_WEIGHT = ("PP", "PK", "PG", "PO", "PT")


def in_many_of(unit: str | None, basis: str | None) -> int | Decimal | None:
    """How many of a line's ``unit`` one PO104 of PRICE_PER_MANY_OF ``basis`` is the price of: its count on a line
    in its measure (HF, per hundred feet, on a line in FT or LF: 100), 1 on a line in that many of it (HF on a
    line in HL, hundreds of feet: MEASURE_MULTIPLES), as many as one holds on a line in fewer of it (TF on a line in
    HL: 10), the part of one it is of a line in more of it (HF on a line in TL: Decimal 0.1, a tenth of a TL); None
    on any other line (not a price of the measure the line is in, or of no whole number of its units or tenth, hundredth
    ... of one: PS on a line in SY)."""
    if basis not in PRICE_PER_MANY_OF or not unit:
        return None
    measure, many = PRICE_PER_MANY_OF[basis]
    if unit == measure or SAME_MEASURE.get(unit) == measure:
        return many
    unit_measure, holds = MEASURE_MULTIPLES.get(unit, ("", 0))
    if unit_measure != measure:
        return None
    # a price of many of the measure on a line in fewer of it: per thousand feet (TF) on a line in hundreds (HL) is
    # the price of ten of them (wire ordered by the C, priced per M); of fewer on a line in more of it, per hundred
    # feet (HF) on a line in thousands (TL), of a tenth of one (a price per C of cable ordered by the M)
    if many % holds == 0:
        return many // holds
    return Decimal(many) / Decimal(holds) if holds % many == 0 else None



def priced_per(unit: str | None, basis: str | None) -> int | Decimal:
    """How many of a line's ``unit`` its PO104 (and our PO104/IT104 echoing it) is the price of: a price of many of
    the line's measure kept as sent (287.45 per thousand feet, TF, on a line in FT: 1000, 0.28745 per foot being
    more places than our prices carry: parsers.orders_850.per_unit_prices), or of many of a line in eaches (12.37 per
    thousand, TP, on screws in EA: 1000, 0.01237 per each; PD per dozen: 12), not of a weight or volume, else 1 (a
    price per unit). A line's
    amount is quantity x price / this, to the cent: 2,500 FT at 287.45 TF is 718.63."""
    if basis in PRICE_PER_MANY:  # per hundred, thousand, dozen ... of a line in eaches (a count): that many of it
        return 1 if _weighed_or_poured(unit) else PRICE_PER_MANY[basis]
    many = in_many_of(unit, basis)
    return 1 if many is None else many


def _weighed_or_poured(unit: str | None) -> bool:
    """A PO103 unit of a weight or volume (LB, KG, CW, GA ...): a price per hundred of it is a catch-weight or by-the-
    pack question (rules.business.by_weight), held as before when the parser could not restate it per one of it."""
    return unit in KILOGRAMS_PER or MEASURE_MULTIPLES.get(unit or "", ("", 0))[0] in KILOGRAMS_PER or \
        unit in VOLUME_UNITS


# the PO105 codes whose PO104 the parser may keep as the price of many of a line's units (priced_per): per hundred,
# thousand, dozen ... (PRICE_PER_MANY), per hundred or thousand feet ... (PRICE_PER_MANY_OF)
KEPT_PER_MANY_BASES: tuple[str, ...] = (*PRICE_PER_MANY, *PRICE_PER_MANY_OF)


# A stored line whose price is kept per so many of its units (priced_per) keeps that many (order_lines.priced_per,
# schemas.lifecycle.LineRecord: 1000), written by the answer, so what reads the store's lines alone (an order's value
# once changed, balanced, restored; an 880's G17) counts it per unit. PRICED_PER: the "PRICED_PER:1000" mark it was
# among the line's codes before schema version WORDS_AS_DATA, read once by that version's migration step.
PRICED_PER = "PRICED_PER:"


# A line ordered in a fraction of its unit (1.344 TM of lumber sold by the board foot) of which we rejected a part that
# is no whole number of units: the store keeps rejected in whole units (1.344 TM with 1,000 BF in stock: 1 TM placed,
# 0.344 TM rejected, stored 0) and the rest of it in the line's rejected_fraction (order_lines.rejected_fraction,
# schemas.lifecycle.LineRecord; it was a "REJECTED_FRACTION:0.344" mark among the line's codes before schema version
# WORDS_AS_DATA), written by the answer (engine.lifecycle.decisions), read by what counts what we acknowledged
# (rejected_exactly). REJECTED_FRACTION: the old mark, read once by that version's migration step.
REJECTED_FRACTION = "REJECTED_FRACTION:"


def rejected_exactly(rejected: int | Decimal, fraction: Decimal | None) -> Decimal:
    """What we rejected of a stored line, exactly, in its unit: its whole ``rejected`` units and the ``fraction``
    of one it keeps beside them (its rejected_fraction: 0.344 TM rejected is stored 0 and 0.344)."""
    return Decimal(rejected or 0) + Decimal(fraction or 0)


def rejected_stored(exact: Decimal) -> tuple[int, Decimal]:
    """What a stored line keeps of ``exact`` rejected units (rejected_exactly's inverse): (its whole units, the
    rest of one as its rejected_fraction, 0 when there is none). Whatever changes what a line rejected writes both
    through this, so the fraction never goes stale."""
    whole = int(max(Decimal(exact), Decimal(0)))
    rest = Decimal(exact) - whole
    return whole, (rest.normalize() if 0 < rest < 1 else Decimal(0))


def unheld_fraction(ordered: Decimal | None, promised: int, rejected: int, fraction: Decimal | None,
                    over: Decimal | None = None) -> Decimal:
    """The fraction of one unit of a line ordered in a fraction of its unit that none of its whole units holds: what
    it ordered less what it promised (allocated and backordered, whole units; a backorder's ``over``, its
    backordered_over, off it) and rejected (exactly: ``rejected`` and its ``fraction``), when that is more than 0 and
    less than 1 (7.68 BP placed whole is stored allocated 7: 0.68), else 0. It goes with the promise: a line whose
    balance is cancelled rejects it too (else it would still count as acknowledged)."""
    rest = Decimal(ordered or 0) - (promised - Decimal(over or 0)) - rejected_exactly(rejected, fraction)
    return rest if 0 < rest < 1 else Decimal(0)


# A stored line in a measure (schemas.units.measured: 12.5 LB of cheese sold by the pound) whose backordered part is
# no whole number of units (10 LB in stock: 10 placed, 2.5 backordered): the store keeps backordered as the whole
# units that cover it (3, what a receipt must bring and the next night's allocation reserves; it used to keep 2, so
# 12 LB were reserved for a line the DC ships 12.5 of, SHIPMENT_OVER_RESERVED), and what of the last of them the line
# does not want (0.5) in its backordered_over (order_lines.backordered_over, schemas.lifecycle.LineRecord):
# backordered exactly is 2.5. BACKORDERED_OVER: the "BACKORDERED_OVER:0.5" mark it was among the line's codes before
# schema version WORDS_AS_DATA, read once by that version's migration step.
BACKORDERED_OVER = "BACKORDERED_OVER:"


def backordered_exactly(backordered: int | Decimal, over: Decimal | None) -> Decimal:
    """What a stored line has backordered, exactly, in its unit: its whole ``backordered`` units (those covering it)
    less its backordered_over ``over`` (3 and 0.5: 2.5 LB); 0 when none."""
    whole = Decimal(backordered or 0)
    return whole - Decimal(over or 0) if whole > 0 else Decimal(0)


def backordered_stored(exact: Decimal) -> tuple[int, Decimal]:
    """What a stored line keeps of ``exact`` backordered units (backordered_exactly's inverse): (the whole units
    covering them, what of the last it does not want as its backordered_over, 0 when they are whole). Whatever
    changes a measure line's backorder writes both through this, so the part never goes stale."""
    exact = max(Decimal(exact), Decimal(0))
    whole = int(exact.to_integral_value(rounding=ROUND_CEILING))
    over = whole - exact
    return whole, (over.normalize() if 0 < over < 1 else Decimal(0))


def in_whole_units(ordered: Decimal | None, fraction: Decimal | None, over: Decimal | None) -> bool:
    """Whether a stored line's promise is its whole units alone: ordered in whole units (or not known) and no fraction
    kept beside them (its rejected_fraction, backordered_over): promised_exactly's fast path."""
    return (ordered is None or ordered == ordered.to_integral_value()) and not fraction and not over


def promised_exactly(ordered: Decimal | None, allocated: int, backordered: int, rejected: int,
                     fraction: Decimal | None, over: Decimal | None) -> Decimal:
    """What a stored line promised (allocated and backordered), exactly, in its unit: its whole units less its
    backorder's backordered_over ``over``, plus the fraction none of them holds (unheld_fraction, with the line's
    rejected_fraction ``fraction``): 12.5 for 12.5 LB placed (stored 12) or 10 placed and 2.5 backordered (stored 10
    and 3, over 0.5); the whole units of a line in whole units. A line is shipped once what shipped reaches it
    (engine.lifecycle.shipping)."""
    promised = (allocated or 0) + (backordered or 0)
    return (promised - Decimal(over or 0) if backordered else Decimal(promised)) + \
        unheld_fraction(ordered, promised, rejected, fraction, over)

# what one unit of each weight (X12 element 355) weighs in kilograms, exactly: the international pound is
# 0.45359237 kg by definition (1959), the avoirdupois ounce a sixteenth of it, the net ton (TN) 2,000 pounds
KILOGRAMS_PER: dict[str, Decimal] = {"KG": Decimal(1), "GR": Decimal("0.001"), "LB": Decimal("0.45359237"),
                                     "OZ": Decimal("0.45359237") / 16, "TN": Decimal("0.45359237") * 2000}
WEIGHT_PLACES = Decimal("0.0001")  # a weight as our shipments hold it (decimal128(18, 4)): to 4 places


def weight_in(weight: Decimal, unit: str | None, measure: str) -> Decimal | None:
    """``weight`` (in ``unit``) in ``measure`` (LB for a price per pound ...): as it is when the units are the
    same, else converted exactly (19.2 KG -> 42.3288 LB) and rounded to 4 places half to even, as a weight read
    from a warehouse is; None when either unit is no weight (a count, a volume: never converted)."""
    unit = unit or ""
    if unit == measure:
        return weight
    if unit not in KILOGRAMS_PER or measure not in KILOGRAMS_PER:
        return None
    return (weight * KILOGRAMS_PER[unit] / KILOGRAMS_PER[measure]).quantize(WEIGHT_PLACES, rounding=ROUND_HALF_EVEN)


# 355's lengths and volumes by their definitions, as KILOGRAMS_PER the weights: metres in one (the international foot
# is 0.3048 m, the inch 2.54 cm, the yard 0.9144 m; a unit named twice, LF for FT ..., SAME_MEASURE, alike) and litres
# in one (the US gallon 3.785411784 L, its quart and pint a quarter and an eighth of it, the imperial gallon 4.54609 L)
METRES_PER: dict[str, Decimal] = {
    **dict.fromkeys(("MR", "LM"), Decimal(1)), **dict.fromkeys(("CM", "LC"), Decimal("0.01")), "MM": Decimal("0.001"),
    "DM": Decimal("0.1"), "KM": Decimal(1000), **dict.fromkeys(("FT", "LF"), Decimal("0.3048")),
    **dict.fromkeys(("IN", "LI"), Decimal("0.0254")), **dict.fromkeys(("YD", "LY"), Decimal("0.9144"))}
LITRES_PER: dict[str, Decimal] = {"LT": Decimal(1), "ML": Decimal("0.001"), "GA": Decimal("3.785411784"),
                                  "QT": Decimal("3.785411784") / 4, "PT": Decimal("3.785411784") / 8,
                                  "GI": Decimal("4.54609")}
DEFINED_MEASURES: tuple[tuple[str, dict[str, Decimal]], ...] = (
    ("weight", KILOGRAMS_PER), ("length", METRES_PER), ("volume", LITRES_PER))
# 355's areas (SF square foot, SY square yard, SM square metre, SI square inch) and the board foot (BF, a volume of
# lumber): measures as the weights, lengths and volumes above are, with no definition beside them here
AREA_UNITS = ("SF", "SY", "SM", "SI", "BF")
# PO103 units that are a measure, not a count: a weight, length, volume or area (DEFINED_MEASURES, AREA_UNITS, and
# the multiples of one, MEASURE_MULTIPLES). What buyers order in fractions of (catch weight, cut lengths, poured
# volumes): a line in one of them of an item counted in one of them (not in cases) is taken as sent (measured)
MEASURE_UNITS: frozenset[str] = frozenset({*KILOGRAMS_PER, *METRES_PER, *LITRES_PER, *AREA_UNITS, *MEASURE_MULTIPLES})


def measured(unit: str | None, item_unit: str | None, case_pack: int | None = 1) -> bool:
    """A line in ``unit`` of an item counted in ``item_unit`` (not in cases of more than one: ``case_pack``) that both
    are measures (MEASURE_UNITS): 12.5 LB of almonds sold by the pound, 50.5 YD (151.5 FT) of rope sold by the foot.
    Its quantity is kept as sent, a fraction included, through acknowledgement, shipping and invoicing; stock counts
    whole units, so allocation reserves the whole units that cover it (engine.answer) and the line is shipped when
    what shipped is what was ordered (docs/lifecycle.md, Measures)."""
    return unit in MEASURE_UNITS and (item_unit or "").strip().upper() in MEASURE_UNITS and (case_pack or 1) <= 1


def pack_unit(unit: str | None) -> bool:
    """A unit that holds several of the item's eaches (CA, BX, PK, DZ, GS ...): neither an each (EACH_UNITS) nor a
    weight, length, area or volume (DEFINED_MEASURES, MEASURE_MULTIPLES, SAME_MEASURE, METRIC_MULTIPLES). A price
    "per each" (PE) on it is strictly per each of the pack, so a price per hundred or dozen of it restated per one
    of it is no PE: it is per that unit (parsers.orders_860)."""
    if not unit or unit in EACH_UNITS or unit in SAME_MEASURE or unit in MEASURE_MULTIPLES or unit in METRIC_MULTIPLES:
        return False
    return not any(unit in per for _measure, per in DEFINED_MEASURES)


def same_measure(unit: str | None, other: str | None) -> tuple[str, Decimal] | None:
    """(the measure, how many ``other`` one ``unit`` is) when both are units of one measure by their definitions
    (DEFINED_MEASURES: KG and LB weights, one KG 2.2046... LB; FT and MR lengths; GA and LT volumes), else None (a
    count, a pack, units of two measures, the same unit)."""
    if not unit or not other or unit == other:
        return None
    for measure, per in DEFINED_MEASURES:
        if unit in per and other in per:
            return measure, per[unit] / per[other]
    return None


def covering(weight: Decimal, unit: str, own: str) -> Decimal:
    """The whole number of ``own`` (a weight: LB) that covers ``weight`` in ``unit`` (another weight: KG) by the units'
    definitions (KILOGRAMS_PER): 600 KG is 1,322.7736 LB, covered by 1,323 (rounded up, at least one). A ``weight``
    that is itself a whole number of ``own`` stated to 4 places (weight_in: 661 LB is 299.8246 KG) is that number,
    never one more for the rounding of its 4th place."""
    exact = weight * KILOGRAMS_PER[unit] / KILOGRAMS_PER[own]
    nearest = exact.to_integral_value(rounding=ROUND_HALF_EVEN)
    if weight_in(nearest, own, unit) == weight.quantize(WEIGHT_PLACES, rounding=ROUND_HALF_EVEN):
        return max(Decimal(1), nearest)
    return max(Decimal(1), exact.to_integral_value(rounding=ROUND_CEILING))


def within_one(whole: Decimal, own: str, weight: Decimal, unit: str) -> bool:
    """Do ``whole`` ``own`` (covering's: 1,323 LB) exceed ``weight`` ``unit`` (600 KG) by less than one ``unit`` (by
    0.1027 KG: yes; 1 KG for 500 GR: by 500 GR, no): the rounding within the precision the buyer ordered in."""
    return whole * KILOGRAMS_PER[own] - weight * KILOGRAMS_PER[unit] < KILOGRAMS_PER[unit]


def weights_in(rows: Iterable[tuple[Decimal | None, str | None]], measure: str) -> list[Decimal | None]:
    """Each recorded net weight (``rows``: (weight or None, its unit), one per shipped row: a carton, a case
    weighed apart) in ``measure`` (LB for a price per pound): each row on its own, as weight_in converts it (4
    places half to even), None where it has none or its unit is no weight. The one conversion billing
    (billed_weight: an 810's catch-weight line) and reconciliation (a shipped row's value) both use, so the same
    line is worth the same to the cent on both: a line's rows are never added in one unit then converted (10 KG +
    10.09 LB at a price per pound is 22.0462 + 10.09 = 32.1362 LB, not 32.1361 by way of kilograms)."""
    return [None if w is None else weight_in(w, u, measure) for w, u in rows]


def billed_weight(rows: Iterable[tuple[Decimal | None, str | None]], measure: str) -> Decimal | None:
    """The net weight a catch-weight line is billed by in ``measure``: its rows' weights (weights_in, each
    converted and rounded on its own) added; None without a row, or when a row has no weight or one in a unit
    that is no weight (never a part of the line billed as the whole)."""
    each = weights_in(rows, measure)
    if not each or any(w is None for w in each):
        return None
    return sum(each, Decimal(0))  # type: ignore[arg-type]


def catch_weight(basis: str | None, unit: str | None) -> bool:
    """True for a line priced per unit of weight (PO105 PP per pound, PK per kilogram ...) whose PO103 is not
    that weight (CA, CS, EA ...): a catch-weight line, billed by the weight shipped, never by its count."""
    return basis in PRICE_PER_WEIGHT and (unit or "") not in PRICE_PER_MEASURE[basis]


# Units that are a count by definition (X12 element 355): so many of the item's each, whatever the item.
# Only pure counts: not PR (Pair: an item sold by the each may already be a pair of gloves), not the
# n-packs (P3 Three pack ...: a pack of what the buyer calls one), not GR (Gram, not gross: gross is GS).
# The item master's own rows (items.unit, item_units) come first: an item sold by the dozen is 1 per DZ.
COUNT_UNITS: dict[str, int] = {
    "QD": 3,  # Quarter Dozen
    "HD": 6,  # Half Dozen
    "DZ": 12,  # Dozen
    "HU": 100,  # Hundred
    "GS": 144,  # Gross
    "TH": 1000,  # Thousand
    "GG": 1728,  # Great Gross (Dozen Gross)
}


def is_unit_code(code: str | None, version: str = "004010") -> bool:
    """Is ``code`` a unit of measure code (element 355)?"""
    return bool(code) and code in unit_codes(version)


@functools.cache
def _names_355() -> dict[str, str]:
    text = (resources.files("schemas.x12dict") / "data" / "codes" / "355-known.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            code, _, name = line.partition(" ")
            out.setdefault(name.strip().casefold(), code)
    return out


# units as warehouse systems abbreviate or spell them where no 355 name is that word (the names are X12's: PL is
# "Pallet/Unit Load", FT "Foot", LT "Liter"): pounds and kilograms as a WMS prints them beside a quantity ("lbs",
# "kgs"), square feet and yards ("sq ft", "sq. yd."), the usual carton, pallet, package, piece, dozen, pair, gallon and
# yard abbreviations, and the plural and British spellings the names miss ("Feet", "Metres", "Litres")
_UNIT_WORDS: dict[str, str] = {
    "lbs": "LB", "kgs": "KG", "pallet": "PL", "pallets": "PL", "plt": "PL", "plts": "PL", "sq ft": "SF", "sqft": "SF",
    "sq yd": "SY", "sqyd": "SY", "ctn": "CT", "ctns": "CT", "pkg": "PK", "pkgs": "PK", "pack": "PK", "packs": "PK",
    "pcs": "PC", "doz": "DZ",
    "prs": "PR", "gal": "GA", "gals": "GA", "yds": "YD", "feet": "FT", "metre": "MR", "metres": "MR", "litre": "LT",
    "litres": "LT"}


def unit_code_named(word: str) -> str | None:
    """The 355 code whose name ``word`` is, in any case, singular or plural, as warehouse systems write a
    unit ("Each", "CASES", "Cartons", "boxes": EA, CA, CT, BX), or which it abbreviates as they do (_UNIT_WORDS:
    "lbs", "Pallets", "sq. ft.": LB, PL, SF); None when no code has that name."""
    names = _names_355()
    key = word.strip().casefold()
    for name in (key, key[:-1] if key.endswith("s") else "", key[:-2] if key.endswith("es") else ""):
        if name and name in names:
            return names[name]
    spaced = " ".join(key.replace(".", " ").split())  # "sq. ft." and "SQ  FT" as "sq ft"; "lbs." as "lbs"
    return _UNIT_WORDS.get(spaced) or _UNIT_WORDS.get(spaced.replace(" ", ""))
