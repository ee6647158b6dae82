"""Prices, currency, terms, order value and credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.business.allowance_discounts import LineAllowance, judged_allowances
from rules.business.common import (
    _HUNDRED,
    _LINE_LOCATION,
    _ORDER_LOCATION,
    _order_key,
    _PerPartner,
    _rows,
    _text,
    business_finding,
    is_blank,
    lookup,
    lookup_by,
    pair_key,
    per_partner,
)
from rules.business.ctp_units import unit_price_findings
from rules.business.items import _resolved
from rules.business.measure_prices import CONVERTIBLE, item_unit_content, of_its_unit, prices_in
from rules.business.quantities import (
    PO4_COLUMNS,
    answered_quantity,
    line_eaches_per_unit,
    partners_with_own_units,
    per_unit_column,
    unit_index,
)
from rules.distinct import distinct_rows, per_rows
from schemas.findings import Finding
from schemas.grocery_invoice import G1703_DIGITS, g17_statement, in_many_unit
from schemas.invoices import BASIC_TERMS_TYPES, same_kind_terms_types
from schemas.money_text import money_text
from schemas.orders import MONEY as MONEY_TYPE
from schemas.orders import PRICE, PRICE_PLACES, sent_price, with_exact_prices
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings
from schemas.units import (
    KEPT_PER_MANY_BASES,
    KILOGRAMS_PER,
    MEASURE_MULTIPLES,
    NO_CHARGE,
    PRICE_PER_EACH,
    PRICE_PER_EACH_OF,
    PRICE_PER_MANY,
    PRICE_PER_MANY_OF,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    VOLUME_UNITS,
    in_many_of,
    priced_per,
)

# --- prices, currency, terms ------------------------------------------------------------------


def _orders_by_key(orders: pa.Table) -> dict[tuple[str, str], dict]:
    return {_order_key(o): o for o in orders.to_pylist()}


def _customers(customers: pa.Table) -> dict[str, dict]:
    """partner -> customer row; a row without a partner id belongs to no one."""
    return {c["partner"]: c for c in customers.to_pylist() if not is_blank(c["partner"])}


def _further(table: pa.Table | None) -> dict[tuple[str, str], dict]:
    """customer_currencies.csv by (partner, currency): the further currencies agreed, each with its credit limit and
    open AR."""
    return {} if table is None else {(r["partner"], r["currency"]): r for r in table.to_pylist()}


def _price_index(prices: pa.Table) -> dict[tuple[str, str], list[dict]]:
    """(partner, sku) -> price rows, latest valid_from first; rows with a blank partner or sku are no one's."""
    index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in prices.to_pylist():
        if is_blank(p["partner"]) or is_blank(p["sku"]):
            continue
        index[p["partner"], p["sku"]].append(p)
    for rows in index.values():
        rows.sort(key=lambda p: p["valid_from"], reverse=True)
    return index


def _order_currency(order: Mapping, customer: Mapping | None) -> str | None:
    return order.get("currency") or (customer or {}).get("currency")


def list_price(
    price_index: Mapping[tuple[str, str], list[dict]],
    partner: str,
    sku: str,
    on: date | None,
    currency: str | None,
) -> Decimal | None:
    """Our per-each price for ``partner``/``sku`` valid on ``on`` in ``currency`` (latest valid_from wins);
    None for a blank partner or sku."""
    if is_blank(partner) or is_blank(sku):
        return None
    for p in price_index.get((partner, sku), ()):
        if currency and p["currency"] != currency:
            continue
        if on is None or (p["valid_from"] <= on and (p["valid_to"] is None or on <= p["valid_to"])):
            return p["unit_price"]
    return None


def _price_key(partner, sku, po_date, currency):
    """A line's price key: partner, SKU, PO date and currency ("\\x00" for a missing one)."""
    return pc.binary_join_element_wise(partner, pc.fill_null(sku, "\x00"),
                                       pc.fill_null(pc.cast(po_date, pa.string()), "\x00"),
                                       pc.fill_null(currency, "\x00"), "\x1f")


def _joined(*columns) -> pa.Array:
    """One text key per row of ``columns`` (nulls as "")."""
    key = pc.binary_join_element_wise(*(pc.fill_null(c, "") for c in columns), "\x1f")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def order_files(orders: pa.Table, lines: pa.Table) -> pa.Array:
    """Per line of ``lines``: the file of its order's head in ``orders`` (ORDERS.source_file), by which the line
    is joined to its order with its order_ref: the line's own file where that file holds its order's head (an
    850's lines; an 860's in the 850's own file), else the file of the order of the same partner, PO number and
    order_ref (a line an 860 in another file added: it keeps the 860's lineage under its order's order_ref; two
    860s alike), else its own (no head: no order to find)."""
    own = lines.column("source_file")
    if not lines.num_rows or not orders.num_rows:
        return own.combine_chunks() if isinstance(own, pa.ChunkedArray) else own
    found = pc.is_in(_joined(own, lines.column("order_ref")),
                     value_set=_joined(orders.column("source_file"), orders.column("order_ref")))
    if pc.all(found).as_py():
        return own.combine_chunks() if isinstance(own, pa.ChunkedArray) else own
    at = pc.index_in(_joined(lines.column("partner"), lines.column("po_number"), lines.column("order_ref")),
                     value_set=_joined(orders.column("partner"), orders.column("po_number"),
                                       orders.column("order_ref")))
    theirs = pc.take(orders.column("source_file"), pc.fill_null(at, 0))
    theirs = pc.if_else(pc.is_null(at), own, theirs)
    out = pc.if_else(found, own, theirs)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def line_prices(orders: pa.Table, lines: pa.Table, ref: ReferenceData) -> pa.Table:
    """Per line of ``lines`` (item-resolved): the order's PO date, the currency its price is looked
    up in (CUR02, else the customer's) and our per-each list price for its item on that date
    (null: no item, or no price on file). Looked up once per distinct (partner, SKU, date, currency)."""
    # each line's order by (its head's file, ISA-GS-ST), joined once per distinct pair (an order's lines share
    # it; a line an 860 added, of the 860's file, finds its order's head: order_files)
    files = order_files(orders, lines)
    first, codes = distinct_rows([files, lines.column("order_ref")])
    keys = pa.table({"source_file": files, "order_ref": lines.column("order_ref")}).take(
        pa.array(first)).append_column("_row", pa.array(np.arange(len(first))))
    # the order's requested ship and delivery days too, when a deal is matched on one (deals.csv match_on)
    dated = [c for c in DEAL_DATES.values() if c in orders.column_names] if _matched_on_dates(ref.deals) else []
    heads = _last_per_key(orders.select(["source_file", "order_ref", "po_date", "currency", *dated]),
                          ["source_file", "order_ref"])
    joined = keys.join(heads, ["source_file", "order_ref"], join_type="left outer", use_threads=False)
    joined = joined.sort_by("_row").select(["po_date", "currency", *dated]).take(pa.array(codes))
    customers = _customers(ref.customers)
    partners = lines.column("partner")
    agreed = lookup(partners, pa.array(list(customers), pa.string()),
                         pa.array([c["currency"] for c in customers.values()], pa.string()))
    sent = joined["currency"]
    currency = pc.if_else(pc.fill_null(pc.not_equal(sent, ""), False), sent, agreed)
    po_date = joined["po_date"]
    sku = lines.column("sku")
    combo = pa.table({"partner": partners, "sku": sku, "po_date": po_date, "currency": currency})
    distinct = combo.filter(pc.is_valid(sku)).group_by(["partner", "sku", "po_date", "currency"],
                                                        use_threads=False).aggregate([])
    index = _price_index(ref.prices)
    found = [list_price(index, r["partner"], r["sku"], r["po_date"], r["currency"]) for r in distinct.to_pylist()]
    distinct_keys = pc.binary_join_element_wise(
        distinct["partner"], distinct["sku"], pc.fill_null(pc.cast(distinct["po_date"], pa.string()), "\x00"),
        pc.fill_null(distinct["currency"], "\x00"), "\x1f")
    price_type = ref.prices.schema.field("unit_price").type
    ours = lookup_by([partners, sku, po_date, currency], distinct_keys.combine_chunks()
                     if isinstance(distinct_keys, pa.ChunkedArray) else distinct_keys, pa.array(found, price_type),
                     key=_price_key)
    return pa.table({"po_date": po_date, "currency": currency, "list_price": ours,
                     **{c: joined[c] for c in dated}})


# deals.csv match_on -> the ORDERS / ORDER_LINES column of the day it names (besides po_date)
DEAL_DATES = {"ship_date": "requested_ship_date", "delivery_date": "requested_delivery_date"}


def _matched_on_dates(deals: pa.Table | None) -> bool:
    """Whether a deal on file is matched on another date than the PO's (deals.csv match_on)."""
    if deals is None or not deals.num_rows or "match_on" not in deals.column_names:
        return False
    return any(m in DEAL_DATES for m in deals.column("match_on").to_pylist())


def deal_dates(lines: pa.Table, prices: pa.Table) -> dict[str, tuple[list, list]] | None:
    """Per deals.csv match_on other than the PO date, each line's order's day (line_prices joined it: a heading
    SAC's) and the line's own (its PO1 loop's DTM, else its order's: its own SAC's); None: no deal needs one."""
    out = {}
    for kind, column in DEAL_DATES.items():
        if column not in prices.column_names:
            continue
        heading = prices[column].to_pylist()
        own = lines[column].to_pylist() if column in lines.column_names else [None] * len(heading)
        out[kind] = (heading, [o if o is not None else h for o, h in zip(own, heading, strict=True)])
    return out or None


def _last_per_key(table: pa.Table, keys: list[str]) -> pa.Table:
    """One row per key, the last one (as a dict built from the rows would keep)."""
    if table.num_rows < 2:
        return table
    indexed = table.append_column("_i", pa.array(np.arange(table.num_rows)))
    last = indexed.group_by(keys, use_threads=False).aggregate([("_i", "max")])["_i_max"]
    return table.take(pc.sort_indices(last))


def check_prices(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
) -> list[Finding]:
    """PRICE_MISSING, PRICE_NOT_ON_FILE, DISCOUNT_OVER_THRESHOLD (below our price by more than the
    partner's approval threshold) or else PRICE_OUT_OF_TOLERANCE. PO104 is per PO103 unit (per case, per
    pack ...): our per-each price is converted through the item master."""
    resolved = _resolved(lines, ref)
    masks = registry.evaluate_arrow(registry.rules_frame(resolved), registry.select(
        registry.expectations(settings), ("price_present",)))
    return price_findings(orders, resolved, ref, settings, masks, line_prices(orders, resolved, ref))


