"""The discount a PO's off-invoice allowances give on each line: the 850's SACs (schemas.orders.ORDER_SACS) our 810s
take off (the partner's carried handlings, rules.set_checks.sac_carried), as a share of each line's value at its
PO104, heading ones spread over the lines by value. rules.business.money.price_findings judges a line's PO104 less
that share by the customer's approval threshold. Pure: tables in, per line shares out; no findings made here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from rules.set_checks import sac_carried
from schemas.units import priced_per

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineAllowance:
    """What a PO's carried allowances take off one line: ``share`` of its value at PO104 (0.12: 12 %), and the SACs
    that give it, as a finding names them ("C310 12 % of the PO's lines (heading, SAC12 02)")."""

    share: Decimal
    sacs: tuple[str, ...]


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _named(r: Mapping, heading: bool) -> str:
    """One SAC as a finding names it: its code (SAC02, else SAC03:SAC04), its figure and where it sits."""
    code = r["code"] or ":".join(x for x in (r.get("agency") or "", r.get("agency_code") or "") if x) or "(no code)"
    if r["amount"] is not None and r["amount"] != 0:
        what = f"{r['amount']:.2f}"
    elif r["percent"] is not None:
        what = f"{_number(r['percent'])} % of the {'PO' if heading else 'line'}"
    else:
        what = f"{_number(r['rate'])} per {r.get('unit') or 'unit'}"
    where = "heading" if heading else f"line {r['line_id'] or r['line_number']}"
    return f"{code} {what} ({where}, SAC12 {r['handling']})"


def _carried_allowances(sacs: pa.Table, settings_of) -> list[dict]:
    """The allowance rows of ``sacs`` our 810s carry (sac_carried by each partner's settings: its
    off_invoice_handlings, none of its own allowance codes)."""
    rows = sacs.filter(pc.fill_null(pc.equal(sacs["kind"], "A"), False)).to_pylist()
    out = []
    for r in rows:
        s = settings_of(r["partner"])
        priced = any(r[c] is not None for c in ("amount", "percent", "rate"))
        agency = r["agency_code"] if r.get("agency") and r.get("agency_code") else None
        if sac_carried(r["kind"], r["code"], r["handling"], priced, s.off_invoice_handlings,
                       {("A", c) for c in s.own_allowance_codes}, agency):
            out.append(r)
    return out


def line_allowances(lines: pa.Table, sacs: pa.Table | None, settings_of) -> dict[int, LineAllowance]:
    """Row of ``lines`` (ORDER_LINES, item-resolved) -> what its PO's carried allowances (``sacs``: ORDER_SACS of
    those POs) take off it: a line SAC its SAC05 (X12: SAC05 takes precedence), else its percent of the line's
    value, else its rate x SAC10 (else x PO102); a heading SAC its SAC05, else its percent of the PO's value, else
    its rate x SAC10 (else x every unit ordered), spread over the lines by their value. A PO's lines are keyed by
    partner, PO and line number; a line without PO104 has no value to share (none). ``settings_of``: partner ->
    its RuleSettings. Lines of POs with no carried allowance: absent (most)."""
    if sacs is None or not sacs.num_rows or not lines.num_rows:
        return {}
    allowances = _carried_allowances(sacs, settings_of)
    if not allowances:
        return {}
    wanted = pa.array(sorted({f"{r['partner']}\x1f{r['po_number']}" for r in allowances}), pa.string())
    key = pc.binary_join_element_wise(lines["partner"], lines["po_number"], "\x1f")
    rows = pc.indices_nonzero(pc.fill_null(pc.is_in(key, value_set=wanted), False)).to_pylist()
    cols = ["partner", "po_number", "line_number", "quantity", "unit_price", "unit", "price_basis"]
    picked = lines.select([c for c in cols if c in lines.column_names]).take(pa.array(rows, pa.int64())).to_pylist()
    per_po: dict[tuple[str, str], list[tuple[int, dict, Decimal | None]]] = {}
    for i, row in zip(rows, picked, strict=True):
        q, price = row["quantity"], row["unit_price"]
        value = None if q is None or price is None else \
            q * price / priced_per(row.get("unit"), row.get("price_basis") or "")
        per_po.setdefault((row["partner"], row["po_number"]), []).append((i, row, value))
    out: dict[int, LineAllowance] = {}
    for (partner, po), members in per_po.items():
        mine = [r for r in allowances if (r["partner"], r["po_number"]) == (partner, po)]
        total = sum((v for _i, _r, v in members if v is not None), Decimal(0))
        units = sum((r["quantity"] for _i, r, _v in members if r["quantity"] is not None), Decimal(0))
        off: dict[int, Decimal] = {}
        named: dict[int, list[str]] = {}
        for sac in mine:
            if sac["line_number"] is None:
                amount = _amount(sac, total, units)
                if amount is None or total <= 0:
                    continue
                for i, _row, value in members:
                    if value is not None and value > 0:
                        off[i] = off.get(i, Decimal(0)) + amount * value / total
                        named.setdefault(i, []).append(_named(sac, True))
                continue
            for i, row, value in members:
                if row["line_number"] != sac["line_number"] or value is None or value <= 0:
                    continue
                amount = _amount(sac, value, row["quantity"])
                if amount is not None:
                    off[i] = off.get(i, Decimal(0)) + amount
                    named.setdefault(i, []).append(_named(sac, False))
        for i, _row, value in members:
            if off.get(i) and value:
                out[i] = LineAllowance(off[i] / value, tuple(named[i]))
    return out


def _amount(sac: Mapping, value: Decimal, units: Decimal | None) -> Decimal | None:
    """A SAC's amount on what it applies to (``value``: its line's, or its PO's for a heading SAC; ``units``: the
    units ordered of it): SAC05 (taking precedence; a 0 beside a percent or rate is filler), else the percent,
    else the rate x SAC10 (else x ``units``); None: none told."""
    if sac["amount"] is not None and (sac["amount"] != 0 or (sac["percent"] is None and sac["rate"] is None)):
        return sac["amount"]
    if sac["percent"] is not None:
        return value * sac["percent"] / _HUNDRED
    if sac["rate"] is not None:
        count = sac.get("quantity") or units
        return None if count is None else sac["rate"] * count
    return None


__all__ = ["LineAllowance", "line_allowances"]
