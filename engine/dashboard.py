"""The KPI dashboard: one static, self-contained HTML page per run with charts as inline SVG
(engine.svg_charts) and the numbers beside each chart. Pure: engine.kpis.Kpis in, HTML text out; it
computes nothing (definitions live in engine.kpis) and fetches nothing (no script, no CDN).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from engine.html_page import e, page, table
from engine.kpis import ANY_RULE, SLAS, STAGES, Kpis
from engine.svg_charts import column_chart, hbar_chart


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _money(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _section(anchor: str, title: str, note: str, chart: str, numbers: str) -> str:
    return (f'<section id="{anchor}"><h2>{e(title)}</h2><p class="muted">{e(note)}</p>'
            f'<div class="chart"><figure>{chart}</figure><div>{numbers}</div></div></section>')


def render_dashboard(kpis: Kpis, *, title: str = "OrderBridge KPI dashboard", generated_at: str = "") -> str:
    partners = sorted(kpis.currency)
    volume = kpis.volume.to_pylist()
    periods = sorted({r["period"] for r in volume})
    orders = {(r["partner"], r["period"]): r for r in volume}
    fill = {r["partner"]: r for r in kpis.fill.to_pylist()}
    perfect = {r["partner"]: r for r in kpis.perfect.to_pylist()}
    cycle = {(r["partner"], r["stage"]): r for r in kpis.cycle.to_pylist()}
    sla = {(r["partner"], r["sla"]): r for r in kpis.sla.to_pylist()}
    errors = kpis.errors.to_pylist()
    charge = kpis.chargebacks.to_pylist()
    risk = {p: sum((r["amount"] for r in charge if r["partner"] == p), Decimal(0)) for p in partners}
    by_currency: dict[str, Decimal] = {}
    for p in partners:  # never summed across currencies
        by_currency[kpis.currency[p]] = by_currency.get(kpis.currency[p], Decimal(0)) + risk[p]
    cards = [
        ("card-orders", sum(r["orders"] for r in volume), "orders"),
        ("card-lines", sum(r["lines"] for r in volume), "order lines"),
        ("card-perfect", _pct(_ratio(sum(r["perfect_orders"] for r in perfect.values()),
                                     sum(r["orders_due"] for r in perfect.values()))), "perfect orders"),
        ("card-chargeback", " + ".join(f"{_money(v)} {c}" for c, v in sorted(by_currency.items())) or "0.00",
         "chargeback risk"),
    ]
    body = ['<div class="cards">' + "".join(f'<div class="card" id="{k}"><b>{e(v)}</b>{e(label)}</div>'
                                            for k, v, label in cards) + "</div>"]
    body.append(_section(
        "volume", "Order and line volume", "Distinct POs and order lines per partner, by the PO's period.",
        column_chart("Orders per period", periods,
                     [(p, [orders[(p, q)]["orders"] if (p, q) in orders else 0 for q in periods]) for p in partners],
                     chart_id="chart-volume"),
        table(["Partner", "Period", "Orders", "Lines"], ([r["partner"], r["period"], r["orders"], r["lines"]]
                                                          for r in volume), numeric=(2, 3), cls="volume")))
    body.append(_section(
        "fill", "Fill rate", "Due lines (not cancelled, due on or before the run date) shipped in full; units "
        "shipped (at most the ordered quantity) over units ordered.",
        hbar_chart("Fill rate", partners, [("lines", [fill[p]["line_fill_rate"] for p in partners]),
                                           ("units", [fill[p]["unit_fill_rate"] for p in partners])],
                   percent=True, chart_id="chart-fill"),
        table(["Partner", "Due lines", "Filled", "Line fill", "Units due", "Units filled", "Unit fill"],
              ([p, fill[p]["lines_due"], fill[p]["lines_filled"], _pct(fill[p]["line_fill_rate"]),
                f"{fill[p]['units_due']:g}", f"{fill[p]['units_filled']:g}", _pct(fill[p]["unit_fill_rate"])]
               for p in partners), numeric=range(1, 7), cls="fill")))
    body.append(_section(
        "perfect", "Perfect-order rate", "POs with a due line whose due lines all shipped in full by their due "
        "date and that have no reconciliation exception.",
        hbar_chart("Perfect orders", partners, [("perfect", [perfect[p]["perfect_order_rate"] for p in partners])],
                   percent=True, chart_id="chart-perfect"),
        table(["Partner", "POs due", "Perfect", "Rate"],
              ([p, perfect[p]["orders_due"], perfect[p]["perfect_orders"], _pct(perfect[p]["perfect_order_rate"])]
               for p in partners), numeric=(1, 2, 3), cls="perfect")))
    body.append(_section(
        "cycle", "Cycle times", "Median hours per PO: received -> first 855 sent -> first departure -> first "
        "810 sent.",
        hbar_chart("Median hours", partners, [(s, [cycle[(p, s)]["median_hours"] for p in partners])
                                              for s in STAGES], unit="h", chart_id="chart-cycle"),
        table(["Partner", "Stage", "POs", "Median h", "Mean h"],
              ([p, s, cycle[(p, s)]["orders"], _hours(cycle[(p, s)]["median_hours"]),
                _hours(cycle[(p, s)]["mean_hours"])] for p in partners for s in STAGES),
              numeric=(2, 3, 4), cls="cycle")))
    rule_rows = [r for r in errors if r["code"] != ANY_RULE]
    body.append(_section(
        "errors", "Validation error rate by partner and rule", "Share of the partner's POs with at least one "
        "error of the rule; file-level findings (no PO) are counted apart. A partner's 997, TA1 or 824 rejecting a "
        "document of ours is not an error in its input and is not counted here: the reconciliation lists it as "
        "DOCUMENT_REJECTED (exceptions), and a rejected 856 or 810 is counted under chargeback risk.",
        hbar_chart("POs with errors", [f"{r['partner']} {r['code']}" for r in errors],
                   [("rate", [r["rate"] for r in errors])], percent=True, label_width=240, chart_id="chart-errors"),
        table(["Partner", "Rule", "Findings", "POs affected", "POs received", "File-level", "Rate"],
              ([r["partner"], r["code"], r["findings"], r["orders_affected"], r["orders_received"],
                r["file_findings"], _pct(r["rate"])] for r in errors), numeric=range(2, 7), cls="errors")
        if rule_rows else "<p>No validation errors.</p>"))
    body.append(_section(
        "sla", "SLA compliance", "Our 997 and first 855 within the partner's windows, our 856 before the goods "
        "arrive, and partners' 997s for our documents within the window.",
        hbar_chart("SLA met", partners, [(s, [sla[(p, s)]["rate"] for p in partners]) for s in SLAS], percent=True,
                   chart_id="chart-sla"),
        table(["Partner", "SLA", "Met", "Measured", "Rate"],
              ([p, s, sla[(p, s)]["met"], sla[(p, s)]["measured"], _pct(sla[(p, s)]["rate"])]
               for p in partners for s in SLAS), numeric=(2, 3, 4), cls="sla")))
    body.append(_section(
        "chargebacks", "Chargeback risk", "Incidents times the penalty per incident in each partner's profile.",
        hbar_chart("Chargeback risk", partners, [("amount", [float(risk[p]) for p in partners])], decimals=2,
                   unit="", chart_id="chart-chargebacks"),
        table(["Partner", "Incident", "Incidents", "Penalty", "Amount"],
              ([r["partner"], r["incident"], r["incidents"], _money(r["penalty"]),
                f"{_money(r['amount'])} {kpis.currency[r['partner']]}"]
               for r in charge if r["incidents"] or r["penalty"]), numeric=(2, 3, 4), cls="chargebacks")))
    paid = kpis.remittance.to_pylist() if kpis.remittance is not None else []
    if paid:
        body.append(_section(
            "remittance", "Invoices paid", "Our invoices to partners who send 820 remittances or 812 adjustments, "
            "by what those say: paid, short-paid, over-paid, not paid, adjusted; and what they paid that we never "
            "invoiced.",
            "",
            table(["Partner", "Currency", "Status", "Invoices", "Invoiced", "Paid", "Difference"],
                  ([r["partner"], r.get("currency") or "", r["status"].replace("_", " "), r["invoices"],
                    _money(r["invoiced_total"] or 0), _money(r["paid"] or 0), _money(r["difference"] or 0)]
                   for r in paid), numeric=range(3, 7), cls="remittance")))
    return page(title, body, generated_at=generated_at,
                subtitle=f"As of {kpis.as_of:%Y-%m-%d %H:%M} (run clock).")


def _ratio(num: int, den: int) -> float | None:
    return None if not den else num / den