def price_findings(orders: pa.Table, resolved: pa.Table, ref: ReferenceData, settings: RuleSettings, masks: dict,
                   prices: pa.Table, sacs: pa.Table | None = None, agreed: dict | None = None) -> list[Finding]:
    """The price findings of every line with an item, line by line: no price on file, PO104 missing
    (the registry's expectation), and PO104 against our price, screened in floats (a line clearly
    within tolerance is skipped) and decided exactly (decimals) for the others. ``sacs``: the POs' ORDER_SACS: a
    line's PO104 less the share the allowances our 810s take off give it (rules.business.allowance_discounts) is
    judged by the customer's approval threshold too (DISCOUNT_OVER_THRESHOLD naming the SACs: _allowance_price).
    ``agreed``: filled with the SACs a deal pre-approved, per (partner, PO) (allowance_discounts.agreed_allowances:
    what the 855 echoes when the partner's profile asks)."""
    n = resolved.num_rows
    if n == 0:
        return []
    not_per_unit = _price_not_per_unit(resolved)
    by_partner = _PerPartner(settings)
    catch = _catch_weight_lines(resolved, not_per_unit, by_partner) if not_per_unit.any() else not_per_unit
    held = not_per_unit & ~catch
    units = unit_index(ref)
    basis_findings = [*_price_decimals_findings(resolved), *_price_converted_findings(resolved, units),
                      *_ctp_price_findings(resolved),
                      *unit_price_findings(resolved, units, lambda p: by_partner[p]),
                      *(_price_basis_findings(resolved, held, units) if held.any() else []),
                      *(_catch_weight_findings(resolved, catch) if catch.any() else [])]
    resolved = with_exact_prices(resolved)  # 0.00418 sent is compared with our price as 0.00418, not 0.0042
    customers = _customers(ref.customers)
    has_sku = _bools(pc.is_valid(resolved.column("sku")))
    ours = prices["list_price"]
    no_price = has_sku & _bools(pc.is_null(ours))
    missing = has_sku & ~no_price & masks["price_present"]
    # the float screen: deviation of PO104 from our (per case) price against each partner's limits
    partners = resolved.column("partner")
    plist = sorted(set(partners.unique().to_pylist()))
    tol = lookup(partners, pa.array(plist, pa.string()),
                      pa.array([float(by_partner[p].price_tolerance_percent) for p in plist], pa.float64()))
    thr = lookup(partners, pa.array(plist, pa.string()),
                      pa.array([_float(customers.get(p, {}).get("discount_approval_threshold_percent"))
                                for p in plist], pa.float64()))
    per_unit = per_unit_column(resolved, settings, units)  # PO104 is per PO103 unit; ours is per each
    our_f = _floats(ours, np.nan) * np.where(np.isnan(per_unit), 1.0, per_unit)
    their_f = _floats(resolved.column("unit_price"), np.nan)
    kept = kept_per_many(resolved)  # 287.45 per thousand feet on a line in feet is 0.28745 per foot
    if (kept != 1).any():
        their_f = their_f / kept.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = (their_f - our_f) / our_f * 100.0
    tol_f, thr_f = _floats(tol, np.inf), _floats(thr, np.inf)
    margin = 1e-6
    off = (np.abs(dev) > tol_f - margin) | (-dev > thr_f - margin) | (np.abs(their_f) >= 2.0 ** 40) | \
        (np.abs(our_f) >= 2.0 ** 40) | partners_with_own_units(resolved, settings)
    priced = has_sku & ~no_price & ~missing & (our_f != 0)
    # a no-charge line (PO105 NC) is decided whatever its PO104 (0, empty, even our price): free goods wait
    no_charge = has_sku & ~no_price & (our_f != 0) & _bools(pc.equal(resolved.column("price_basis"), NO_CHARGE)) \
        if "price_basis" in resolved.column_names else np.zeros(n, dtype=bool)
    # so is a line at PO104 0 of a sample order (BEG02 SP: RuleSettings.no_charge_order_types): the buyer's guide
    # prices samples at no charge, no discount of ours; it used to be DISCOUNT_OVER_THRESHOLD, "100% below our price"
    free = has_sku & ~no_price & (our_f != 0) & (their_f == 0) & _no_charge_orders(orders, resolved, by_partner)
    no_charge |= free
    # a price still per its CTP05 (not the line's unit) is no price per the line's unit: held by unit_price_findings
    per_other_unit = _bools(pc.is_valid(resolved.column("price_unit"))) if "price_unit" in resolved.column_names \
        else np.zeros(n, dtype=bool)
    rows = np.flatnonzero((no_price | missing | (priced & off) | no_charge) & ~not_per_unit & ~per_other_unit)
    out: list[Finding] = []
    judged: set[int] = set()  # the lines a price finding answers otherwise (our price, a hold): PO104 not billed
    shares, matched = judged_allowances(resolved, sacs, lambda p: by_partner[p], ref.deals,
                                        prices["po_date"].to_pylist(), _promotions(orders), units,
                                        deal_dates(resolved, prices)) \
        if sacs is not None else ({}, {})
    if agreed is not None:
        agreed.update(matched)
    if shares:  # a line an allowance is taken off is judged exactly too, whatever its PO104 alone
        allowed = np.zeros(n, dtype=bool)
        allowed[list(shares)] = True
        allowed &= has_sku & ~no_price & ~missing & (our_f != 0) & ~no_charge
        rows = np.union1d(rows, np.flatnonzero(allowed & ~not_per_unit & ~per_other_unit)).astype(np.int64)
    if len(rows):
        cols = [*_LINE_LOCATION, "partner", "order_ref", "unit", "unit_price", "price_basis", "sku", "case_pack",
                *PO4_COLUMNS]
        picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names))).take(rows)
        extra = prices.take(rows).to_pylist()
        for i, row, p in zip(rows.tolist(), picked.to_pylist(), extra, strict=True):
            found = _line_price(row, p, by_partner[row["partner"]], customers.get(row["partner"]), units,
                                sample=bool(free[i]))
            if i in shares and all(f.code == "PRICE_OUT_OF_TOLERANCE" for f in found):
                found = [*found, *_allowance_price(row, p, by_partner[row["partner"]], customers.get(row["partner"]),
                                                   units, shares[i])]
            out.extend(found)
            judged.update([i] if found else [])
    grocers = settings.invoice_set == "880" or "880" in settings.invoice_sets.values()
    on_880 = (kept != 1) & ~not_per_unit & has_sku if grocers else None
    if on_880 is not None and on_880.any():
        out.extend(_not_on_880_findings(resolved, np.flatnonzero(on_880), judged, by_partner, units))
    return basis_findings + out


def _not_on_880_findings(lines: pa.Table, rows: np.ndarray, judged: set[int], by_partner: _PerPartner,
                         units: Mapping[tuple[str, str], int]) -> list[Finding]:
    """PRICE_BASIS_NOT_ON_880 for each line (``rows``: kept priced per several of its units, kept_per_many) of a
    partner billed by the 880 (RuleSettings.invoice_set) that its 880 could not state (schemas.grocery_invoice.
    g17_statement: the G17 has no basis of price, so 7 EA at 4.99 PD is neither 0.41583... per EA in G1703's 9
    digits nor a whole number of DZ): held when it comes in, before it ships, rather than acknowledged, shipped and
    refused by billing every run. The quantity judged is the one we would answer (quantities.answered_quantity, the
    decision's own rule): PO102, or rounded to whole case packs (12 EA for 7 EA of an item in cases of 12: whole
    dozens) and whole packs of its PO4 (1116 SF for 1090 SF in cartons of 15.5 SF), or raised to the minimum; a
    line the 855 rejects holds nothing; a line answered at our price or held by another
    price finding (``judged``) is not billed at PO104 and is left to it."""
    partners = pc.fill_null(lines.column("partner"), "")
    grocers = [p for p in set(partners.unique().to_pylist()) if by_partner[p].invoice_set == "880"]
    if not grocers:
        return []
    mine = np.zeros(lines.num_rows, dtype=bool)
    mine[rows] = True
    mine &= _bools(pc.is_in(partners, value_set=pa.array(grocers, pa.string())))
    if judged:
        mine[list(judged)] = False
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "unit_price", "price_basis", "sku", "case_pack",
            "min_order_qty", "drop_ship", "store_quantities", *PO4_COLUMNS]
    out = []
    for row in _rows(lines, cols, pa.array(mine)):
        why = not_on_880(row, by_partner[row["partner"]], units)
        if why is not None:
            out.append(business_finding(
                "PRICE_BASIS_NOT_ON_880", f"{why} Its 880 would be refused every night it is due: the order waits for "
                f"a person (agree {_agree(row)}, and have the PO changed or resent; approved as it is, the line ships "
                "and is invoiced by hand).", row, seg="PO1", element="PO102", value=row["quantity"]))
    return out


def not_on_880(row: Mapping, s: RuleSettings, units: Mapping[tuple[str, str], int], *, answered: bool = True
               ) -> str | None:
    """Why the 880 of a partner billed by it (``s``: its settings) could not state order line ``row`` (its quantity,
    unit, unit_price, price_basis, sku, case_pack, min_order_qty, drop_ship, store_quantities and PO4 columns), or
    None when it can (schemas.grocery_invoice.g17_statement). With ``answered``, of the quantity the 855 answers
    (quantities.answered_quantity: whole case packs and PO4 packs, the minimum; a drop-ship or store-split line as
    ordered; a line it rejects: None); else of PO102 as it is (a change to an order that shipped, not decided
    again). One check, read at intake (PRICE_BASIS_NOT_ON_880 at PO102) and by an 860's change (engine.changes, at
    the POC)."""
    qty, unit, price, basis = row["quantity"], row["unit"] or "", row["unit_price"], row.get("price_basis") or ""
    if qty is None or price is None or g17_statement(qty, unit, price, basis) is not None:
        return None
    judged = qty
    if answered and not (row.get("drop_ship") or (s.store_level and row.get("store_quantities"))):
        judged = answered_quantity(row, s, units)  # as the 855 answers it (case pack, PO4 pack, minimum)
        if judged is None or (judged != qty and g17_statement(judged, unit, price, basis) is not None):
            return None  # rejected, or rounded to a quantity the 880 states
    many = PRICE_PER_MANY.get(basis) or priced_per(unit, basis)
    dozens = in_many_unit(unit, basis)
    whole = f" nor {_text(judged)} {unit} a whole number of {dozens}" if dozens else \
        f" and no unit of {many:,} {unit} is one the 880 states"
    rounded = f" (as answered: PO102 {_text(qty)} in whole packs, or raised to the minimum)" if judged != qty else ""
    return (f"{_text(judged)} {unit}{rounded} at {_text(price)} per {many:,} {unit} (PO105 {basis}): the partner is "
            f"invoiced by the 880, whose G17 has no basis of price, and this line has no statement there: "
            f"{_text(price)} / {many:,} is no price per {unit} of at most {G1703_DIGITS} digits,{whole}.")


