"""The PO's own off-invoice allowances and charges on its 810s: the 850's SACs (schemas.orders.ORDER_SACS) whose
SAC12 handling the partner's profile says the invoice carries (InvoiceSettings.po_allowances, by default "02" off
invoice: the vendor takes the allowance off the invoice, the retailer deducts it from payment otherwise).

Amounts, each half up to cents (money, engine.invoice's rule), stated once:
  a line SAC (after its IT1, in the IT1 loop's SAC loop), for the units this 810 bills of its line:
    a rate (SAC08, per SAC09 unit)   rate x units invoiced;
    else a percent (SAC07)           percent / 100 x the line's extension on this 810;
    else a flat amount (SAC05)       prorated by units: the amount x units invoiced so far / units ordered, less
                                     what earlier 810s carried (the same formula for the units before them), so
                                     the 810s of a line carry the amount exactly once it is billed in full and
                                     never more (units beyond the ordered count as the ordered);
  a heading SAC (in the summary's SAC loop after TDS: an 810 has no heading SAC):
    a rate                           rate x every unit this 810 bills;
    else a percent                   percent / 100 x this 810's merchandise (its lines' extensions);
    else a flat amount               once per PO, whole, on its first 810 (none of its units billed before).
A rate is per its SAC09 unit: it applies to a line's units in that unit - the line's billed quantity when the
810 bills it in that unit, the units shipped of a line billed by weight (a catch-weight line's cases, its QTY*39)
when those are in it, and without a SAC09 to the units shipped. A line's own rate per another unit than the one
the line is billed in (a bottle deposit per BO on a line of cases, CA) applies to the SAC09 units the PO states
for the line (SAC10: 360 BO for 30 CA), by the units billed: units billed x SAC10 / units ordered (to four
places), the SAC10 the 810 writes. A rate per a unit the 810's lines are not
counted in (a backhaul allowance per hundredweight, CW, on lines in cases; a heading rate with one such line) is
not multiplied by them: the amount the PO stated with it (SAC05) is carried as a flat amount (by the rule above),
and without one the SAC is not written. A SAC whose SAC05 is present with a percent or a rate that makes another
amount of its whole line (or heading: a percent of the PO's lines at its own prices, as an 860 left them for an
order it changed; a rate with SAC10) is carried as that SAC05, flat (X12: SAC05 takes precedence; _amount_first).
A SAC whose amount comes to 0 on an 810 is not written. TDS01 = extensions + charges - allowances (the profile's
and these). Pure: rows in, segments and amounts out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_writer import x12_decimal, x12_implied, x12_text
from rules.set_checks import sac_carried
from schemas.fulfilment import InvoiceSettings
from schemas.units import priced_per

Key = tuple[str, str]  # (partner, PO)
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Half up to cents: the one rounding rule of our invoices (engine.invoice and its callers use this one)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_money(quantity: Decimal, price: Decimal, unit: str | None = None, basis: str | None = None) -> Decimal:
    """A line's amount: ``quantity`` x ``price`` half up to cents, the price per so many units of a price of many of
    the line's measure kept as sent (IT104 287.45 with IT105 TF on 2,500 FT: 2,500 x 287.45 / 1,000 = 718.63,
    schemas.units.priced_per)."""
    many = priced_per(unit, basis) if basis else 1
    return money(quantity * price if many == 1 else quantity * price / many)


@dataclass(frozen=True, slots=True)
class PoSac:
    """One SAC of the 850 an 810 carries (ORDER_SACS' values; ``ordered``: its line's units ordered)."""

    line_id: str | None  # the PO1's PO101 (None: the heading's)
    kind: str  # SAC01 A / C
    code: str  # SAC02
    amount: Decimal | None = None  # SAC05
    basis: str = ""  # SAC06
    percent: Decimal | None = None  # SAC07
    rate: Decimal | None = None  # SAC08
    unit: str = ""  # SAC09
    handling: str = ""  # SAC12
    reference: str = ""  # SAC13
    description: str = ""  # SAC15
    agency: str = ""  # SAC03
    agency_code: str = ""  # SAC04
    ordered: Decimal | None = None  # the line's units ordered (a flat line amount is prorated by them)
    quantity: Decimal | None = None  # SAC10: the SAC09 units the rate is for (a line's: its units in SAC09)
    po_value: Decimal | None = None  # a heading SAC's: the PO's lines at its own prices (None: not told)


def po_sacs(sacs: pa.Table, carried: Collection[str], ordered: Mapping[tuple[str, str, int], Decimal] | None = None,
            agreed: Collection[tuple[str, str]] = (), values: Mapping[Key, Decimal] | None = None
            ) -> dict[Key, tuple[PoSac, ...]]:
    """Per (partner, PO): the SACs of ``sacs`` (ORDER_SACS rows, in the order sent) an 810 carries, by the one
    rule (rules.set_checks.sac_carried: SAC01 A or C, a SAC02 code, SAC12 among ``carried``, an amount, percent
    or rate; none of a (kind, code) in ``agreed``, the profile's own [[fulfilment.invoice.charges]]).
    ``ordered``: (partner, PO, line number) -> units ordered; ``values``: (partner, PO) -> its lines at its own
    prices (a heading SAC's po_value). Screened by SAC12 first: most POs send none."""
    if not sacs.num_rows or not carried:
        return {}
    keep = pc.fill_null(pc.is_in(sacs["handling"], value_set=pa.array(sorted(carried), pa.string())), False)
    ordered = ordered or {}
    out: dict[Key, list[PoSac]] = {}
    for r in sacs.filter(keep).to_pylist():
        if not _carried(r, carried, agreed):
            continue
        line = r["line_number"]
        out.setdefault((r["partner"], r["po_number"]), []).append(PoSac(
            None if line is None else (r["line_id"] or str(line)), r["kind"], r["code"] or "", r["amount"],
            r["basis"] or "", r["percent"], r["rate"], r.get("unit") or "", r["handling"] or "",
            r.get("reference") or "", r["description"] or "", r.get("agency") or "", r.get("agency_code") or "",
            None if line is None else ordered.get((r["partner"], r["po_number"], line)), r.get("quantity"),
            (values or {}).get((r["partner"], r["po_number"])) if line is None else None))
    return {k: tuple(v) for k, v in out.items()}


def _carried(r: Mapping, carried: Collection[str], agreed: Collection[tuple[str, str]]) -> bool:
    """rules.set_checks.sac_carried of one SAC row (its kind, code, handling, and whether it states a value)."""
    priced = r["amount"] is not None or r["percent"] is not None or r["rate"] is not None
    # without SAC02, the agency's code (SAC03 and SAC04 both, as sac_segment writes them back)
    agency = r["agency_code"] if r.get("agency") and r.get("agency_code") else None
    return sac_carried(r["kind"], r["code"], r["handling"], priced, carried, agreed, agency)


def line_amount(sac: PoSac, units: Decimal, extension: Decimal, before: Decimal) -> Decimal:
    """A line SAC's amount on an 810 billing ``units`` of its line (``extension`` their value), ``before`` of
    its units billed by earlier 810s (the module's rule)."""
    if sac.rate is not None:
        return money(sac.rate * units)
    if sac.percent is not None:
        return money(extension * sac.percent / 100)
    amount = sac.amount or Decimal(0)
    if not sac.ordered or sac.ordered <= 0:  # units ordered unknown: the whole amount with the line's first units
        return money(amount) if before <= 0 else Decimal(0)

    def so_far(u: Decimal) -> Decimal:
        return money(amount * min(u, sac.ordered) / sac.ordered)  # type: ignore[operator,type-var]
    return so_far(before + units) - so_far(before)


def heading_amount(sac: PoSac, units: Decimal, merchandise: Decimal, first: bool) -> Decimal:
    """A heading SAC's amount on an 810 of ``units`` worth ``merchandise``; ``first``: the PO's first 810."""
    if sac.rate is not None:
        return money(sac.rate * units)
    if sac.percent is not None:
        return money(merchandise * sac.percent / 100)
    return money(sac.amount or Decimal(0)) if first else Decimal(0)


def sac_segment(sac: PoSac, amount: Decimal, units: Decimal) -> list[str]:
    """The 810's SAC of ``sac`` for ``amount`` (SAC05, N2): SAC01, SAC02, SAC03/04 as sent (both), SAC06/07 for a
    percent (SAC06 as sent, else 1 item list cost), SAC08/09/10 for a rate (SAC10 the units it is applied to), SAC12
    as sent, SAC13 the deal number and SAC15 the description as sent."""
    seg = ["SAC", sac.kind, sac.code, sac.agency if sac.agency_code else "",
           sac.agency_code if sac.agency else "", x12_implied(amount)]
    if sac.rate is not None:
        seg += ["", "", x12_decimal(sac.rate)]
        if sac.unit:
            seg += [sac.unit, x12_decimal(units)]
    elif sac.percent is not None:
        seg += [sac.basis or "1", x12_decimal(sac.percent)]
    tail = [sac.handling, x12_text(sac.reference, 30), "", x12_text(sac.description, 80)]
    while tail and not tail[-1]:
        tail.pop()
    if tail:
        seg += [""] * (12 - len(seg)) + tail
    return seg


@dataclass(frozen=True, slots=True)
class Carried:
    """What an 810 carries of its PO's SACs: per line index, its SAC segments; the summary's; the net (charges
    less allowances) they add to TDS01; per line index the net of its line's SACs, and the heading's charges and
    allowances (what engine.invoice_taxes taxes them by)."""

    lines: dict[int, list[list[str]]]
    summary: list[list[str]]
    net: Decimal
    line_nets: dict[int, Decimal] = field(default_factory=dict)
    charges: Decimal = Decimal(0)
    allowances: Decimal = Decimal(0)


def _in_rate_unit(sac: PoSac, quantity: Decimal, unit: str, shipped: tuple[Decimal, str] | None) -> Decimal | None:
    """One billed line's units a rate ``sac`` applies to (the module's rule): ``quantity`` in ``unit`` as the 810
    bills it, ``shipped`` the units shipped of a line billed by weight (None: not so billed). None: not counted in
    the rate's SAC09 unit."""
    if not sac.unit or not unit:  # no unit to the rate (or the 810's units not given): per unit shipped
        return quantity if shipped is None else shipped[0]
    if unit == sac.unit:
        return quantity
    if shipped is not None and shipped[1] == sac.unit:
        return shipped[0]
    return None


def _as_the_po_counts(sac: PoSac, quantity: Decimal) -> Decimal | None:
    """A line rate ``sac``'s units of ``quantity`` billed of its line in another unit than SAC09, as the PO
    counts them (SAC10 units for the line's units ordered), to four places; None: the PO does not say."""
    if not sac.quantity or sac.quantity <= 0 or not sac.ordered or sac.ordered <= 0:
        return None
    return (quantity * sac.quantity / sac.ordered).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()


def _as_stated(sac: PoSac) -> PoSac:
    """A rate ``sac`` the 810's lines are not counted in, as the flat amount the PO stated with it (SAC05; none:
    0, not written)."""
    return replace(sac, rate=None, unit="", percent=None, amount=sac.amount or Decimal(0))


def _stated_whole(sac: PoSac, quantity: Decimal, extension: Decimal) -> Decimal | None:
    """What a ``sac`` stating SAC05 beside a percent or a rate comes to for its whole line (a line's: ``quantity``
    billed of it worth ``extension``, priced per unit as billed, x its units ordered) or heading (a percent of the
    PO's lines at its own prices, po_value; a rate for the SAC10 units it states), half up to cents; None where
    the PO's figures do not tell it (no po_value: the heading percent stays the percent)."""
    if sac.percent is not None:
        if sac.line_id is None:
            return None if sac.po_value is None else money(sac.po_value * sac.percent / 100)
        if not sac.ordered or sac.ordered <= 0 or quantity <= 0:
            return None
        return money(extension * sac.ordered / quantity * sac.percent / 100)
    if sac.rate is not None:
        units = sac.quantity if sac.quantity else sac.ordered if sac.line_id is not None else None
        return None if not units or units <= 0 else money(sac.rate * units)
    return None


def _amount_first(sac: PoSac, quantity: Decimal, extension: Decimal) -> PoSac:
    """``sac`` as X12 reads it when its SAC05 is present with SAC07 or SAC08: SAC05 takes precedence (the SAC
    segment's semantic note), so one whose percent or rate makes another amount of its whole line or heading
    (_stated_whole: 2 % of a line of 228.05 is 4.56, the PO said 4.00) is carried as the flat amount stated
    (_as_stated: prorated by units over a line's 810s, once for the heading), as engine.charge_match expects it.
    One agreeing with its percent or rate, or whose whole cannot be told, stays priced by it; a SAC05 of 0 beside
    a percent or rate is a translator's filler: the percent or rate prices it."""
    if sac.amount is None or sac.amount == 0 or (sac.percent is None and sac.rate is None):
        return sac
    whole = _stated_whole(sac, quantity, extension)
    return sac if whole is None or whole == money(sac.amount) else _as_stated(sac)


def carried(sacs: Sequence[PoSac], line_ids: Sequence[str], quantities: Sequence[Decimal],
            extensions: Sequence[Decimal], before: Mapping[str, Decimal], *, first: bool,
            units: Sequence[str] = (), shipped: Sequence[tuple[Decimal, str] | None] = ()) -> Carried:
    """The SACs of one 810 billing ``quantities`` of ``line_ids`` (``extensions`` their values; ``before``: line
    id -> units billed by earlier 810s; ``first``: no unit of the PO billed before): the module's rule.
    ``units``: each line's unit as billed (IT103; () not given: a rate applies to every unit billed); ``shipped``:
    per line None, or the units shipped of a line billed by weight (its quantity and unit, as QTY*39 states them)."""
    at = {line_id: i for i, line_id in enumerate(line_ids)}
    lines: dict[int, list[list[str]]] = {}
    summary: list[list[str]] = []
    net = Decimal(0)
    line_nets: dict[int, Decimal] = {}
    heading = {"A": Decimal(0), "C": Decimal(0)}
    merchandise = sum(extensions, Decimal(0))
    unit_of = list(units) or [""] * len(quantities)
    weighed = list(shipped) or [None] * len(quantities)
    counted = [q if w is None else w[0] for q, w in zip(quantities, weighed, strict=True)]  # units, never pounds
    for sac in sacs:
        if sac.line_id is None:
            sac = _amount_first(sac, Decimal(0), merchandise)
            per = ([_in_rate_unit(sac, q, u, w) for q, u, w in zip(quantities, unit_of, weighed, strict=True)]
                   if sac.rate is not None else counted)
            if any(n is None for n in per):
                sac = _as_stated(sac)
            q = sum((n for n in per if n is not None), Decimal(0))
            amount = heading_amount(sac, q, merchandise, first)
        elif sac.line_id in at:
            i = at[sac.line_id]
            q = counted[i]
            # (a line billed by weight is priced per pound, its units ordered cases: no whole of its percent told)
            sac = _amount_first(sac, quantities[i] if weighed[i] is None else Decimal(0), extensions[i])
            if sac.rate is not None:
                n = _in_rate_unit(sac, quantities[i], unit_of[i], weighed[i])
                if n is None and weighed[i] is None:
                    n = _as_the_po_counts(sac, quantities[i])
                if n is None:
                    sac = _as_stated(sac)
                else:
                    q = n
            amount = line_amount(sac, q, extensions[i], before.get(sac.line_id, Decimal(0)))
        else:
            continue  # a line this 810 does not bill
        if amount <= 0:
            continue
        signed = amount if sac.kind == "C" else -amount
        net += signed
        if sac.line_id is None:
            heading["C" if sac.kind == "C" else "A"] += amount
        else:
            line_nets[at[sac.line_id]] = line_nets.get(at[sac.line_id], Decimal(0)) + signed
        (summary if sac.line_id is None else lines.setdefault(at[sac.line_id], [])).append(sac_segment(sac, amount, q))
    return Carried(lines, summary, net, line_nets, heading["C"], heading["A"])


# --- which orders' stored SACs an 810 carries (the flow loads the tables, this decides) ------------------------

@dataclass(frozen=True, slots=True)
class StoredSacs:
    """One stored order file of a partner: its SACs (ORDER_SACS), its lines (po_number, order_ref, line_number,
    quantity) and the orders billed from it, as (PO, order ref) ("" for an order without its order ref)."""

    partner: str
    sacs: pa.Table
    lines: pa.Table
    orders: tuple[tuple[str, str], ...]


def orders_rows(t: pa.Table, orders: Collection[tuple[str, str]]) -> pa.Table:
    """The rows of ``t`` (po_number, order_ref) of ``orders``: (PO, order ref) pairs, a PO alone where its order
    ref is "" (an order stored without one)."""
    both = pa.array(sorted({f"{po}\x00{ref}" for po, ref in orders if ref}), pa.string())
    alone = pa.array(sorted({po for po, ref in orders if not ref}), pa.string())
    key = pc.binary_join_element_wise(t["po_number"], pc.fill_null(t["order_ref"], ""), "\x00")
    return t.filter(pc.or_(pc.is_in(key, value_set=both), pc.is_in(t["po_number"], value_set=alone)))


def stored_po_sacs(stored: Iterable[StoredSacs], invoices: Mapping[str, InvoiceSettings]
                   ) -> dict[Key, tuple[PoSac, ...]]:
    """Per order billed: the 850's own SACs its 810s carry (po_sacs: SAC12 among the partner's
    ``invoices[partner].po_allowances``; none of a kind and code its own charges bill) from each stored file's
    SACs, with its lines' units ordered and, where the lines carry their prices (unit_price, unit, price_basis),
    each PO's value at its own prices (po_value: a heading SAC05 beside a percent is judged by it)."""
    out: dict[Key, tuple[PoSac, ...]] = {}
    for f in stored:
        if not f.sacs.num_rows:
            continue
        settings = invoices[f.partner]
        picked = orders_rows(f.lines, f.orders)
        ordered = {(f.partner, po, n): q for po, n, q in zip(*(picked[c].to_pylist() for c in (
            "po_number", "line_number", "quantity")), strict=True) if q is not None}
        out.update(po_sacs(orders_rows(f.sacs, f.orders), settings.po_allowances, ordered,
                           agreed={(c.kind, c.code) for c in settings.charges}, values=_po_values(f.partner, picked)))
    return out


def _po_values(partner: str, lines: pa.Table) -> dict[Key, Decimal]:
    """(partner, PO) -> its lines' PO102 x PO104 at their PO105 basis (line_money), of ``lines`` that carry their
    prices; a PO with a line without a quantity or price has none."""
    if not all(c in lines.column_names for c in ("unit_price", "unit", "price_basis")):
        return {}
    values: dict[str, Decimal | None] = {}
    for po, q, price, unit, basis in zip(*(lines[c].to_pylist() for c in (
            "po_number", "quantity", "unit_price", "unit", "price_basis")), strict=True):
        was = values.get(po, Decimal(0))
        values[po] = None if was is None or q is None or price is None else was + line_money(q, price, unit, basis)
    return {(partner, po): v for po, v in values.items() if v is not None}


def without_orders(sacs: Mapping[Key, tuple[PoSac, ...]], orders: Collection[Key]) -> dict[Key, tuple[PoSac, ...]]:
    """``sacs`` without those of ``orders`` (the orders an 860 changed: current_po_sacs says theirs)."""
    return {k: v for k, v in sacs.items() if k not in orders}


# ORDER_SACS / CHANGE_SACS columns past PO_CHARGES' an 810 writes back (SAC09; SAC03 apart from SAC04): what the
# flow keeps of each stored SAC (engine.finance_inputs.stored_po_charges keep=) for current_po_sacs
CARRIED_COLUMNS = ("unit", "agency")


def current_po_sacs(charges: pa.Table, lines: pa.Table, invoices: Mapping[str, InvoiceSettings]
                    ) -> dict[Key, tuple[PoSac, ...]]:
    """Per order changed by an 860: the SACs its 810s carry of its current promise. ``charges``: PO_CHARGES rows
    with CARRIED_COLUMNS of those orders, the 850's SACs as the applied 860s left them (engine.finance_inputs.
    with_changes of what we accepted: a changed allowance, one added, one taken off), the very promise the
    reconciliation holds the order to; ``lines`` (partner, po_number, line_number, line_id, quantity; with
    unit_price, unit and price_basis: the order's value as changed, a heading SAC's po_value): the orders' current
    lines (a flat line amount prorated by their units ordered, a heading SAC05 beside a percent judged by the order
    as changed, both as the 860 left them). The one rule (rules.set_checks.sac_carried) by each partner's
    ``invoices`` settings; what po_sacs carries else."""
    if not charges.num_rows:
        return {}
    values: dict[Key, Decimal] = {}
    if lines.num_rows and all(c in lines.column_names for c in ("unit_price", "unit", "price_basis")):
        for partner in set(lines["partner"].to_pylist()):
            values.update(_po_values(partner, lines.filter(pc.equal(lines["partner"], partner))))
    ordered = {(p, po, line_id or str(n)): q for p, po, n, line_id, q in zip(*(lines[c].to_pylist() for c in (
        "partner", "po_number", "line_number", "line_id", "quantity")), strict=True) if q is not None}
    out: dict[Key, list[PoSac]] = {}
    for r in charges.to_pylist():
        settings = invoices.get(r["partner"])
        if settings is None or not _carried(r, settings.po_allowances, {(c.kind, c.code) for c in settings.charges}):
            continue
        agency = r.get("agency") or ""
        code = r["agency_code"] or ""  # "SAC03:SAC04" where SAC03 was sent (PO_CHARGES' agency_code)
        out.setdefault((r["partner"], r["po_number"]), []).append(PoSac(
            r["line_id"], r["kind"], r["code"] or "", r["amount"], r["basis"] or "", r["percent"], r["rate"],
            r.get("unit") or "", r["handling"] or "", r["reference"] or "", r["description"] or "", agency,
            code[len(agency) + 1:] if agency and code.startswith(agency + ":") else code,
            None if r["line_id"] is None else ordered.get((r["partner"], r["po_number"], r["line_id"])),
            r.get("quantity"), values.get((r["partner"], r["po_number"])) if r["line_id"] is None else None))
    return {k: tuple(v) for k, v in out.items()}


__all__ = ["CARRIED_COLUMNS", "Carried", "PoSac", "StoredSacs", "carried", "current_po_sacs", "heading_amount",
           "line_amount", "orders_rows", "po_sacs", "sac_segment", "stored_po_sacs", "without_orders"]
