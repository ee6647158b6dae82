"""Item identifier readings: each id a PO line or POC sends, our items' and the partner's cross-reference's, as the
keys it is matched by (GS1 numbers as GTIN-14s in every form they come in; part and buyer numbers folded). Arrow in,
Arrow out, per distinct value; the value readings are schemas.reference's (connectors.item_index reads them too).
Which match wins, and the findings, are rules.business.items'.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import compound_key, is_blank, lookup, usable_keys
from schemas.orders import BUYER_ITEM_QUALIFIERS
from schemas.reference import (
    LEGACY_CROSS_REFERENCE_QUALIFIERS,
    NDC_QUALIFIERS,
    QUALIFIER_DIGITS,
    complete_gtin,
    isbn_gtin,
    ndc_10s,
    ndc_11,
    ndc_gtin,
    normalise_gtin,
    printed_gs1,
    qualifier_misfit,
    upc_readings,
)

# Direct matches against our own item master, in order of precedence (before any cross-reference).
# GTIN-14, UPC-A, EAN-13 and EAN-8 (code list 235 EO "EAN/UCC - 8": a JAN-8, as Japanese goods carry), matched as
# GTIN-14
GS1_QUALIFIERS = {"UK": 0, "UP": 1, "EN": 2, "EO": 2}


# GS1 numbers code list 235 defines without their check digit, by the digits they have: UI U.P.C. consumer
# package code (1-5-5: 11), UD U.P.C./EAN consumer package code and UA U.P.C./EAN case code (2-5-5: 12), U2
# U.P.C. shipping container code (1-2-5-5: 13, the packaging indicator first), as grocery, convenience and drug
# wholesalers' 850s send them. Matched as the GTIN-14 they name, the check digit computed
# (schemas.reference.complete_gtin); their rank follows EN's.
GS1_WITHOUT_CHECK_DIGIT = {"UI": 11, "UD": 12, "UA": 12, "U2": 13}


# IB: an ISBN, the book trade's id (BISAC X12 guides; Ingram, Baker & Taylor, Barnes & Noble): ISBN-10 or ISBN-13,
# both the one book whose EAN (978/979 GTIN-13) a publisher's item master keeps (schemas.reference.isbn_gtin)
ISBN_QUALIFIERS = {"IB": 2}


# our (the vendor's) number: VN vendor's item number, VP vendor's part number, VC vendor's catalog number
# and VA vendor's style number (code list 235: "Vendor's (Seller's) ..." the four, the seller's own id, so an id
# found among our items' vendor parts is ours - an off-price closeout line sent with our style and a description
# only; one that is not still tries the partner's cross-reference)
VENDOR_QUALIFIERS = {"VN": 3, "VP": 3, "VC": 3, "VA": 3}


# MG, the manufacturer's part number (code list 235): ours when we make the part (an EMS plant or a distributor
# ordering from the maker names it by its own approved-manufacturer number, MG, often with no VP). Matched against
# our vendor part numbers after every exact match and the partner's cross-reference (whose MG rows still map a
# maker's number that is not ours), before the caseless ones
MAKER_QUALIFIERS = frozenset({"MG"})


DIGITS = r"^[0-9]+$"


def gs1_keys_of(values: pa.Array) -> pa.Array:
    """Each value normalised to GTIN-14, null where empty or not a valid GS1 number."""
    uniques = [u for u in pc.unique(values).drop_null().to_pylist() if not is_blank(u)]
    valid = {u: normalise_gtin(u) for u in uniques}
    keys = [k for k in valid if valid[k] is not None]
    return lookup(values, pa.array(keys, pa.string()), pa.array([valid[k] for k in keys], pa.string()))


def qualifier_misfits(qualifier: pa.Array, ident: pa.Array) -> np.ndarray:
    """True for each pair whose id is a valid GS1 number of a longer structure than its qualifier names
    (schemas.reference.qualifier_misfit: an EAN-13 as UP, a case's GTIN-14 as UP or EN, a UPC-A as EO; UI, UD sent
    whole): matched by its number all the same, PRODUCT_ID_QUALIFIER_MISMATCH tells it. Only ids longer than the
    qualifier's digits once their leading zeros are left out are looked at (most UPs are 12 digits, or 13 or 14
    zero-filled), each distinct one once."""
    out = np.zeros(len(ident), dtype=bool)
    width = pc.index_in(qualifier, value_set=pa.array(list(QUALIFIER_DIGITS), pa.string()))
    if not pc.any(pc.is_valid(width)).as_py():
        return out
    widths = pa.array(list(QUALIFIER_DIGITS.values()), pa.int32()).take(width)
    significant = pc.utf8_ltrim(pc.utf8_trim_whitespace(ident), characters="0")  # zero-filled: its own structure
    longer = pc.fill_null(pc.greater(pc.utf8_length(significant), widths), False)
    if not pc.any(longer).as_py():
        return out
    at = np.flatnonzero(longer.to_numpy(zero_copy_only=False))
    taken = pa.array(at, pa.int64())
    pairs = set(zip(qualifier.take(taken).to_pylist(), ident.take(taken).to_pylist(), strict=True))
    misfit = {p for p in pairs if qualifier_misfit(normalise_gtin(p[1]), p[0]) is not None}
    if misfit:
        for k, q, i in zip(at.tolist(), qualifier.take(taken).to_pylist(), ident.take(taken).to_pylist(),
                           strict=True):
            out[k] = (q, i) in misfit
    return out


def isbn_keys(values: pa.Array) -> pa.Array:
    """Each ISBN (10 or 13 digits) as the GTIN-14 of its ISBN-13, null where empty or not a valid ISBN."""
    uniques = [u for u in pc.unique(values).drop_null().to_pylist() if not is_blank(u)]
    named = {u: isbn_gtin(u) for u in uniques}
    keys = [u for u in uniques if named[u] is not None]
    return lookup(values, pa.array(keys, pa.string()), pa.array([named[u] for u in keys], pa.string()))


def gs1_keys_without_check_digit(qualifier: pa.Array, ident: pa.Array) -> pa.Array:
    """Each UI/UD/UA/U2 id as the GTIN-14 it names (complete_gtin), null for every other pair and for a value
    that names none."""
    out = pa.nulls(len(ident), pa.string())
    for q, body in GS1_WITHOUT_CHECK_DIGIT.items():
        values = pc.if_else(pc.fill_null(pc.equal(qualifier, q), False), ident, pa.scalar(None, pa.string()))
        uniques = [u for u in pc.unique(values).drop_null().to_pylist() if not is_blank(u)]
        named = {u: complete_gtin(u, body) for u in uniques}
        keys = [u for u in uniques if named[u] is not None]
        if keys:
            out = pc.coalesce(out, lookup(values, pa.array(keys, pa.string()),
                                          pa.array([named[u] for u in keys], pa.string())))
    return out


def item_gs1_keys(items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(GTIN-14 keys, skus) a UPC/GTIN/EAN on a line is matched against: every item's gtin, then its upc
    (items.csv's UPC-A, as a GTIN-14) where that is another number. A grocery item master keeps the case's
    GTIN-14 (indicator digit 1-8: what a case is scanned by) as the item's gtin and the consumer unit's UPC
    beside it; retailers' 850s order such an item by either (Kroger's lines carry UK case code and UP)."""
    sku = items.column("sku").combine_chunks()
    gtin = items.column("gtin").combine_chunks().cast(pa.string())
    if "upc" not in items.column_names:
        return gtin, sku
    upc = gs1_keys_of(items.column("upc").combine_chunks().cast(pa.string()))
    other = pc.fill_null(pc.not_equal(upc, gtin), True)
    other = pc.and_(other, pc.is_valid(upc))
    return pa.concat_arrays([gtin, upc.filter(other)]), pa.concat_arrays([sku, sku.filter(other)])