def _agree(row: Mapping) -> str:
    """What to agree with the partner for a line not_on_880 names: a quantity the 880 bills or a price per unit."""
    unit, dozens = row["unit"] or "", in_many_unit(row["unit"] or "", row.get("price_basis") or "")
    return f"a quantity the 880 bills, {'whole ' + dozens + ', ' if dozens else ''}or a price per {unit}, PO105 PE"


# PRICE_PER_MANY (schemas.units): PO105 codes whose PO104 is the price of several PO103 units (the parser
# converts those exact at 4 decimals per unit; the rest are held here). PRICE_PER_MEASURE: PO105 codes whose
# PO104 is per unit of a measure, per unit of the line only when PO103 is that measure. In words:
_MEASURE_WORDS = {"PP": "pound", "PK": "kilogram", "PG": "gram", "PL": "litre", "ML": "millilitre", "PO": "ounce",
                  "PA": "troy ounce", "PF": "foot", "PY": "yard", "PT": "ton", "P7": "metre", "P6": "millimetre",
                  "P2": "centimetre", "P3": "decimetre", "P4": "hectometre", "P5": "kilometre", "HF": "100 feet",
                  "TF": "1000 feet", "PS": "1000 square feet", "P1": "1000 metres"}


def _price_not_per_unit(lines: pa.Table) -> np.ndarray:
    """The lines whose PO104 is not a price per PO103 unit (PO105 per hundred, per dozen, per pound of a
    line in eaches ...): compared, totalled or invoiced as one, it would be 12 to 100,000 times off."""
    if "price_basis" not in lines.column_names:
        return np.zeros(lines.num_rows, dtype=bool)
    basis = pc.fill_null(lines.column("price_basis"), "")
    many = _bools(pc.is_in(basis, value_set=pa.array(list(PRICE_PER_MANY), pa.string())))
    measure = _bools(pc.is_in(basis, value_set=pa.array(list(PRICE_PER_MEASURE), pa.string())))
    if measure.any():  # per pound of a line in pounds is per unit
        unit = pc.fill_null(lines.column("unit"), "")
        own = _bools(pc.is_in(pair_key(basis, unit), value_set=pair_key(
            pa.array([b for b, units in PRICE_PER_MEASURE.items() for _ in units], pa.string()),
            pa.array([u for units in PRICE_PER_MEASURE.values() for u in units], pa.string()))))
        measure &= ~own
    if measure.any() or many.any():  # per thousand feet of a line in feet, per thousand of one in eaches, kept as
        kept = np.asarray(kept_per_many(lines) == 1, dtype=bool)  # sent: a price of so many of its units
        measure &= kept
        many &= kept
    return many | measure


def kept_per_many(lines: pa.Table) -> np.ndarray:
    """Per line, how many of its PO103 unit its PO104 is the price of (schemas.units.priced_per): a price of many of
    the line's measure the parser kept as sent (287.45 TF on a line in FT: 1000, 0.28745 per foot being more places
    than we carry), or of many of a line in eaches (12.37 TP on EA: 1000; 4.99 PD: 12), 1 elsewhere.
    Such a line is priced per unit all the same, PO104 / that many: compared with our
    price per unit, valued, answered and invoiced as sent (PO105/IT105 TF), its amount quantity x PO104 / 1000."""
    out = np.ones(lines.num_rows, dtype=object)
    if "price_basis" not in lines.column_names or "unit" not in lines.column_names or not lines.num_rows:
        return out
    of = pc.fill_null(pc.is_in(lines.column("price_basis"), value_set=pa.array(list(KEPT_PER_MANY_BASES), pa.string())),
                      False)
    rows = np.flatnonzero(_bools(of))
    if not len(rows):
        return out
    taken = pa.array(rows, pa.int64())
    for i, unit, basis in zip(rows.tolist(), lines.column("unit").take(taken).to_pylist(),
                              lines.column("price_basis").take(taken).to_pylist(), strict=True):
        out[i] = priced_per(unit, basis)
    return out


def _catch_weight_lines(lines: pa.Table, not_per_unit: np.ndarray, by_partner: _PerPartner) -> np.ndarray:
    """Of the lines not priced per unit, those priced per unit of weight (PO105 PP, PK ...) of a partner whose
    profile deals in catch weight (``[rules] catch_weight = true``): taken as sent, billed by weight. Of any partner,
    a line whose own unit is itself a weight (a KG line of an item we count in pounds, taken in by definition:
    rules.business.by_weight.as_cases), billed by its weight shipped converted into the price's weight."""
    basis = pc.fill_null(lines.column("price_basis"), "")
    weight = _bools(pc.is_in(basis, value_set=pa.array(list(PRICE_PER_WEIGHT), pa.string())))
    partners = pc.fill_null(lines.column("partner"), "")
    opted = [p for p in set(partners.unique().to_pylist()) if by_partner[p].catch_weight]
    weighed = _bools(pc.is_in(pc.fill_null(lines.column("unit"), ""),
                              value_set=pa.array(list(KILOGRAMS_PER), pa.string())))
    if not opted:
        return not_per_unit & weight & weighed
    return not_per_unit & weight & (weighed | _bools(pc.is_in(partners, value_set=pa.array(opted, pa.string()))))


def _catch_weight_findings(lines: pa.Table, rows: np.ndarray) -> list[Finding]:
    """CATCH_WEIGHT_LINE for each catch-weight line of a partner that deals in them: told, as its 855 answers
    it as sent and its 810 waits for the weight shipped."""
    cols = [*_LINE_LOCATION, "partner", "unit", "quantity", "unit_price", "price_basis"]
    out = []
    for row in _rows(lines, cols, pa.array(rows)):
        basis, unit = row["price_basis"], row["unit"] or "?"
        price = _text(row["unit_price"]) if row["unit_price"] is not None else "(empty)"
        quantity = _text(row["quantity"]) if row.get("quantity") is not None else "?"
        if unit in KILOGRAMS_PER:  # a KG line of an item counted in pounds, taken in by definition (as_cases)
            out.append(business_finding(
                "CATCH_WEIGHT_LINE",
                f"{quantity} {unit} at {price} per {_MEASURE_WORDS[basis]} (PO105 {basis}): the weight ordered in "
                f"our unit, the whole {unit} that cover it by the units' definitions; acknowledged as sent, shipped "
                f"in {unit} and invoiced by the {unit} shipped converted exactly (to 4 places) into "
                f"{_MEASURE_WORDS[basis]}s.",
                row, seg="PO1", element="PO105", value=basis))
            continue
        out.append(business_finding(
            "CATCH_WEIGHT_LINE",
            f"{quantity} {unit} at {price} per {_MEASURE_WORDS[basis]} (PO105 {basis}): a catch-weight line, "
            "acknowledged as sent; it is invoiced by the net weight shipped at that price, never per "
            f"{unit}, and its 810 waits until a weight shipped is confirmed for it.", row,
            seg="PO1", element="PO105", value=basis))
    return out


def _price_basis_findings(lines: pa.Table, rows: np.ndarray, units: Mapping[tuple[str, str], int] | None = None
                          ) -> list[Finding]:
    """PRICE_BASIS_UNSUPPORTED for each line whose PO104 is not per PO103 unit (its order waits for a
    person: our prices, order values and invoices are per unit). A line in a package of an item sold by the
    price's measure (a reel of wire sold by the foot, priced per thousand feet) says what it would take: the
    item_units row saying how much of the measure one unit holds, or the places its price per unit needs."""
    cols = [*_LINE_LOCATION, "partner", "unit", "unit_price", "price_basis",
            *(["sku"] if "sku" in lines.column_names else [])]
    out = []
    for row in _rows(lines, cols, pa.array(rows)):
        basis, unit, price = row["price_basis"], row["unit"] or "?", row["unit_price"]
        if basis in PRICE_PER_MANY:
            many = PRICE_PER_MANY[basis]
            per = f"the price of {many:,} {unit}" + (
                f" ({_text(price / many)} per {unit}, more decimals than the 4 we carry)" if price is not None
                else "")
            off = f"{many:,} times too high"
        elif (many := in_many_of(row["unit"], basis)) is not None and price is not None:
            # a price of so many of the line's unit (TF on a line in FT) not restated: more decimals per unit than
            # we carry (287.45 per thousand feet is 0.28745 per foot)
            measure, count = PRICE_PER_MANY_OF[basis]
            per = f"the price of {count:,} {measure} ({_text(price / many)} per {unit}, more decimals than the 4 we " \
                  "carry)"
            off = "wrong"
        else:
            per = f"a price per {_MEASURE_WORDS[basis]}, the line being in {unit}" + _by_item_units(
                row, units or {})
            off = "wrong"
        out.append(business_finding(
            "PRICE_BASIS_UNSUPPORTED",
            f"PO104 {_text(price) if price is not None else '(empty)'} with PO105 {basis} is {per}; our prices, "
            f"order values and invoices are per PO103 unit, so they would be {off}: the order waits for a "
            "person (reject it and ask for prices per unit, PO105 PE, or enter it by hand; approved, it is "
            "answered and invoiced as if PO104 were per unit).", row, seg="PO1", element="PO105", value=basis))
    return out


def _by_item_units(row: Mapping, units: Mapping[tuple[str, str], int]) -> str:
    """Of a line held for a price per a measure its unit is not: what would price it per its unit, when its item
    is sold by that measure (a reel of wire sold by the foot, priced per thousand feet): the item_units row saying
    how much of it one unit holds, or, with one, the places the price per unit needs. Empty otherwise."""
    basis, unit, sku, price = row["price_basis"], row["unit"], row.get("sku"), row["unit_price"]
    own, holds = item_unit_content(sku, unit, units)
    if basis not in CONVERTIBLE or prices_in(basis, own, 1) is None:
        return ""
    if holds is None:
        return (f" (item {sku} is sold by the {own}, and no item_units row says how many {own} one {unit} holds: "
                f"add one, sku {sku}, unit {unit}, eaches the {own} in one {unit}, and the orders that come after it "
                f"are priced per {unit})")
    many = prices_in(basis, own, holds)
    if price is None or many is None:
        return ""
    return (f" (one {unit} holding {holds:,} {own}: {_text(price / many)} per {unit}, more decimals than the 4 we "
            "carry)")


