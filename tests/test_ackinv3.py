"""Small gaps the ackgaps2 round (tests/test_ackgaps2.py) and the invgaps2 round (tests/test_invgaps2.py) left:

A. Partners' 824s and 997s about our documents:
1. The CTX of an 824's TED loop (005010+; Walmart's 005010 guide, position 0750: where in our document an error is)
   was read past: its context and location reach ops beside the TED, NTE and RED texts.
2. An OTI09 without its OTI08 (Walmart.com DSV's sample OTI*BP*1Q*80253*****000007681) named nothing unless OTI03
   was one of our references: the ST02 names the one set of that number we sent to the partner, and the finding and
   reasons say so; an ST02 naming several sets names none, and the finding says which.
3. DOCUMENT_UNACKNOWLEDGED for a set a 997's AK9 P left undecided started "no 997 for our ...": it says what happened.
B. Stock loads (846):
4. An SDQ after a QTY of goods coming in (63 on order, IQ in transit) was named and not split: each location gets
   its receipt, as on hand is split.
5. [advice] held_codes compared LQ02 alone: a "LQ01:LQ02" entry compares the pair.
6. LM/LQ in the 846 heading: see test_a_heading_lq_is_still_only_named.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from tests.test_ackgaps2 import INVOICE_OTI, UNDECIDED, _advised, _sent


# --- A1. the CTX of an 824's TED loop -------------------------------------------------------------------------------
def _advised_5010(*segments: str) -> tuple[dict, list, list, pa.Table]:
    """rg83's Target 824 as a 005010 one (X12 added CTX to the 824's TED loop in 005010)."""
    from engine.application_advice import advice_acks
    from tests.test_rg83_partner_acks import _824, _take, _verdicts

    text = _824(*segments).replace("*00401*", "*00501*").replace("*X*004010~", "*X*005010~")
    out = _take("target", text)
    acks, found = advice_acks(out.advice, _sent("target"))
    return _verdicts("target", acks)[0], found, out.findings, out.advice


def test_the_context_of_a_ted_reaches_ops_beside_its_texts():
    """Walmart's 005010 824 carries CTX in the TED loop (position 0750): CTX01 the context (a business unit such as
    the PO number with its value), then the segment of our document, its position, loop, element and data element.
    It was read past: "ITEM NOT ON FILE" reached ops without saying where. It is said after the TED now."""
    status, found, own, _ = _advised_5010(INVOICE_OTI.format(code="TR"), "TED*024*ITEM NOT ON FILE~",
                                  "CTX*PO NUMBER>TG8300202*IT1*12*IT1*7>1*234~", "CTX*SITUATIONAL TRIGGER~",
                                  "NTE*ERN*CALL ACCOUNTS PAYABLE~", "RED*00012345678905*UP~")
    assert own == [] and [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    said = ("TED 024 ITEM NOT ON FILE; CTX PO NUMBER TG8300202 (segment IT1 at position 12, loop IT1, element 7 "
            "component 1, data element 234); CTX SITUATIONAL TRIGGER; NTE CALL ACCOUNTS PAYABLE; RED 00012345678905 "
            "(UP)")
    assert said in found[0].message
    assert status[("810", "0007")]["reasons"] == f"rejected by the partner's application (824 OTI TR): {said}"


def test_a_ctx_read_into_the_advice_table():
    _, found, own, advice = _advised_5010(INVOICE_OTI.format(code="TE"), "TED*024*PRICE~", "CTX*X**3~",
                                          "CTX*Y>REF1*BIG**BIG*2>>3~")
    assert own == [] and [f.code for f in found] == ["APPLICATION_ADVICE_ERRORS"]
    assert advice["context"].to_pylist() == [["X (segment position 3)",
                                              "Y REF1 (segment BIG, loop BIG, element 2 repeat 3)"]]


def test_a_ctx_in_a_004010_824_is_still_not_in_the_set():
    """X12 004010's 824 has no CTX: it stays SEGMENT_NOT_IN_SET there (read where X12 has it; 004010 not widened)."""
    status, found, own = _advised(INVOICE_OTI.format(code="TR"), "TED*024*ITEM NOT ON FILE~", "CTX*X~")
    assert "SEGMENT_NOT_IN_SET" in {f.code for f in own}


