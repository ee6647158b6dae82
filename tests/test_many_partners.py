"""A night of many partners (issue 14: a wholesaler with hundreds; bench/bench_partners.py measures what one
costs): what a person reads of it must stay readable. The failures page's contents link each partner's section
only while there are few; beyond, one line names the partners with the most open errors with their counts (every
partner is still counted under By partner), a code's partners are listed up to ten and counted beyond, and every
link lands. A profile is validated once per text in a process (the night's per-partner stages each load every
profile), and a profile edited or broken since is read again."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from engine.report_failures import MOST_SHOWN, NAV_PARTNERS, failure_table, render_failures_html
from schemas.errors import ConfigError
from schemas.profile import load_profile
from schemas.reports import FINDING_ROWS

REPO = Path(__file__).resolve().parent.parent


def findings(partners: int) -> pa.Table:
    """Partner i (p000 ...) with i % 4 + 1 open errors (ITEM_UNKNOWN, one file) and, every third, a warning."""
    rows = []
    for i in range(partners):
        for k in range(i % 4 + 1 + (i % 3 == 0)):
            warning = k == i % 4 + 1
            rows.append({"id": len(rows) + 1, "run_id": "r", "stage": "decide", "partner": f"p{i:03d}",
                         "po_number": f"PO-{i}-{k}", "code": "PRICE_MISSING" if warning else "ITEM_UNKNOWN",
                         "severity": "warning" if warning else "error", "message": "m", "file": f"p{i:03d}.x12",
                         "isa13": "000000001", "gs06": "1", "st02": "0001", "segment_id": "PO1",
                         "segment_position": 7, "file_segment": None, "element": "PO107", "value": "V",
                         "line_number": 1, "loop_id": "", "consequence": "line 1: IR"})
    return pa.Table.from_pylist(rows, schema=FINDING_ROWS)


def _nav(html: str) -> list[str]:
    nav = re.search(r'<nav class="toc">(.*?)</nav>', html).group(1)
    return re.findall(r'href="#([^"]+)"', nav)


def _dangling(html: str) -> set[str]:
    ids = set(re.findall(r'id="([^"]+)"', html))
    return {h for h in re.findall(r'href="#([^"]+)"', html) if h not in ids}


def test_a_few_partners_keep_their_links_in_the_contents():
    html = render_failures_html(failure_table(findings(5)), title="t")
    assert _nav(html) == ["problems", "by-partner", "by-code", *(f"partner-p{i:03d}" for i in range(5)), "codes"]
    assert 'id="most"' not in html and not _dangling(html)


def test_thirty_partners_read_as_the_ten_with_most_open_errors_and_every_one_counted():
    assert NAV_PARTNERS < 30
    html = render_failures_html(failure_table(findings(30)), title="t")
    assert _nav(html) == ["problems", "by-partner", "by-code", "codes"]  # no wall of 30 partner links
    most = re.search(r'<p id="most">(.*?)</p>', html).group(1)
    assert "<b>30</b> partners have findings" in most
    named = re.findall(r'href="#partner-(p\d+)">\1</a> \((\d+) open(?:, (\d+) warning\(s\))?\)', most)
    assert len(named) == MOST_SHOWN
    # the most open errors first (4: partners 3, 7, 11 ...), then the warnings (every third has one), then by id
    want = sorted((-(i % 4 + 1), -(i % 3 == 0), f"p{i:03d}") for i in range(30))[:MOST_SHOWN]
    assert [(p, int(n), int(w or 0)) for p, n, w in named] == [(p, -o, -w) for o, w, p in want]
    assert named[0] == ("p003", "4", "1")
    # By partner still counts every partner; each section is there and every link lands
    by_partner = html[html.index('id="by-partner"'):html.index('id="by-code"')]
    assert len(re.findall(r'<a href="#partner-p\d+">', by_partner)) == 30
    assert all(f'id="partner-p{i:03d}"' in html for i in range(30)) and not _dangling(html)
    # a code shared by every partner names ten of them and counts the others
    by_code = html[html.index('id="by-code"'):html.index('id="partner-p000"')]
    item = by_code[by_code.index('href="#code-item-unknown"'):]
    item = item[:item.index("</tr>")]
    assert len(re.findall(r'href="#partner-', item)) == MOST_SHOWN and " and 20 more" in item


def test_a_profile_is_validated_once_per_text_and_read_again_once_edited(tmp_path):
    path = tmp_path / "acme.toml"
    text = (REPO / "partners" / "acme.toml").read_text()
    path.write_text(text)
    first = load_profile(path)
    assert load_profile(path) is first  # the same text: the same (frozen) profile, not validated again
    path.write_text(text.replace('name = "ACME Retail Group"', 'name = "ACME Retail"'))
    assert load_profile(path).name == "ACME Retail"  # edited: read again
    path.write_text(text.replace('usage = "P"', 'usage = "X"'))
    for _ in range(2):  # a broken text is refused every time, never kept
        with pytest.raises(ConfigError, match="x12.usage|usage"):
            load_profile(path)
    path.write_text(text)
    assert load_profile(path) == first