def _price_converted_findings(lines: pa.Table, units: Mapping[tuple[str, str], int] | None = None
                              ) -> list[Finding]:
    """PRICE_BASIS_CONVERTED for each line whose price per several units the parser restated per unit
    (``price_basis_sent``: 1970 per hundred EA is 19.70 per EA, exactly), or whose price per a measure was
    restated per its unit through its item's units (rules.business.measure_prices: 285 per thousand feet is
    142.50 per reel of 500 FT): told, as our 855 and 810 state it per unit (PO105/IT105 PE), not per hundred."""
    if "price_basis_sent" not in lines.column_names or lines.column("price_basis_sent").null_count == lines.num_rows:
        return []
    cols = [*_LINE_LOCATION, "partner", "unit", "unit_price", "price_basis_sent",
            *(c for c in ("sku", "quantity", "weight_unit", "weight_ordered", "weight_per_unit")
              if c in lines.column_names)]
    out = []
    sent = pc.is_valid(lines.column("price_basis_sent"))
    if "price_unit_sent" in lines.column_names:  # a CTP's per hundred of its CTP05: told with it (ctp_units)
        sent = pc.and_(sent, pc.is_null(lines.column("price_unit_sent")))
    for row in _rows(lines, cols, sent):
        basis, price, unit = row["price_basis_sent"], row["unit_price"], row["unit"] or "unit"
        weight = row.get("weight_unit") or row["unit"]  # as sent, of a line taken by weight (by_weight.as_cases)
        if basis in MEASURE_MULTIPLES:  # a line by the hundredweight restated per pound (by_weight.as_cases)
            out.append(_converted_from_many_of_weight(row, weight))
            continue
        if basis in VOLUME_UNITS:  # a line in gallons taken as drums priced per drum (by_weight.as_cases)
            out.append(_converted_per_pack(row))
            continue
        if basis in PRICE_PER_MANY and any(weight in PRICE_PER_MEASURE[b] for b in PRICE_PER_WEIGHT):
            out.append(_converted_by_weight(row, weight))  # per pound (the parser's restatement)
            continue
        if basis in CONVERTIBLE and not of_its_unit(basis, row["unit"]):
            out.append(_converted_by_item_units(row, units or {}))
            continue
        if basis in PRICE_PER_MANY:
            many = PRICE_PER_MANY[basis]
        else:  # per hundred feet: of 100 FT (LF), or of one HL
            many = in_many_of(row["unit"], basis) or PRICE_PER_MANY_OF[basis][1]
        measure, count = PRICE_PER_MANY_OF.get(basis, ("", 0))
        of = f"{many:,} {unit}" if many > 1 else f"one {unit} ({count:,} {measure})" if many == 1 else \
            f"{count:,} {measure} ({_text(Decimal(many))} {unit})"
        out.append(business_finding(
            "PRICE_BASIS_CONVERTED",
            f"PO104 {_text(price * many)} with PO105 {basis} is the price of {of}: taken as "
            f"{_text(price)} per {unit}, exactly; our 855 and 810 state it per unit (PO105/IT105 "
            f"{PRICE_PER_EACH_OF.get(basis, 'PE')}).", row,
            seg="PO1", element="PO105", value=basis))
    return out


def _converted_by_weight(row: Mapping, weight: str) -> Finding:
    """PRICE_BASIS_CONVERTED of a line ordered in a ``weight`` at a price per several of it (Ryerson's 4900 LB at
    52.75 per hundred, HP: 0.5275 per LB), answered and billed per one of it (PP), never per the item's unit the line
    may have been taken in as (25 EA of sheet: by_weight.as_cases)."""
    from rules.business.by_weight import weight_basis

    basis, price = row["price_basis_sent"], row["unit_price"]
    many = PRICE_PER_MANY[basis]
    return business_finding(
        "PRICE_BASIS_CONVERTED",
        f"PO104 {_text(price * many)} with PO105 {basis} is the price of {many:,} {weight}: taken as {_text(price)} "
        f"per {weight}, exactly; our 855 and 810 state it per {weight} (PO105/IT105 {weight_basis(weight)}).", row,
        seg="PO1", element="PO105", value=basis)


def _converted_from_many_of_weight(row: Mapping, weight: str) -> Finding:
    """PRICE_BASIS_CONVERTED of a line in a number of a ``weight`` (``price_basis_sent`` its PO103 as sent: CW, a
    hundred LB) of an item sold by the piece, taken in by that weight (by_weight.as_cases): Ryerson's 98 CW at 49.80
    per CW is 9800 LB at 0.498 per LB, answered and billed per LB (PP), 639 having no price per hundredweight."""
    from rules.business.by_weight import weight_basis

    unit, price, ordered = row["price_basis_sent"], row["unit_price"], row.get("weight_ordered")
    holds = MEASURE_MULTIPLES[unit][1]
    sent = f"PO102 {_text(ordered / holds)} {unit}" if ordered is not None else f"PO103 {unit}"
    at = _text(price * holds) if price is not None else "(empty)"
    per = f"{_text(price)} per {weight}" if price is not None else f"no price per {weight}"
    return business_finding(
        "PRICE_BASIS_CONVERTED",
        f"{sent} at PO104 {at} per {unit} is {_text(ordered) + ' ' if ordered is not None else ''}{weight} "
        f"({holds:,} {weight} a {unit}) at {per}, exactly (code list 639 has no price per {unit}); our 855 and 810 "
        f"state it per {weight} (PO105/IT105 {weight_basis(weight)}).", row,
        seg="PO1", element="PO103", value=unit)


def _converted_per_pack(row: Mapping) -> Finding:
    """PRICE_BASIS_CONVERTED of a line in a volume (``price_basis_sent`` its PO103 as sent: GA) taken in as whole packs
    of its PO4's content (by_weight.as_cases: Univar's 220 GA at 7.2363 with PO4*1*55*GA is 4 DR at 397.9965 per
    DR): answered in the volume as sent, shipped and billed by the pack."""
    volume, price, unit = row["price_basis_sent"], row["unit_price"], row["unit"] or "unit"
    ordered, content = row.get("weight_ordered"), row.get("weight_per_unit")
    if ordered is None or not content or price is None:  # stored before these columns: what was restated
        return business_finding(
            "PRICE_BASIS_CONVERTED", f"PO104 per {volume} taken as {_text(price)} per {unit}, a whole pack of it "
            f"(PO4); our 856 and 810 state the line in {unit}.", row, seg="PO1", element="PO104", value=volume)
    packs = ordered / content
    taken = f"{_text(row['quantity'])} {unit}" if packs == row["quantity"] else \
        f"{_text(packs.quantize(Decimal('0.01')))} {unit}, taken as the nearest whole, {_text(row['quantity'])} {unit}"
    return business_finding(
        "PRICE_BASIS_CONVERTED",
        f"PO102 {_text(ordered)} {volume} at PO104 {_text(price / content)} per {volume} is {taken} of "
        f"{_text(content)} {volume} (its PO4), at {_text(price)} per {unit}, exactly; our 855 answers it in {volume} "
        f"as sent, our 856 and 810 in {unit} at that price.", row,
        seg="PO1", element="PO104", value=_text(price / content))


def _converted_by_item_units(row: Mapping, units: Mapping[tuple[str, str], int]) -> Finding:
    """PRICE_BASIS_CONVERTED of a line priced per a measure restated per its unit through its item's units (a reel
    of 500 FT priced 285 per thousand feet, 142.50 per RE)."""
    basis, price, unit = row["price_basis_sent"], row["unit_price"], row["unit"] or "unit"
    own, holds = item_unit_content(row.get("sku"), row["unit"], units)
    many = prices_in(basis, own, holds)
    if many is None:  # the item's units changed since intake: what was restated, as it was
        sent, of = "", f"a price per {_MEASURE_WORDS[basis]}"
    else:
        measure, count = PRICE_PER_MANY_OF.get(basis, (own, 1))
        sent = f" {_text(price * many)}"
        of = f"the price of {count:,} {measure} ({_text(many)} {unit}, one {unit} holding {holds:,} {own}: the " \
             "item_units row)"
    return business_finding(
        "PRICE_BASIS_CONVERTED",
        f"PO104{sent} with PO105 {basis} is {of}: taken as {_text(price)} per {unit}, exactly; our 855 and 810 "
        "state it per unit (PO105/IT105 PE).", row, seg="PO1", element="PO105", value=basis)


def _ctp_price_findings(lines: pa.Table) -> list[Finding]:
    """For lines priced by a CTP of their loop (no PO104): PRICE_BREAK_UNCLEAR where several cost CTPs were
    sent whose quantity breaks could not be ordered against the line (the parser's ``price_breaks_unclear``;
    the first priced the line: told, the line goes on), PRICE_MULTIPLIER_UNSUPPORTED where the CTP that
    priced the line carries a multiplier (``price_multiplier_sent``: CTP07 0.90 with CTP06 DIS is 10% off
    CTP03; we do not apply it, so the line would be answered and invoiced at CTP03: it waits for a person)."""
    out: list[Finding] = []
    for column in ("price_breaks_unclear", "price_multiplier_sent"):
        if column not in lines.column_names or lines.column(column).null_count == lines.num_rows:
            continue
        cols = [*_LINE_LOCATION, "partner", "unit", "unit_price", column]
        for row in _rows(lines, cols, pc.is_valid(lines.column(column))):
            sent, unit = row[column], row["unit"] or "unit"
            price = _text(row["unit_price"]) if row["unit_price"] is not None else "(unread)"
            if column == "price_breaks_unclear":
                out.append(business_finding(
                    "PRICE_BREAK_UNCLEAR",
                    f"Several cost prices in the CTPs of this line ({sent}) and no PO104; their quantity breaks "
                    f"(CTP04 from how many, CTP05 of which unit) cannot be ordered against the line's {unit} "
                    f"quantity, so the first, {price} per {unit}, prices the line.", row, seg="PO1",
                    element="PO104", value=price))
            else:
                factor, _, kind = sent.partition(" ")
                out.append(business_finding(
                    "PRICE_MULTIPLIER_UNSUPPORTED",
                    f"The CTP pricing this line at {price} per {unit} carries a multiplier (CTP07 {factor}"
                    f"{', CTP06 ' + kind if kind else ''}): the price the buyer means is not CTP03, and we do "
                    f"not apply multipliers; the line waits for a person (approved, it is answered and invoiced "
                    f"at {price}).", row, seg="PO1", element="PO104", value=factor))
    return out