# --- A2. OTI09 without OTI08 ----------------------------------------------------------------------------------------
def _walmart_com_sent(*st02s: tuple[str, str]) -> pa.Table:
    """Target's sent sets (tests.test_rg83_partner_acks.SENT) with more of ours: (GS06, ST02) 810s."""
    rows = _sent("target").to_pylist()
    for gs06, st02 in st02s:
        rows.append({**rows[-1], "gs06": gs06, "isa13": f"{int(gs06):09d}", "st02": st02,
                     "file": f"target-810-{int(gs06):09d}.x12", "document_ref": f"INV-{gs06}-{st02}"})
    return pa.Table.from_pylist(rows, schema=_sent("target").schema)


def _advised_with(sent: pa.Table, *segments: str):
    from engine.application_advice import advice_acks
    from tests.test_rg83_partner_acks import _824, _take, _verdicts

    out = _take("target", _824(*segments))
    acks, found = advice_acks(out.advice, sent)
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings

    docs, _ = match_acks(sent, acks, settings={"target": FinanceSettings()}, as_of=datetime(2026, 11, 28, 2))
    return {(r["doc_type"], r["gs06"], r["st02"]): r for r in docs.to_pylist()}, found, out.findings
    del _verdicts


# Walmart.com DSV's sample as ackgaps2 quoted it (OTI*BP*1Q*80253*****000007681) has five separators after OTI03,
# which puts 000007681 in OTI08 (a group's control number alone, which X12 allows and which was read already): the
# OTI09-without-OTI08 case the brief describes is that sample with one separator more
WALMART_COM = "OTI*BP*1Q*80253******000007681~"


def test_the_sample_as_quoted_gives_its_number_as_oti08():
    _, _, _, advice = _advised_5010("OTI*BP*1Q*80253*****000007681~")
    assert advice.select(["acked_gs06", "acked_st02"]).to_pylist() == [{"acked_gs06": "000007681", "acked_st02": None}]


def test_an_oti09_without_its_oti08_names_the_one_set_of_that_st02():
    status, found, own = _advised_with(_walmart_com_sent(("9", "7681")), WALMART_COM, "TED*024*COST MISMATCH~")
    note = ("matched by its ST02 alone: OTI09 000007681 without OTI08 (the group's control number) names this one set "
            "of those we sent to target")
    assert [(f.code, f.location.element, f.location.value) for f in found] == \
        [("APPLICATION_ADVICE_ERRORS", "OTI01", "BP")]
    assert f"our 810 INV-9-7681 (GS06 9 ST02 7681, file target-810-000000009.x12) ({note}) with errors" in \
        found[0].message
    row = status[("810", "9", "7681")]
    assert row["status"] == "accepted_with_errors"
    assert row["reasons"] == (f"accepted with errors by the partner's application (824 OTI BP; {note}): TED 024 "
                              "COST MISMATCH")
    assert {k for k, v in status.items() if v["status"] != "pending"} == {("810", "9", "7681")}


def test_an_oti09_naming_several_of_our_sets_stays_unmatched_saying_which():
    status, found, _ = _advised_with(_walmart_com_sent(("9", "7681"), ("11", "07681")), WALMART_COM,
                                     "TED*024*COST MISMATCH~")
    assert [(f.code, f.location.element, f.location.value) for f in found] == \
        [("APPLICATION_ADVICE_UNMATCHED", "OTI09", "000007681")]
    assert found[0].message == (
        "This 824's OTI (BP) names a document 1Q 80253 ST02 000007681: its OTI09 000007681 comes without OTI08 (the "
        "group's control number) and names 2 sets we sent to target (810 GS06 9, 810 GS06 11): none is chosen, and "
        "its reference names none of ours; ask the partner to send OTI08 with OTI09. The partner says: TED 024 COST "
        "MISMATCH.")
    assert all(v["status"] == "pending" for v in status.values())


