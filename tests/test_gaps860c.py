"""Gaps the gaps860b round (860 changes) and the transport round (how our files travel) left alone: an 860 that
changes only the sales requirement (CSH) decides the order again; a per-hundred price in another unit in an 860's
changed line; `orderbridge partner check` shows where and how each document travels; a warehouse profile's
[delivery]; the two-day wait of an 860 for its 850 as ops see it. Built on rg38's Princess Auto (tests/fixtures/rg38)
and this file's own inputs (tests/fixtures/gaps860c/)."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from tests.retailer_support import findings_and_states, of_its_own, po_segments, segments
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "gaps860c"
RG38 = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT, CHANGE_NIGHT = datetime(2026, 11, 25, 2), datetime(2026, 11, 26, 2)
PA_PO = "pa-850-PA0099412.x12"


# 1. an 860 that changes only the sales requirement ------------------------------------------------------------------


def _pa_860(body: list[str]) -> str:
    """Princess Auto's 860 (005010, BCH01 04) changing PA0099412: ``body``, its segments between BCH and CTT."""
    segs = ["ST*860*0001", "BCH*04*NE*PA0099412***20261124****20261125", *body,
            f"CTT*{sum(1 for s in body if s.startswith('POC*'))}"]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return "~\n".join(["ISA*00*          *00*          *ZZ*PRINCESSAUTO   *ZZ*ORDERBRIDGE    *261125*1015*^*00501*"
                       "000099413*0*P*>", "GS*PC*PRINCESSAUTO*ORDERBRIDGE*20261125*1015*99413*X*005010", *segs,
                       "GE*1*99413", "IEA*1*000099413"]) + "~\n"


def _pa_changed(tmp_path, body: list[str], *, heading: str = ""):
    """PA0099412 (line 1: 60 straps in stock; line 2: 36 hitch pin sets, 20 in stock, 100 due 12-03), its 850 with
    ``heading`` (a CSH) after FOB, decided on 11-25; its 860 with ``body`` on 11-26: (the 11-25 answer's and the
    11-26 answer's ACK segments per PO1, the stored findings' codes and messages, the order's lines)."""
    from connectors.snapshots import write_receipts
    from connectors.state import StateStore
    from schemas.inventory import EXPECTED_RECEIPTS

    fixtures = tmp_path / "rg38"
    shutil.copytree(RG38, fixtures)
    po = fixtures / "drops" / "princessauto" / PA_PO
    if heading:
        sent = po.read_text(encoding="utf-8")
        assert sent.count("FOB*PP~") == 1 and "SE*18*0001" in sent
        po.write_text(sent.replace("FOB*PP~", f"FOB*PP~\n{heading}~").replace("SE*18*0001", "SE*19*0001"),
                      encoding="utf-8")
    stock = fixtures / "stock.csv"
    stock.write_text(stock.read_text(encoding="utf-8").replace("EAST,ODR-3812,6000,", "EAST,ODR-3812,20,"),
                     encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES)
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(
        {"warehouse": ["EAST"], "sku": ["ODR-3812"], "quantity": [100], "eta": [date(2026, 12, 3)]},
        schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)
    (ws.drop_root / "princessauto" / "inbox" / "pa-860-PA0099412.x12").write_text(_pa_860(body), encoding="utf-8")
    run_stages(ws, CHANGE_NIGHT)
    sent = segments(ws, "princessauto", "855")
    starts = [k for k, s in enumerate(sent) if s[0] == "ST"]
    answers = []
    for k in starts:
        doc = po_segments(sent[k:], "PA0099412", "BAK")
        acks: dict[str, list[list[str]]] = {}
        line = None
        for s in doc:
            if s[0] == "PO1":
                line = s[1]
            elif s[0] == "ACK" and line:
                acks.setdefault(line, []).append(s[1:6])
        answers.append((doc[0][1], acks))
    found, _states = findings_and_states(ws)
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("princessauto", "PA0099412")}
    finally:
        state.close()
    return answers, found, lines