def _price_decimals_findings(lines: pa.Table) -> list[Finding]:
    """PRICE_DECIMALS_UNSUPPORTED for each line whose price was sent with more than PRICE_PLACES (6) decimals (the
    parser's ``price_sent``: 0.0123456 per each): our orders, 855s and 810s carry 6 (a price of 5 or 6, 0.00418
    or 0.012345, is the line's price: schemas.orders.exact_prices), and a price rounded without a word is money
    changed; the line waits for a person (approved, it is answered and invoiced at the 4-decimal price the
    finding names)."""
    if "price_sent" not in lines.column_names or lines.column("price_sent").null_count == lines.num_rows:
        return []
    cols = [*_LINE_LOCATION, "partner", "unit", "unit_price", "price_sent"]
    out = []
    for row in _rows(lines, cols, pc.is_valid(lines.column("price_sent"))):
        sent, kept, unit = row["price_sent"], row["unit_price"], row["unit"] or "unit"
        if sent_price(sent) is not None:  # at most 6 decimals: the line's price, exactly
            continue
        out.append(business_finding(
            "PRICE_DECIMALS_UNSUPPORTED",
            f"The price {sent} per {unit} has more than {PRICE_PLACES} decimal places; our orders, 855s and 810s "
            f"carry {PRICE_PLACES}, so it would be {_text(kept)} (off by {_text(abs(Decimal(sent) - kept))} per "
            f"{unit}): the line waits for a person (agree a price with at most {PRICE_PLACES} decimals with the "
            f"partner; approved, it is answered and invoiced at {_text(kept)}).", row, seg="PO1", element="PO104",
            value=sent))
    return out


def _no_charge_orders(orders: pa.Table, lines: pa.Table, by_partner: _PerPartner) -> np.ndarray:
    """Per line of ``lines``: its order's BEG02 is one of its partner's no_charge_order_types (SP, a sample
    order), whose lines at PO104 0 are priced at no charge by the buyer's guide."""
    n = lines.num_rows
    if "order_type" not in orders.column_names or not orders.num_rows or not n:
        return np.zeros(n, dtype=bool)
    types = orders.column("order_type")
    hit = [bool(t) and t in by_partner[p].no_charge_order_types
           for p, t in zip(orders.column("partner").to_pylist(), types.to_pylist(), strict=True)]
    if not any(hit):
        return np.zeros(n, dtype=bool)
    chosen = orders.filter(pa.array(hit, pa.bool_()))
    return _bools(pc.is_in(_joined(lines.column("partner"), lines.column("po_number"), lines.column("order_ref")),
                           value_set=_joined(chosen.column("partner"), chosen.column("po_number"),
                                             chosen.column("order_ref"))))


def _price(value: Decimal, currency: str | None) -> str:
    """A unit price in a message, as money is said (schemas.money_text): at least the currency's decimals (25.70,
    330 JPY's 330), a price's finer decimals kept exactly (0.29735; never rounded), thousands separated."""
    return money_text(value.normalize() if isinstance(value, Decimal) else value, currency)


def _line_price(row: dict, p: dict, s: RuleSettings, customer: Mapping | None,
                units: Mapping[tuple[str, str], int], *, sample: bool = False) -> list[Finding]:
    """One line's price finding, decided exactly (``p``: its PO date, currency and our per-each list
    price; ``units``: the item master's eaches per (sku, unit), PO104 being per PO103 unit). A price per
    each (PO105 PE and kin) of a line in a pack of eaches (CA of 12) is read both ways: per PO103 unit, as
    many translators write PE (470.40 per CA), and strictly per each (39.20 per each): either matching our
    price passes (PRICE_BASIS_PER_EACH says how the second was read); neither, the finding names both."""
    po_date, currency, ours = p["po_date"], p["currency"], p["list_price"]
    if ours is None:
        when = _text(po_date) or "?"
        return [business_finding(
            "PRICE_NOT_ON_FILE", f"No price for item {row['sku']} valid on {when} in {currency or '?'}.",
            row, seg="PO1", element="PO104", value=row["unit_price"])]
    each = ours
    per_unit = line_eaches_per_unit(row, units, s)
    if per_unit:  # PO104 is per PO103 unit; ours is per each
        ours = ours * per_unit
    theirs = row["unit_price"]
    basis, unit = row.get("price_basis") or "", row["unit"] or "unit"
    shown = _price(theirs, currency) if theirs is not None else ""
    if theirs is not None and (many := priced_per(row["unit"], basis)) != 1:  # kept per thousand feet: per foot
        theirs = theirs / many
        shown = f"{shown} with PO105 {basis} ({_price(theirs, currency)} per {unit})"
    if (basis == NO_CHARGE or sample) and ours != 0:  # free goods: a person decides, whatever the price compared
        sent = _price(theirs, currency) if theirs is not None else "(empty)"
        said = "PO105 NC: the buyer marks this line no charge (free goods)" if basis == NO_CHARGE else (
            "A sample order (BEG02) at PO104 0: the buyer's guide prices samples at no charge (free goods)")
        return [business_finding(
            "PRICE_NO_CHARGE",
            f"{said}, PO104 {sent} against our "
            f"price {_price(ours, currency)} per {unit}; we never supply free goods on our own. Ops decides whether we "
            "agreed to supply it free (a promotion, a replacement, a sample): only then approve the order (the "
            f"line is answered and invoiced as sent, {_price(theirs or 0, currency)} per {unit} with NC, never at our "
            "price); "
            "otherwise reject the order and ask the buyer for a priced PO.",
            row, seg="PO1", element="PO105", value=basis)]
    if theirs is None:
        return [business_finding("PRICE_MISSING", f"No PO104 price; our price {_price(ours, currency)} applies.", row,
                                 seg="PO1", element="PO104")]
    if ours == 0 or (per_unit is None and row["unit"]):
        # PO104 per a PO103 unit the item master cannot convert (480 LB of an item sold by the case: its
        # UNIT_NOT_CONVERTIBLE) is no price per any unit of ours: compared with our price per each it would
        # say a 97 % discount that nobody gave
        return []
    threshold = (customer or {}).get("discount_approval_threshold_percent")
    deviation = (theirs - ours) / ours * _HUNDRED
    code = _price_code(deviation, threshold, s)
    if code is None:
        return []
    per_each = basis in PRICE_PER_EACH and per_unit is not None and per_unit > 1
    if code == "DISCOUNT_OVER_THRESHOLD":
        message = (f"PO104 {shown} is {_text(round(-deviation, 2))}% below our price {_price(ours, currency)}; "
                   f"more than the {_text(threshold)}% that needs approval.")
    else:
        message = (f"PO104 {shown} differs from our price {_price(ours, currency)} by {_text(round(deviation, 2))}% "
                   f"(tolerance {_text(s.price_tolerance_percent)}%).")
    if per_each:
        as_each = (theirs - each) / each * _HUNDRED
        pack = f"{_price(theirs * per_unit, currency)} per {unit} of {per_unit} eaches"
        if _price_code(as_each, threshold, s) is None:
            return [business_finding(
                "PRICE_BASIS_PER_EACH",
                f"PO104 {_price(theirs, currency)} with PO105 {basis} on a line in {unit} ({per_unit} eaches each) is "
                f"read as the price per each, as PO105 {basis} says: {pack}, against our {_price(each, currency)} per "
                f"each ({_price(ours, currency)} per {unit}); read per {unit} it would be "
                f"{_text(round(-deviation, 2))}% below our price. The 855 answers the line at our price per {unit}, "
                f"{_price(ours, currency)} (ACK IP, PO104 "
                f"{_text(ours)} without PO105: a price per {unit}, not per each), and the 810 invoices it per {unit} "
                "at that price (IT105 left out too).",
                row, seg="PO1", element="PO105", value=basis)]
        message = (f"PO104 {_price(theirs, currency)} with PO105 {basis} on a line in {unit} ({per_unit} eaches each) "
                   f"matches our "
                   f"price neither way it can be read. Per {unit} (as many translators write {basis}): {message[:-1]}. "
                   f"Per each, as PO105 {basis} says ({pack}): {_text(round(abs(as_each), 2))}% "
                   f"{'below' if as_each < 0 else 'above'} our {_price(each, currency)} per each.")
    return [business_finding(code, message, row, seg="PO1", element="PO104", value=row["unit_price"])]


def _allowance_price(row: dict, p: dict, s: RuleSettings, customer: Mapping | None,
                     units: Mapping[tuple[str, str], int], share: LineAllowance) -> list[Finding]:
    """DISCOUNT_OVER_THRESHOLD for a line whose PO104 less the ``share`` of it the PO's carried allowances take off
    our 810 (a heading C310 12 % off invoice) is below our price by more than the customer's approval threshold, as
    _line_price judges PO104 alone (our price per the line's PO103 unit; PO104 per that unit): the discount is ours
    whether it is written in PO104 or in a SAC our 810 deducts, and it waits for a person all the same. The share of
    allowances matching a deal agreed with the customer (deals.csv) is pre-approved: left out, and when it alone
    takes the line beyond the threshold, ALLOWANCE_DEAL_AGREED (a warning) names the deals that made it acceptable;
    a DISCOUNT_OVER_THRESHOLD names the SACs that matched no deal and why."""
    threshold = (customer or {}).get("discount_approval_threshold_percent")
    ours, theirs = p["list_price"], row["unit_price"]
    if threshold is None or ours is None or theirs is None:
        return []
    per_unit = line_eaches_per_unit(row, units, s)
    if per_unit:
        ours = ours * per_unit
    elif row["unit"]:
        return []
    if ours == 0:
        return []
    basis = row.get("price_basis") or ""
    currency = p["currency"]
    shown = _price(theirs, currency)
    if (many := priced_per(row["unit"], basis)) != 1:  # kept per thousand: per unit
        theirs = theirs / many
        shown = f"{shown} with PO105 {basis} ({_price(theirs, currency)} per {row['unit']})"
    net = theirs * (1 - share.share)
    deviation = (net - ours) / ours * _HUNDRED
    agreed = f" ({'; '.join(share.deals)} taken off besides, pre-approved)" if share.deals else ""
    if -deviation <= threshold:
        whole = theirs * (1 - share.share - share.agreed)
        beyond = (whole - ours) / ours * _HUNDRED
        if not share.deals or -beyond <= threshold:
            return []
        named = "; ".join(share.deals)
        return [business_finding(
            "ALLOWANCE_DEAL_AGREED",
            f"PO104 {shown} less the allowance{'s' if len(share.sacs) + len(share.deals) > 1 else ''} our 810 takes "
            f"off is {_price(round(whole, 4), currency)}, {_text(round(-beyond, 2))}% below our price "
            f"{_price(ours, currency)}, beyond the "
            f"{_text(threshold)}% that needs approval; pre-approved by the promotion agreed ({named}: "
            f"{_text(round(share.agreed * _HUNDRED, 2))}% of the line).",
            row, seg="PO1", element="PO104", value=row["unit_price"])]
    named = "; ".join(share.sacs)
    return [business_finding(
        "DISCOUNT_OVER_THRESHOLD",
        f"PO104 {shown} less the allowance{'s' if len(share.sacs) > 1 else ''} our 810 takes off ({named}: "
        f"{_text(round(share.share * _HUNDRED, 2))}% of the line{agreed}) is {_price(round(net, 4), currency)}, "
        f"{_text(round(-deviation, 2))}% below our price {_price(ours, currency)}; more than the "
        f"{_text(threshold)}% that needs approval.",
        row, seg="PO1", element="PO104", value=row["unit_price"])]


