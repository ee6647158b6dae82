"""Every heading REF a PO sends is kept as sent (ORDERS refs_sent: REF01, REF02 and its own REF03, in the order
sent) and carried back, two of one qualifier both.

JD Edwards sends its order type and its company as two REF*ZZ, REF03 saying which (REF*ZZ*OP*ORDER TYPE,
REF*ZZ*00200*COMPANY), and matches our invoice on both; a buyer may name two departments (REF*DP twice). The order
kept one reference per qualifier (its first) and its 855, 856 and 810 wrote that one alone, the second dropped
without a word. Orders stored before REF03 was kept per REF still read (their later REFs go back without a REF03).
tests/test_rg78_erp_buyers.py::test_two_references_of_one_qualifier_are_both_written_back runs JDE's night."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from engine.asn import build_856, order_refs, ref_segments
from engine.lifecycle.decisions import refs_too_long
from engine.po_ack import heading
from engine.shipments import confirmed_quantities
from schemas.fulfilment import AsnSettings, InvoiceSettings, PoAckSettings
from schemas.orders import LINE_REF, ORDERS, order_ref_elements
from tests.shipping_support import PROFILES, wrap_for
from tests.test_fulfilment_chain import NOW
from tests.test_mark_for import accepted, maps, orders_of, shipped  # noqa: F401 (maps: a fixture)
from tests.test_order_refs import invoice_of, with_refs
from tests.test_outbound_echo import FIXTURES as ECHO_FIXTURES
from tests.test_outbound_echo import _intake

JDE = "REF*ZZ*OP*ORDER TYPE~REF*DP*042*HOUSEWARES~REF*ZZ*00200*COMPANY~REF*DP*043*GARDEN"
ZZ = [["REF", "ZZ", "OP", "ORDER TYPE"], ["REF", "ZZ", "00200", "COMPANY"]]


def test_the_850_keeps_every_heading_ref_with_its_own_ref03_in_the_order_sent():
    orders, _ = orders_of(with_refs(JDE + "~REF*ZZ**NO NUMBER"))
    first = orders.to_pylist()[0]
    assert first["refs_sent"] == [{"qualifier": "ZZ", "id": "OP", "description": "ORDER TYPE"},
                                  {"qualifier": "DP", "id": "042", "description": "HOUSEWARES"},
                                  {"qualifier": "ZZ", "id": "00200", "description": "COMPANY"},
                                  {"qualifier": "DP", "id": "043", "description": "GARDEN"}]
    assert first["department"] == "042"  # the column: the first, as before
    # ORDER_REFS' qualifiers first (its column, then its later REFs), then the others in the order sent
    assert order_ref_elements(first) == (("DP", "042", "HOUSEWARES"), ("DP", "043", "GARDEN"),
                                         ("ZZ", "OP", "ORDER TYPE"), ("ZZ", "00200", "COMPANY"))
    assert order_refs(orders)[0] == order_ref_elements(first)  # the 856's reading over columns agrees


def test_the_855_writes_back_every_ref_of_a_qualifier_it_echoes_each_with_its_own_ref03():
    head = orders_of(with_refs(JDE))[0].to_pylist()[0]
    refs = [s for s in heading(head, PoAckSettings(order_refs=("ZZ", "DP"), order_ref_descriptions=("ZZ",)))
            if s[0] == "REF"]
    assert refs == [*ZZ, ["REF", "DP", "042"], ["REF", "DP", "043"]]
    assert [s for s in heading(head, PoAckSettings(order_refs=("DP",))) if s[0] == "REF"] == [
        ["REF", "DP", "042"], ["REF", "DP", "043"]]


def test_the_856_and_810_carry_back_both_refs_of_a_qualifier(tmp_path, maps):  # noqa: F811
    made = shipped(with_refs(JDE))
    shipments, confirmed, _orders, _lines = made
    first = shipments[0]
    body = build_856(first, AsnSettings(order_refs=("ZZ", "DP"), order_ref_descriptions=("ZZ",)), created=NOW,
                     expected=confirmed_quantities(confirmed, first.shipment_id))
    want = [*ZZ, ["REF", "DP", "042"], ["REF", "DP", "043"]]
    assert [s for s in body if s[0] == "REF" and s[1] in ("ZZ", "DP")] == want
    settings = InvoiceSettings(order_refs=("ZZ", "DP"), order_ref_descriptions=("ZZ",))
    invoice = invoice_of(made, settings)
    assert [s for s in invoice if s[0] == "REF" and s[1] in ("ZZ", "DP")] == want
    # an 810 asking for the departments alone: both, not the columns' first alone
    dp = invoice_of(made, InvoiceSettings(order_refs=("DP",)))
    assert [s for s in dp if s[0] == "REF" and s[1] == "DP"] == [["REF", "DP", "042"], ["REF", "DP", "043"]]
    for doc, kind, code in ((body, "856", "SH"), (invoice, "810", "IN"), (dp, "810", "IN")):
        accepted(wrap_for(PROFILES["acme"], code, kind, [doc]), tmp_path, maps)


def test_the_columnar_810_heads_leave_an_order_with_two_refs_of_a_qualifier_it_writes_to_the_one_by_one_810():
    from engine.invoice_heads import heads_810
    from schemas.x12 import Delimiters

    sent = pa.array([[{"qualifier": "DP", "id": "042", "description": None},
                      {"qualifier": "DP", "id": "043", "description": None}]], ORDERS.field("refs_sent").type)
    orders = pa.table({"department": ["042"], "refs_sent": sent})

    def heads(settings):
        return heads_810(orders, po_numbers=["P"], shipment_ids=[""], bills_of_lading=[""], ship_dates=[None],
                         invoice_date=NOW.date(), pending="#", settings=settings, terms=None, d=Delimiters())

    assert heads(InvoiceSettings(order_refs=("DP",))) is None
    kept = heads(InvoiceSettings(order_refs=("PD",)))  # a qualifier sent once (or not at all): the columns serve
    assert kept is not None and "REF*DP" not in kept.after[0].as_py()


def test_an_order_stored_before_ref03_was_kept_per_ref_still_reads_and_echoes_its_later_refs(tmp_path):
    orders, lines = orders_of(with_refs(JDE))
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    old = pq.read_table(path)
    pairs = pa.array([[{"qualifier": r["qualifier"], "id": r["id"]} for r in refs] if refs is not None else None
                      for refs in old["refs_sent"].to_pylist()], pa.list_(LINE_REF))
    pq.write_table(old.set_column(old.schema.get_field_index("refs_sent"), "refs_sent", pairs), path)
    assert pq.read_table(path).schema.field("refs_sent").type == pa.list_(LINE_REF)
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS
    row = loaded.to_pylist()[0]
    assert [r["description"] for r in row["refs_sent"]] == [None] * 4
    # the first of each qualifier with its REF03 as ref_descriptions kept it; a later one without
    assert order_ref_elements(row) == (("DP", "042", "HOUSEWARES"), ("DP", "043"), ("ZZ", "OP", "ORDER TYPE"),
                                       ("ZZ", "00200"))
    assert store.load_orders("acme", "old", ["refs_sent"]).schema.field("refs_sent").type == \
        ORDERS.field("refs_sent").type


def test_a_later_ref_too_long_for_the_855_is_left_out_alone():
    settings = PoAckSettings(order_refs=("ZZ", "DP"), order_ref_descriptions=("ZZ",))
    head = orders_of(with_refs(f"REF*ZZ*OP*ORDER TYPE~REF*ZZ*{'C' * 31}*COMPANY~REF*DP*042~REF*DP*{'D' * 31}"))[0]
    heads = head.to_pylist()[:1]
    left = refs_too_long(heads, settings, PROFILES["acme"])
    assert [f.finding.code for f in left] == ["ACK_VALUE_LEFT_OUT"] * 2
    assert sorted("C" * 31 in f.finding.message or "D" * 31 in f.finding.message for f in left) == [True, True]
    assert [s for s in heading(heads[0], settings) if s[0] == "REF"] == [
        ["REF", "ZZ", "OP", "ORDER TYPE"], ["REF", "DP", "042"]]


def test_a_first_ref_too_long_for_the_855_leaves_the_next_of_its_qualifier_with_its_own_ref03():
    settings = PoAckSettings(order_refs=("ZZ", "DP"), order_ref_descriptions=("ZZ",))
    text = with_refs(f"REF*ZZ*{'O' * 31}*ORDER TYPE~REF*ZZ*00200*COMPANY~REF*DP*{'D' * 31}*HOUSEWARES~REF*DP*043")
    heads = orders_of(text)[0].to_pylist()[:1]
    assert len(refs_too_long(heads, settings, PROFILES["acme"])) == 2
    assert [s for s in heading(heads[0], settings) if s[0] == "REF"] == [
        ["REF", "ZZ", "00200", "COMPANY"], ["REF", "DP", "043"]]


def test_intake_warns_of_a_later_ref_our_answers_cannot_carry():
    text = (ECHO_FIXTURES / "drops" / "vfour" / "vfour-850-005010-5010001.x12").read_text()
    long = "D" * 40
    sent = text.replace("REF*DP*120~", f"REF*DP*120~REF*DP*{long}~")
    se = sent.index("SE*")
    count, rest = sent[se + 3:].split("*", 1)
    out = _intake(sent[:se] + f"SE*{int(count) + 1}*" + rest, order_refs=("DP",))
    assert out.disposition == "processed"
    [f] = [f for f in out.findings if f.code == "VALUE_TOO_LONG_TO_ECHO"]
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "warning", "REF", "REF02", long)
    assert ref_segments(order_ref_elements(out.orders.to_pylist()[0]), ("DP",))[0] == ["REF", "DP", "120"]
