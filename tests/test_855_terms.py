"""The PO's ITD terms of sale echoed in the 855 as sent ([acks.po_ack] terms; off by default): iTradeNetwork's
and IBM's 855 examples carry the ITD the vendor accepts. The 850 reader keeps the heading's first ITD whole
(ORDERS itd_sent: the orders table keeps only ITD01-07/12/13, an ITD rebuilt from it would lose ITD08-11/14/15);
the 855 writes it at ITD (position 130 in the 855's heading: after FOB 080, before DTM 150). Off: the 855
is byte for byte what it was; on: the segment order holds, a delimiter inside the ITD moves the 855 to other
delimiters, and the 855 passes our reader and outbound check, pyx12 with our maps and Bots (004010, 005010)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from engine.po_ack import build_855, delimiter_use, render_855s
from parsers.x12_writer import render_segments
from schemas.fulfilment import PoAckSettings
from schemas.orders import ORDER_LINES
from schemas.profile import PartnerProfile
from schemas.x12 import Delimiters
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, wrap_for
from tests.test_855_guide import LINES, ORDER, TODAY, _855s, body, read_back
from tests.test_855_parties import ADDRESSED, EVERYTHING

# 2% 10 days, net 30, with the discount amount (ITD08, N2: 150 is 1.50) and the payment method (ITD14) the
# orders table drops
ITD = "01\x1f3\x1f2\x1f\x1f10\x1f\x1f30\x1f150\x1f\x1f\x1f\x1f2% 10 NET 30\x1f\x1fC"
TERMS = {**ADDRESSED, "itd_sent": ITD}
ALL = EVERYTHING.model_copy(update={"terms": True})


def test_the_terms_come_after_fob_and_before_dtm_as_sent():
    segs = body(ALL, TERMS)
    assert [s[0] for s in segs[:8]] == ["BAK", "REF", "REF", "PER", "FOB", "ITD", "DTM", "TD5"]
    assert segs[5] == ["ITD", "01", "3", "2", "", "10", "", "30", "150", "", "", "", "2% 10 NET 30", "", "C"]
    assert [s[0] for s in body(PoAckSettings(terms=True), TERMS)] == ["BAK", "ITD", "PO1", "ACK", "PO1", "ACK",
                                                                        "CTT"]
    assert body(PoAckSettings(terms=True), ORDER) == body(PoAckSettings(), ORDER)  # the PO sent no ITD
    assert body(PoAckSettings(terms=True), {**ORDER, "itd_sent": None}) == body(PoAckSettings(), ORDER)


def test_off_by_default_the_855_is_byte_for_byte_unchanged():
    assert PoAckSettings().terms is False
    assert PartnerProfile.model_validate(PROFILES["acme"].model_dump()).acks.po_ack.terms is False
    acks_ = __import__("engine.po_ack", fromlist=["LineAck"]).LineAck
    for settings in (PoAckSettings(), EVERYTHING):
        with_itd = build_855(TERMS, LINES, [acks_("IA"), acks_("IA")], today=TODAY, settings=settings)
        without = build_855(ADDRESSED, LINES, [acks_("IA"), acks_("IA")], today=TODAY, settings=settings)
        assert render_segments(with_itd, Delimiters()) == render_segments(without, Delimiters())
        assert "ITD" not in {s[0] for s in with_itd}


def test_a_delimiter_inside_the_terms_is_seen_when_the_delimiters_are_chosen():
    """ITD12 is free text: a '*' or '~' there must move the 855 to other delimiters (as one in FOB or TD5 does);
    with the option off it is not looked at."""
    head = {**ORDER, "po_number": "PO-1", "itd_sent": "01\x1f3\x1f\x1f\x1f\x1f\x1f30\x1f\x1f\x1f\x1f\x1fNET*30~EOM"}
    args = ([head], ORDER_LINES.empty_table(), pa.table({}), [(0, 0)], "*~^")
    assert delimiter_use(*args, settings=PoAckSettings(terms=True)) == [{"*", "~"}]
    assert delimiter_use(*args, settings=PoAckSettings(fob=True)) == [set()]


def test_the_columnar_855_writes_the_terms_as_the_segment_form_does():
    from tests.test_855_columnar import _ack_columns, segments_of

    d = Delimiters("|", ":", "", "'", "")
    head = {**TERMS, "purpose": "00"}
    statuses = [{"parts": [{"status": "IA", "quantity": ln["quantity"], "date": None}], "ack_quantity": None,
                 "ack_price": None} for ln in LINES]
    lines = pa.Table.from_pylist([{**ln, "partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1",
                                   "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1"} for ln in LINES],
                                 schema=ORDER_LINES)
    acks = pa.Table.from_pylist(statuses, schema=_ack_columns())
    segs = segments_of(head, LINES, statuses, ALL)
    assert "ITD" in {s[0] for s in segs}
    assert render_855s([head], lines, acks, [(0, 2)], today=TODAY, d=d, settings=ALL) == [
        (render_segments(segs, d), len(segs), "AD")]


def test_a_profile_takes_the_terms_option():
    base = PROFILES["acme"].model_dump()
    base["acks"]["po_ack"] = {"terms": True}
    assert PartnerProfile.model_validate(base).acks.po_ack == PoAckSettings(terms=True)


@pytest.mark.parametrize("settings", [PoAckSettings(terms=True), ALL], ids=["terms", "everything"])
@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_reader_our_outbound_check_pyx12_and_bots_accept_the_terms(partner, settings, tmp_path,
                                                                       tmp_path_factory):
    from tests.test_pyx12_outbound import pyx12_accepts

    content = wrap_for(PROFILES[partner], "PR", "855", [body(settings, TERMS)])
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["855"]
    assert "ITD" in {r[0] for r in result.segments.elements.to_pylist()}
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_the_po_s_first_heading_itd_is_kept_as_sent():
    """Elements from 01 on, trailing blanks dropped (X12.6); the second ITD is not the one echoed; a PO
    without an ITD keeps none."""
    from tests.support import GOOD_PO, x12_850
    from tests.test_acks_and_outputs import run

    sent = [*GOOD_PO[:2], "ITD*01*3*2**10**30*150****2% 10 NET 30  **C", "ITD*05*3*****60", *GOOD_PO[2:]]
    out = run(x12_850(sent))
    assert [f.code for f in out.findings] == []
    assert out.orders["itd_sent"].to_pylist() == ["01\x1f3\x1f2\x1f\x1f10\x1f\x1f30\x1f150\x1f\x1f\x1f\x1f"
                                                  "2% 10 NET 30\x1f\x1fC"]
    assert run(x12_850(GOOD_PO)).orders["itd_sent"].to_pylist() == [None]


# --- a run for a partner whose profile turns it on ----------------------------------------------------------
NOW = datetime(2026, 11, 27, 2)
# ACME's agreed terms (customers.csv: 08, 2% 10, net 30), with ITD08 the orders table does not keep
PO = ["BEG*00*SA*{po}**20261126", "CUR*BY*USD", "FOB*CC*OR*Dock 4", "ITD*08*3*2**10**30*150****2% 10 NET 30",
      "DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way*Dock 4", "N4*Columbus*OH*43215*US",
      "PO1*1*12*EA*19.70*PE*UP*614141100101*VN*VP-1001", "CTT*1*12"]


@pytest.mark.parametrize("terms", [True, False])
def test_a_run_writes_the_terms_when_the_profile_asks(terms, tmp_path):
    from tests.support import make_workspace, run_night, x12_850

    ws = make_workspace(tmp_path / "ws", partners=())
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + f"\n[acks.po_ack]\nfob = true\nterms = {'true' if terms else 'false'}\n")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po1.x12").write_bytes(x12_850([s.format(po="PO-1") for s in PO]))
    run_night(ws, NOW)
    segs = _855s(ws)["PO-1"]
    if terms:
        assert [s[0] for s in segs] == ["ST", "BAK", "FOB", "ITD", "PO1", "ACK", "CTT", "SE"], segs
        assert segs[3] == ["ITD", "08", "3", "2", "", "10", "", "30", "150", "", "", "", "2% 10 NET 30"]
    else:
        assert [s[0] for s in segs] == ["ST", "BAK", "FOB", "PO1", "ACK", "CTT", "SE"], segs
    assert segs[-1][1] == str(len(segs))


def test_a_table_stored_before_the_column_reads_it_as_null_and_its_855_has_no_itd(tmp_path):
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from schemas.orders import ADDED_LATER, ORDERS
    from tests.support import x12_850

    parsed = read_interchanges(x12_850([s.format(po="PO-1") for s in PO]))
    orders, lines = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    assert orders["itd_sent"].to_pylist() == ["08\x1f3\x1f2\x1f\x1f10\x1f\x1f30\x1f150\x1f\x1f\x1f\x1f2% 10 NET 30"]
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["itd_sent"]), path)
    assert "itd_sent" in ADDED_LATER
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["itd_sent"].to_pylist() == [None]
    head = loaded.to_pylist()[0]
    assert "ITD" not in {s[0] for s in body(PoAckSettings(terms=True, fob=True), head)}
    assert "FOB" in {s[0] for s in body(PoAckSettings(terms=True, fob=True), head)}
