"""A night that goes badly at scale, read as ops read it at 6 am: ACME sends one file of 10,000 POs each ordering
the same unknown item (a UPC with a wrong check digit: 10,000 GTIN_CHECK_DIGIT_INVALID, one a line, no
ITEM_UNKNOWN for the same number since opsreport2, and the orders over its credit limit), Globex one file whose
envelope is broken (IEA02 is not its ISA13), Initech 50 small files with ten kinds of problem (a zero quantity, an
unknown part, a unit that is no unit, a price off our list, a currency not agreed, a wrong SE count, an impossible
date, a CTT that does not add up, an unknown ship-to, a PO1 without an id). The night is run once for the module
(tests.support.run_night: intake, decide, ship, deliver, reports) and its failures report (HTML, CSV), its summary
and the console's run page are read.

What ops need from them: each problem once, counted, per partner, file and code, with its first example to quote
to the partner and what to do (not 10,000 alike rows); the partner's name (who to call); a page a browser opens
(its bytes and Chromium's load time printed, the page's size bounded by what it lists, not by the night); every
link landing; the sections in the order the page's own contents give; every count agreeing with the CSV's rows.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections import Counter
from datetime import datetime

import pytest

from tests.support import REPO, make_workspace, run_night, write_settled

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 2, 0)
BIG = 10_000
BAD_UPC = "614141999997"  # 12 digits whose check digit is wrong: no item has it


def acme_850s(isa13: int, pos: list[tuple[str, str]], width: int) -> bytes:
    """ACME's interchange ``isa13`` (its group the same number) of one 850 a PO of ``pos`` ((PO, the PO1's product
    ids)), one line of 12 EA at 19.70, ST02s ``width`` digits."""
    segs = ["ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*"
            f"{isa13:09d}*0*P*>",
            f"GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*{isa13}*X*004010"]
    for k, (po, ids) in enumerate(pos, 1):
        st = f"{k:0{width}d}"
        body = [f"BEG*00*SA*{po}**20261126", "CUR*BY*USD", "ITD*08*3*2**10**30", "DTM*010*20261210",
                "N1*ST*Acme Distribution Center*92*DC01", f"PO1*1*12*EA*19.70*PE*{ids}", "CTT*1*12"]
        segs += [f"ST*850*{st}", *body, f"SE*{len(body) + 2}*{st}"]
    segs += [f"GE*{len(pos)}*{isa13}", f"IEA*1*{isa13:09d}"]
    return "".join(s + "~\n" for s in segs).encode()


def acme_big() -> bytes:
    return acme_850s(50001, [(f"BIG-{k:05d}", f"UP*{BAD_UPC}") for k in range(1, BIG + 1)], 5)


GLOBEX_BROKEN = (b"ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261126|0200|^|00501|"
                 b"000002077|0|P|:~GS|PO|GLOBEXWHS|ORDERBRIDGE|20261126|0200|2077|X|005010~ST|850|0001~BEG|00|SA|GLOBEX-2077||20261126~"
                 b"PO1|1|12|EA|19.11|PE|BP|GX770000~CTT|1|12~SE|5|0001~GE|1|2077~IEA|1|000002078~")

INITECH_PROBLEMS = (  # (what the template says, what file k says instead)
    ("PO1^1^6^EA^12.39", "PO1^1^0^EA^12.39"), ("INI/008", "INI/999"), ("^24^EA^3.47", "^24^ZZ^3.47"),
    ("12.39", "59.39"), ("CUR^BY^USD", "CUR^BY^EUR"), ("SE^12^0001", "SE^13^0001"),
    ("20261126\nCUR^BY^CAD", "20261341\nCUR^BY^CAD"), ("^6^EA^9.39", "^7^EA^9.39"),
    ("N1^ST^Initech Toronto^92^T1", "N1^ST^Initech Nowhere^92^X9"), ("^BP^INI/001", "^^"))


def initech(k: int) -> bytes:
    n = 4000 + k
    text = ((REPO / "sample_files" / "drops" / "initech" / "initech-po-01.x12").read_text()
            .replace("000003001", f"{n:09d}").replace("^3001^", f"^{n}^").replace("GE^2^3001", f"GE^2^{n}")
            .replace("INITECH-3000", f"INI-{k:02d}-A").replace("INITECH-3001", f"INI-{k:02d}-B"))
    was, now = INITECH_PROBLEMS[k % len(INITECH_PROBLEMS)]
    assert was in text
    return text.replace(was, now).encode()


@pytest.fixture(scope="module")
def night(tmp_path_factory) -> dict:
    ws = make_workspace(tmp_path_factory.mktemp("opsreport") / "ws", partners=())
    for pid in ("acme", "globex", "initech"):
        (ws.drop_root / pid / "inbox").mkdir(parents=True)
    write_settled(ws.drop_root / "acme" / "inbox" / "acme-big.x12", acme_big())
    write_settled(ws.drop_root / "globex" / "inbox" / "globex-envelope.x12", GLOBEX_BROKEN)
    for k in range(50):
        write_settled(ws.drop_root / "initech" / "inbox" / f"initech-{k:02d}.x12", initech(k))
    started = time.process_time()
    run_id = run_night(ws, NOW)
    print(f"\nthe night: {time.process_time() - started:.1f} s CPU in this process")
    folder = ws.reports_dir / run_id
    text = (folder / "failures.csv").read_bytes().decode("utf-8-sig")
    return {"ws": ws, "run_id": run_id, "folder": folder, "html": (folder / "failures.html").read_text("utf-8"),
            "summary_html": (folder / "summary.html").read_text("utf-8"),
            "rows": list(csv.DictReader(io.StringIO(text)))}


def section(page: str, start: str, end: str) -> str:
    return page[page.index(f'id="{start}"'):page.index(f'id="{end}"')]


def cells(part: str) -> list[list[str]]:
    """The body rows of the first table in ``part`` as the text of their cells."""
    body = part[part.index("<tbody>"):part.index("</tbody>")]
    return [[" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_each_problem_is_one_row_per_partner_and_code_with_its_files_count_and_first_example(night):
    """(opsgroup: one row per partner and code, its files named; it was one per partner, file and code, so Initech's
    50 files of one problem each were 50 rows of one finding.)"""
    rows = night["rows"]
    part = section(night["html"], "problems", "by-partner")
    problems = cells(part)
    # one row per (partner, code): as many as the CSV has such groups, and their counts are the CSV's
    groups = Counter((r["partner"], r["code"]) for r in rows)
    assert len(problems) == len(groups)
    got = {(p[0].split(" (")[0], p[2]): int(p[3]) for p in problems}
    assert got == dict(groups)
    # each row names its files: one file by its name; several by how many, every one with its findings there
    body = re.findall(r"<tr>(.*?)</tr>", part[part.index("<tbody>"):], re.S)
    for p, row in zip(problems, body, strict=True):
        files = Counter(r["file"] for r in rows if r["partner"] == p[0].split(" (")[0] and r["code"] == p[2])
        if len(files) == 1:
            assert p[1] == next(iter(files))
        else:
            assert p[1].startswith(f"in {len(files):,} files: ")
            assert dict((f, int(k)) for f, k in re.findall(r"<li>([^<:]+): ([\d,]+)</li>", row)) == dict(files)
    # one bad UPC, one problem: its check digit (an ITEM_UNKNOWN of the same number said nothing more)
    assert not [p for p in problems if p[1] == "acme-big.x12" and p[2] == "ITEM_UNKNOWN"]
    unknown = next(p for p in problems if p[1] == "acme-big.x12" and p[2] == "GTIN_CHECK_DIGIT_INVALID")
    assert unknown[:6] == ["acme (ACME Retail Group)", "acme-big.x12", "GTIN_CHECK_DIGIT_INVALID", str(BIG), str(BIG),
                           f"{BIG:,} open error(s)"]
    # the first example: the file's first PO, where and what it sent, the message; what happened; what to do
    assert unknown[6].startswith(f"PO BIG-00001 · line 1 · PO1@7 PO107 {BAD_UPC} UP '{BAD_UPC}' is not a valid "
                                 "UPC/GTIN/EAN"), unknown[6]
    assert unknown[7] == "order rejected (855 RD)"
    assert "ask the partner to correct it" in unknown[8]
    # in the order of the sections below: partner, then where each problem first occurs (the credit limit is
    # first exceeded at the 159th PO); the broken envelope is a problem of its own, quoted as sent
    assert [p[0].split(" (")[0] for p in problems] == sorted(p[0].split(" (")[0] for p in problems)
    acme = [p[2] for p in problems if p[0].startswith("acme")]
    assert acme == ["GTIN_CHECK_DIGIT_INVALID", "CREDIT_LIMIT_EXCEEDED"]
    assert next(p for p in problems if p[2] == "CREDIT_LIMIT_EXCEEDED")[6].startswith("PO BIG-00159 · BEG BEG03")
    envelope = next(p for p in problems if p[2] == "IEA_CONTROL_MISMATCH")
    assert envelope[:5] == ["globex (Globex Wholesale)", "globex-envelope.x12", "IEA_CONTROL_MISMATCH", "1", "0"]
    assert envelope[6].startswith("IEA IEA02 000002078 IEA02 '000002078' does not equal ISA13 '000002077'")
    # Initech's 50 files: every file named under its problems, each kind of them named
    initech = [row for p, row in zip(problems, body, strict=True) if p[0].startswith("initech")]
    named = {f for row in initech for f in re.findall(r"<li>([^<:]+): [\d,]+</li>", row)}
    assert named == {f"initech-{k:02d}.x12" for k in range(50)}
    assert {"QTY_NOT_POSITIVE", "ITEM_UNKNOWN", "UNIT_NOT_CONVERTIBLE", "CURRENCY_MISMATCH", "SE_COUNT_MISMATCH",
            "ELEMENT_INVALID_DATE", "CTT_QUANTITY_MISMATCH", "SHIP_TO_UNKNOWN", "ITEM_ID_MISSING"} <= {
        p[2] for p in problems if p[0].startswith("initech")}


def test_the_partner_to_call_is_named_in_its_section(night):
    page = night["html"]
    for pid, name in (("acme", "ACME Retail Group"), ("globex", "Globex Wholesale"), ("initech", "Initech Supply Co")):
        head = page.index(f'id="partner-{pid}"')
        assert f'<p class="who">{name}: ' in page[head:head + 400]


def test_every_link_of_the_summary_and_the_failures_report_lands(night):
    ids = set(re.findall(r'id="([^"]+)"', night["html"]))
    own = [h[1:] for h in re.findall(r'href="(#[^"]*)"', night["html"])]
    assert own and not [h for h in own if h not in ids]
    into = re.findall(r'href="failures\.html#([^"]*)"', night["summary_html"])
    assert into  # Umbrella has no finding this night: no section, so no link to one
    assert not [h for h in into if h not in ids]
    assert "partner-umbrella" not in into and ">umbrella</td>" in night["summary_html"]
    files = [h for h in re.findall(r'href="([^"#]+)"', night["html"] + night["summary_html"])]
    assert files and all((night["folder"] / f).is_file() for f in files)


def test_the_counts_agree_with_the_rows(night):
    import json

    rows, page = night["rows"], night["html"]
    summary = json.loads((night["folder"] / "summary.json").read_text())
    assert summary["totals"]["findings"] == len(rows) > 2 * BIG - 200
    for p in summary["partners"]:
        mine = [r for r in rows if r["partner"] == p["partner"]]
        assert (p["findings"], p["errors"], p["warnings"]) == (
            len(mine), sum(r["severity"] == "error" for r in mine), sum(r["severity"] == "warning" for r in mine))
    errors = sum(r["severity"] == "error" for r in rows)
    assert f"<b>{len(rows):,}</b> finding(s): <b>{errors:,}</b> open error(s)" in page
    # the page lists at most its limit of rows one by one and says how many more it counted
    from engine.report_failures import LIMIT

    # (opsreport3: alike findings are one row, "N finding(s) in M PO(s)"; the others one row each)
    alike = [int(n.replace(",", "")) for n in re.findall(r"<td>([\d,]+) finding\(s\) in [\d,]+ PO\(s\)</td>", page)]
    listed = page.count("</td><td><code>") - len(alike)  # a listed finding's value cell (a group's has one too)
    more = sum(int(n.replace(",", "")) for n in re.findall(r"<h3>([\d,]+) more finding\(s\) not listed", page))
    assert listed + len(alike) <= LIMIT and listed + sum(alike) + more == len(rows)


def test_the_console_run_page_counts_each_file_s_findings_as_the_report_does(night):
    from tests.support_console import Client, ConsoleServer, add_users

    add_users(night["ws"].root)
    with ConsoleServer(night["ws"].root) as server:
        client = Client(server.url)
        client.sign_in("dana")
        status, page = client.get(f"/runs/{night['run_id']}")
    assert status == 200
    shown = {(r[0], r[1]): (r[5], r[6]) for r in cells(page[page.index('id="files"'):])}
    per_file = Counter((r["partner"], r["file"], r["severity"]) for r in night["rows"])
    assert len(shown) == 52
    for (partner, file), (errors, warnings) in shown.items():
        want = per_file[partner, file, "error"], per_file[partner, file, "warning"]
        assert (errors, warnings) == (f"{want[0]:,}", f"{want[1]:,}")
    assert shown["acme", "acme-big.x12"][0] == "19,842"  # not the intake's 0 errors of a file whose envelope is fine


def test_the_page_opens_in_chromium_with_its_sections_in_order(night):
    from tests.support_browser import Browser, artifact

    page = night["folder"] / "failures.html"
    size = page.stat().st_size
    with Browser() as browser:
        started = time.monotonic()
        browser.open(page)
        while not browser.run("return document.readyState === 'complete' && !!document.getElementById('codes')"):
            time.sleep(0.05)
        facts = browser.run("""
            return {rows: document.querySelectorAll('tr').length,
                    load: performance.getEntriesByType('navigation')[0].loadEventEnd,
                    resources: performance.getEntriesByType('resource').length,
                    nav: Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href').slice(1)),
                    order: Array.from(document.querySelectorAll('h2[id]')).map(h => h.id),
                    missing: [...new Set(Array.from(document.querySelectorAll('a[href^="#"]')).map(
                        a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id)))]};""")
        opened = time.monotonic() - started
        browser.screenshot(artifact("opsreport-failures.png"))
    print(f"\nfailures.html: {size:,} bytes, {facts['rows']:,} table rows, opened in {opened:.2f} s "
          f"(load event at {facts['load']:.0f} ms); failures.csv: "
          f"{(night['folder'] / 'failures.csv').stat().st_size:,} bytes, {len(night['rows']):,} rows")
    assert facts["resources"] == 0 and facts["missing"] == []
    assert size < 2_000_000  # bounded by the rows it lists (LIMIT) and the problems, not by the night's 30,000
    # the contents list the sections in the order the page has them, the problems first
    assert facts["nav"][0] == "problems" and facts["nav"][-1] == "codes"
    assert [s for s in facts["order"] if s in facts["nav"]] == facts["nav"]


def test_the_run_s_own_output_names_each_partner_s_biggest_problem_with_its_first_example(night):
    """`orderbridge run` ends with its table (flows.cli._summary_table, the summary it returns: the report paths
    absolute): under it each partner's biggest problem, then the next biggest, counted, with the first example."""
    import json

    from flows import cli

    summary = json.loads((night["folder"] / "summary.json").read_text())
    summary["reports"] = {k: str(night["folder"] / v) for k, v in summary["reports"].items()}
    with cli.console.capture() as out:
        cli._summary_table(summary)
    text = " ".join(out.get().split())
    groups = len({(r["partner"], r["file"], r["code"]) for r in night["rows"]})
    assert f"problems to act on: {groups:,} (a code in a file)" in text
    said = re.findall(r"(acme|globex|initech) (\S+): ([A-Z0-9_]+) ([\d,]+) finding\(s\) in ([\d,]+) order\(s\), "
                      r"first (.*?)(?= (?:acme|globex|initech) \S+: [A-Z]| summary:)", text)
    assert [s[0] for s in said[:3]] == ["acme", "globex", "initech"] and len(said) == 5
    assert said[0] == ("acme", "acme-big.x12", "GTIN_CHECK_DIGIT_INVALID", f"{BIG:,}", f"{BIG:,}",
                       f"PO BIG-00001 · line 1 · PO1@7 PO107 · {BAD_UPC}")
    assert said[1][:4] == ("globex", "globex-envelope.x12", "IEA_CONTROL_MISMATCH", "1")
    assert said[1][5] == "IEA IEA02 · 000002078"
    assert {s[2] for s in said[3:]} == {"ITEM_ID_MISSING", "CREDIT_LIMIT_EXCEEDED"}  # the next biggest: acme's and
    # initech's (one bad UPC is one finding a line: acme's next is its credit limit)
    rows = Counter((r["partner"], r["file"], r["code"]) for r in night["rows"])
    assert all(int(s[3].replace(",", "")) == rows[s[0], s[1], s[2]] for s in said)  # as many as the CSV has
