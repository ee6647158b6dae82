"""Item identification: resolve every PO1 qualifier/id pair to our SKUs; GS1 check digits, unknown and
discontinued items.

A line is resolved through the ids it carries (ORDER_LINES.product_ids, every pair as sent): UPC/GTIN/EAN
and ISBN (IB, 10 or 13 digits) against our items' GTINs and UPCs, VN/VP/VC/VA against our vendor part numbers, and
any qualifier (VP, VC, VA, MG, SK, CB, BP, IN, ...) through the partner's cross-reference (partner_items:
partner, qualifier, id, sku). Then, after every exact match, ids read in the forms buyers send them: a UP value that
is a U.P.C. in another form (a UPC-E, 11 digits) and an NDC as its drug's U.P.C. (gs1_readings), a GTIN-14 of another
packaging level of an item's own in a unit that counts it (packaging_level_skus), a partner's number in another case
or with other blanks and hyphens (loose_cross_reference): each only where it names one item of ours alone. No lookup
ever matches a null or blank id (rules.business.common.lookup). The readings (how each id is keyed) are
rules.business.item_readings'; this module decides which match wins and says what did not match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.business.common import (
    _GS1_COLUMNS,
    _ID_COLUMNS,
    _LINE_LOCATION,
    _first_id,
    _id_element,
    _rows,
    business_finding,
    code_case_text,
    is_blank,
    lookup,
    lookup_by,
    usable_keys,
)
from rules.business.item_readings import (
    DIGITS,
    GS1_QUALIFIERS,
    GS1_WITHOUT_CHECK_DIGIT,
    ISBN_QUALIFIERS,
    MAKER_QUALIFIERS,
    ODD_UPC_LENGTHS,
    OWN_FORMS,
    VENDOR_QUALIFIERS,
    caseless_vendor_parts,
    cross_reference,
    folded_ids,
    gs1_keys_of,
    gs1_keys_without_check_digit,
    gs1_readings,
    isbn_keys,
    item_gs1_keys,
    loose_cross_reference,
    loose_ids,
    ndc_keys,
    our_gtins,
    packaging_level_skus,
    printed_digits,
    qualifier_misfits,
    spread,
    two_item_ups,
    unpadded_cross_reference,
    upce_skus,
)
from schemas.findings import Finding
from schemas.orders import BUYER_ITEM_QUALIFIERS, CSV_ISA13, PRODUCT_QUALIFIERS
from schemas.reference import (
    LEGACY_CROSS_REFERENCE_QUALIFIERS,
    NDC_QUALIFIERS,
    QUALIFIER_DIGITS,
    QUALIFIER_NUMBERS,
    ReferenceData,
    complete_gtin,
    from_scientific,
    gs1_valid,
    isbn_gtin,
    ndc_10s,
    normalise_gtin,
    printed_gs1,
    qualifier_misfit,
    spreadsheet_date,
    upc_readings,
    upce_upca,
)

# The ranks of resolve_items' matches, the lowest winning: GS1_QUALIFIERS, ISBN_QUALIFIERS and VENDOR_QUALIFIERS give
# their own (rules.business.item_readings); UI, UD, UA, U2 (GS1_WITHOUT_CHECK_DIGIT) follow EN's
_WITHOUT_CHECK_DIGIT_RANK = 2
_CROSS_REFERENCE_RANK = 10  # + the pair's position: cross-references in the order the pairs were sent
# a vendor part number matched in another case than ours (VP ATMEGA328P-AU for our ATmega328P-AU: distributors keep
# makers' part numbers in capitals, some buyers' systems in lower case), or with other blanks and hyphens
# (RC0603FR0710KL for RC0603FR-0710KL): after every exact match, the cross-reference included, and only an id one item
# alone matches so (caseless_vendor_parts)
_CASELESS_RANK = _CROSS_REFERENCE_RANK + 10_000
_MAKER_RANK = _CROSS_REFERENCE_RANK + 5_000
# a buyer's number of digits alone sent with the leading zeros its ERP pads such a key with (SAP's material number:
# 18 digits in ECC, 40 in S/4HANA; 000000000000123458 in the IDoc mapped to the 850 for the 123458 its screens and
# printed POs show) while the partner's cross-reference keeps it as the buyer's people read it, or the other way
# round: matched with the leading zeros left out on both sides, after every exact match, and only where that number
# names one item alone in the partner's rows of that qualifier (unpadded_cross_reference). Only the buyer's own
# numbers (BP, IN, PI, CB: BUYER_ITEM_QUALIFIERS), never a GS1 number nor an NDC, whose zeros say which product it
# is; a number of other characters (0A-1234) is never matched so
_UNPADDED_RANK = _CROSS_REFERENCE_RANK + 7_500
# a number read to the GTIN of one item of ours, after every exact match and the partner's cross-reference (whose rows
# still say what the partner means by it), before a maker's part: a UP value that is no UPC-A as sent (a UPC-E's 8
# digits, 11 digits: schemas.reference.upc_readings) and an NDC (ND, N1..N4) as its drug U.P.C. (3 + the 10-digit
# NDC: ndc_10s, ndc_gtin), only where its readings name one item of ours alone (gs1_readings); then a GS1 number of
# another packaging level of an item's own (its indicator digit another: the case's GTIN-14 of the each our master
# keeps, or the other way round), when the line's unit says the quantity (packaging_level_skus)
_READING_RANK = _CROSS_REFERENCE_RANK + 2_000
_LEVEL_RANK = _CROSS_REFERENCE_RANK + 3_000
# the buyer's and other partners' numbers matched as their people and systems write them differently: in another case,
# with or without blanks and hyphens between their groups (NSN 5305-01-234-5678 for 5305012345678; ab-1234, AB 1234
# for AB-1234), and a buyer's number of digits alone with or without its ERP's leading zeros; after every exact match,
# only where the partner's rows of that qualifier hold that form for one item alone (loose_cross_reference). Never
# a GS1 number, an ISBN nor an NDC, which have their own forms
_LOOSE_RANK = _CROSS_REFERENCE_RANK + 7_600

# --- the pairs of every line -------------------------------------------------------------------------


def line_pairs(lines: pa.Table) -> pa.Table:
    """One row per qualifier/id pair: ``row`` (the line's index), ``position`` (0 = PO106/PO107),
    ``qualifier``, ``id``. Lines whose product_ids is null fall back to their id columns (UK, UP, EN,
    VN, BP)."""
    n = lines.num_rows
    rows, positions, quals, ids = [], [], [], []
    if "product_ids" in lines.column_names and n:
        lists = lines.column("product_ids").combine_chunks()
        lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
        flat = pc.list_flatten(lists)
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        rows.append(parent)
        positions.append(np.arange(len(parent), dtype=np.int64) - starts[parent] if len(parent) else parent)
        quals.append(flat.field("qualifier"))
        ids.append(flat.field("id"))
        missing = lists.is_null().to_numpy(zero_copy_only=False)
    else:
        missing = np.ones(n, dtype=bool)
    if missing.any():  # hand-built tables: the id columns, in precedence order
        for k, (column, qualifiers) in enumerate(_ID_COLUMNS.items()):
            if column not in lines.column_names:
                continue
            values = lines.column(column).combine_chunks()
            take = np.flatnonzero(missing & pc.is_valid(values).to_numpy(zero_copy_only=False))
            rows.append(take)
            positions.append(np.full(len(take), k, dtype=np.int64))
            quals.append(pa.array([qualifiers[0]] * len(take), pa.string()))
            ids.append(values.take(pa.array(take, pa.int64())))
    if not rows:
        return pa.table({"row": pa.array([], pa.int64()), "position": pa.array([], pa.int64()),
                         "qualifier": pa.array([], pa.string()), "id": pa.array([], pa.string())})
    return pa.table({"row": pa.array(np.concatenate(rows), pa.int64()),
                     "position": pa.array(np.concatenate(positions), pa.int64()),
                     "qualifier": pa.concat_arrays([q.cast(pa.string()) for q in quals]),
                     "id": pa.concat_arrays([i.cast(pa.string()) for i in ids])})


def has_product_id(lines: pa.Table) -> pa.Array:
    """True for each line that carries at least one non-blank id (whatever its qualifier)."""
    pairs = line_pairs(lines)
    out = np.zeros(lines.num_rows, dtype=bool)
    usable = pc.is_valid(usable_keys(pairs.column("id"))).to_numpy(zero_copy_only=False)
    out[pairs.column("row").to_numpy()[usable]] = True
    return pa.array(out)


# --- resolution ---------------------------------------------------------------------------------------


def resolve_items(lines: pa.Table, items: pa.Table, partner_items: pa.Table) -> pa.Table:
    """``lines`` plus sku, matched_by (how it matched: upc, gtin, ean, vendor_part, buyer_part, or the
    cross-referenced qualifier such as VP), case_pack, min_order_qty and item_status. Ids are tried in
    the order GTIN, UPC, EAN, the U.P.C./EAN codes sent without a check digit (UI, UD, UA), vendor part,
    then the partner's cross-reference for every pair in the order sent, then a UP value read as the UPC-A it stands
    for and an NDC as its drug's U.P.C. (gs1_readings), then a GTIN of another packaging level of an item's own in a
    unit that counts it (packaging_level_skus), then a manufacturer's part number (MG)
    among our vendor parts, then a buyer's number of digits alone with or without its ERP's leading zeros
    (unpadded_cross_reference), then a partner's number in another case or with other blanks and hyphens
    (loose_cross_reference), then a vendor or manufacturer's part in another case than ours (caseless_vendor_parts:
    one item alone so); a UPC/GTIN/EAN with a bad check digit never matches, nor does a null or blank id."""
    n = lines.num_rows
    pairs = line_pairs(lines)
    row = pairs.column("row").to_numpy()
    qualifier = pairs.column("qualifier").combine_chunks()
    ident = pairs.column("id").combine_chunks()
    item_sku = items.column("sku").combine_chunks()
    known_sku = usable_keys(item_sku)
    found: list[tuple[np.ndarray, np.ndarray, pa.Array, pa.Array]] = []  # (rows, ranks, skus, labels)
    vendor_missed = np.zeros(len(row), dtype=bool)  # vendor (and MG) pairs no vendor part matched exactly

    def add(mask: np.ndarray, rank: np.ndarray, skus: pa.Array, labels: pa.Array) -> None:
        hit = mask & pc.is_valid(skus).to_numpy(zero_copy_only=False)
        if hit.any():
            at = pa.array(np.flatnonzero(hit), pa.int64())
            found.append((row[hit], rank[hit], skus.take(at), labels.take(at)))

    if len(row):
        per_qualifier = _per_qualifier(qualifier)
        gs1_keys, gs1_skus = item_gs1_keys(items)
        two = two_item_ups(qualifier, ident, gs1_keys, gs1_skus)
        gs1_ident = pc.if_else(pa.array(two), pa.scalar(None, pa.string()), ident) if two.any() else ident
        for quals, keys_of, ref_keys, ref_skus in ((GS1_QUALIFIERS, gs1_keys_of, gs1_keys, gs1_skus),
                                                   (ISBN_QUALIFIERS, isbn_keys, gs1_keys, gs1_skus),
                                                   (VENDOR_QUALIFIERS, lambda v: v, items.column("vendor_part"),
                                                    item_sku)):
            mask = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(quals), pa.string())), False).to_numpy(
                zero_copy_only=False)
            if mask.any():
                skus = lookup(keys_of(gs1_ident), ref_keys, ref_skus)
                rank = per_qualifier(lambda q, quals=quals: quals.get(q, 0), pa.int64()).to_numpy()
                labels = per_qualifier(lambda q: PRODUCT_QUALIFIERS.get(q, q), pa.string())
                add(mask, rank, skus, labels)
                if quals is VENDOR_QUALIFIERS:
                    vendor_missed = mask & ~pc.is_valid(skus).to_numpy(zero_copy_only=False)
        mask = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(GS1_WITHOUT_CHECK_DIGIT), pa.string())),
                            False).to_numpy(zero_copy_only=False)
        if mask.any():  # UI/UD/UA: GS1 numbers sent without their check digit
            skus = lookup(gs1_keys_without_check_digit(qualifier, ident), gs1_keys, gs1_skus)
            add(mask, np.full(len(row), _WITHOUT_CHECK_DIGIT_RANK, dtype=np.int64), skus,
                per_qualifier(lambda q: q or "", pa.string()))
        xref_keys, xref_skus = cross_reference(partner_items)
        partner = lines.column("partner").combine_chunks().take(pa.array(row, pa.int64()))
        skus = lookup_by([partner, *ndc_keys(qualifier, ident)], xref_keys, xref_skus)
        skus = pc.if_else(pc.is_in(skus, value_set=known_sku, skip_nulls=True), skus,
                          pa.scalar(None, pa.string()))  # a cross-reference to a sku we do not have
        labels = per_qualifier(lambda q: "buyer_part" if q in LEGACY_CROSS_REFERENCE_QUALIFIERS else (q or ""),
                               pa.string())
        add(np.ones(len(row), dtype=bool), _CROSS_REFERENCE_RANK + pairs.column("position").to_numpy(), skus,
            labels)
        matched = np.zeros(n, dtype=bool)  # lines an exact id found: their zeros are never looked at
        for hit_rows, *_rest in found:
            matched[hit_rows] = True
        digits = ~matched[row] & pc.fill_null(pc.and_(pc.match_substring_regex(ident, DIGITS), pc.is_in(
            qualifier, value_set=pa.array(list(BUYER_ITEM_QUALIFIERS), pa.string()))), False).to_numpy(
            zero_copy_only=False)
        if digits.any():  # a buyer's number with or without the leading zeros its ERP pads it with
            unpadded_keys, unpadded_skus = unpadded_cross_reference(partner_items)
            skus = lookup_by([partner, qualifier, pc.utf8_ltrim(ident, characters="0")], unpadded_keys,
                             unpadded_skus)
            skus = pc.if_else(pc.is_in(skus, value_set=known_sku, skip_nulls=True), skus,
                              pa.scalar(None, pa.string()))
            add(digits, np.full(len(row), _UNPADDED_RANK, dtype=np.int64), skus, labels)
        own_form = pc.is_in(qualifier, value_set=pa.array(OWN_FORMS, pa.string()))
        loose = ~matched[row] & ~pc.fill_null(own_form, False).to_numpy(zero_copy_only=False)
        if loose.any():  # a partner's number in another case, with or without blanks, hyphens, an ERP's zeros
            loose_keys, loose_skus = loose_cross_reference(partner_items)
            at = pa.array(np.flatnonzero(loose), pa.int64())
            some = lookup_by([partner.take(at), qualifier.take(at), loose_ids(qualifier.take(at), ident.take(at))],
                             loose_keys, loose_skus)
            skus = spread(len(row), at, pc.if_else(pc.is_in(some, value_set=known_sku, skip_nulls=True), some,
                                                   pa.scalar(None, pa.string())))
            add(loose, np.full(len(row), _LOOSE_RANK, dtype=np.int64), skus, labels)
        read_keys = gs1_readings(qualifier, gs1_ident, gs1_keys, gs1_skus)
        if pc.any(pc.is_valid(read_keys)).as_py():  # a UPC-E, an 11-digit UP, an NDC: one item of ours
            add(np.ones(len(row), dtype=bool), np.full(len(row), _READING_RANK, dtype=np.int64),
                lookup(read_keys, gs1_keys, gs1_skus), per_qualifier(lambda q: PRODUCT_QUALIFIERS.get(q, q),
                                                                      pa.string()))
        level = ~matched[row]
        if level.any():  # another packaging level of an item's own GTIN, its quantity in the line's unit
            unit = lines.column("unit").combine_chunks().take(pa.array(row, pa.int64())) \
                if "unit" in lines.column_names else pa.nulls(len(row), pa.string())
            at = pa.array(np.flatnonzero(level), pa.int64())
            add(level, np.full(len(row), _LEVEL_RANK, dtype=np.int64),
                spread(len(row), at, packaging_level_skus(qualifier.take(at), gs1_ident.take(at), unit.take(at),
                                                          gs1_keys, gs1_skus)),
                per_qualifier(lambda q: PRODUCT_QUALIFIERS.get(q, q), pa.string()))
        maker = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(MAKER_QUALIFIERS), pa.string())),
                             False).to_numpy(zero_copy_only=False)
        if maker.any():  # MG: the maker's number, ours when we make the part
            skus = lookup(ident, items.column("vendor_part"), item_sku)
            add(maker, np.full(len(row), _MAKER_RANK, dtype=np.int64), skus,
                per_qualifier(lambda q: PRODUCT_QUALIFIERS.get(q, q), pa.string()))
            vendor_missed |= maker & ~pc.is_valid(skus).to_numpy(zero_copy_only=False)
        if vendor_missed.any():
            folded, folded_skus = caseless_vendor_parts(items)
            add(vendor_missed, np.full(len(row), _CASELESS_RANK, dtype=np.int64),
                lookup(folded_ids(ident), folded, folded_skus),
                per_qualifier(lambda q: PRODUCT_QUALIFIERS.get(q, q), pa.string()))
    sku = pa.nulls(n, pa.string())
    matched_by = pa.nulls(n, pa.string())
    if found:
        rows = np.concatenate([f[0] for f in found])
        ranks = np.concatenate([f[1] for f in found])
        order = np.lexsort((ranks, rows))
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
        all_skus = pa.concat_arrays([f[2] for f in found]).take(pa.array(first, pa.int64()))
        all_labels = pa.concat_arrays([f[3] for f in found]).take(pa.array(first, pa.int64()))
        slot = np.full(n, -1, dtype=np.int64)
        slot[rows[first]] = np.arange(len(first))
        take = pa.array(np.where(slot >= 0, slot, 0), pa.int64(), mask=slot < 0)
        sku, matched_by = all_skus.take(take), all_labels.take(take)
    out = lines
    for name, values in (("sku", sku), ("matched_by", matched_by)):
        out = (
            out.set_column(out.schema.get_field_index(name), name, values)
            if name in out.column_names
            else out.append_column(name, values)
        )
    for name, source in (
        ("case_pack", "case_pack"),
        ("min_order_qty", "min_order_qty"),
        ("item_status", "status"),
    ):
        values = lookup(sku, item_sku, items.column(source).combine_chunks())
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), name, values)
        else:
            out = out.append_column(name, values)
    return out


def _per_qualifier(qualifier: pa.Array):
    """``of(f, type)``: f(q) for every pair's qualifier q (None when null) as an array of ``type``, f
    called once per distinct qualifier (a night's pairs carry a handful)."""
    encoded = pc.dictionary_encode(qualifier)
    distinct = [*encoded.dictionary.to_pylist(), None]
    at = pc.fill_null(encoded.indices, len(distinct) - 1)

    def of(f, type_: pa.DataType) -> pa.Array:
        return pa.array([f(q) for q in distinct], type_).take(at)
    return of


# --- substitutes (a partner that accepts them: RuleSettings.substitutes = "accept") ------------------------


def substitute(resolved: pa.Table, items: pa.Table, partner_items: pa.Table | None, settings) -> pa.Table:
    """``resolved`` (resolve_items' lines) with each line of a partner that accepts substitutes whose item is
    discontinued and superseded (items.replaced_by, followed to the end of its chain) by an active item decided
    on that item: sku, case_pack, min_order_qty and item_status are the replacement's, ``ordered_sku`` keeps the
    item the line named, and ``substitute_ids`` the replacement's ids in the qualifiers the line was sent with
    (substitute_ids). Both columns are added (null on every other line) only when a line is substituted. A loop
    of replacements, or a chain ending at an item that is not active, is left as it is (ITEM_DISCONTINUED).
    Only the order rules call this: shipment confirmations and weights resolve the items as sent."""
    n = resolved.num_rows
    if not n or "replaced_by" not in items.column_names or items["replaced_by"].null_count == items.num_rows:
        return resolved
    partners = [p for p in pc.unique(resolved["partner"]).to_pylist()
                if p is not None and settings.for_partner(p).substitutes == "accept"]
    if not partners:
        return resolved
    candidate = pc.and_(pc.fill_null(pc.equal(resolved["item_status"], "discontinued"), False),
                        pc.is_in(resolved["partner"], value_set=pa.array(partners, pa.string())))
    rows = np.flatnonzero(np.asarray(candidate.to_numpy(zero_copy_only=False), dtype=bool))
    if not len(rows):
        return resolved
    status = dict(zip(items["sku"].to_pylist(), items["status"].to_pylist(), strict=True))
    picked = resolved.select(["partner", "sku", "product_ids"] if "product_ids" in resolved.column_names
                             else ["partner", "sku"]).take(pa.array(rows, pa.int64())).to_pylist()
    new_sku: list[str | None] = [None] * n
    ordered: list[str | None] = [None] * n
    ids: list[list[dict] | None] = [None] * n
    for r, row in zip(rows.tolist(), picked, strict=True):
        chain, loops = supersession(row["sku"], items)
        if loops or len(chain) == 1 or status.get(chain[-1]) != "active":
            continue
        new_sku[r], ordered[r] = chain[-1], row["sku"]
        ids[r] = substitute_ids(row.get("product_ids") or [], chain[-1], row["partner"], items, partner_items)
    if not any(ordered):
        return resolved
    replaced = pa.array(new_sku, pa.string())
    sku = pc.coalesce(replaced, resolved["sku"])
    item_sku = items["sku"].combine_chunks()
    out = resolved.set_column(resolved.schema.get_field_index("sku"), "sku", sku)
    for name, source in (("case_pack", "case_pack"), ("min_order_qty", "min_order_qty"), ("item_status", "status")):
        values = pc.if_else(pc.is_valid(replaced), lookup(sku, item_sku, items[source].combine_chunks()),
                            out[name].combine_chunks())
        out = out.set_column(out.schema.get_field_index(name), name, values)
    pair = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])
    for name, values in (("ordered_sku", pa.array(ordered, pa.string())),
                         ("substitute_ids", pa.array(ids, pa.list_(pair)))):
        out = (out.set_column(out.schema.get_field_index(name), name, values) if name in out.column_names
               else out.append_column(name, values))
    return out