def test_an_860_heading_csh_n_alone_cuts_the_back_order_of_an_order_not_shipped(tmp_path):
    """The 850 takes back orders (no CSH): line 2's 16 short are back ordered (IB, due 12-03). The 860's heading
    says CSH*N and nothing else: the order is decided again as a CSH*N PO, its revised 855 (BAK01 05) answers line 2
    IQ 20 + IR 16, the back order gone. The heading CSH used to be named CHANGE_HEADER_NOT_APPLIED ("check by
    hand") and the 16 stayed back ordered."""
    answers, found, lines = _pa_changed(tmp_path, ["CSH*N"])
    (_first, before), (purpose, after) = answers
    assert before["2"] == [["BP", "20", "EA", "068", "20261125"], ["IB", "16", "EA", "068", "20261203"]]
    assert purpose == "05" and after["2"] == [["IQ", "20", "EA", "068", "20261126"], ["IR", "16", "EA"]]
    assert after["1"] == [["IA", "60", "EA", "068", "20261126"]]
    codes = [c for c, _m in found]
    assert "CHANGE_HEADER_NOT_APPLIED" not in codes
    assert ("CHANGE_HEADER_APPLIED", "The 860's heading changed PO PA0099412: CSH01 (none) -> N. The order was "
            "decided again with them.") in found
    assert (lines[2].allocated, lines[2].backordered, lines[2].rejected) == (20, 0, 16)


def test_an_860_poc_csh_n_alone_cuts_that_line_s_back_order(tmp_path):
    """The 860 restates line 2 unchanged (POC02 NC) with CSH*N in its loop: the line's own rule now takes no back
    order, so it is decided again (IQ 20 + IR 16), the finding naming the line's own rule. The line was left as it
    was ("changed no line; nothing to answer"): its CSH stored nowhere, its 16 back ordered."""
    answers, found, lines = _pa_changed(tmp_path, ["POC*2*NC*36**EA*3.9**VP*ODR-3812*BP*8374438", "CSH*N"])
    (_first, before), (purpose, after) = answers
    assert before["2"][1][0] == "IB"
    assert purpose == "05" and after["2"] == [["IQ", "20", "EA", "068", "20261126"], ["IR", "16", "EA"]]
    [short] = [m for c, m in found if c == "STOCK_SHORT_REJECTED"]
    assert "the line takes no backorder (its own sales requirement N" in short
    assert (lines[2].backordered, lines[2].rejected) == (0, 16)


def test_an_860_heading_csh_sc_holds_the_whole_order_to_ship_complete(tmp_path):
    """The 860's heading says CSH*SC (ship complete): line 1, in stock, no longer ships on its own on 11-26; every
    line is promised for 12-03, when line 2's receipt completes the order, exactly as an 850 saying CSH*SC is
    answered (the same PO sent so, below)."""
    answers, _found, lines = _pa_changed(tmp_path / "changed", ["CSH*SC"])
    (_first, before), (_purpose, after) = answers
    assert before["1"] == [["IA", "60", "EA", "068", "20261125"]]
    assert after["1"] == [["IA", "60", "EA", "068", "20261203"]]
    assert after["2"] == [["IB", "36", "EA", "068", "20261203"]]
    assert lines[1].promised_date == date(2026, 12, 3)
    [(_p, as_850)] = _pa_changed(tmp_path / "sent", [], heading="CSH*SC")[0][:1]
    assert as_850 == after


def test_an_860_heading_csh_y_takes_back_orders_the_po_refused(tmp_path):
    """The 850 says CSH*N: line 2's 16 short are refused (IR). The 860's heading says CSH*Y (back order if out of
    stock): decided again, the 16 are back ordered for 12-03 (BP 20 + IB 16)."""
    answers, found, lines = _pa_changed(tmp_path, ["CSH*Y"], heading="CSH*N")
    (_first, before), (_purpose, after) = answers
    assert before["2"] == [["IQ", "20", "EA", "068", "20261125"], ["IR", "16", "EA"]]
    assert after["2"] == [["BP", "20", "EA", "068", "20261126"], ["IB", "16", "EA", "068", "20261203"]]
    assert any(c == "CHANGE_HEADER_APPLIED" and "CSH01 N -> Y" in m for c, m in found)
    assert (lines[2].backordered, lines[2].rejected) == (16, 0)


