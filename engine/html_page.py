"""The page shell shared by the run reports, the finance report and the KPI dashboard: self-contained
HTML (inline CSS, no script, nothing fetched: they must read the same offline), every value escaped
on the way in. Pure string building; the callers pass their sections and the run clock's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

STYLE = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--accent:#0969da;--bad:#cf222e;--warn:#9a6700;
--good:#1a7f37}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:78rem;color:var(--ink);
padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid var(--ink);padding-bottom:.2rem}
h3{margin:1.4rem 0 .4rem}p.lead{color:var(--muted);margin-top:0}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.88rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.neg{color:var(--bad)}small,.muted{color:var(--muted)}code{font-size:.85em;white-space:nowrap}
nav ul{columns:3;padding-left:1.2rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.8rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;min-width:10rem;background:#fff}
.card b{display:block;font-size:1.3rem}
.chart{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.chart figure{margin:0}.chart figcaption{font-size:.85rem;color:var(--muted)}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:var(--ink)}
.state-open{color:var(--bad);font-weight:600}.state-explained{color:var(--warn)}.state-resolved{color:var(--good)}
"""


def e(value: object) -> str:
    """Escaped text (None reads empty)."""
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: Iterable[str], *, generated_at: str = "", subtitle: str = "", style: str = "") -> str:
    """The whole page; ``style`` is CSS added after the shared STYLE (trusted: never partner text)."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{STYLE}{style}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    lead = " ".join(x for x in (subtitle, f"Generated {generated_at}." if generated_at else "") if x)
    if lead:
        head.append(f'<p class="lead">{e(lead)}</p>')
    return "\n".join([*head, *body, "</body></html>"])


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, numeric: Sequence[int] = (),
          cls: str = "", raw: Sequence[int] = ()) -> str:
    """An HTML table; columns in ``numeric`` are right-aligned, columns in ``raw`` are already HTML."""
    num = set(numeric)
    out = [f'<table{f" class={e(cls)!r}" if cls else ""}><thead><tr>']
    out += [f'<th{" class=num" if i in num else ""}>{e(h)}</th>' for i, h in enumerate(headers)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = str(value) if i in raw else e(value)
            negative = i in num and isinstance(value, str) and value.startswith("-")
            klass = " class=\"num neg\"" if negative else (" class=num" if i in num else "")
            cells.append(f"<td{klass}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def anchor(*parts: object) -> str:
    """An id usable in href="#..." built from the parts (letters, digits and dashes only)."""
    text = "-".join(str(p) for p in parts)
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower() or "x"