def substitute_ids(sent: list[dict], sku: str, partner: str, items: pa.Table,
                   partner_items: pa.Table | None) -> list[dict]:
    """Item ``sku``'s ids in the qualifiers a line was sent with (its product_ids, in their order), what an 855
    ACK*IS names the substitute by (ACK07-ACK28) so the buyer's system finds it as it found the ordered one: our
    GS1 and vendor ids (part_id), any other qualifier (BP, IN, SK ...) the partner's cross-reference for it; a
    qualifier it has no id under is left out. None of them named: its vendor part as VP (our sku as VN)."""
    row = _item_row(sku, items)
    xref = _cross_referenced(sku, partner, partner_items)
    out: list[dict] = []
    for pair in sent:
        q = pair.get("qualifier") or ""
        value = part_id(q, row) if q in OUR_QUALIFIERS else xref.get(q)
        if value and not any(p["qualifier"] == q for p in out):
            out.append({"qualifier": q, "id": value})
    return out or [_vendor_pair(row)]


# PO1 qualifiers (code list 235) that state the revision of the part ordered, not a reference for the line: EC
# engineering change level (John Deere's parts 850: BP AH215325 at EC B), DR drawing revision number. True of the
# item ordered, not of the one that supersedes it
REVISION_QUALIFIERS = frozenset({"EC", "DR"})


