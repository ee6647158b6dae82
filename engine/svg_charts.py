"""Charts as inline SVG, written by hand: grouped horizontal bars and grouped columns with their values
printed on them, a legend and an accessible title. No script, no library, no external reference (SVG
inlined in HTML needs no namespace). Pure string building; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#0969da", "#bf8700", "#1a7f37", "#8250df", "#cf222e", "#57606a", "#0550ae", "#953800")
Series = tuple[str, Sequence[float | None]]


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _label(value: float | None, *, percent: bool, decimals: int, unit: str) -> str:
    if value is None:
        return "n/a"
    if percent:
        return f"{value * 100:.{decimals}f}%"
    text = f"{value:,.{decimals}f}"
    return f"{text} {unit}".strip()


def _legend(series: Sequence[Series], x: int, y: int) -> list[str]:
    out = []
    for j, (name, _) in enumerate(series):
        out.append(f'<rect x="{x}" y="{y + j * 16}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                   f'<text x="{x + 14}" y="{y + j * 16 + 9}">{_e(name)}</text>')
    return out


def hbar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, percent: bool = False,
               unit: str = "", decimals: int = 1, width: int = 560, label_width: int = 160,
               max_value: float | None = None, chart_id: str = "") -> str:
    """Grouped horizontal bars: one group per category, one bar per series, the value printed after it."""
    bar, gap = 14, 10
    legend_h = 16 * len(series) + 6 if len(series) > 1 else 0
    group_h = bar * len(series) + gap
    height = 28 + legend_h + group_h * max(len(categories), 1)
    values = [v for _, vs in series for v in vs if v is not None]
    top = max_value if max_value is not None else (1.0 if percent else max(values, default=0) or 1.0)
    plot = width - label_width - 70
    out = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
           f'{f" id={_e(chart_id)!r}" if chart_id else ""} aria-label="{_e(title)}">',
           f"<title>{_e(title)}</title>",
           f'<text x="0" y="14" font-weight="600">{_e(title)}</text>']
    out += _legend(series, label_width, 24) if legend_h else []
    y0 = 28 + legend_h
    out.append(f'<line x1="{label_width}" y1="{y0 - 4}" x2="{label_width}" y2="{height - gap + 4}" stroke="#8c959f"/>')
    for i, category in enumerate(categories):
        gy = y0 + i * group_h
        out.append(f'<text x="{label_width - 6}" y="{gy + bar * len(series) / 2 + 4:.0f}" '
                   f'text-anchor="end">{_e(category)}</text>')
        for j, (name, vs) in enumerate(series):
            v = vs[i] if i < len(vs) else None
            w = 0.0 if v is None or top <= 0 else max(0.0, min(float(v) / top, 1.0)) * plot
            y = gy + j * bar
            out.append(f'<rect class="bar" x="{label_width}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}" data-series="{_e(name)}" data-category="{_e(category)}" '
                       f'data-value="{"" if v is None else v}"><title>{_e(category)}, {_e(name)}: '
                       f'{_e(_label(v, percent=percent, decimals=decimals, unit=unit))}</title></rect>')
            out.append(f'<text x="{label_width + w + 4:.1f}" y="{y + bar - 4}">'
                       f'{_e(_label(v, percent=percent, decimals=decimals, unit=unit))}</text>')
    out.append("</svg>")
    return "".join(out)


def column_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, unit: str = "",
                 decimals: int = 0, height: int = 240, column: int = 18, chart_id: str = "") -> str:
    """Grouped vertical columns (e.g. a count per period and partner), the value printed above each."""
    gap = 14
    legend_h = 16 * len(series) + 6 if len(series) > 1 else 0
    group_w = column * len(series) + gap
    width = max(40 + group_w * max(len(categories), 1) + 20, 260)
    values = [v for _, vs in series for v in vs if v is not None]
    top = max(values, default=0) or 1.0
    base = height - 24
    plot = base - (34 + legend_h) - 14
    out = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
           f'{f" id={_e(chart_id)!r}" if chart_id else ""} aria-label="{_e(title)}">',
           f"<title>{_e(title)}</title>",
           f'<text x="0" y="14" font-weight="600">{_e(title)}</text>']
    out += _legend(series, 40, 24) if legend_h else []
    out.append(f'<line x1="30" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#8c959f"/>')
    for i, category in enumerate(categories):
        gx = 40 + i * group_w
        out.append(f'<text x="{gx + column * len(series) / 2:.0f}" y="{base + 16}" text-anchor="middle">'
                   f"{_e(category)}</text>")
        for j, (name, vs) in enumerate(series):
            v = vs[i] if i < len(vs) else None
            h = 0.0 if v is None else max(0.0, float(v) / top) * plot
            x = gx + j * column
            out.append(f'<rect class="bar" x="{x}" y="{base - h:.1f}" width="{column - 2}" height="{h:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}" data-series="{_e(name)}" data-category="{_e(category)}" '
                       f'data-value="{"" if v is None else v}"><title>{_e(category)}, {_e(name)}: '
                       f'{_e(_label(v, percent=False, decimals=decimals, unit=unit))}</title></rect>')
            out.append(f'<text x="{x + (column - 2) / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">'
                       f'{_e(_label(v, percent=False, decimals=decimals, unit=""))}</text>')
    out.append("</svg>")
    return "".join(out)