def test_an_860_csh_n_on_a_line_shipped_short_cancels_its_balance_as_a_short_shipment_would(tmp_path):
    """Princess Auto's PA0099412 (no CSH: back orders taken) shipped short on 12-01 (40 of 60 of line 1, 20 of 36
    of line 2, the rest reserved to ship). On 12-02 an 860 restates line 1 (NC) with CSH*N: line 1 now takes no
    back order, so its 20 not shipped are cancelled and their reservation released, as engine.lifecycle.balance
    cancels a CSH*N line's balance after a short shipment; line 2 keeps its 16. The rule used to be stored with the
    line (a revision, "changed after shipment") and the 20 stayed reserved to ship (a strict xfail until change3:
    engine.lifecycle.changes._Step._rule_cut runs balance.balance_lines from the change step)."""
    from connectors.state import StateStore
    from tests.retailer_support import variant_night
    from tests.test_gaps860b import PA_NIGHT, PA_SHIP_DAY, PA_SHORT

    ws, _found, _states = variant_night(RG38, "princessauto", "PA0099412", tmp_path, [], warehouses=WAREHOUSES,
                                        night=PA_NIGHT, ship_day=PA_SHIP_DAY, shipped_swaps=PA_SHORT)
    (ws.drop_root / "princessauto" / "inbox" / "pa-860-PA0099412.x12").write_text(
        _pa_860(["POC*1*NC*60**EA*7.35**VP*ODR-3811*BP*8374421", "CSH*N"]), encoding="utf-8")
    run_stages(ws, datetime(2026, 12, 2, 2))
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("princessauto", "PA0099412")}
        held: dict[int, int] = {}
        for r in state.order_reservations("princessauto", "PA0099412"):
            held[r.line_number] = held.get(r.line_number, 0) + r.quantity
    finally:
        state.close()
    assert lines[1].shipped == 40 and lines[1].allocated + lines[1].backordered == 40
    assert held == {2: 16}


@pytest.mark.parametrize("csh, named", [("CSH*N", False), ("CSH*N**50000", True), ("CSH**Y", True)],
                         ids=["csh01-alone", "with-a-limit", "no-csh01"])
def test_a_heading_csh_is_named_not_applied_only_for_what_is_not_applied(csh, named):
    """rules.set_checks: the first heading CSH sending CSH01 alone is applied (not CHANGE_HEADER_NOT_APPLIED); one
    with a limit (CSH03) or without CSH01 is still named for a person. The parser reads CSH01 into CHANGE_HEADERS
    sales_requirement."""
    from parsers.orders_860 import read_changes
    from rules.structure import check_structure
    from tests.changes.builders import parse_860, sets_860, x12_860

    result = parse_860(x12_860(["BCH*04*SA*PO-1**20261126", csh, "POC*1*NC*12*0*EA*19.70**VN*VP-1001", "CTT*1"]))
    headers, _ = read_changes(result, sets_860(result), partner="acme")
    found = [f.code for f in check_structure(result, sets_860(result))]
    assert ("CHANGE_HEADER_NOT_APPLIED" in found) is named
    assert headers["sales_requirement"].to_pylist() == ["N" if csh.startswith("CSH*N") else None]


# 2. a price per hundred, thousand or dozen of another unit than the line's ------------------------------------------

EACHES = {"EA": 1, "CA": 12, "DZ": 12}  # ACME's PO-1 line 1 (tests/changes/builders): 12 EA at 2.50; a case holds 12


def _changed(*pocs: str):
    """(the 865's POC and ACK segments, line 1 as stored after: quantity, unit, price, basis) for ACME's 860 of PO-1
    with ``pocs`` (tests/changes/builders)."""
    from engine.changes import apply_changes
    from engine.po_change_ack import build_865
    from tests.changes.builders import live_order, read_change

    order, lines = live_order()
    header, changes = read_change(list(pocs))
    result = apply_changes(order, lines, header, changes, shipped=False,
                           unit_eaches=lambda _n, unit, _row: EACHES.get(unit))
    body = build_865(header, result, today=CHANGE_NIGHT.date())
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    return ([s for s in body if s[0] in ("POC", "ACK")],
            (line["quantity"], line["unit"], line["unit_price"], line["price_basis"]))


@pytest.mark.parametrize("pocs", [("POC*1*PC***CA*3600*HP",), ("POC*1*PC***CA*36000*TP",),
                                  ("POC*1*PC***CA", "CTP**UCP*3600******HP")], ids=["poc07-hp", "poc07-tp", "ctp09-hp"])