def shipped_part_ids(sent: list[dict], sku: str, items: pa.Table) -> list[dict]:
    """A substituted line's ids as its 856 LIN and 810 IT1 name what shipped: the ids we own (GS1, vendor:
    OUR_QUALIFIERS) the shipped item's (``sku``: part_id; one it has no id under left out), the buyer's own (BP,
    IN, ...) as sent, its reference for the line; its vendor part as VP (our sku as VN) added when none of ours
    is left. The ordered part's revision (REVISION_QUALIFIERS: EC, DR) is left out: it is not the revision of the
    part shipped."""
    row = _item_row(sku, items)
    out: list[dict] = []
    for pair in sent:
        q = pair.get("qualifier") or ""
        if q in REVISION_QUALIFIERS:
            continue
        value = part_id(q, row) if q in OUR_QUALIFIERS else pair.get("id")
        if value:
            out.append({"qualifier": q, "id": value})
    if not any(p["qualifier"] in OUR_QUALIFIERS for p in out):
        out.append(_vendor_pair(row))
    return out


def as_shipped(order_lines: pa.Table, line_rows: pa.Table, items: pa.Table) -> pa.Table:
    """``order_lines`` (canonical ORDER_LINES rows) with the product_ids of every substituted line (its stored
    line, ``line_rows``: partner, po_number, line_number, sku and ordered_sku or codes, has an ordered_sku, or,
    stored before the store kept it, codes naming ITEM_SUBSTITUTED) as shipped_part_ids gives them for the stored
    sku (the replacement), what its 856 and 810 write; other lines, and a table without substitutes, as they are."""
    if not order_lines.num_rows or not any_substituted(line_rows):
        return order_lines
    marked = _substituted(line_rows)
    picked = line_rows.filter(marked).select(["partner", "po_number", "line_number", "sku"]).to_pylist()
    skus = {(r["partner"], r["po_number"], int(r["line_number"])): r["sku"] for r in picked if r["sku"]}
    keys = zip(order_lines["partner"].to_pylist(), order_lines["po_number"].to_pylist(),
               order_lines["line_number"].to_pylist(), strict=True)
    ids = order_lines["product_ids"].to_pylist()
    changed = [shipped_part_ids(sent or [], skus[k], items) if k in skus else sent
               for k, sent in zip(keys, ids, strict=True)]
    at = order_lines.schema.get_field_index("product_ids")
    field = order_lines.schema.field(at)
    return order_lines.set_column(at, field, pa.array(changed, field.type))