def cross_reference(partner_items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(partner|qualifier|id keys, skus) of the cross-reference; a row without a qualifier (files from
    before the column existed) is the buyer's own number for the item: it answers to each of
    LEGACY_CROSS_REFERENCE_QUALIFIERS (BP, IN, PI, CB), a row qualified so to its qualifier alone."""
    partner = partner_items.column("partner").combine_chunks()
    ident = partner_items.column("buyer_part").combine_chunks()
    sku = partner_items.column("sku").combine_chunks()
    if "qualifier" in partner_items.column_names:
        qualifier = usable_keys(partner_items.column("qualifier"))
    else:
        qualifier = pa.nulls(partner_items.num_rows, pa.string())
    legacy = pc.is_null(qualifier)
    keys, values = [compound_key(partner, *ndc_keys(qualifier, ident))], [sku]
    if pc.any(legacy).as_py():
        for q in LEGACY_CROSS_REFERENCE_QUALIFIERS:
            old = partner_items.filter(legacy)
            keys.append(compound_key(old.column("partner").combine_chunks(),
                                     pa.array([q] * old.num_rows, pa.string()),
                                     old.column("buyer_part").combine_chunks()))
            values.append(old.column("sku").combine_chunks())
    return pa.concat_arrays(keys), pa.concat_arrays(values)


def ndc_keys(qualifier: pa.Array, ident: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(qualifier, id) as the cross-reference matches them: a National Drug Code under any of its qualifiers
    (NDC_QUALIFIERS: ND, N4, N1..N3), hyphenated or not, as N4 and its 11 digits (schemas.reference.ndc_11),
    so 00093-7156-01 sent under N4 finds the row kept as 00093715601, and N1 0093-7156-01 finds it too; an NDC
    value that names no 11 digits, and every other pair, as sent."""
    is_ndc = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(NDC_QUALIFIERS), pa.string())), False)
    if not pc.any(is_ndc).as_py():
        return qualifier, ident
    quals = np.array(qualifier.to_pylist(), dtype=object)
    ids = np.array(ident.to_pylist(), dtype=object)
    for row in np.flatnonzero(is_ndc.to_numpy(zero_copy_only=False)):
        named = ndc_11(ids[row], quals[row])
        if named is not None:
            quals[row], ids[row] = "N4", named
    return pa.array(quals, pa.string()), pa.array(ids, pa.string())