def _beyond_approved(f: Finding, row: dict, approved: LineAllowance, now: LineAllowance,
                     then: Decimal | None = None, currency: str | None = None) -> Finding:
    """``f`` (a DISCOUNT_OVER_THRESHOLD on a line a person approved at order time with its allowances taking
    ``approved`` off it) saying the allowances now (``now``) go further than that approval covered; its prices as
    money is said (_price: at least ``currency``'s decimals, 25.70)."""
    from dataclasses import replace

    if f.code != "DISCOUNT_OVER_THRESHOLD":
        return f
    theirs = row["unit_price"]
    then = theirs if then is None else then
    was, net = then * (1 - approved.share), theirs * (1 - now.share)
    return replace(f, message=(
        f"{f.message} A person approved {_text(round(approved.share * _HUNDRED, 2))}% of the line off at order time "
        f"(PO104 {_price(then, currency)} net {_price(round(was, 4), currency)}); the allowances now take "
        f"{_text(round(now.share * _HUNDRED, 2))}% off (net {_price(round(net, 4), currency)}): further than the "
        "approval covered."))


def added_allowance_findings(orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings,
                             before: pa.Table | None, after: pa.Table, approved: pa.Table | None = None,
                             approved_prices: Mapping[int, Decimal] | None = None
                             ) -> tuple[list[tuple[dict, Finding]], list[Mapping]]:
    """An order's allowances as an 860 after shipment left them (``after``: its ORDER_SACS as changed), judged as
    at order time (_allowance_price: each line's PO104 less the share its carried allowances matching no deal take
    off, against our price and the customer's approval threshold), on the lines they take more off than the order's
    allowances before the 860 did (``before``; None: none): a percent, an amount (SAC05) or a rate (SAC08 x SAC10,
    else x PO102), at the heading (spread over the lines by value) or on a line. A 4 % added to a line already 3 %
    below our price is 7 % below it. (line row: line_id, line_number, sku, unit_price; the DISCOUNT_OVER_THRESHOLD
    finding naming the SACs and why no deal agrees them) for each such line beyond the threshold, in line order
    ([] for none), and the SAC rows of ``after`` a deal agrees (match_deal: not judged). ``orders``/``lines``: the
    order's stored tables as the 860 left them. ``approved``: the allowances a person approved at order time beyond
    the threshold (the 850's; None: none approved): a line they leave no further below our price than the approval
    covered (the share they took off it) is not judged, and a line taken further says so (the net approved, the
    net now); judged on the 860's allowances alone, such a line used to be held by any further allowance, one
    within what was approved included. Compared by net money: the line's PO104 now less its allowances' share against
    the PO104 it was approved at (``approved_prices``: line number -> the 850's PO104; None: as now) less the share
    approved, so an 860 changing PO104 besides is judged by what the buyer pays, not by the share alone."""
    if not lines.num_rows or after is None or not after.num_rows:
        return [], []
    resolved = _resolved(lines, ref)
    prices = line_prices(orders, resolved, ref)
    resolved = with_exact_prices(resolved)
    by_partner = _PerPartner(settings)
    units = unit_index(ref)
    customers = _customers(ref.customers)
    dates = prices["po_date"].to_pylist()

    def shares(sacs: pa.Table | None) -> tuple[dict[int, LineAllowance], dict]:
        if sacs is None or not sacs.num_rows:
            return {}, {}
        return judged_allowances(resolved, sacs, lambda p: by_partner[p], ref.deals, dates, _promotions(orders),
                                 units, deal_dates(resolved, prices))
    (now, agreed), (was, _) = shares(after), shares(before)
    ok = shares(approved)[0] if approved is not None else {}
    cols = [*_LINE_LOCATION, "partner", "order_ref", "unit", "unit_price", "price_basis", "sku", "case_pack",
            "line_id", "line_number", *PO4_COLUMNS]
    picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names)))
    out = []
    for i in sorted(now):
        if now[i].share <= (was[i].share if i in was else Decimal(0)):
            continue  # the 860 took no more off this line than was judged at order time (or agreed by a deal)
        row, p = picked.slice(i, 1).to_pylist()[0], prices.slice(i, 1).to_pylist()[0]
        if row.get("sku") is None or p["list_price"] is None:
            continue
        # the PO104 the person approved it at (``approved_prices``: the 850's; an 860 may have changed it since)
        then = (approved_prices or {}).get(row.get("line_number"), row["unit_price"])
        if i in ok and row["unit_price"] * (1 - now[i].share) >= then * (1 - ok[i].share):
            continue  # no further below, in money, than the net a person approved at order time
        found = _allowance_price(row, p, by_partner[row["partner"]], customers.get(row["partner"]), units, now[i])
        if i in ok:
            found = [_beyond_approved(f, row, ok[i], now[i], then, p.get("currency")) for f in found]
        out.extend((row, f) for f in found if f.code == "DISCOUNT_OVER_THRESHOLD")
    return out, [a.sac for v in agreed.values() for a in v]


def _promotions(orders: pa.Table) -> dict[tuple[str, str], str | None]:
    """(partner, PO) -> the promotion/deal number its heading REF*PD sent (ORDERS.promotion), for the allowances'
    deals (rules.business.allowance_discounts)."""
    if "promotion" not in orders.column_names or not orders.num_rows:
        return {}
    return {(p, po): d for p, po, d in zip(*(orders[c].to_pylist() for c in ("partner", "po_number", "promotion")),
                                           strict=True) if d}


def per_each_prices(resolved: pa.Table, ref: ReferenceData, settings: RuleSettings,
                    prices: pa.Table) -> pa.Array | None:
    """Per line (item-resolved), our price per PO103 unit where PO104 is read as the price per each
    (PRICE_BASIS_PER_EACH: 39.20 PE on a CA of 12 is 470.40 per CA, the price the line is answered and
    invoiced at), null elsewhere; None when no line is. What an order's value counts for such a line."""
    if "price_basis" not in resolved.column_names or not resolved.num_rows:
        return None
    basis = pc.fill_null(resolved.column("price_basis"), "")
    maybe = (_bools(pc.is_in(basis, value_set=pa.array(list(PRICE_PER_EACH), pa.string())))
             & _bools(pc.is_valid(resolved.column("unit_price"))) & _bools(pc.is_valid(prices["list_price"])))
    if not maybe.any():
        return None
    units = unit_index(ref)
    # screened in floats (most lines are PE: decided one by one only those in a pack whose PO104 is off our
    # price per pack by more than the smallest of the partners' tolerances and thresholds)
    per_unit = per_unit_column(resolved, settings, units)
    our_case = _floats(prices["list_price"], np.nan) * per_unit
    theirs = _floats(resolved.column("unit_price"), np.nan)
    by_partner, customers = _PerPartner(settings), _customers(ref.customers)
    partners = set(pc.fill_null(resolved.column("partner"), "").unique().to_pylist())
    least = min([float(by_partner[p].price_tolerance_percent) for p in partners] +
                [float(t) for p in partners
                 if (t := customers.get(p, {}).get("discount_approval_threshold_percent")) is not None])
    with np.errstate(invalid="ignore", divide="ignore"):
        off = ~(np.abs(theirs - our_case) / np.abs(our_case) * 100.0 <= least - 1e-6)
    maybe &= ((per_unit > 1) & off) | np.isnan(per_unit) | partners_with_own_units(resolved, settings)
    if not maybe.any():
        return None
    rows = np.flatnonzero(maybe)
    cols = [*_LINE_LOCATION, "partner", "order_ref", "unit", "unit_price", "price_basis", "sku", "case_pack",
            *PO4_COLUMNS]
    picked = resolved.select(list(dict.fromkeys(c for c in cols if c in resolved.column_names))).take(rows)
    restated: list[Decimal | None] = [None] * resolved.num_rows
    for i, row, p in zip(rows.tolist(), picked.to_pylist(), prices.take(rows).to_pylist(), strict=True):
        s = by_partner[row["partner"]]
        found = _line_price(row, p, s, customers.get(row["partner"]), units)
        if found and found[0].code == "PRICE_BASIS_PER_EACH":
            restated[i] = p["list_price"] * (line_eaches_per_unit(row, units, s) or 1)
    if not any(r is not None for r in restated):
        return None
    return pa.array(restated, resolved.schema.field("unit_price").type)


def _price_code(deviation: Decimal, threshold: Decimal | None, s: RuleSettings) -> str | None:
    """The price finding a deviation of PO104 from our price (in percent) raises: DISCOUNT_OVER_THRESHOLD
    below it by more than the partner's approval threshold, else PRICE_OUT_OF_TOLERANCE outside the
    tolerance, else none."""
    if threshold is not None and -deviation > threshold:
        return "DISCOUNT_OVER_THRESHOLD"
    if abs(deviation) > s.price_tolerance_percent:
        return "PRICE_OUT_OF_TOLERANCE"
    return None


def _bools(values) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _floats(values, default: float) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(values, pa.float64()), default).to_numpy(zero_copy_only=False),
                      dtype=float)


def _float(value) -> float | None:
    return None if value is None else float(value)