def any_substituted(line_rows: pa.Table) -> bool:
    """Whether any stored line (LINE_ROWS, or some of its columns) is decided on a substitute: an ordered_sku, or
    codes (comma-joined) naming ITEM_SUBSTITUTED (a line stored before order_lines kept its ordered_sku; a partner
    whose rule suites leave out "items" has the ordered_sku only)."""
    return line_rows.num_rows > 0 and pc.any(_substituted(line_rows)).as_py()


def _substituted(line_rows: pa.Table) -> pa.Array:
    """Per stored line: decided on a substitute (any_substituted)."""
    out = pa.array([False] * line_rows.num_rows)
    if "ordered_sku" in line_rows.column_names:
        out = pc.or_(out, pc.fill_null(pc.not_equal(line_rows["ordered_sku"], ""), False))
    if "codes" in line_rows.column_names:
        out = pc.or_(out, pc.fill_null(pc.match_substring(line_rows["codes"], "ITEM_SUBSTITUTED"), False))
    return out


# qualifiers whose id is ours to give (GS1 numbers of our items, our vendor part numbers)
OUR_QUALIFIERS = frozenset({*GS1_QUALIFIERS, *GS1_WITHOUT_CHECK_DIGIT, *VENDOR_QUALIFIERS})


def part_id(qualifier: str, row: dict) -> str | None:
    """Item ``row``'s (items.csv) id under one of OUR_QUALIFIERS: UK its GTIN-14, UP its UPC-A, EN its EAN-13, EO
    its EAN-8 (a GTIN-14 of six leading zeros), UI its UPC-A without the check digit (1-5-5), UD/UA its EAN-13
    without it (2-5-5), U2 its GTIN-14 without it (1-2-5-5), VN/VP/VC its vendor part (our sku without one); None
    where the item has no such number (a GTIN-14 with an indicator digit has no UPC)."""
    gtin = row.get("gtin") or ""
    upc = row.get("upc") or (gtin[2:] if len(gtin) == 14 and gtin.startswith("00") else None)
    ean = gtin[1:] if len(gtin) == 14 and gtin.startswith("0") else None
    if qualifier in VENDOR_QUALIFIERS:
        return row.get("vendor_part") or row["sku"]
    return {"UK": gtin or None, "UP": upc, "EN": ean, "EO": gtin[6:] if len(gtin) == 14 and gtin.startswith("000000")
            else None, "UI": upc[:-1] if upc else None,
            "UD": ean[:-1] if ean else None, "UA": ean[:-1] if ean else None,
            "U2": gtin[:-1] if len(gtin) == 14 else None}.get(qualifier)


def _item_row(sku: str, items: pa.Table) -> dict:
    cols = [c for c in ("sku", "gtin", "upc", "vendor_part") if c in items.column_names]
    return next(r for r in items.filter(pc.equal(items["sku"], sku)).select(cols).to_pylist())


def _vendor_pair(row: dict) -> dict:
    return {"qualifier": "VP", "id": row["vendor_part"]} if row.get("vendor_part") else {"qualifier": "VN",
                                                                                       "id": row["sku"]}


def _cross_referenced(sku: str, partner: str, partner_items: pa.Table | None) -> dict[str, str]:
    """qualifier -> the partner's id for ``sku`` (partner_items; a row without a qualifier answers BP, IN, PI and
    CB: LEGACY_CROSS_REFERENCE_QUALIFIERS)."""
    xref: dict[str, str] = {}
    if partner_items is None or not partner_items.num_rows:
        return xref
    for r in partner_items.filter(pc.and_(pc.equal(partner_items["partner"], partner),
                                          pc.equal(partner_items["sku"], sku))).to_pylist():
        for q in [r["qualifier"]] if r.get("qualifier") else LEGACY_CROSS_REFERENCE_QUALIFIERS:
            xref.setdefault(q, r["buyer_part"])
    return xref


def _resolved(lines: pa.Table, ref: ReferenceData) -> pa.Table:
    return lines if "sku" in lines.column_names else resolve_items(lines, ref.items, ref.partner_items)


def _line_masks(lines: pa.Table, keys: tuple[str, ...]) -> dict:
    """The registry's expectations ``keys`` over ``lines``, evaluated in Arrow (rules.suite runs them
    all at once, through GX or Arrow, and passes the masks to the *_findings functions below)."""
    from schemas.rule_settings import RuleSettings

    frame = registry.rules_frame(lines)
    return registry.evaluate_arrow(frame, registry.select(registry.expectations(RuleSettings()), keys))


