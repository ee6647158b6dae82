"""850 shapes real partners' translators send that we used to lose or refuse, each run through the real
night (intake, rules, 855): the shape, what a partner's guide says of it, and what we now do."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from tests.support import make_workspace, run_stages
from tests.test_x12_standard_layer import interchange

NIGHT = datetime(2026, 11, 27, 2, 0)


def _night(tmp_path, body: list[str], *, rules: str = "", **envelope) -> tuple[set[str], dict, str]:
    """ACME's night over one PO: the findings' codes, each order's state, ACME's 855 (empty: none).
    ``rules``: lines added to the [rules] of ACME's profile."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    if rules:
        profile = ws.root / "partners" / "acme.toml"
        profile.write_text(profile.read_text().replace("[rules]\n", "[rules]\n" + rules + "\n"))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(interchange(body, **envelope))
    _results, night = run_stages(ws, NIGHT)
    state = StateStore(ws.state_url)
    try:
        states = {o.key[1]: o.state.value for o in state.orders()}
    finally:
        state.close()
    acks = sorted((ws.drop_root / "acme" / "outbox").glob("*855*"))
    return {f.code for f in night.findings}, states, "".join(p.read_text() for p in acks)


HEAD = ["CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme Store 2*92*0002"]


def test_a_line_identified_by_our_catalog_number_under_vc_is_acknowledged(tmp_path):
    """VC is code list 235's "Vendor's (Seller's) Catalog Number": the seller's own number, as VN and VP
    are. Distributors' and DIY chains' guides send the supplier's catalogue number under VC; a line with
    only VC*VP-1001 (our number) was ITEM_UNKNOWN and rejected (855 IR): an order lost."""
    body = ["BEG*00*SA*PO-VC**20261126", *HEAD, "PO1*1*12*EA*19.70**VC*VP-1001*SK*778812", "CTT*1"]
    codes, states, ack = _night(tmp_path, body)
    assert "ITEM_UNKNOWN" not in codes, codes
    assert states == {"PO-VC": "acknowledged"}
    assert "BAK*00*AD*PO-VC" in ack and "PO1*1*12*EA*19.7**VC*VP-1001*SK*778812~" in ack and "ACK*IA*12*EA" in ack


def test_a_british_partners_store_without_a_county_is_acknowledged(tmp_path):
    """A UK retailer's ship-to (N4*London**SW1A 1AA*GB: no state, a postcode with letters) of a partner whose
    profile says its domestic country is GB. X12 needs N402 only in the U.S. and Canada; the order was held
    (ADDRESS_INCOMPLETE for the state, ADDRESS_IMPLAUSIBLE for GB, the partner's own country)."""
    body = ["BEG*00*SA*PO-UK**20261126", "CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme High Street*92*UK01",
            "N3*10 High Street", "N4*London**SW1A 1AA*GB", "PO1*1*12*EA*19.70**UP*614141100101", "CTT*1"]
    codes, states, ack = _night(tmp_path, body, rules='domestic_country = "GB"')
    assert not codes & {"ADDRESS_INCOMPLETE", "ADDRESS_IMPLAUSIBLE", "SHIP_TO_UNKNOWN"}, codes
    assert states == {"PO-UK": "acknowledged"} and "BAK*00*AD*PO-UK" in ack


def test_a_grocery_po_with_upc_codes_without_check_digits_is_acknowledged(tmp_path):
    """A grocery wholesaler's lines identified by the U.P.C. codes code list 235 defines without a check
    digit: UI 1-5-5 (11 digits), UD and UA 2-5-5 (12). Each names one of our GTINs once its check digit is
    computed; the lines were ITEM_UNKNOWN and the order rejected (855 RD, every line IR)."""
    body = ["BEG*00*SA*PO-GROC**20261126", *HEAD, "PO1*1*12*EA*19.70**UI*61414110010",
            "PO1*2*6*EA*19.70**UD*061414110010*IN*4471", "PO1*3*12*EA***UA*061414110017", "CTT*3"]
    codes, states, ack = _night(tmp_path, body)
    assert "ITEM_UNKNOWN" not in codes, codes
    assert states == {"PO-GROC": "acknowledged"}
    assert "PO1*1*12*EA*19.7**UI*61414110010~" in ack and "PO1*2*6*EA*19.7**UD*061414110010*IN*4471~" in ack
    assert "ACK*IR" not in ack and ack.count("ACK*I") == 3