# the qualifiers whose ids have forms of their own, never matched loosely (GS1 numbers, ISBNs, NDCs); a tuple made an
# array where it is used (pa.array at import loads pyarrow's pandas shim in every worker)
OWN_FORMS = tuple(sorted({*GS1_QUALIFIERS, *GS1_WITHOUT_CHECK_DIGIT, *ISBN_QUALIFIERS, *NDC_QUALIFIERS}))


# the lengths of a UP value that is a U.P.C. in another form than the UPC-A's 12 digits (upc_readings)
ODD_UPC_LENGTHS = (7, 8, 11)


def folded_ids(ident: pa.Array) -> pa.Array:
    """Each id in capitals, without blanks and hyphens (each distinct id folded once); null where nothing is left."""
    encoded = pc.dictionary_encode(ident)
    return usable_keys(pc.replace_substring_regex(pc.utf8_upper(encoded.dictionary), r"[\s\-]+", "").take(
        encoded.indices))


def loose_ids(qualifier: pa.Array, ident: pa.Array) -> pa.Array:
    """Each id as loose_cross_reference keys it: folded_ids's (in capitals, without blanks and hyphens); a buyer's
    number (BUYER_ITEM_QUALIFIERS) of digits alone so, without its leading zeros too. Null where nothing is left."""
    folded = folded_ids(ident)
    digits = pc.fill_null(pc.and_(pc.match_substring_regex(folded, DIGITS), pc.is_in(
        qualifier, value_set=pa.array(list(BUYER_ITEM_QUALIFIERS), pa.string()))), False)
    return usable_keys(pc.if_else(digits, pc.utf8_ltrim(folded, characters="0"), folded))