def ids_tried(pairs: list[dict] | None, partner: str, ours: Mapping[str, str] | None = None) -> str:
    """What was looked up for a line, e.g. "UP 614141100103 (our GTINs, acme's cross-reference), VP 77
    (acme's cross-reference)"; blank ids are named as skipped. A UP value read more than one way (an 8-digit EAN-8
    that is a UPC-E too, 11 digits: upc_readings) names each reading, and, ``ours`` given (GTIN-14 -> sku:
    item_gs1_keys), the items of ours two readings name (neither taken: never a guess)."""
    out = []
    for p in pairs or []:
        q, value = p.get("qualifier") or "", p.get("id")
        if is_blank(value):
            out.append(f"{q or '?'} (no id)")
            continue
        where = []
        readings = upc_readings(value) if q == "UP" else ()
        if q in GS1_QUALIFIERS:
            if normalise_gtin(value) and readings:  # 8 digits: a valid EAN-8 and a valid UPC-E
                readings = ((normalise_gtin(value), f"the EAN-8 {normalise_gtin(value)[6:]}"), *readings)
            where.append("our GTINs" if normalise_gtin(value) and not readings else
                         f"{'no UPC-A as sent; ' if not normalise_gtin(value) else ''}our GTINs read as "
                         f"{' or as '.join(how for _g, how in readings)}" if readings else "not a valid UPC/GTIN/EAN")
            named = {ours[g]: how for g, how in readings if g in ours} if ours else {}
            if len(named) > 1:
                where.append(f"two of our items, {' and '.join(f'item {sku} as {how}' for sku, how in named.items())}"
                             ": neither is taken, never a guess (ask the buyer which it meant)")
        gtin = normalise_gtin(value) if q in GS1_QUALIFIERS else complete_gtin(
            value, GS1_WITHOUT_CHECK_DIGIT[q]) if q in GS1_WITHOUT_CHECK_DIGIT else None
        if gtin and gtin[0] in "12345678":
            where.append(f"indicator digit {gtin[0]}, a grouping of an item's units: matched to our item of its item "
                         "reference in a unit that counts the grouping (CA, CS, BX ...), never in EA, whose eaches it "
                         "does not say")
        if q in NDC_QUALIFIERS:
            ndcs = ndc_10s(value, q)
            where.append(f"our GTINs as the drug U.P.C. of NDC {' or '.join(ndcs)}" if ndcs else "not an NDC")
        if q in GS1_WITHOUT_CHECK_DIGIT:
            where.append("our GTINs" if complete_gtin(value, GS1_WITHOUT_CHECK_DIGIT[q]) else "not a UPC/EAN code")
        if q in ISBN_QUALIFIERS:
            where.append("our GTINs, as its ISBN-13" if isbn_gtin(value) else "not a valid ISBN")
        if q in VENDOR_QUALIFIERS or q in MAKER_QUALIFIERS:
            where.append("our vendor part numbers")
        where.append(f"{partner}'s cross-reference")
        rounded = from_scientific(value) if q not in GS1_QUALIFIERS else None
        if rounded is not None and len(rounded[0]) < rounded[1]:  # 1.23457E+11: a part number Excel rounded
            where.append(f"a spreadsheet rounded this {rounded[1]}-digit number (scientific notation): digits "
                         f"{len(rounded[0]) + 1}-{rounded[1]} are lost, and the item is never guessed from the rest "
                         "(have the column exported as text)")
        when = spreadsheet_date(value) if q not in GS1_QUALIFIERS else None
        if when is not None:  # "1-Mar": an item 3-1 or MAR1 a spreadsheet read as a date
            where.append(f"the date {when} as a spreadsheet writes one: an id such as 3-1, 3/1 or MAR1 typed in a "
                         "cell it reads as a date is turned into one, and the item is never guessed from it (have "
                         "the column formatted as text and the id typed again)")
        out.append(f"{q} {value} ({', '.join(where)})")
    return ", ".join(out)


def check_gtin_check_digits(lines: pa.Table, items: pa.Table | None = None) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID for every UP/UK/EN identifier that is not a valid GS1 number (gtin_findings)."""
    return gtin_findings(lines, _line_masks(lines, tuple(f"{c}_shape" for c in _GS1_COLUMNS)), items)


def gtin_findings(lines: pa.Table, masks: dict, items: pa.Table | None = None) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID: a value of the wrong shape (the registry's regex expectation) or
    of the right shape with a wrong check digit (arithmetic, per distinct value). One finding per
    bad id and line: the columns' in the order UP, UK, EN, then any further UP/UK/EN pair the line carried (a second
    UP: further_gs1_findings), so each bad number is named once and ITEM_UNKNOWN need not name it again
    (rules.suite.told_once). Not for a UP value that is a U.P.C. in another form than the
    UPC-A's 12 digits (``items`` given: a valid UPC-E, 11 digits reading as one of our GTINs: _readable_upc); the item
    rules match it (gs1_readings), ITEM_IDS_DISAGREE tells it when it names another item than its line's."""
    shape = re.compile(registry.GS1_SHAPE)
    out: list[Finding] = []
    read = _readable_upc(lines, items)
    for column, qualifiers in _GS1_COLUMNS.items():
        values = lines.column(column)
        uniques = pc.unique(values).drop_null().to_pylist()
        wrong_digit = [u for u in uniques if shape.search(u) and not gs1_valid(u.strip())]
        bad = masks[f"{column}_shape"].copy()
        if wrong_digit:
            bad |= np.asarray(pc.fill_null(pc.is_in(values, value_set=pa.array(wrong_digit, pa.string())), False)
                              .to_numpy(zero_copy_only=False), dtype=bool)
        printed = [u for u in uniques if gs1_valid(printed_gs1(u))]  # 0-41200-00020-9: the number as printed
        if printed and bad.any():
            bad &= ~np.asarray(pc.fill_null(pc.is_in(values, value_set=pa.array(printed, pa.string())), False)
                               .to_numpy(zero_copy_only=False), dtype=bool)
        if not bad.any():
            continue
        if column == "upc" and read is not None:
            bad &= ~read
            if not bad.any():
                continue
        for row in _rows(lines, [*_LINE_LOCATION, column, "product_ids"], pa.array(bad)):
            value = row[column]
            out.append(_check_digit_finding(row, qualifiers[0], value, _id_element(row["product_ids"], qualifiers,
                                                                                   value)))
    return out + further_gs1_findings(lines, items)


def further_gs1_findings(lines: pa.Table, items: pa.Table | None = None) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID for each UP/UK/EN pair of a line's product_ids that its column (upc, gtin, ean: the
    line's first of that qualifier) does not hold: PO1*1*12*EA*9.5**UP*614141999997*UP*614141999980 has two
    numbers to correct; the second was told by ITEM_UNKNOWN alone. Checked as gtin_findings checks a column's."""
    if "product_ids" not in lines.column_names or not lines.num_rows:
        return []
    # only the columns read below, and the lines with pairs (every line, usually): a filter copies each column it
    # keeps (a 10,000-PO decide's 200,000 lines of 78 columns filtered whole: 68 ms of this check's 80)
    has = lines.select([c for c in dict.fromkeys(("product_ids", *_GS1_COLUMNS, *_LINE_LOCATION))
                        if c in lines.column_names])
    if has.column("product_ids").null_count:
        has = has.filter(pc.is_valid(has.column("product_ids")))
    pairs = line_pairs(has)
    shape = re.compile(registry.GS1_SHAPE)
    out: list[Finding] = []
    for column, qualifiers in _GS1_COLUMNS.items():
        if column not in has.column_names:
            continue
        mine = pairs.filter(pc.fill_null(pc.equal(pairs["qualifier"], qualifiers[0]), False))
        if not mine.num_rows:
            continue
        held = pc.take(has.column(column), mine["row"])
        further = mine.filter(pc.coalesce(pc.not_equal(mine["id"], held), pc.is_valid(mine["id"])))
        found = [(r, p, v) for r, p, v in zip(*(further[c].to_pylist() for c in ("row", "position", "id")),
                                                 strict=True)
                 if not is_blank(v) and not (shape.search(v) and gs1_valid(v.strip())) and not gs1_valid(
                     printed_gs1(v))]
        if found and column == "upc":
            read = _readable_upc(pa.table({"upc": pa.array([v for _, _, v in found], pa.string())}), items)
            found = [f for k, f in enumerate(found) if read is None or not read[k]]
        if not found:
            continue
        at = _rows(has.take(pa.array([r for r, _, _ in found], pa.int64())), _LINE_LOCATION)
        out += [_check_digit_finding(row, qualifiers[0], v, f"PO1{7 + 2 * p:02d}")
                for row, (_, p, v) in zip(at, found, strict=True)]
    return out