def test_an_oti09_naming_several_sets_still_matches_by_its_reference():
    status, found, _ = _advised_with(_walmart_com_sent(("9", "7681"), ("11", "7681")),
                                     "OTI*TR*IV*INV-11-7681*****7681~")
    assert [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    assert "matched by its ST02" not in found[0].message
    assert status[("810", "11", "7681")]["status"] == "rejected"
    assert status[("810", "9", "7681")]["status"] == "pending"


def test_an_oti09_of_no_set_of_ours_is_unmatched_as_before():
    _, found, _ = _advised_with(_sent("target"), "OTI*TA*1Q*80253*****000007681~")
    assert [(f.code, f.location.element) for f in found] == [("APPLICATION_ADVICE_UNMATCHED", "OTI03")]
    assert "which we never sent to target" in found[0].message


# --- A3. DOCUMENT_UNACKNOWLEDGED of a set a P group left undecided ---------------------------------------------------
def test_an_undecided_set_s_exception_says_what_happened():
    """A 997 came, answered the group AK9 P and did not name the 855: its exception said "no 997 for our 855 ...",
    then the reason in parentheses. It says the set is not decided, by which 997, now."""
    from engine.partner_acks import match_acks
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import Book
    from tests.test_ackgaps2 import _taken

    out = _taken("tgt-997-p-unnamed.x12")
    as_of = datetime(2026, 11, 29, 2)
    docs, _ = match_acks(_sent("target").slice(0, 1), out.functional_acks, settings={"target": FinanceSettings()},
                         as_of=as_of)
    t = Book().tables()
    [row] = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=as_of,
                      settings={"target": FinanceSettings()}).exceptions.to_pylist()
    assert row["type"] == "DOCUMENT_UNACKNOWLEDGED"
    assert row["message"].startswith(
        "our 855 855 ST02 0002 sent 2026-11-27 02:00, due by 2026-11-28 02:00, is not decided: the partner's 997 "
        "(tgt-997-p-unnamed.x12) answered its group AK9 P")
    assert "no 997" not in row["message"]
    assert row["partner_reasons"] == UNDECIDED.format(kind="997", file="tgt-997-p-unnamed.x12")


def test_a_set_with_no_answer_still_says_no_997():
    from engine.partner_acks import match_acks
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import Book

    as_of = datetime(2026, 11, 29, 2)
    from schemas.functional_acks import FUNCTIONAL_ACKS

    docs, _ = match_acks(_sent("target").slice(0, 1), FUNCTIONAL_ACKS.empty_table(),
                         settings={"target": FinanceSettings()}, as_of=as_of)
    t = Book().tables()
    [row] = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=as_of,
                      settings={"target": FinanceSettings()}).exceptions.to_pylist()
    assert row["message"].startswith("no 997 for our 855 855 ST02 0002 sent 2026-11-27 02:00, due by "
                                     "2026-11-28 02:00 (ISA13 ")


# --- B4. an SDQ after a QTY of goods coming in ----------------------------------------------------------------------
from tests.test_invgaps2 import SDQ, _workspace  # noqa: E402 - Northwind's SDQ-per-DC 846 and its workspace
from tests.test_rg81_inventory_exports import _load, _receipts, _refused, _stock  # noqa: E402


def _coming(tmp_path, qty: str, *after: str):
    """Northwind's 846 with SKU-1016's QTY ``qty`` (on order or in transit) and the segments ``after`` it."""
    path = tmp_path / f"coming-{qty}.x12"
    text = SDQ.read_text(encoding="utf-8").replace(
        "QTY*17*12*EA~\nSDQ*EA*54*DC-RENO*12~",
        "\n".join(("QTY*17*12*EA~", "SDQ*EA*54*DC-RENO*12~", f"QTY*{qty}*40*EA~", *after)))
    path.write_text(text.replace("SE*28*0001~", f"SE*{29 + len(after)}*0001~"), encoding="utf-8")
    return path