def test_a_price_per_hundred_cases_on_a_line_in_eaches_is_the_case_price_restated_per_each(pocs):
    """3600 per hundred cases (POC07 HP, or 36000 per thousand, TP; or a CTP09 HP) on a line of 12 EA, a case
    holding 12: 36 per case, 3.00 per each stored, the 865 echoing 36 per CA (no basis: per POC05's unit) and
    answering 1 CA, as a price sent per case without a basis is (tests/test_gaps860b.py). It used to be restated
    "36 PE" and stored at 36.00 per each: twelve times the price, per each of the case."""
    segs, stored = _changed(*pocs)
    assert segs[0][5:8] == ["CA", "36", ""] and segs[1] == ["ACK", "IP", "1", "CA"]
    assert stored == (Decimal(12), "EA", Decimal(3), "PE")


def test_a_price_per_dozen_dozens_is_the_dozen_s_price_restated_per_each():
    """36 per dozen (PD) of POC05 DZ: 3.00 per DZ, 0.25 per EA of the line (a dozen of 12). It used to be stored at
    3.00 per EA."""
    segs, stored = _changed("POC*1*PC***DZ*36*PD")
    assert segs[0][5:8] == ["DZ", "3", ""] and segs[1] == ["ACK", "IP", "1", "DZ"]
    assert stored[2:] == (Decimal("0.25"), "PE")


def test_a_price_per_hundred_eaches_is_still_per_each():
    """POC05 EA (the line's unit, an each): 300 per hundred is 3.00 PE, echoed so, as before."""
    segs, stored = _changed("POC*1*PC***EA*300*HP")
    assert segs == [["POC", "1", "PC", "", "", "EA", "3", "PE"], ["ACK", "IP", "12", "EA"]]
    assert stored == (Decimal(12), "EA", Decimal(3), "PE")


def test_a_line_restated_in_cases_at_a_price_per_hundred_cases_is_priced_per_case():
    """RZ moves line 1 (12 EA at 2.50 PE) to 2 CA at 3600 per hundred cases: 36 per CA, with no basis (per the
    line's unit, CA). The line's old PE was kept: 36 "per each" of a case of 12, 432 a case."""
    segs, stored = _changed("POC*1*RZ*2**CA*3600*HP*UP*073000040482*VN*SKU-1")
    assert segs[0][3:8] == ["2", "", "CA", "36", ""] and segs[1] == ["ACK", "IC", "2", "CA"]
    assert stored == (Decimal(2), "CA", Decimal(36), None)


# 3. `orderbridge partner check` says where and how each document travels ------------------------------------------

from tests.test_partner_check import ready  # noqa: E402,F401  (the onboarding guide's workspace, ready to run)

DELIVERY = ('batch = "document"\n'
            'file_name = "{type}_{partner}_{date}{time}_{isa13:09d}.edi"\n'
            'file_names = { "855" = "POACK_{po}_{isa13:09d}.txt" }\n'
            'folders = { "855" = "acks", "997" = "fa/in" }\n'
            'upload = "staging"\n'
            'staging_folder = "work"\n')


def _delivery(ws) -> tuple[int, list[str]]:
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["partner", "check", "northwind", "-w", str(ws)])
    return res.exit_code, [line for line in res.stdout.splitlines() if line.startswith("delivery: ")]


def test_partner_check_names_each_document_s_file_and_folder_and_the_upload(ready):  # noqa: F811
    """The guide's Northwind (receives 997, TA1, 855, 865) with a [delivery] naming every X12 file by one pattern, its
    855s by their own, 855s and 997s in folders of their own, staged uploads: `partner check` prints one example name
    per document type in its folder, the upload mode and what the examples were made of, the same on every run.
    It printed nothing of them: a wrong folder or pattern was found when the partner's poller missed the files."""
    profile = ready / "partners" / "northwind.toml"
    text = profile.read_text(encoding="utf-8")
    start = text.index("[delivery]\n") + len("[delivery]\n")
    end = text.index("\n[", start) + 1
    profile.write_text(text[:start] + DELIVERY + text[end:], encoding="utf-8")
    code, lines = _delivery(ready)
    assert code == 0
    assert lines == [
        "delivery: 997: outbox/fa/in/997_northwind_20260102030405_000000001.edi",
        "delivery: TA1: outbox/TA1_northwind_20260102030405_000000001.edi",
        "delivery: 855: outbox/acks/POACK_PO12345_000000001.txt",
        "delivery: 865: outbox/865_northwind_20260102030405_000000001.edi",
        "delivery: upload staging: each file is written in the staging folder work, then moved into its folder",
        "delivery: (example names: number 1, GS06 1, PO PO12345, run 2026-01-02 03:04:05)",
    ]
    assert _delivery(ready) == (code, lines)