def _check_digit_finding(row: Mapping, qualifier: str, value: str, element: str) -> Finding:
    rounded, digits = from_scientific(value), printed_gs1(value)
    why = "wrong length or check digit" if rounded is None and digits is None else (
        f"its digits {digits} (its blanks and hyphens left out) have the wrong check digit: the number as "
        "sent, not read as another") if rounded is None else (
        f"a spreadsheet rounded the number (scientific notation): of its {rounded[1]} digits only the first "
        f"{len(rounded[0])}, {rounded[0]}, are kept, digits {len(rounded[0]) + 1}-{rounded[1]} are lost, and "
        "the item is never guessed from the rest (have the column exported as text)")
    return business_finding("GTIN_CHECK_DIGIT_INVALID", f"{qualifier} {value!r} is not a valid UPC/GTIN/EAN: {why}.",
                            row, seg="PO1", element=element, value=value)


def _readable_upc(lines: pa.Table, items: pa.Table | None) -> np.ndarray | None:
    """True for each line whose UP value (the upc column), no valid UPC-A as sent, is a U.P.C. in another form: a
    valid UPC-E (its check digit the UPC-A's), or 11 digits that read as a GTIN of an item of ours (upc_readings); None
    when no line has such a value (or no ``items``)."""
    if items is None or "upc" not in lines.column_names:
        return None
    upc = printed_digits(lines.column("upc").combine_chunks())
    odd = pc.fill_null(pc.is_in(pc.utf8_length(pc.utf8_trim_whitespace(upc)),
                                value_set=pa.array(ODD_UPC_LENGTHS, pa.int32())), False)
    if not pc.any(odd).as_py():
        return None
    ours = set(item_gs1_keys(items)[0].to_pylist())
    out = np.zeros(lines.num_rows, dtype=bool)
    at = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
    for k, value in zip(at.tolist(), upc.take(pa.array(at, pa.int64())).to_pylist(), strict=True):
        out[k] = upce_upca(value.strip().zfill(8)) is not None or any(g in ours for g, _how in upc_readings(value))
    return out


def check_items(lines: pa.Table, ref: ReferenceData) -> list[Finding]:
    """ITEM_ID_MISSING (no id at all), ITEM_UNKNOWN (no id matched; the message says which ids were
    tried where) and ITEM_DISCONTINUED."""
    resolved = _resolved(lines, ref)
    return item_findings(resolved, _line_masks(resolved, ("product_id_present", "sku_resolved", "item_active")),
                         ref.items)


def code_case_findings(lines: pa.Table) -> list[Finding]:
    """CODE_CASE_CONVERTED for each code a line sent in small letters and the parser read as the code its capitals
    are (ORDER_LINES codes_case_sent: "PO105 hp; PO106 bp" read as HP, BP: schemas.code_case.capital_codes; its
    loop's LIN, SLN, CTP and N1 codes alike: "LIN02 bp", "CTP02 con"), at the first one's segment: X12's
    codes are capitals, and a line whose only id was bp was rejected (ITEM_UNKNOWN, ACK IR) after its 997 had
    accepted it, one at 46.00 hp taken as 46.00 each; it is read in the code, told, and answered with it."""
    if "codes_case_sent" not in lines.column_names or lines.column("codes_case_sent").null_count == lines.num_rows:
        return []
    cols = [*_LINE_LOCATION, "partner", "codes_case_sent"]
    picked = lines.select(list(dict.fromkeys(c for c in cols if c in lines.column_names)))
    return [business_finding("CODE_CASE_CONVERTED", code_case_text(row["codes_case_sent"]), row,
                             seg=row["codes_case_sent"].split(" ", 1)[0][:-2],
                             element=row["codes_case_sent"].split(" ", 1)[0],
                             value=row["codes_case_sent"].split("; ")[0].split(" ", 1)[1])
            for row in picked.filter(pc.is_valid(lines.column("codes_case_sent"))).to_pylist()]


def item_findings(resolved: pa.Table, masks: dict, items: pa.Table | None = None) -> list[Finding]:
    """ITEM_ID_MISSING, ITEM_UNKNOWN and ITEM_DISCONTINUED for the rows the registry's expectations
    found (no identifier; identifiers the item join did not resolve; a discontinued item). A discontinued
    item superseded in ``items`` (``replaced_by``) is named with its replacement, so ops can offer it to the
    buyer. With them, CODE_CASE_CONVERTED (code_case_findings)."""
    columns = [*_LINE_LOCATION, "partner", "product_ids", *_ID_COLUMNS, "sku", "item_status"]
    out: list[Finding] = code_case_findings(resolved)
    for row in _flagged(resolved, columns, masks["product_id_present"]):
        out.append(
            business_finding(
                "ITEM_ID_MISSING",
                "The line has no product identifier (no qualifier/id pair with an id in PO106-PO125).",
                row,
                seg="PO1",
                element="PO107",
            )
        )
    ours = None
    for row in _flagged(resolved, columns, masks["sku_resolved"]):
        element, value = _first_id(row)
        if ours is None and items is not None:
            ours = our_gtins(*item_gs1_keys(items))
        out.append(
            business_finding(
                "ITEM_UNKNOWN", f"No item matches {unknown_ids_text(row, ours)}.", row, seg="PO1", element=element,
                value=value
            )
        )
    if "ordered_sku" in resolved.column_names and resolved["ordered_sku"].null_count < resolved.num_rows:
        substituted = pc.is_valid(resolved["ordered_sku"]).to_numpy(zero_copy_only=False)
        for row in _flagged(resolved, [*columns, "ordered_sku"], substituted):
            element, value = _first_id(row)
            out.append(
                business_finding(
                    "ITEM_SUBSTITUTED",
                    substitution_text(row["ordered_sku"], value, items),
                    row,
                    seg="PO1",
                    element=element,
                    value=value,
                )
            )
    for row in _flagged(resolved, columns, masks["item_active"]):
        element, value = _first_id(row)
        out.append(
            business_finding(
                "ITEM_DISCONTINUED",
                f"Item {row['sku']} ({value}) is discontinued.{replacement_text(row['sku'], items)}",
                row,
                seg="PO1",
                element=element,
                value=value,
            )
        )
    return out


def check_item_ids(resolved: pa.Table, ref: ReferenceData) -> list[Finding]:
    """ITEM_IDS_DISAGREE (ids_disagree_findings) and PRODUCT_ID_QUALIFIER_MISMATCH (qualifier_mismatch_findings):
    the warnings about the ids of a line decided on an item. The lines' id pairs (line_pairs) are read once for both."""
    pairs = line_pairs(resolved) if resolved.num_rows and "sku" in resolved.column_names else None
    return [*ids_disagree_findings(resolved, ref, pairs=pairs), *qualifier_mismatch_findings(resolved, pairs=pairs)]


