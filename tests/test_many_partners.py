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


def _partner_row(i: int, errors: int) -> dict:
    return {"partner": f"p{i:03d}", "files": 1, "processed": 1, "quarantined": 0, "duplicates": 0, "orders": 3,
            "accepted": 3, "held": 0, "rejected": 0, "errors": errors, "warnings": 0, "delivered": 8, "failure": "",
            "documents": {"997": 1, "855": 3, "856": 2, "810": 2}}


def test_the_run_s_terminal_table_of_forty_partners_shows_those_to_look_at_and_sums_the_others(tmp_path):
    """`orderbridge run`'s closing table (flows.cli._summary_table): beyond TABLE_PARTNERS partners, a row for each
    with something for a person and one row summing the others; the problems named for at most that many."""
    import pyarrow.parquet as pq

    from flows import cli

    assert cli.TABLE_PARTNERS < 40
    rows = failure_table(findings(40))
    pq.write_table(rows, tmp_path / "failures.parquet")
    errors = {f"p{i:03d}": i % 4 + 1 for i in range(40)}
    partners = [_partner_row(i, errors[f"p{i:03d}"] if i < 35 else 0) for i in range(45)]  # 10 with none
    summary = {"run_id": "r", "partners": partners, "reports": {"failures_parquet": str(tmp_path / "failures.parquet")}}
    with cli.console.capture() as out:
        cli._summary_table(summary)
    text = out.get()
    shown = set(re.findall(r"│ (p\d{3}) ", text))
    assert shown == {f"p{i:03d}" for i in range(35)}  # every partner with an error, none of the quiet ones
    assert re.search(r"│ 10 others +│ +10 │ +10 │", text)  # their files summed
    assert re.search(r"│ 10 others(?: +│ +[\d,]+){15} +│ +80 │ +0 │ +0 │", text)  # sent 10 x 8, no errors
    assert "10 of 45 partners had nothing held, rejected, quarantined, failed or found" in text
    named = re.findall(r"^ +(p\d{3}) p\d{3}\.x12: ITEM_UNKNOWN", text, re.M)
    assert len(set(named)) == cli.TABLE_PARTNERS and f"the {cli.TABLE_PARTNERS} of 40 partners with the biggest" in text
    assert {f"p{i:03d}" for i in range(3, 40, 4)} <= set(named)  # those with the most open errors (4) among them


def test_a_few_partners_keep_every_row_of_the_terminal_table():
    from flows import cli

    summary = {"run_id": "r", "partners": [_partner_row(i, 0) for i in range(5)], "reports": {}}
    with cli.console.capture() as out:
        cli._summary_table(summary)
    assert set(re.findall(r"│ (p\d{3}) ", out.get())) == {f"p{i:03d}" for i in range(5)} and "others" not in out.get()


def test_the_console_s_partner_filters_suggest_every_partner_by_id_and_name(tmp_path):
    """Among thirty partners (and a profile that does not load) a person finds the id to filter by from part of the
    partner's name: the orders and approvals filters offer every partner (a datalist: id, name), by id."""
    import html

    from tests.support import make_workspace
    from tests.support_console import Client, ConsoleServer, add_users

    ws = make_workspace(tmp_path / "ws", partners=())
    acme = (ws.partners_dir / "acme.toml").read_text()
    for i in range(30):
        (ws.partners_dir / f"w{i:03d}.toml").write_text(acme.replace('id = "acme"', f'id = "w{i:03d}"', 1).replace(
            "ACME Retail Group", f"Wholesale & Sons {i:03d}").replace('"ACMERETAIL"', f'"WHOLESALE{i:03d}"'))
    (ws.partners_dir / "zz-broken.toml").write_text("id = ")
    add_users(ws.root)
    want = sorted([(f"w{i:03d}", f"Wholesale & Sons {i:03d}") for i in range(30)]
                  + [("acme", "ACME Retail Group"), ("globex", "Globex Wholesale"), ("initech", "Initech Supply Co"),
                     ("umbrella", "Umbrella Stores"), ("zz-broken", "")])
    with ConsoleServer(ws.root) as server:
        client = Client(server.url)
        client.sign_in("dana")
        for path in ("/orders", "/approvals"):
            status, page = client.get(path)
            assert status == 200
            assert re.search(r'<input name="partner" id="partner" value="" size="10" list="partner-ids">', page)
            datalist = re.search(r'<datalist id="partner-ids">(.*?)</datalist>', page).group(1)
            options = [(pid, html.unescape(name)) for pid, name in
                       re.findall(r'<option value="([^"]*)">([^<]*)</option>', datalist)]
            assert options == want
            assert "Wholesale &amp; Sons 007" in datalist  # escaped


def test_status_of_a_po_number_many_partners_sent_names_ten_of_them_and_counts_the_rest(tmp_path):
    """Among hundreds of partners, PO numbers repeat ("1001"): `orderbridge status` of one sent by thirteen names ten
    of them and how many there are (it named every one: a line of hundreds), and --partner picks one."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.night import InProcess, run_night
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=())
    acme = (ws.partners_dir / "acme.toml").read_text()
    sample = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_text()
    ids = ["acme", *(f"acme{i:02d}" for i in range(12))]
    for pid in ids:
        if pid != "acme":
            (ws.partners_dir / f"{pid}.toml").write_text(
                acme.replace('id = "acme"', f'id = "{pid}"', 1).replace('"ACMERETAIL"', f'"{pid.upper()}RETAIL"'))
        inbox = ws.drop_root / pid / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "po.x12").write_text(sample.replace("ACMERETAIL     ", f"{pid.upper()}RETAIL".ljust(15))
                                      .replace("ACMERETAIL", f"{pid.upper()}RETAIL"))
    run_night(str(ws.root), stages=InProcess(delays=[]), now="2026-11-27T02:00:00", use_gx=False)
    got = CliRunner().invoke(app, ["status", "ACME-1000", "-w", str(ws.root)])
    text = " ".join(got.output.split())
    assert "ACME-1000 exists for several partners (" in text and "use --partner" in text
    named = text[text.index("several partners (") + 18:text.index("): use --partner")]
    assert named == ", ".join(ids[:10]) + ", ... (13 partners)"
    one = CliRunner().invoke(app, ["status", "ACME-1000", "--partner", "acme07", "-w", str(ws.root)])
    assert one.exit_code == 0 and "acme07" in one.output and "several partners" not in one.output