def test_partner_check_names_the_default_files_of_a_profile_without_delivery_settings(ready):  # noqa: F811
    """Without file names, folders or upload set: the default names in the outbox, temporary-name uploads."""
    code, lines = _delivery(ready)
    assert code == 0 and lines == [
        "delivery: 997: outbox/northwind-997-000000001.x12",
        "delivery: TA1: outbox/northwind-TA1-000000001.x12",
        "delivery: 855: outbox/northwind-855-000000001.x12",
        "delivery: 865: outbox/northwind-865-000000001.x12",
        "delivery: upload temp_name: each file is written under a hidden temporary name in its own folder, then "
        "renamed into place",
        "delivery: (example names: number 1, GS06 1, PO PO12345, run 2026-01-02 03:04:05)",
    ]


def test_delivery_lines_over_sftp_name_the_remote_folders_and_the_csv_acknowledgment():
    """rules.partner_check.delivery_lines: over SFTP the remote outbox, an absolute folder as given; a CSV
    acknowledgment by its own pattern (or default) with {type} CSV and no GS06."""
    from rules.partner_check import delivery_lines
    from schemas.profile import DeliverySettings

    d = DeliverySettings(file_names={"csv_ack": "ACK_{type}_{gs06}_{seq:06d}.csv"}, folders={"810": "/in/810"},
                         upload="direct")
    assert delivery_lines("wayfair", ["810", "csv_ack", "856"], d, outbox="sftp:outbox/wayfair", remote=True) == [
        "856: sftp:outbox/wayfair/wayfair-856-000000001.x12",
        "810: sftp:/in/810/wayfair-810-000000001.x12",
        "csv_ack: sftp:outbox/wayfair/ACK_CSV_0_000001.csv",
        "upload direct: each file is written under its final name and its size checked (a crash can leave part of "
        "a file there until the next run writes it again whole)",
        "(example names: number 1, GS06 1, PO PO12345, run 2026-01-02 03:04:05)",
    ]


# 4. a warehouse's [delivery]: the 997s answering its 945s named and placed as the 3PL asks ---------------------------

from tests.test_945_acks import (  # noqa: E402,F401  (the rg69 3PLs' workspace, taken at the 850 night: fixtures)
    DAY1,
    DAY2,
    one_group,
    template,
)
from tests.test_945_acks import drop as drop_945  # noqa: E402
from tests.test_945_acks import ship as ship_945  # noqa: E402
from tests.test_945_acks import ws as ws_945  # noqa: E402,F401

RYDER_DELIVERY = ('\n[delivery]\nfile_names = { "997" = "FA_{partner}_{date}_{isa13:09d}.edi" }\n'
                  'folders = { "997" = "fa" }\nupload = "staging"\nstaging_folder = "work"\n')


def _ryder_with(ws, delivery: str) -> None:
    path = ws.warehouses_dir / "ryder.toml"
    path.write_text(path.read_text(encoding="utf-8") + delivery, encoding="utf-8")


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def test_a_warehouse_s_997s_are_named_and_placed_by_its_delivery_settings(ws_945):  # noqa: F811
    """Ryder's profile asks its 997s to be FA_ryder_<date>_<ISA13>.edi in outbox/fa/, staged through outbox/work/:
    each group of its 945 is answered there, nothing left in the staging folder or the outbox itself. A warehouse
    profile refused [delivery] (extra keys are not allowed): its 997s could only be {id}-997-<ISA13>.x12 in the
    outbox."""
    ws = ws_945
    _ryder_with(ws, RYDER_DELIVERY)
    drop_945(ws, "ryder", "day1.x12", one_group(0, "000003101"))
    res = ship_945(ws, "ryder", DAY1, "day1")
    assert (res.processed, res.acknowledgments) == (1, 1)
    outbox = ws.warehouse_drop_root / "ryder" / "outbox"
    assert _files(outbox) == ["fa/FA_ryder_20261201_000000001.edi"]
    text = (outbox / "fa" / "FA_ryder_20261201_000000001.edi").read_text(encoding="utf-8")
    assert "AK1*SW*31011~" in text.replace("\n", "")