def qualifier_mismatch_findings(resolved: pa.Table, *, pairs: pa.Table | None = None) -> list[Finding]:
    """PRODUCT_ID_QUALIFIER_MISMATCH (a warning) for each line decided on an item (resolve_items) that sent a valid GS1
    number under a qualifier of another structure (item_readings.qualifier_misfits: an EAN-13 whose first digit is
    not 0 as UP, a case's GTIN-14 as UP or EN, a UPC-A as EO), naming each such number, what it is and the qualifier
    it goes under. The number is read as itself all the same (a case's GTIN-14 at its packaging level), as real
    translators' 'UPC' fields and CSV partners' upc columns hold EANs; the line is answered as any (never refused
    for this: a check stricter than what partners send loses orders). One finding a line, at its first such id.
    ``pairs``: line_pairs(resolved) when the caller has read them (check_item_ids)."""
    if not resolved.num_rows or "sku" not in resolved.column_names:
        return []
    pairs = line_pairs(resolved) if pairs is None else pairs
    if not pairs.num_rows:
        return []
    qualifier, ident = pairs.column("qualifier").combine_chunks(), pairs.column("id").combine_chunks()
    misfit = qualifier_misfits(qualifier, ident)
    if not misfit.any():
        return []
    row = pairs.column("row").to_numpy()
    decided = pc.is_valid(resolved["sku"].combine_chunks()).to_numpy(zero_copy_only=False)
    if "isa13" in resolved.column_names:  # a CSV feed's line: its qualifier is our layout's name for a column
        # (parsers.csv_orders reads a `upc` column as UP), not one the partner chose: nothing to tell it
        decided &= ~pc.fill_null(pc.equal(resolved["isa13"].combine_chunks(), CSV_ISA13), False).to_numpy(
            zero_copy_only=False)
    misfit &= decided[row]
    if not misfit.any():
        return []
    by_line: dict[int, list[tuple[str, str]]] = {}
    at = np.flatnonzero(misfit)
    taken = pa.array(at, pa.int64())
    for k, q, i in zip(row[at].tolist(), qualifier.take(taken).to_pylist(), ident.take(taken).to_pylist(),
                       strict=True):
        by_line.setdefault(int(k), []).append((q, i))
    columns = [*_LINE_LOCATION, "partner", "product_ids", "sku", "matched_by"]
    rows = _rows(resolved, columns, pa.array(np.isin(np.arange(resolved.num_rows), list(by_line))))
    out: list[Finding] = []
    for k, line in zip(sorted(by_line), rows, strict=True):
        said = []
        for q, i in by_line[k]:
            kind, digits, under = qualifier_misfit(normalise_gtin(i), q)
            said.append(f"{q} {i} is {kind} ({digits}), not {QUALIFIER_NUMBERS[QUALIFIER_DIGITS[q]]} as {q} names "
                        f"(X12 code list 235): its qualifier is {under}")
        q, i = by_line[k][0]
        out.append(business_finding(
            "PRODUCT_ID_QUALIFIER_MISMATCH",
            f"{'; '.join(said)}. The number is read as itself all the same: the line is decided on item "
            f"{line['sku']} (matched by {line.get('matched_by') or 'its ids'}) and answered as any line, our 855, 856 "
            "and 810 echoing the id as sent; ask the partner to send the number under its qualifier.", line,
            seg="PO1", element=_id_element(line.get("product_ids"), (q,), i), value=i))
    return out


def ids_disagree_findings(resolved: pa.Table, ref: ReferenceData, *, pairs: pa.Table | None = None) -> list[Finding]:
    """ITEM_IDS_DISAGREE (a warning) for each line decided on an item (resolve_items; a substituted line: the item it
    named, ordered_sku) whose ids do not all name it: a UPC/GTIN/EAN (GS1_QUALIFIERS, GS1_WITHOUT_CHECK_DIGIT; a
    valid one: GTIN_CHECK_DIGIT_INVALID tells the others) that matches none of our items nor the partner's
    cross-reference (a box-level GTIN-14 of another company's or item reference beside our part number: a number
    we do not know), or any id that names another item of ours (its GTIN ours, another item's part number beside
    it; the line is decided on the id that ranks first, as before). Our 856 and 810 echo the ids as sent and a
    retailer matches on the GTIN: ops are told before the goods arrive under a number the buyer's system does not
    find. Not told: a GTIN-14 that is the item's own GTIN or UPC but for its indicator digit (GS1's packaging
    levels of one item reference: the case's number a distributor orders by, rg3/rg5/rg17/rg45, where our master
    keeps the each's); a vendor part or buyer's number that matches nothing (a stale or legacy number); a style
    number (STYLE_QUALIFIERS). Never refuses the line. ``pairs``: line_pairs(resolved) when the caller has read
    them (check_item_ids)."""
    n = resolved.num_rows
    if not n or "sku" not in resolved.column_names:
        return []
    pairs = line_pairs(resolved) if pairs is None else pairs
    if not pairs.num_rows:
        return []
    row = pairs.column("row").to_numpy()
    qualifier, ident = pairs.column("qualifier").combine_chunks(), pairs.column("id").combine_chunks()
    named = resolved["sku"].combine_chunks()
    if "ordered_sku" in resolved.column_names:
        named = pc.coalesce(resolved["ordered_sku"].combine_chunks(), named)
    line_sku = named.take(pa.array(row, pa.int64()))
    gs1 = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(GS1_QUALIFIERS), pa.string())), False)
    gs1_keys, gs1_skus = item_gs1_keys(ref.items)
    keys = pc.coalesce(pc.if_else(gs1, gs1_keys_of(ident), pa.scalar(None, pa.string())),
                       gs1_keys_without_check_digit(qualifier, ident),
                       gs1_readings(qualifier, ident, gs1_keys, gs1_skus))  # a UPC-E, an NDC ... of ours
    vendor = pc.fill_null(pc.is_in(qualifier, value_set=pa.array([*VENDOR_QUALIFIERS, *MAKER_QUALIFIERS],
                                                                  pa.string())), False)
    style = pc.fill_null(pc.is_in(qualifier, value_set=pa.array(list(STYLE_QUALIFIERS), pa.string())), False)
    xref_keys, xref_skus = cross_reference(ref.partner_items)
    partner = resolved.column("partner").combine_chunks().take(pa.array(row, pa.int64()))
    nothing = pa.scalar(None, pa.string())
    ours = lookup(ident, ref.items.column("vendor_part"), ref.items.column("sku").combine_chunks())
    if pc.any(pc.and_(vendor, pc.is_null(ours))).as_py():  # our part (VN ... MG) in another case or form
        folded, folded_skus = caseless_vendor_parts(ref.items)
        ours = pc.coalesce(ours, lookup(folded_ids(ident), folded, folded_skus))
    direct = pc.coalesce(lookup(keys, gs1_keys, gs1_skus), pc.if_else(vendor, ours, nothing))
    xref = lookup_by([partner, *ndc_keys(qualifier, ident)], xref_keys, xref_skus)
    loose = pc.and_(pc.is_null(xref), pc.invert(pc.fill_null(pc.is_in(qualifier, value_set=pa.array(
        OWN_FORMS, pa.string())), False)))
    if pc.any(loose).as_py():  # a partner's number in another case or form (loose_cross_reference)
        loose_keys, loose_skus = loose_cross_reference(ref.partner_items)
        xref = pc.coalesce(xref, pc.if_else(loose, lookup_by([partner, qualifier, loose_ids(qualifier, ident)],
                                                             loose_keys, loose_skus), nothing))
    direct, xref = pc.if_else(style, nothing, direct), pc.if_else(style, nothing, xref)  # a style: every size
    agrees = pc.or_(pc.fill_null(pc.equal(direct, line_sku), False), pc.fill_null(pc.equal(xref, line_sku), False))
    agrees = pc.or_(agrees, pc.fill_null(pc.equal(upce_skus(qualifier, ident, gs1_keys, gs1_skus), line_sku),
                                         False))  # an EAN-8 that is a UPC-E too, of the line's item
    unknown_gs1 = pc.and_(pc.is_valid(keys), pc.and_(pc.is_null(direct), pc.is_null(xref)))
    other = pc.is_valid(pc.coalesce(direct, xref))
    told = pc.and_(pc.and_(pc.is_valid(line_sku), pc.invert(agrees)), pc.or_(unknown_gs1, other))
    told_np = np.asarray(told.to_numpy(zero_copy_only=False), dtype=bool)
    if not told_np.any():
        return []
    elsewhere = pc.coalesce(direct, xref).to_pylist()
    quals, ids = qualifier.to_pylist(), ident.to_pylist()
    gtins, skus = keys.to_pylist(), line_sku.to_pylist()
    levels: dict[str, set[str]] = {}  # sku -> the item references (GTIN-14 digits 2-13) of its gtin and upc
    for key, sku in zip(gs1_keys.to_pylist(), gs1_skus.to_pylist(), strict=True):
        if key and sku:
            levels.setdefault(sku, set()).add(key[1:13])
    level_of = {level: sku for sku, refs in levels.items() for level in refs}
    by_line: dict[int, list[tuple[str, str, str]]] = {}  # line -> (qualifier, id, words) of each told
    for j in np.flatnonzero(told_np).tolist():
        q, i, other_sku, level = quals[j] or "", ids[j] or "", elsewhere[j], (gtins[j] or "")[1:13]
        if other_sku is None and level and level in levels.get(skus[j], ()):
            continue  # a packaging level of the item's own GTIN: its case's number (GS1's indicator digit)
        said = (f"{q} {i} is item {other_sku}'s" if other_sku is not None else
                f"{q} {i} is a packaging level of item {level_of[level]}'s GTIN" if level in level_of else
                f"{q} {i} matches none of our items")
        by_line.setdefault(int(row[j]), []).append((q, i, said))
    if not by_line:
        return []
    columns = [*_LINE_LOCATION, "partner", "product_ids", "sku", "ordered_sku", "matched_by"]
    rows = _rows(resolved, columns, pa.array(np.isin(np.arange(n), list(by_line))))
    out: list[Finding] = []
    for k, line in zip(sorted(by_line), rows, strict=True):
        sku = line.get("ordered_sku") or line["sku"]
        q, i, _ = by_line[k][0]
        out.append(business_finding(
            "ITEM_IDS_DISAGREE",
            f"The line is decided on item {sku} (matched by {line.get('matched_by') or 'its ids'}), but "
            f"{'; '.join(said for _q, _i, said in by_line[k])}. Our "
            "855, 856 and 810 echo the ids as sent, and a buyer matching on them may not find the item: add the "
            "number to items.csv or partner_items.csv if it is ours, else ask the buyer to correct its item "
            "record.", line, seg="PO1", element=_id_element(line.get("product_ids"), (q,), i), value=i))
    return out


