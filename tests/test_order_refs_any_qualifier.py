"""A profile's order_refs may list any REF01 qualifier (X12 element 128) of the PO's heading, not only the fourteen
an ORDERS column holds (IA, DP ... 0B): REF*11 a customer account number, REF*12 a billing account, VR, 19 ..., each
carried back on the 855, the 856's order loop and the 810's heading as the PO sent it (REF02, and REF03 where the
PO stated the reference by it alone or the profile's order_ref_descriptions asks), in the order the profile lists.
A list of the fourteen alone is written in their fixed order, as before, so no partner's documents change until its
profile lists another; orders stored before the heading's REFs were kept echo what they did. A qualifier the PO does
not carry is left out without a word, unless the document's required_order_refs lists it: then ORDER_REF_NOT_SENT
(a warning) when the PO comes in, and the documents go without it."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from connectors.order_store import OrderStore
from engine.asn import order_refs, ref_segments
from engine.po_ack import heading
from schemas.fulfilment import AsnSettings, InvoiceSettings, PoAckSettings
from schemas.orders import echo_order, order_ref_elements
from tests.retailer_support import all_sent_accepted, maps, po_segments, segments, variant_night  # noqa: F401
from tests.test_mark_for import orders_of
from tests.test_order_refs import with_refs
from tests.test_rg68_gas_welding_safety import AT, FIXTURES, NIGHT_NOTED, POS

# Airgas' release (rg68) with the gas distributor's customer account (REF*11) and billing account (REF*12, with its
# name in REF03) in its heading
ACCOUNTS = [(b"REF*CT*AGBPA-2026-77~", b"REF*CT*AGBPA-2026-77~REF*11*AG-ACCT-0417~REF*12*HOU-BILL-22*HOUSTON BILLING~")]
# its profile: the 855 echoes REF*11; the 856 REF*12 (with its name), the agreement and REF*11, in that order, and
# requires REF*11; the 810 REF*11 then REF*12
ECHOED = [('[acks.po_ack]\nvendor_number = "AG5520"', '[acks.po_ack]\nvendor_number = "AG5520"\norder_refs = ["11"]'),
          ('order_refs = ["CT"]', 'order_refs = ["12", "CT", "11"]\norder_ref_descriptions = ["12"]\n'
                                  'required_order_refs = ["11"]'),
          ('po_allowances = ["02", "06"]', 'po_allowances = ["02", "06"]\norder_refs = ["11", "12"]\n'
                                           'required_order_refs = ["11", "12"]')]
AIRGAS = {"airgas": POS["airgas"]}


def _refs(segs: list[list[str]]) -> list[list[str]]:
    return [s for s in segs if s[0] == "REF" and s[1] in ("IA", "CT", "11", "12", "SI", "BM")]


def test_a_customer_and_a_billing_account_are_carried_back_on_the_855_856_and_810_as_the_profile_lists(
        tmp_path, maps):  # noqa: F811
    ws, found, states = variant_night(FIXTURES, "airgas", "AG6800412", tmp_path, ACCOUNTS, profile_swaps=ECHOED, **AT)
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    assert states == {("airgas", "AG6800412"): "invoiced"}
    assert _refs(po_segments(segments(ws, "airgas", "855"), "AG6800412", "BAK")) == [
        ["REF", "IA", "AG5520"], ["REF", "11", "AG-ACCT-0417"]]
    assert _refs(po_segments(segments(ws, "airgas", "856"), "AG-SHP-01", "BSN")) == [  # BM: the S level's
        ["REF", "BM", "BOL-AG68"], ["REF", "IA", "AG5520"], ["REF", "12", "HOU-BILL-22", "HOUSTON BILLING"],
        ["REF", "CT", "AGBPA-2026-77"],
        ["REF", "11", "AG-ACCT-0417"]]
    assert _refs(po_segments(segments(ws, "airgas", "810"), "AG6800412", "BIG")) == [
        ["REF", "BM", "BOL-AG68"], ["REF", "IA", "AG5520"],  # per order: no REF*SI
        ["REF", "11", "AG-ACCT-0417"], ["REF", "12", "HOU-BILL-22"]]
    all_sent_accepted(ws, AIRGAS, tmp_path, maps, shipments=1, answers=1)


def test_a_required_reference_the_po_does_not_send_is_told_and_the_documents_still_go(tmp_path, maps):  # noqa: F811
    """The 850 as rg68 has it (no REF*11, no REF*12): one ORDER_REF_NOT_SENT naming each and the documents that
    require it; the order is answered, shipped and billed, its documents valid, without those REFs."""
    ws, found, states = variant_night(FIXTURES, "airgas", "AG6800412", tmp_path, profile_swaps=ECHOED, **AT)
    assert states == {("airgas", "AG6800412"): "invoiced"}
    told = [(f[1], f[3]) for f in found if f[0] == "ORDER_REF_NOT_SENT"]
    assert told == [("warning", "The PO sends no REF*11 (its 856 and 810) nor REF*12 (its 810), which this partner's "
                                "profile requires them to carry back (required_order_refs): they are sent without it. "
                                "Ask the buyer for it, or take it out of required_order_refs if the partner's guide "
                                "does not require it.")], found
    assert {f[0] for f in found} <= NIGHT_NOTED | {"ORDER_REF_NOT_SENT"}, found
    assert _refs(po_segments(segments(ws, "airgas", "856"), "AG-SHP-01", "BSN")) == [
        ["REF", "BM", "BOL-AG68"], ["REF", "IA", "AG5520"], ["REF", "CT", "AGBPA-2026-77"]]
    all_sent_accepted(ws, AIRGAS, tmp_path, maps, shipments=1, answers=1)


@pytest.mark.parametrize("bad", [["1"], ["dp"], ["ABCD"], ["D*"], [""], ["11 "]])
@pytest.mark.parametrize("settings", [AsnSettings, PoAckSettings, InvoiceSettings])
def test_a_profile_listing_what_no_ref01_can_be_is_refused_when_it_loads(settings, bad):
    for key in ("order_refs", "order_ref_descriptions"):
        with pytest.raises(ValueError, match="not a reference qualifier"):
            settings(**{key: bad})


@pytest.mark.parametrize("settings", [AsnSettings, PoAckSettings, InvoiceSettings])
def test_any_two_or_three_character_qualifier_is_taken_each_once_and_a_required_one_must_be_echoed(settings):
    assert settings(order_refs=["11", "12", "ACC", "0B", "11"]).order_refs == ("11", "12", "ACC", "0B")
    assert settings(order_refs=["11"], required_order_refs=["11"]).required_order_refs == ("11",)
    with pytest.raises(ValueError, match="required_order_refs 12 not in order_refs"):
        settings(order_refs=["11"], required_order_refs=["12"])


def test_a_vendor_number_and_the_po_s_own_reference_of_its_qualifier_are_refused_together():
    """Two REF*VR on one 810: its vendor_number under VR and the PO's own REF*VR echoed."""
    with pytest.raises(ValueError, match="REF\\*VR"):
        InvoiceSettings(vendor_number="V1", vendor_number_qualifier="VR", order_refs=["VR"])
    assert InvoiceSettings(vendor_number="V1", order_refs=["VR"]).order_refs == ("VR",)