@pytest.mark.parametrize("qty", ["63", "IQ"])
def test_an_sdq_after_goods_coming_in_is_each_dc_s_receipt(tmp_path, qty):
    """Northwind's QTY 63 (on order) or IQ (in transit) of SKU-1016, due on the 10th, split by SDQ over DC-EAST (25)
    and DC-RENO (15): the SDQ was named and the 40 expected at NWD, the distributor's own id (a warehouse no DC
    ships from). Each DC gets its part on the QTY's day, as on hand is split."""
    from datetime import date

    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    res = _load(ws, _coming(tmp_path, qty, "DTM*017*20261210~", "SDQ*EA*54*DC-EAST*25*DC-RENO*15~"),
                "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert _receipts(ws) == [("EAST", "SKU-1016", 25, date(2026, 12, 10)), ("WEST", "SKU-1016", 15, date(2026, 12, 10))]
    assert "SDQ" not in res.output.replace("SDQ*", "")
    assert ("WEST", "SKU-1016", 12, 0) in _stock(ws)


def test_an_sdq_after_goods_coming_in_naming_none_of_ours_keeps_the_receipt_at_the_n1(tmp_path):
    from datetime import date

    ws = _workspace(tmp_path / "ws")
    res = _load(ws, _coming(tmp_path, "63", "DTM*017*20261210~", "SDQ*EA*54*DC-EAST*25*DC-RENO*15~"),
                "--new-warehouse", "NWD")  # the distributor's N1, no profile's code: loaded as its own (invwarn)
    assert res.exit_code == 0, res.output
    assert ("NWD", "SKU-1016", 40, date(2026, 12, 10)) in _receipts(ws)
    assert any("SDQ location(s) DC-EAST, DC-RENO (SDQ02 54) of SKU-1016: none of our warehouses (QTY 63's 40 on "
               "order kept at NWD); to read them per warehouse: --location DC-EAST=WAREHOUSE" in line
               for line in res.output.splitlines()), res.output


def test_an_sdq_after_goods_coming_in_naming_ours_beside_others_is_refused(tmp_path):
    ws = _workspace(tmp_path / "ws")
    said = _refused(_load(ws, _coming(tmp_path, "63", "DTM*017*20261210~", "SDQ*EA*54*DC-EAST*25*DC-X*15~"),
                          "--location", "DC-EAST=EAST", "--location", "DC-RENO=WEST"))
    assert "location(s) DC-X (SDQ02 54) are none of our warehouses, beside EAST" in said
    assert "so that no receipt is dropped or expected at another warehouse" in said


def test_an_sdq_after_goods_coming_on_several_days_is_named_not_split(tmp_path):
    """SCHs bring the 40 on two days and the SDQ does not say which DC's part comes when: not guessed."""
    from datetime import date

    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    res = _load(ws, _coming(tmp_path, "63", "SCH*30*EA***002*20261210~", "SCH*10*EA***002*20261217~",
                            "SDQ*EA*54*DC-EAST*25*DC-RENO*15~"), "--layout", "northwind-846",
                "--new-warehouse", "NWD")  # kept at the distributor's N1, no profile's code: its own (invwarn)
    assert res.exit_code == 0, res.output
    assert _receipts(ws) == [("NWD", "SKU-1016", 10, date(2026, 12, 17)), ("NWD", "SKU-1016", 30, date(2026, 12, 10))]
    assert "its SCHs bring the 40 on several days and the SDQ does not say which location's part comes when" in \
        " ".join(res.output.split())


def test_an_sdq_after_goods_coming_in_summing_otherwise_is_named(tmp_path):
    from datetime import date

    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    res = _load(ws, _coming(tmp_path, "63", "DTM*017*20261210~", "SDQ*EA*54*DC-EAST*20*DC-RENO*15~"),
                "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert _receipts(ws) == [("EAST", "SKU-1016", 20, date(2026, 12, 10)), ("WEST", "SKU-1016", 15, date(2026, 12, 10))]
    assert "SDQ of SKU-1016: its locations' 35 on order (QTY 63) are read, not the QTY's 40" in res.output


# --- B5. held_codes as an LQ01/LQ02 pair ----------------------------------------------------------------------------
def _codes_846(tmp_path, name: str, layout: str) -> tuple:
    """Northwind's 846 whose SKU-1011 carries LQ*UD*DMG (another list's DMG: "dimensions missing", say) and SKU-1021
    LQ*ZZ*DMG, loaded with the Northwind layout's held_codes set to ``layout``."""
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    path = ws.inventory_dir / "layouts" / "northwind-846.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('held_codes = ["DMG"]', f"held_codes = {layout}"),
                    encoding="utf-8")
    export = tmp_path / f"{name}.x12"
    export.write_text(SDQ.read_text(encoding="utf-8").replace("LQ*ZZ*NEW~", "LQ*UD*DMG~"), encoding="utf-8")
    return ws, _load(ws, export, "--layout", "northwind-846")


def test_a_held_code_given_with_its_list_holds_only_that_list_s_code(tmp_path):
    """held_codes compared LQ02 alone: a partner whose other code list also has DMG held that item too. "ZZ:DMG"
    names the list (LQ01) and the code; the other list's DMG is named, not held."""
    ws, res = _codes_846(tmp_path, "pair", '["ZZ:DMG"]')
    assert res.exit_code == 0, res.output
    assert ("EAST", "SKU-1021", 10, 10) in _stock(ws) and ("WEST", "SKU-1011", 8, 0) in _stock(ws)
    assert "LQ UD DMG on 1 item(s): an item code, not read" in " ".join(res.output.split())


def test_a_held_code_without_its_list_still_holds_it_in_any_list(tmp_path):
    ws, res = _codes_846(tmp_path, "any", '["DMG"]')
    assert res.exit_code == 0, res.output
    assert ("EAST", "SKU-1021", 10, 10) in _stock(ws) and ("WEST", "SKU-1011", 8, 8) in _stock(ws)


@pytest.mark.parametrize("code", ["ZZ:", ":DMG", " ", "ZZ:DMG:X"])
def test_a_held_code_pair_missing_a_part_is_a_layout_error(code):
    from pydantic import ValidationError

    from schemas.inventory_layout import AdviceLayout

    with pytest.raises(ValidationError, match="LQ01:LQ02"):
        AdviceLayout(held_codes=[code])


# --- B6. LM/LQ in the 846 heading -----------------------------------------------------------------------------------
def test_a_heading_lq_is_the_code_of_every_item_of_the_set(tmp_path):
    """X12's 846 has an LM loop in its heading (position 140/150): its LQ codes are the whole set's. No public 846
    guide read in this round uses it (Lowe's 6010, Interstate Steel's 4010 and a consignment guide list no heading
    LM; only the X12 tables have it). The reader already gives each item the heading's codes (StockAdvice.codes), so
    a held code there holds every item of the set and another is named once, every item counted: pinned as it is."""
    ws = _workspace(tmp_path / "ws", ["northwind-846"])
    export = tmp_path / "heading.x12"
    export.write_text(SDQ.read_text(encoding="utf-8").replace(
        "N1*SF*Northwind Distribution*92*NWD~", "N1*SF*Northwind Distribution*92*NWD~\nLM*VI~\nLQ*ZZ*RECALL~")
        .replace("SE*28*0001~", "SE*30*0001~"), encoding="utf-8")
    res = _load(ws, export, "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert "LQ ZZ RECALL on 5 item(s): an item code, not read" in " ".join(res.output.split())
    layout = ws.inventory_dir / "layouts" / "northwind-846.toml"
    layout.write_text(layout.read_text(encoding="utf-8").replace('["DMG"]', '["ZZ:RECALL"]'), encoding="utf-8")
    res = _load(ws, export, "--layout", "northwind-846")
    assert res.exit_code == 0, res.output
    assert all(on_hand == reserved for _w, _s, on_hand, reserved in _stock(ws)) and len(_stock(ws)) == 7