def loose_cross_reference(partner_items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(partner|qualifier|loose id keys, skus) of the cross-reference's rows (loose_ids: in capitals, without blanks
    and hyphens, a buyer's number of digits without its leading zeros), of those one sku alone holds so for that
    partner and qualifier (AB-1234 and AB1234 kept for two items match neither way). Rows without a qualifier are left
    out, as unpadded_cross_reference leaves them; so are GS1 numbers, ISBNs and NDCs (their own forms)."""
    if "qualifier" not in partner_items.column_names:
        return pa.array([], pa.string()), pa.array([], pa.string())
    qualifier = usable_keys(partner_items.column("qualifier"))
    table = pa.table({"partner": partner_items.column("partner").combine_chunks(), "qualifier": qualifier,
                      "key": loose_ids(qualifier, partner_items.column("buyer_part").combine_chunks()),
                      "sku": partner_items.column("sku").combine_chunks()})
    table = table.filter(pc.and_(pc.and_(pc.is_valid(table["qualifier"]), pc.is_valid(table["key"])),
                                 pc.invert(pc.is_in(table["qualifier"], value_set=pa.array(OWN_FORMS, pa.string())))))
    grouped = table.group_by(["partner", "qualifier", "key"], use_threads=False).aggregate(
        [("sku", "count_distinct"), ("sku", "min")])
    one = grouped.filter(pc.equal(grouped["sku_count_distinct"], 1))
    return (compound_key(*(one[c].combine_chunks() for c in ("partner", "qualifier", "key"))),
            one["sku_min"].combine_chunks())


def gs1_readings(qualifier: pa.Array, ident: pa.Array, gs1_keys: pa.Array, gs1_skus: pa.Array) -> pa.Array:
    """The GTIN-14 of our items (``gs1_keys``, item_gs1_keys) each pair names through a reading of its id, null where
    none: a UP value that is no valid UPC-A as sent, a UPC-E's 8 digits or 11 digits (schemas.reference.upc_readings:
    a leading zero dropped, a check digit left off), and an NDC (NDC_QUALIFIERS, any of its forms) as its drug's
    U.P.C. (3 and its 10-digit NDC: ndc_10s, ndc_gtin), as GS1 US and the FDA make a drug's bar code, whatever
    partner sends it. Only where the readings name one item of ours alone: a reading that names two is no match."""
    up = pc.fill_null(pc.equal(qualifier, "UP"), False)
    digits = printed_digits(pc.if_else(up, ident, pa.scalar(None, pa.string())))  # (a printed UPC-E: 0 410202 9)
    ups = pc.fill_null(pc.and_(up, pc.is_in(pc.utf8_length(pc.utf8_trim_whitespace(digits)),
                                            value_set=pa.array(ODD_UPC_LENGTHS, pa.int32()))), False)
    ndcs = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(NDC_QUALIFIERS), pa.string())), False)
    wanted = np.flatnonzero(pc.or_(ups, ndcs).to_numpy(zero_copy_only=False))
    out = pa.nulls(len(ident), pa.string())
    if not len(wanted):
        return out
    ours = our_gtins(gs1_keys, gs1_skus)
    at = pa.array(wanted, pa.int64())
    pairs = compound_key(qualifier.take(at), ident.take(at))
    named: dict[str, str] = {}
    for pair in pc.unique(pairs).drop_null().to_pylist():
        q, value = pair.split("\x1f", 1)
        if q == "UP":
            if normalise_gtin(value) in ours:
                continue  # a valid EAN-8 of ours as sent: the GS1 match
            gtins = [g for g, _how in upc_readings(value)]
        else:
            gtins = [ndc_gtin(ndc) for ndc in ndc_10s(value, q)]
        hits = {g: ours[g] for g in gtins if g in ours}
        if len(set(hits.values())) == 1:
            named[pair] = next(iter(hits))
    if not named:
        return out
    return spread(len(ident), at, lookup(pairs, pa.array(list(named), pa.string()),
                                         pa.array(list(named.values()), pa.string())))


def item_identities(qualifier: str | None, value: str | None) -> frozenset[str]:
    """The item one (qualifier, id) pair names, as keys that compare across the forms buyers write it in, the readings
    rules.business.items.resolve_items matches an 850's line by: a GS1 number (GS1_QUALIFIERS, GS1_WITHOUT_CHECK_DIGIT,
    an ISBN, an NDC as its drug's U.P.C.) as each GTIN-14 it can be ("G" + the GTIN: a UPC-A, its UPC-E, its EAN-13
    with a leading 0 and its GTIN-14 of indicator 0 alike; upc_readings' two of an 11-digit UP both), our part numbers
    (VENDOR_QUALIFIERS, one number whichever of them names it) and any other qualifier's id as folded_ids keys it (in
    capitals, without blanks and hyphens; a buyer's number of digits alone without its ERP's leading zeros: loose_ids),
    under its qualifier. Empty for a blank id. A GS1 number of another packaging level (indicator 1-8) is another key:
    the case is not the each."""
    text = (value or "").strip()
    q = (qualifier or "").strip().upper()
    if not text:
        return frozenset()
    gtins: set[str | None] = set()
    if q in GS1_QUALIFIERS:
        gtins = {normalise_gtin(text)}
        if q == "UP":
            gtins |= {g for g, _how in upc_readings(text)}
    elif q in GS1_WITHOUT_CHECK_DIGIT:
        gtins = {complete_gtin(text, GS1_WITHOUT_CHECK_DIGIT[q])}
    elif q in ISBN_QUALIFIERS:
        gtins = {isbn_gtin(text)}
    elif q in NDC_QUALIFIERS:
        gtins = {ndc_gtin(ndc) for ndc in ndc_10s(text, q)}
    if q in OWN_FORMS:
        return frozenset("G" + g for g in gtins if g)
    folded = "".join(text.upper().replace("-", " ").split())
    if q in BUYER_ITEM_QUALIFIERS and folded.isascii() and folded.isdigit():
        folded = folded.lstrip("0") or "0"
    return frozenset({f"{'VN' if q in VENDOR_QUALIFIERS else q}\x1f{folded}"}) if folded else frozenset()


def our_gtins(gs1_keys: pa.Array, gs1_skus: pa.Array) -> dict[str, str]:
    """GTIN-14 -> sku of our items (item_gs1_keys), the first item of a GTIN kept."""
    ours: dict[str, str] = {}
    for key, sku in zip(gs1_keys.to_pylist(), gs1_skus.to_pylist(), strict=True):
        if key and sku:
            ours.setdefault(key, sku)
    return ours


def two_item_ups(qualifier: pa.Array, ident: pa.Array, gs1_keys: pa.Array, gs1_skus: pa.Array) -> np.ndarray:
    """True for each UP pair whose 8 digits (as sent or printed) are a valid EAN-8 naming one item of ours and a valid
    UPC-E whose UPC-A names another (04123460: GTIN 00000004123460, UPC-A 041234000060): the buyer meant one, and
    which is not said, so neither is taken (rules.business.items.resolve_items), never the EAN-8's on a guess. Either
    alone ours is that item."""
    out = np.zeros(len(ident), dtype=bool)
    ups = _eight_digit_ups(qualifier, ident)
    if not pc.any(ups).as_py():
        return out
    ours = our_gtins(gs1_keys, gs1_skus)
    at = np.flatnonzero(ups.to_numpy(zero_copy_only=False))
    seen: dict[str, bool] = {}
    for k, value in zip(at.tolist(), ident.take(pa.array(at, pa.int64())).to_pylist(), strict=True):
        if value not in seen:
            named = {ours.get(normalise_gtin(value)), *(ours.get(g) for g, _how in upc_readings(value))}
            seen[value] = normalise_gtin(value) in ours and len(named - {None}) > 1
        out[k] = seen[value]
    return out


def _eight_digit_ups(qualifier: pa.Array, ident: pa.Array) -> pa.Array:
    """True for each UP pair whose id is 8 characters, or a printed GS1 number of 8 digits (0 410202 9)."""
    up = pc.fill_null(pc.equal(qualifier, "UP"), False)
    if not pc.any(up).as_py():
        return up
    ups = pc.if_else(up, ident, pa.scalar(None, pa.string()))
    return pc.fill_null(pc.and_(up, pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(printed_digits(ups))), 8)), False)


def upce_skus(qualifier: pa.Array, ident: pa.Array, gs1_keys: pa.Array, gs1_skus: pa.Array) -> pa.Array:
    """The sku of our item each 8-digit UP value names as a UPC-E (the UPC-A it stands for: upc_readings) when it is a
    valid EAN-8 too (which gs1_keys_of reads it as); null elsewhere."""
    ups = _eight_digit_ups(qualifier, ident)
    if not pc.any(ups).as_py():
        return pa.nulls(len(ident), pa.string())
    at = pa.array(np.flatnonzero(ups.to_numpy(zero_copy_only=False)), pa.int64())
    values = ident.take(at)
    uniques = [u for u in pc.unique(values).drop_null().to_pylist() if normalise_gtin(u) and upc_readings(u)]
    keys = lookup(values, pa.array(uniques, pa.string()), pa.array([upc_readings(u)[0][0] for u in uniques],
                                                                    pa.string()))
    return spread(len(ident), at, lookup(keys, gs1_keys, gs1_skus))


def printed_digits(values: pa.Array) -> pa.Array:
    """Each value that is a GS1 number in its printed form (0-41200-00020-9: schemas.reference.printed_gs1) as its
    digits, every other as it is (only values of digits parted by blanks or hyphens are looked at)."""
    parted = pc.invert(pc.fill_null(pc.utf8_is_digit(values), True))  # (most ids: digits alone, or none)
    if not pc.any(parted).as_py():
        return values
    maybe = pc.fill_null(pc.match_substring_regex(values.filter(parted), _PRINTED_SHAPE), False)
    if not pc.any(maybe).as_py():
        return values
    uniques = [u for u in pc.unique(values.filter(parted).filter(maybe)).to_pylist() if printed_gs1(u)]
    if not uniques:
        return values
    return pc.coalesce(lookup(values, pa.array(uniques, pa.string()),
                              pa.array([printed_gs1(u) for u in uniques], pa.string())), values)


# digits parted by blanks or hyphens: what may be a GS1 number's printed form (printed_gs1 says whether it is)
_PRINTED_SHAPE = r"^ *[0-9]+(?: *- *| +)[0-9][0-9 -]*$"


def spread(n: int, at: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` (one per index of ``at``) at those positions of an array of ``n``, null elsewhere."""
    slot = np.full(n, -1, dtype=np.int64)
    slot[at.to_numpy()] = np.arange(len(at))
    return values.take(pa.array(np.where(slot >= 0, slot, 0), pa.int64(), mask=slot < 0))