def test_the_named_qualifiers_alone_keep_their_order_and_any_other_makes_the_list_s_own():
    assert echo_order(("PD", "DP", "DP")) == ("DP", "PD")  # as every profile's documents always had them
    assert echo_order(("PD", "11", "DP")) == ("PD", "11", "DP")
    order = {"department": "042", "promotion": "P7", "refs_sent": [
        {"qualifier": "PD", "id": "P7"}, {"qualifier": "11", "id": "A-1"}, {"qualifier": "DP", "id": "042"},
        {"qualifier": "11", "id": "A-2"}]}
    assert ref_segments(order_ref_elements(order), ("PD", "DP")) == [["REF", "DP", "042"], ["REF", "PD", "P7"]]
    # every REF*11, in the order sent (tests/test_heading_refs_of_one_qualifier.py); no REF*12 sent: none
    assert ref_segments(order_ref_elements(order), ("PD", "11", "DP", "12")) == [
        ["REF", "PD", "P7"], ["REF", "11", "A-1"], ["REF", "11", "A-2"], ["REF", "DP", "042"]]
    assert heading(order, PoAckSettings(order_refs=("11", "PD"))) == [
        ["REF", "11", "A-1"], ["REF", "11", "A-2"], ["REF", "PD", "P7"]]


def test_a_reference_stated_by_its_description_alone_is_carried_back_as_sent():
    orders, _ = orders_of(with_refs("REF*11**ACCOUNT ON FILE~REF*12*B-7*BILLING"))
    refs = order_refs(orders)
    assert ref_segments(refs[0], ("11", "12")) == [["REF", "11", "", "ACCOUNT ON FILE"], ["REF", "12", "B-7"]]
    assert ref_segments(refs[0], ("11", "12"), ("12",)) == [["REF", "11", "", "ACCOUNT ON FILE"],
                                                            ["REF", "12", "B-7", "BILLING"]]


@pytest.mark.parametrize("dropped", [["refs_sent", "ref_descriptions"], ["ref_descriptions"]])
def test_orders_stored_before_this_change_echo_what_they_did(tmp_path, dropped):
    """An order stored before its heading REFs were kept (refs_sent), or before REF03s of other qualifiers were
    (ref_descriptions held the named ones' alone): the named references as before; REF*11 only where refs_sent
    was kept (its REF02 then, its REF03 not: it was never stored)."""
    orders, lines = orders_of(with_refs("REF*DP*042~REF*11*A-1*ACCOUNT~REF*PD*P7"))
    before = [ref_segments(r, ("DP", "PD")) for r in order_refs(orders)]
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(dropped), path)
    loaded, _ = store.load("acme", "old")
    assert [ref_segments(r, ("DP", "PD")) for r in order_refs(loaded)] == before
    assert before[0] == [["REF", "DP", "042"], ["REF", "PD", "P7"]]
    eleven = [ref_segments(r, ("11",), ("11",)) for r in order_refs(loaded)][0]
    assert eleven == ([] if "refs_sent" in dropped else [["REF", "11", "A-1"]])