def check_currency(orders: pa.Table, customers: pa.Table, further: pa.Table | None = None) -> list[Finding]:
    """CUSTOMER_UNKNOWN (no customer record) and CURRENCY_MISMATCH (CUR02 vs the agreed currencies: customers.csv's,
    and ``further``'s, customer_currencies.csv, the other currencies a customer may order in)."""
    by_partner, out = _customers(customers), []
    others = set(_further(further))
    # the orders that can raise either: no customer record, or a currency that may not be the agreed one
    agreed = per_partner(orders["partner"], {p: c["currency"] for p, c in by_partner.items()}, pa.string())
    maybe = pc.or_(pc.is_null(agreed), pc.fill_null(pc.not_equal(orders["currency"], agreed), True))
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "currency"], maybe):
        customer = None if is_blank(order["partner"]) else by_partner.get(order["partner"])
        if customer is None:
            out.append(
                business_finding(
                    "CUSTOMER_UNKNOWN",
                    f"No customer record for partner {order['partner']!r}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        elif (order["currency"] and order["currency"] != customer["currency"]
              and (order["partner"], order["currency"]) not in others):
            out.append(
                business_finding(
                    "CURRENCY_MISMATCH",
                    f"PO {order['po_number']} is in {order['currency']}, the agreed "
                    f"currency is {customer['currency']}.",
                    order,
                    seg="CUR",
                    element="CUR02",
                    value=order["currency"],
                    line=False,
                )
            )
    return out


_TERMS_FIELDS = (
    ("terms_type", "ITD01", "terms type"),
    ("terms_discount_percent", "ITD03", "discount percent"),
    ("terms_discount_days", "ITD05", "discount days"),
    ("terms_net_days", "ITD07", "net days"),
)
# ITD01 "14" (Previously agreed upon): the buyer states no terms of its own but the ones agreed, whatever their type
_AGREED_TERMS_TYPE = "14"
# ITD01 "05" (Discount Not Applicable): net terms, no discount offered (ITD*05*3*****45): the terms of a basic
# agreement that states no discount, as a basic ITD without ITD03 is
_NO_DISCOUNT_TERMS_TYPE = "05"
_DATED_TERMS = ("terms_discount_due_date", "terms_net_due_date", "terms_day_of_month")


def _terms_percent_findings(orders: pa.Table) -> list[Finding]:
    """TERMS_PERCENT_ROUNDED for each order whose ITD03 has more than 4 decimals (the parser's
    ``terms_discount_percent_sent``: 1.12345, R 1/6 allows it): our tables hold it at 4. A warning, not a
    hold: no price, quantity or amount of the order changes; an 810 stating the PO's own terms echoes ITD03
    as sent, and one stating our agreed terms states those."""
    column = "terms_discount_percent_sent"
    if column not in orders.column_names or orders.column(column).null_count == orders.num_rows:
        return []
    out = []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "terms_discount_percent", column],
                       pc.is_valid(orders.column(column))):
        sent, kept = order[column], order["terms_discount_percent"]
        out.append(business_finding(
            "TERMS_PERCENT_ROUNDED",
            f"ITD03 {sent}% has more than 4 decimal places; our orders hold {_text(kept)}% (off by "
            f"{_text(abs(Decimal(sent) - kept))} points). An 810 stating this PO's terms echoes {sent} as "
            "sent; one stating the terms agreed with the partner states those.", order, seg="ITD",
            element="ITD03", value=sent, line=False))
    return out


def _same_terms_type(order: Mapping[str, object], customer: Mapping[str, object]) -> bool:
    """Whether the PO's ITD01 names the agreed terms: 14 (previously agreed upon) always; a basic code for the
    other (01 basic, 08 basic discount offered: schemas.invoices.BASIC_TERMS_TYPES) when both or neither state a
    discount percent (one that differs is told on its own; a discount only one side states is told by the type);
    05 (discount not applicable) for a basic code, or the other way round, when neither states one and the PO dates
    nothing (net terms by days)."""
    sent, agreed = order["terms_type"], customer["terms_type"]
    if sent == _AGREED_TERMS_TYPE:
        return True
    percents = (order["terms_discount_percent"], customer["terms_discount_percent"])
    if _NO_DISCOUNT_TERMS_TYPE in (sent, agreed) and percents == (None, None):
        # net terms by days alone: a PO dating them (ITD04/ITD06 due dates, ITD13 day of month: Orgill's
        # ITD*05*3****20270115, due on a date) states other terms than days after the invoice
        dated = any(order.get(f) is not None for f in _DATED_TERMS)
        return not dated and {sent, str(agreed)} <= {_NO_DISCOUNT_TERMS_TYPE, *BASIC_TERMS_TYPES}
    return sent in same_kind_terms_types(str(agreed)) and (percents[0] is None) == (percents[1] is None)


def check_terms(orders: pa.Table, customers: pa.Table) -> list[Finding]:
    """TERMS_MISMATCH for each ITD element sent that differs from the customer's agreed terms (ITD01 14, previously
    agreed upon, names the agreed terms: never a type that differs), a cash discount (ITD03 above 0) the agreed terms
    grant none of included (Covetrus's ITD*01*3*2**30**60 against net 60: the buyer would pay 2% short);
    TERMS_PERCENT_ROUNDED for each ITD03 past 4 decimals."""
    by_partner, out = _customers(customers), _terms_percent_findings(orders)
    differs = pa.array([False] * orders.num_rows)  # the orders with an element sent that the agreed one is not
    for field, _, _ in _TERMS_FIELDS:
        agreed = per_partner(orders["partner"], {p: c[field] for p, c in by_partner.items()},
                             orders.schema.field(field).type)
        sent = orders[field]
        if field == "terms_type":
            sent = pc.if_else(pc.equal(sent, _AGREED_TERMS_TYPE), pa.scalar(None, sent.type), sent)
        differs = pc.or_(differs, pc.fill_null(pc.not_equal(sent, agreed), False))
        if field == "terms_discount_percent":  # a discount sent where the agreement (it has terms) states none
            terms = per_partner(orders["partner"], {p: c["terms_type"] for p, c in by_partner.items()}, pa.string())
            some = pc.greater(sent, pa.scalar(Decimal(0), sent.type))
            claimed = pc.and_(some, pc.and_(pc.is_null(agreed), pc.is_valid(terms)))
            differs = pc.or_(differs, pc.fill_null(claimed, False))
    dated = [f for f in _DATED_TERMS if f in orders.column_names]
    for f in dated[:2]:  # a due date the PO states (ITD04, ITD06), which an agreement by days never does
        differs = pc.or_(differs, pc.is_valid(orders[f]))
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", *(f for f, _, _ in _TERMS_FIELDS), *dated],
                       differs):
        customer = by_partner.get(order["partner"])
        if customer is None:
            continue
        told = len(out)
        for field, element, label in _TERMS_FIELDS:
            sent, agreed = order[field], customer[field]
            if (field == "terms_discount_percent" and agreed is None and sent and customer["terms_type"] is not None
                    and len(out) == told):  # a discount the agreed terms grant none of (their type not told)
                out.append(business_finding(
                    "TERMS_MISMATCH", f"ITD {label} {_text(sent)} differs from the agreed terms, which state no "
                    "discount.", order, seg="ITD", element=element, value=sent, line=False))
                continue
            if sent is None or agreed is None or sent in ("", agreed) or (field == "terms_type"
                                                                        and _same_terms_type(order, customer)):
                continue
            out.append(
                business_finding(
                    "TERMS_MISMATCH",
                    f"ITD {label} {_text(sent)} differs from the agreed {_text(agreed)}.",
                    order,
                    seg="ITD",
                    element=element,
                    value=sent,
                    line=False,
                )
            )
        if len(out) == told:
            out += _dated_against_days(order, customer)
    return out


# ITD's due dates (ORDERS column, element, label) against the agreement's days (CUSTOMERS column) they run from
_DUE_DATES = (("terms_discount_due_date", "ITD04", "discount due date", "terms_discount_days"),
              ("terms_net_due_date", "ITD06", "net due date", "terms_net_days"))


def _dated_against_days(order: Mapping[str, object], customer: Mapping[str, object]) -> list[Finding]:
    """TERMS_MISMATCH for a PO whose terms agree with the customer's in every element compared but that dates them
    (ITD04 discount due date, ITD06 net due date: a sporting goods buying group's booking order,
    ITD*01*3****20270201*60, net 60 due 2027-02-01) where the agreement counts days from the invoice: the 810 states
    the agreement (net 60 from the invoice date), not the PO's date, and nobody was told. An agreement of no days
    (03 fixed date: Murdoch's seasonal dating, which the 810 dates as the PO sent) is no difference."""
    out = []
    for field, element, label, days in _DUE_DATES:
        sent, agreed = order.get(field), customer.get(days)
        if sent is None or agreed is None:
            continue
        out.append(business_finding(
            "TERMS_MISMATCH",
            f"ITD {label} {_text(sent)} differs from the agreed {agreed} days from the invoice date (an 810 states"
            " the agreed terms unless the profile's [fulfilment.invoice] terms is \"po\").",
            order, seg="ITD", element=element, value=sent, line=False))
    return out


# --- order value and credit ------------------------------------------------------------------


def order_values(orders: pa.Table, lines: pa.Table, ref: ReferenceData,
                 prices: pa.Table | None = None, per_each: pa.Array | None = None) -> dict[tuple[str, str], Decimal]:
    """(source_file, order_ref) -> sum of PO102 x PO104 (our per-each price where PO104 is empty; ``per_each``:
    per_each_prices, our price per PO103 unit of the lines whose PO104 is read per each)."""
    resolved = _resolved(lines, ref)
    prices = prices if prices is not None else line_prices(orders, resolved, ref)
    values: dict[tuple[str, str], Decimal] = {
        key: Decimal(0) for key in zip(orders["source_file"].to_pylist(), orders["order_ref"].to_pylist(),
                                       strict=True)}
    if resolved.num_rows == 0:
        return values
    resolved = with_exact_prices(resolved)
    price = _po_price_else_ours(resolved, prices)
    if per_each is not None:
        price = pc.coalesce(*_alike(per_each, price))
    amount = per_rows(pc.multiply, [resolved.column("quantity"), price])  # exact (decimal128 scale 8)
    amount = _per_many_amounts(resolved, amount)
    # summed per order, the order named by its code (integers hash faster than two texts per line); a line an
    # 860 added counts in its order's (order_files)
    files = order_files(orders, resolved)
    first, codes = distinct_rows([files, resolved.column("order_ref")])
    table = pa.table({"_order": pa.array(codes), "amount": amount}).filter(pc.is_valid(amount))
    sums = table.group_by("_order", use_threads=False).aggregate([("amount", "sum")])
    at = pa.array(first[np.asarray(sums["_order"].to_numpy(), dtype=np.int64)])
    for f, ref_, total in zip(files.take(at).to_pylist(),
                              resolved.column("order_ref").take(at).to_pylist(), sums["amount_sum"].to_pylist(),
                              strict=True):
        values[(f, ref_)] = values.get((f, ref_), Decimal(0)) + total
    return values


def _per_many_amounts(resolved: pa.Table, amount: pa.Array) -> pa.Array:
    """``amount`` (PO102 x PO104 per line) with each line whose PO104 is still the price of many of its units (a
    PO105 the parser could not restate per unit: 287.45 per thousand feet, TF, is 0.28745 per foot, more places than
    we carry; a price per dozen, PD, not a whole ten-thousandth per unit) divided by that many, to the amount's own
    places: the order's value is what the buyer pays (2,500 FT at 287.45 TF is 718.63, not 718,625.00: it raised a
    false CREDIT_LIMIT_EXCEEDED). A price per dozen of a line in eaches, one per thousand feet of a line in feet, is
    taken as sent (kept_per_many); one per hundred pounds of a line in pounds is held (PRICE_BASIS_UNSUPPORTED)."""
    if "price_basis" not in resolved.column_names or not resolved.num_rows:
        return amount
    many_bases = pa.array(sorted({*PRICE_PER_MANY, *PRICE_PER_MANY_OF}), pa.string())
    rows = np.flatnonzero(pc.fill_null(pc.and_(pc.is_in(resolved.column("price_basis"), value_set=many_bases),
                                               pc.is_valid(resolved.column("unit_price"))), False)
                          .to_numpy(zero_copy_only=False))
    if not len(rows):
        return amount
    taken = pa.array(rows, pa.int64())
    units = resolved.column("unit").take(taken).to_pylist() if "unit" in resolved.column_names else [None] * len(rows)
    places = Decimal(1).scaleb(-amount.type.scale)
    values = amount.to_pylist()
    for i, basis, unit in zip(rows.tolist(), resolved.column("price_basis").take(taken).to_pylist(), units,
                              strict=True):
        many = PRICE_PER_MANY.get(basis) or in_many_of(unit, basis)
        if many and values[i] is not None:
            values[i] = (values[i] / Decimal(many)).quantize(places)
    return pa.array(values, amount.type)