def packaging_level_skus(qualifier: pa.Array, ident: pa.Array, unit: pa.Array, gs1_keys: pa.Array,
                         gs1_skus: pa.Array) -> pa.Array:
    """The sku of each GS1 pair (GS1_QUALIFIERS, GS1_WITHOUT_CHECK_DIGIT) whose GTIN is another packaging level of an
    item's own GTIN or UPC (``gs1_keys``): the same item reference (GTIN-14 digits 2-13) under another indicator digit
    (GS1: 1-8 a grouping of the item's units, the case a distributor orders by; 0 the base unit), of one item of ours
    alone; null elsewhere. Only where the line's unit (PO103) says the quantity: the base unit's GTIN (indicator 0)
    in any unit, a grouping's (1-8) in a unit other than the each (CA, CS, BX ...: items.case_pack, item_units.csv),
    never a grouping's in EA, whose eaches it does not say (the indicator digit names no count), nor 9 (a variable
    measure)."""
    gs1 = pc.fill_null(pc.is_in(qualifier, value_set=pa.array([*GS1_QUALIFIERS, *GS1_WITHOUT_CHECK_DIGIT],
                                                               pa.string())), False)
    if not pc.any(gs1).as_py():
        return pa.nulls(len(ident), pa.string())
    keys = pc.coalesce(pc.if_else(pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(GS1_QUALIFIERS),
                                                                                       pa.string())), False),
                                  gs1_keys_of(ident), pa.scalar(None, pa.string())),
                       gs1_keys_without_check_digit(qualifier, ident))
    ours = pa.table({"ref": pc.utf8_slice_codeunits(gs1_keys, 1, 13), "sku": gs1_skus}).filter(
        pc.and_(pc.is_valid(gs1_keys), pc.is_valid(gs1_skus)))
    grouped = ours.group_by("ref", use_threads=False).aggregate([("sku", "count_distinct"), ("sku", "min")])
    one = grouped.filter(pc.equal(grouped["sku_count_distinct"], 1))
    keys = pc.if_else(gs1, keys, pa.scalar(None, pa.string()))
    indicator = pc.utf8_slice_codeunits(keys, 0, 1)
    each = pc.fill_null(pc.equal(pc.utf8_upper(unit), "EA"), True)
    counted = pc.and_(pc.not_equal(indicator, "9"), pc.or_(pc.equal(indicator, "0"), pc.invert(each)))
    skus = lookup(pc.utf8_slice_codeunits(keys, 1, 13), one["ref"].combine_chunks(), one["sku_min"].combine_chunks())
    return pc.if_else(pc.fill_null(counted, False), skus, pa.scalar(None, pa.string()))