def test_a_rebuilt_store_reads_a_warehouse_s_997s_in_its_delivery_folder(ws_945):  # noqa: F811
    """`orderbridge state rebuild` reads the warehouse's [delivery] folders as a partner's: the 997 in outbox/fa/ is
    recorded and Ryder's numbers raised past it, so the next 997 is ISA13 2 (it read the outbox alone: ISA13 1
    again, its file name taken)."""
    from flows.rebuild import rebuild

    ws = ws_945
    _ryder_with(ws, RYDER_DELIVERY)
    drop_945(ws, "ryder", "day1.x12", one_group(0, "000003101"))
    ship_945(ws, "ryder", DAY1, "day1")
    ws.state_path.unlink()
    done = rebuild(ws, at=DAY1.replace(hour=20))
    assert done.numbers["warehouse:ryder ISA"] == 1
    drop_945(ws, "ryder", "day2.x12", one_group(1, "000003102"))
    ship_945(ws, "ryder", DAY2, "day2")
    assert _files(ws.warehouse_drop_root / "ryder" / "outbox") == [
        "fa/FA_ryder_20261201_000000001.edi", "fa/FA_ryder_20261202_000000002.edi"]


@pytest.mark.parametrize("delivery, said", [
    ('file_names = { "856" = "ASN_{isa13:09d}.txt" }', "a warehouse is sent only 997 and TA1"),
    ('batch = "run"', "delivery.batch"),
    ('file_names = { "997" = "FA.edi" }', "has no {isa13}"),
    ('file_names = { "997" = "FA_{isa13:09d}.edi", "TA1" = "FA_{isa13:09d}.edi" }', None),
    ('file_names = { "997" = "X_{isa13}.edi", "TA1" = "X_{isa13}.edi" }', None),
    ('folders = { "997" = "/in/997" }', "a local drop's folders are subfolders"),
    ('upload = "staging"\nstaging_folder = "fa"\nfolders = { "997" = "fa" }', "is a folder the documents are"),
], ids=["not-sent", "batch", "no-number", "one-pattern-one-counter", "same-pattern", "absolute-local", "staging"])
def test_a_warehouse_s_delivery_settings_are_checked_as_a_partner_s(delivery, said):
    """The same checks as a partner's [delivery] (schemas.profile.check_delivery), over the two documents a
    warehouse is sent (997, TA1: one ISA13 counter, so one pattern for both is safe); a type it is never sent, and
    batch, are refused by name."""
    import tomllib

    from schemas.warehouses import WarehouseProfile

    path = REPO / "tests" / "fixtures" / "rg69" / "warehouses" / "ryder.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8") + "\n[delivery]\n" + delivery + "\n")
    if said is None:
        assert WarehouseProfile.model_validate(data).delivery.file_names
        return
    with pytest.raises(ValueError, match=re.escape(said)):
        WarehouseProfile.model_validate(data)


def test_a_csv_warehouse_takes_no_delivery_settings():
    """A warehouse sending CSV confirmations is sent nothing back: a [delivery] in its profile is refused, not left
    unused in silence."""
    import tomllib

    from schemas.warehouses import WarehouseProfile

    data = tomllib.loads((REPO / "warehouses" / "east.toml").read_text(encoding="utf-8"))
    assert WarehouseProfile.model_validate(data).delivery.upload == "temp_name"
    with pytest.raises(ValueError, match="sent nothing back"):
        WarehouseProfile.model_validate({**data, "delivery": {"upload": "direct"}})


# 5. the demo's workspace, a third and fourth night: an 860 waiting for its 850, as ops see it ---------------------

ACME_860 = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *"
            "261128*0200*U*00401*000001201*0*P*>~\n"
            "GS*PC*ACMERETAIL*ORDERBRIDGE*20261128*0200*1201*X*004010~\nST*860*0001~\n"
            "BCH*04*SA*ACME-1300***20261128~\nPOC*1*QI*20*20*EA*19.70*PE*UP*614141100101~\nCTT*1~\nSE*5*0001~\n"
            "GE*1*1201~\nIEA*1*000001201~\n")
ACME_850 = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *"
            "261129*0200*U*00401*000001202*0*P*>~\n"
            "GS*PO*ACMERETAIL*ORDERBRIDGE*20261129*0200*1202*X*004010~\nST*850*0001~\n"
            "BEG*00*SA*ACME-1300**20261127~\nCUR*BY*USD~\nITD*08*3*2**10**30~\nDTM*010*20261210~\n"
            "N1*ST*Acme Distribution Center*92*DC01~\nPO1*1*10*EA*19.70*PE*UP*614141100101~\nPID*F****Copy paper A4~\n"
            "CTT*1*10~\nSE*10*0001~\nGE*1*1202~\nIEA*1*000001202~\n")