def _po_price_else_ours(resolved: pa.Table, prices: pa.Table) -> pa.Array:
    """Per line, PO104, else our list price (line_prices' ``prices``): the price an order's value counts."""
    return pc.coalesce(*_alike(prices["list_price"], resolved.column("unit_price"))[::-1])


def _alike(ours, theirs) -> tuple:
    """(``ours``, ``theirs``) prices in ``theirs``' type, or both in PRICE where ours has more decimals than it
    (prices.csv's 0.004185 against a night's 4-decimal PO104s)."""
    try:
        return pc.cast(ours, theirs.type), theirs
    except pa.ArrowInvalid:
        return pc.cast(ours, PRICE), pc.cast(theirs, PRICE)


def check_order_value(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings,
    values: Mapping[tuple[str, str], Decimal] | None = None,
) -> list[Finding]:
    """ORDER_VALUE_BELOW_MINIMUM for orders (not cancellations) worth less than min_order_value
    (``values``: order_values, when the caller has them already)."""
    values = order_values(orders, lines, ref) if values is None else values
    by_partner, out = _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose"]):
        s = by_partner[order["partner"]]
        value = values.get(_order_key(order), Decimal(0))
        if order["purpose"] not in s.credit_exempt_purposes and value < s.min_order_value:
            out.append(
                business_finding(
                    "ORDER_VALUE_BELOW_MINIMUM",
                    f"PO {order['po_number']} is worth {_text(value)}, below "
                    f"the minimum order value {_text(s.min_order_value)}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
    return out


# CSH02 (element 564 through X12 3070, 306 after): what the buyer asks for when the order would exceed CSH03
_DO_NOT_EXCEED_ACTIONS = {"0": "cancel the balance that exceeds it", "1": "cancel the entire order",
                          "Z": "mutually defined"}


def check_do_not_exceed(orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings,
                        values: Mapping[tuple[str, str], Decimal] | None = None) -> list[Finding]:
    """ORDER_AMOUNT_EXCEEDED for orders (not cancellations) worth more than the heading CSH03 "maximum
    monetary amount value which the order must not exceed" (``values``: order_values, PO102 x PO104 with
    our price where PO104 is empty, when the caller has them). The buyer's CSH02 names what should happen
    (0 cancel the balance that exceeds it, 1 cancel the entire order): which lines to cut, or whether to
    ask the buyer for a new PO, is a person's call, so the order is held and no 855 promises more than
    the buyer allowed. A CSH03 of zero or less limits nothing (no PO could meet it): ignored. A table
    stored before the column was read has no limit."""
    limited = _limited(orders)
    if limited is None:
        return []
    values = order_values(orders, lines, ref) if values is None else values
    by_partner, out = _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose",
                                "do_not_exceed_action", "do_not_exceed_amount"], limited):
        value = values.get(_order_key(order), Decimal(0))
        limit = order["do_not_exceed_amount"]
        if order["purpose"] in by_partner[order["partner"]].credit_exempt_purposes or value <= limit:
            continue
        out.append(business_finding(
            "ORDER_AMOUNT_EXCEEDED",
            f"PO {order['po_number']} is worth {_text(value)}, over the amount it must not exceed (CSH03) "
            f"{_text(limit)} by {_text(value - limit)}{_asked(order)}. Held: a person cuts lines to fit or asks "
            "the buyer for a corrected PO.",
            order, seg="CSH", element="CSH03", value=_text(limit), line=False))
    return out


def check_do_not_exceed_answered(orders: pa.Table, lines: pa.Table, decided: pa.Table, ref: ReferenceData
                                 ) -> list[Finding]:
    """ORDER_AMOUNT_EXCEEDED for orders within their CSH03 as sent (check_do_not_exceed) that the
    decisions would answer for more: ``decided`` (LINE_DECISIONS of the orders to answer), each line
    not rejected worth the quantity we acknowledge (case packs rounded up, minimums raised) x our price
    where we change it (IP), else its PO104, else our list price (as order_values prices it). ``lines``:
    the item-resolved lines. An 855 must not promise more than the buyer allowed: the order is held."""
    limited = _limited(orders) if decided.num_rows else None
    if limited is None:
        return []
    heads = _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "do_not_exceed_action",
                           "do_not_exceed_amount"], limited)
    keys = pa.array(sorted({f"{o['partner']}|{o['po_number']}" for o in heads}), pa.string())
    mine = pc.is_in(pc.binary_join_element_wise(decided["partner"], decided["po_number"], "|"), value_set=keys)
    answered = pc.and_(pc.fill_null(mine, False), pc.fill_null(pc.not_equal(decided["ack01"], "IR"), True))
    d = decided.filter(answered)
    if not d.num_rows:
        return []
    theirs = _po_price_else_ours(lines, line_prices(orders, lines, ref))
    k = ["partner", "po_number", "line_number"]
    per_line = pa.table({"partner": lines["partner"], "po_number": lines["po_number"],
                         "line_number": pc.cast(lines["line_number"], pa.int32()),
                         "_theirs": pc.cast(theirs, MONEY_TYPE)})
    per_line = per_line.group_by(k, use_threads=False).aggregate([("_theirs", "max")])
    j = d.select([*k, "quantity", "unit_price"]).join(per_line, k, join_type="left outer", use_threads=False)
    price = pc.coalesce(pc.cast(j["unit_price"], MONEY_TYPE), j["_theirs_max"])
    amount = per_rows(pc.multiply, [j["quantity"], price])
    sums = pa.table({"partner": j["partner"], "po_number": j["po_number"], "amount": amount}).filter(
        pc.is_valid(amount)).group_by(["partner", "po_number"], use_threads=False).aggregate([("amount", "sum")])
    values = dict(zip(zip(sums["partner"].to_pylist(), sums["po_number"].to_pylist(), strict=True),
                      sums["amount_sum"].to_pylist(), strict=True))
    out = []
    for order in heads:
        value, limit = values.get((order["partner"], order["po_number"])), order["do_not_exceed_amount"]
        if value is None or value <= limit:
            continue
        out.append(business_finding(
            "ORDER_AMOUNT_EXCEEDED",
            f"PO {order['po_number']} would be answered worth {_text(value)} (the quantities and prices we "
            f"acknowledge: case packs rounded, minimums raised, our price changes), over the amount it must not "
            f"exceed (CSH03) {_text(limit)} by {_text(value - limit)}{_asked(order)}. Held: a person cuts lines to "
            "fit or asks the buyer for a corrected PO.",
            order, seg="CSH", element="CSH03", value=_text(limit), line=False))
    return out


def _limited(orders: pa.Table) -> pa.Array | None:
    """Which orders have a CSH03 above zero (zero or less limits nothing); None when none has (or the table
    was stored before the column was read)."""
    if "do_not_exceed_amount" not in orders.column_names:
        return None
    limited = pc.fill_null(pc.greater(orders["do_not_exceed_amount"], pa.scalar(Decimal(0), MONEY_TYPE)), False)
    return limited if pc.any(limited).as_py() else None


def _asked(order: dict) -> str:
    """What the order's CSH02 asks for, as the ORDER_AMOUNT_EXCEEDED message says it."""
    action = (order["do_not_exceed_action"] or "").strip()
    return (f"; its CSH02 {action} asks to {_DO_NOT_EXCEED_ACTIONS[action]}" if action in _DO_NOT_EXCEED_ACTIONS
            else f"; its CSH02 {action}" if action else "")


def check_credit(
    orders: pa.Table,
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    open_orders: Mapping[str, Decimal] | Mapping[tuple[str, str], Decimal] | None = None,
    values: Mapping[tuple[str, str], Decimal] | None = None,
) -> list[Finding]:
    """CREDIT_LIMIT_EXCEEDED for each order that would take open AR + open orders (``open_orders``:
    partner, or (partner, currency) with "" for the customer's own, -> value not yet invoiced) + the run's earlier
    accepted orders past the credit limit. Per currency: an order in a further currency agreed with the customer
    (customer_currencies.csv) counts against that currency's limit and open AR, never added to another currency's;
    one in a currency not agreed is not counted (CURRENCY_MISMATCH holds it).
    Orders are taken in table order; a held order does not consume credit."""
    values = order_values(orders, lines, ref) if values is None else values
    customers, by_partner = _customers(ref.customers), _PerPartner(settings)
    further = {k: r for k, r in _further(ref.customer_currencies).items() if k[0] in customers}
    limits = {(p, c["currency"]): (c["credit_limit"], c["open_ar"]) for p, c in customers.items()}
    limits.update({k: (r["credit_limit"], r["open_ar"]) for k, r in further.items()})
    exposure = {k: open_ar for k, (_, open_ar) in limits.items()}
    for key, value in (open_orders or {}).items():
        partner, currency = (key, "") if isinstance(key, str) else key
        if partner in customers:
            key = (partner, currency or customers[partner]["currency"])
            if key in exposure:
                exposure[key] += value
    out: list[Finding] = []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose", "currency"]):
        partner = order["partner"]
        if partner not in customers or order["purpose"] in by_partner[partner].credit_exempt_purposes:
            continue
        home = customers[partner]["currency"]
        key = (partner, order["currency"] or home)
        if key not in limits:
            continue
        value, limit = values.get(_order_key(order), Decimal(0)), limits[key][0]
        if exposure[key] + value > limit:
            cur = key[1]  # money as people read it, in its currency's decimals (schemas.money_text)
            unit = "" if cur == home else f" {cur}"  # (the customer's own currency unnamed, as it always was)
            out.append(
                business_finding(
                    "CREDIT_LIMIT_EXCEEDED",
                    f"PO {order['po_number']} ({money_text(value, cur)}{unit}) would bring the exposure to "
                    f"{money_text(exposure[key] + value, cur)}{unit}, over the credit limit {money_text(limit, cur)}"
                    f"{unit}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        else:
            exposure[key] += value
    return out