def unpadded_cross_reference(partner_items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(partner|qualifier|number keys, skus) of the cross-reference's rows whose buyer number is digits alone, the
    number without its leading zeros, of those one sku alone holds so for that partner and qualifier (123458 and
    000000000000123458 kept for two items match neither way). Rows without a qualifier are left out."""
    if "qualifier" not in partner_items.column_names:
        return pa.array([], pa.string()), pa.array([], pa.string())
    ident = partner_items.column("buyer_part").combine_chunks()
    table = pa.table({"partner": partner_items.column("partner").combine_chunks(),
                      "qualifier": usable_keys(partner_items.column("qualifier")),
                      "key": usable_keys(pc.utf8_ltrim(ident, characters="0")),
                      "sku": partner_items.column("sku").combine_chunks()})
    table = table.filter(pc.fill_null(pc.match_substring_regex(ident, DIGITS), False))
    table = table.filter(pc.and_(pc.is_in(table["qualifier"], value_set=pa.array(list(BUYER_ITEM_QUALIFIERS),
                                                                                   pa.string())),
                                 pc.is_valid(table["key"])))
    grouped = table.group_by(["partner", "qualifier", "key"], use_threads=False).aggregate(
        [("sku", "count_distinct"), ("sku", "min")])
    one = grouped.filter(pc.equal(grouped["sku_count_distinct"], 1))
    return (compound_key(*(one[c].combine_chunks() for c in ("partner", "qualifier", "key"))),
            one["sku_min"].combine_chunks())


def caseless_vendor_parts(items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Our vendor part numbers as folded_ids keys them (in capitals, without blanks and hyphens) and their skus, of
    those no other item's matches so (ATmega328P-AU as ATMEGA328P-AU; RC0603FR-0710KL as RC0603FR0710KL or
    rc0603fr 0710kl; two items whose numbers differ only so match neither way)."""
    table = pa.table({"key": folded_ids(items.column("vendor_part").combine_chunks()),
                      "sku": items.column("sku").combine_chunks()}).filter(
        pc.is_valid(usable_keys(items.column("vendor_part").combine_chunks())))
    table = table.filter(pc.is_valid(table["key"]))
    grouped = table.group_by("key", use_threads=False).aggregate([("sku", "count_distinct"), ("sku", "min")])
    one = grouped.filter(pc.equal(grouped["sku_count_distinct"], 1))
    return one["key"].combine_chunks(), one["sku_min"].combine_chunks()