@pytest.fixture(scope="module")
def demo_done(tmp_path_factory):
    """`orderbridge demo` as it is (its two nights, its documents untouched), for the nights after it."""
    from typer.testing import CliRunner

    from flows.cli import app

    work = tmp_path_factory.mktemp("demo860c") / "ws"
    res = CliRunner().invoke(app, ["demo", "--workspace", str(work), "--fresh", "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 0, res.output
    return work


def test_after_the_demo_an_860_before_its_850_waits_and_ops_see_why(demo_done, tmp_path):
    """The demo shows Globex's refusal of an 860 for a PO it never sent (its profile keeps none: early_change_days
    = 0); ACME's profile keeps the default, two days. On the demo's workspace, a third night brings ACME's 860 for
    ACME-1300, whose 850 has not come: the run's failures report names CHANGE_AWAITING_ORDER with what was done
    ("860 kept pending for its 850; nothing sent yet"), the 860 gets its 997 and nothing else. The fourth night
    its 850 comes: the order is applied the change and acknowledged for 20, not 10 (ACME answers changes with a
    revised 855), `orderbridge status` telling the whole story: the wait's warning and the change applied."""
    import csv
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    ws = tmp_path / "ws"
    shutil.copytree(demo_done, ws)
    outbox = ws / "drop" / "acme" / "outbox"
    before = {p.name for p in outbox.iterdir()}
    (ws / "drop" / "acme" / "inbox" / "acme-change-1300.x12").write_text(ACME_860, encoding="utf-8")
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", "2026-11-29T02:00:00"])
    assert res.exit_code in (0, 1), res.output
    with (ws / "reports" / "20261129T020000" / "failures.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["po_number"] == "ACME-1300"]
    assert [(r["code"], r["severity"], r["consequence"]) for r in rows] == [
        ("CHANGE_AWAITING_ORDER", "warning", "860 kept pending for its 850; nothing sent yet")]
    assert "after 2 day(s) without it, it is refused (CHANGE_ORDER_UNKNOWN)" in rows[0]["message"]
    sent = sorted(p.name for p in outbox.iterdir() if p.name not in before)
    assert [n.split("-")[1] for n in sent] == ["997"]
    waiting = CliRunner().invoke(app, ["status", "ACME-1300", "--partner", "acme", "-w", str(ws)])
    assert " ".join(waiting.output.split()).startswith(
        "no order ACME-1300 for partner acme; its 860 waits for its 850 (acme's 860 in acme-change-1300.x12, "
        "received 2026-11-29): applied the night the 850 comes, refused (865, CHANGE_ORDER_UNKNOWN) once the "
        "partner's early_change_days have passed without it"), waiting.output
    (ws / "drop" / "acme" / "inbox" / "acme-po-1300.x12").write_text(ACME_850, encoding="utf-8")
    res = CliRunner().invoke(app, ["run", "-w", str(ws), "--now", "2026-11-30T02:00:00"])
    assert res.exit_code in (0, 1), res.output
    sent = sorted((p.name for p in outbox.iterdir() if p.name not in before), key=lambda n: n.rsplit("-", 1)[1])
    assert [n.split("-")[1] for n in sent] == ["997", "997", "855"]  # (ACME answers its changes with an 855)
    answer = (outbox / sent[-1]).read_text(encoding="utf-8").replace("\n", "")
    assert "BAK*00*AD*ACME-1300*" in answer and "PO1*1*20*EA*" in answer and "ACK*IA*20*EA" in answer, answer
    status = CliRunner().invoke(app, ["status", "ACME-1300", "--partner", "acme", "--json", "-w", str(ws)])
    assert status.exit_code == 0, status.output
    told = json.loads(status.output)
    assert [(f["code"], f["consequence"]) for f in told["findings"]] == [
        ("CHANGE_AWAITING_ORDER", "860 kept pending for its 850; nothing sent yet")]
    assert [(h["event"], h["note"]) for h in told["history"]][:2] == [
        ("po_received", "received in acme-po-1300.x12"),
        ("change_applied", "changed by 860 in acme-change-1300.x12: lines [1]")]