# PO1 qualifiers (code list 235) of a style (VA vendor's style number, ST style number): one number for every size
# and colour of it, so matching another item of the style is no disagreement
STYLE_QUALIFIERS = frozenset({"VA", "ST"})


def supersession(sku: str, items: pa.Table | None) -> tuple[list[str], bool]:
    """The chain of skus that replace ``sku`` through items.replaced_by (``sku`` first, its final
    replacement last) and whether the chain loops back on itself (then it ends at the first repeated
    sku). ``[sku]`` when the item is not superseded."""
    chain = [sku]
    if items is None or "replaced_by" not in items.column_names:
        return chain, False
    successor = {s: r for s, r in zip(items.column("sku").to_pylist(), items.column("replaced_by").to_pylist(),
                                       strict=True) if r is not None}
    while chain[-1] in successor:
        nxt = successor[chain[-1]]
        if nxt in chain:
            return [*chain, nxt], True
        chain.append(nxt)
    return chain, False


def replacement_text(sku: str, items: pa.Table | None) -> str:
    """' It is replaced by SKU-B (vendor part VP-B, GTIN ...)', with the skus in between of a chain, or
    the loop items.replaced_by makes; '' for an item not superseded."""
    chain, loops = supersession(sku, items)
    if len(chain) == 1:
        return ""
    if loops:
        return f" Its replacements in items.csv (replaced_by) loop: {' -> '.join(chain)}; fix items.csv."
    final = chain[-1]
    row = next(r for r in items.select(["sku", "vendor_part", "gtin", "status"]).to_pylist() if r["sku"] == final)
    ids = ", ".join(f"{label} {row[k]}" for k, label in (("vendor_part", "vendor part"), ("gtin", "GTIN"))
                    if row[k])
    through = f" (through {', '.join(chain[1:-1])})" if len(chain) > 2 else ""
    state = "" if row["status"] == "active" else f", itself {row['status']}"
    named = f" ({ids}{state})" if ids or state else ""  # an item with neither a vendor part nor a GTIN: none
    return f" It is replaced by {final}{named.replace('(, ', '(')}{through}: offer the buyer {final}."


def substitution_text(ordered: str, value: str | None, items: pa.Table) -> str:
    """'Substituted SKU-A -> SKU-B: item SKU-A (``value``: the id sent) is discontinued; SKU-B (vendor part VP-B,
    GTIN ...) is shipped in its place (through ...) ...': the final replacement of ``ordered``, which substitute()
    decided the line on (ops read the first words in the line's reason, `orderbridge status`)."""
    chain, _ = supersession(ordered, items)
    final = chain[-1]
    row = next(r for r in items.select(["sku", "vendor_part", "gtin"]).to_pylist() if r["sku"] == final)
    ids = ", ".join(f"{label} {row[k]}" for k, label in (("vendor_part", "vendor part"), ("gtin", "GTIN")) if row[k])
    through = f" (through {', '.join(chain[1:-1])})" if len(chain) > 2 else ""
    ids = f" ({ids})" if ids else ""  # an item with neither a vendor part nor a GTIN: none
    return (f"Substituted {ordered} -> {final}: item {ordered} ({value}) is discontinued; {final}{ids} is shipped "
            f"in its place{through}, as the partner accepts substitutes (855 ACK*IS names the new part).")


def _flagged(table: pa.Table, columns: list[str], mask: np.ndarray) -> list[dict]:
    return _rows(table, columns, pa.array(mask)) if mask.any() else []


def unknown_ids_text(row: dict, ours: Mapping[str, str] | None = None) -> str:
    """The ids an unresolved line carried and where each was looked up (ids_tried; ``ours``: our GTIN-14s' skus)."""
    pairs = row.get("product_ids")
    if pairs is None:
        pairs = [{"qualifier": q[0], "id": row.get(c)} for c, q in _ID_COLUMNS.items() if row.get(c) is not None]
    return ids_tried(pairs, row.get("partner") or "the partner", ours)


def carried_ids(lines: pa.Table, keys: set[tuple]) -> dict[tuple, set[tuple[str, str]]]:
    """The (qualifier, id) pairs with an id (as sent) each line of ``keys`` ((source_file, isa13, gs06, st02,
    line_number)) carried: ORDER_LINES.product_ids, or a hand-built table's id columns (line_pairs)."""
    cols = ["source_file", "isa13", "gs06", "st02", "line_number"]
    if not keys or any(c not in lines.column_names for c in cols):
        return {}
    wanted = pa.array(sorted({k[4] for k in keys}), lines.schema.field("line_number").type)
    picked = lines.filter(pc.fill_null(pc.is_in(lines["line_number"], value_set=wanted), False))
    at = [k for k, row in enumerate(zip(*(picked[c].to_pylist() for c in cols), strict=True)) if tuple(row) in keys]
    picked = picked.take(pa.array(at, pa.int64()))
    row_keys = list(zip(*(picked[c].to_pylist() for c in cols), strict=True))
    pairs = line_pairs(picked)
    out: dict[tuple, set[tuple[str, str]]] = {k: set() for k in row_keys}
    for r, q, value in zip(*(pairs.column(c).to_pylist() for c in ("row", "qualifier", "id")), strict=True):
        if not is_blank(value):
            out[row_keys[r]].add((q or "", value))
    return out


def unreadable(qualifier: str, value: str) -> bool:
    """True for an id no reading makes a GS1 number of: a UP value is read as a UPC-E or 11 digits (upc_readings);
    where one is, ITEM_UNKNOWN names the reading that matched no item of ours (ids_tried)."""
    return not (qualifier == "UP" and upc_readings(value))
