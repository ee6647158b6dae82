"""The rest of the 855 heading retailers' guides require ([acks.po_ack]): the PO's FOB and TD5 echoed as
sent (iTradeNetwork's 855 carries FOB; Turn5's and Adobe's TD5), the ship-to's N3/N4 as the PO sent them with
its N1*ST (iTradeNetwork's and IBM's 855 carry the N1 loop N1/N3/N4; Saks' and Hershey's customers' ask for an
N1 loop), the buyer's N1*BY as sent, our ship-from N1*SF from the profile (with its address), and our contact
PER (position 060, after REF). The defaults add nothing (today's 855s unchanged, tests/test_855_guide.py);
every option keeps the 855's segment order (REF 050, PER 060, FOB 080, DTM 150, TD5 240, N1 loops 300: N1, N3,
N4) and passes our reader and outbound check, pyx12 with our maps and Bots, for 004010 and 005010; a run for a
partner whose profile turns them on writes them."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.po_ack import delimiter_use
from schemas.fulfilment import PoAckContact, PoAckParty, PoAckSettings
from schemas.profile import PartnerProfile
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, wrap_for
from tests.test_855_guide import ORDER, _855s, body, read_back

ADDRESSED = {**ORDER, "ship_to_address1": "1 Way", "ship_to_address2": "Dock 4", "ship_to_city": "Columbus",
             "ship_to_state": "OH", "ship_to_postal_code": "43215", "ship_to_country": "US",
             "buyer_name": "ACME Buying Office", "buyer_id_qualifier": "92", "buyer_id": "BUY1",
             "buyer_address1": "9 Main St", "buyer_city": "Dayton", "buyer_state": "OH", "buyer_postal_code": "45402",
             "fob_sent": "PP\x1fOR\x1fDock 4", "td5_sent": "O\x1f2\x1fUPSN\x1fM\x1fUPS GROUND"}
US = PoAckParty(name="OrderBridge Supply DC", id_qualifier="92", id="V0042", address1="1 Dock Road", city="Newark",
                state="NJ", postal_code="07101", country="US")
CONTACT = PoAckContact(name="Order Desk", phone="555-0100", email="orders@example.com")
EVERYTHING = PoAckSettings(vendor_number="V 0042", order_refs=("DP",), ship_date=True, ship_to=True, addresses=True,
                           buyer=True, ship_from=US, contact=CONTACT, fob=True, carrier=True)
OPTIONS = {"addresses": PoAckSettings(ship_to=True, addresses=True), "buyer": PoAckSettings(buyer=True),
           "buyer_addresses": PoAckSettings(buyer=True, addresses=True), "ship_from": PoAckSettings(ship_from=US),
           "ship_from_name": PoAckSettings(ship_from=PoAckParty(name="Us")),
           "contact": PoAckSettings(contact=CONTACT),
           "contact_phone": PoAckSettings(contact=PoAckContact(function="OC", phone="555-0100")),
           "fob": PoAckSettings(fob=True), "carrier": PoAckSettings(carrier=True),
           "everything": EVERYTHING}


def test_every_party_and_the_contact_in_the_heading_order_of_the_855():
    assert body(EVERYTHING, ADDRESSED)[:16] == [
        ["BAK", "00", "AD", "PO-1", "20261126", "", "", "", "", "20261127"],
        ["REF", "IA", "V 0042"], ["REF", "DP", "042"],
        ["PER", "IC", "Order Desk", "TE", "555-0100", "EM", "orders@example.com"], ["FOB", "PP", "OR", "Dock 4"],
        ["DTM", "068", "20261210"], ["TD5", "O", "2", "UPSN", "M", "UPS GROUND"],
        ["N1", "ST", "DC 7", "92", "DC07"], ["N3", "1 Way", "Dock 4"], ["N4", "Columbus", "OH", "43215", "US"],
        ["N1", "BY", "ACME Buying Office", "92", "BUY1"], ["N3", "9 Main St", ""], ["N4", "Dayton", "OH", "45402", ""],
        ["N1", "SF", "OrderBridge Supply DC", "92", "V0042"], ["N3", "1 Dock Road", ""],
        ["N4", "Newark", "NJ", "07101", "US"]]


def test_the_ship_to_without_its_address_is_as_before_and_an_address_never_stands_alone():
    assert [s for s in body(PoAckSettings(ship_to=True), ADDRESSED) if s[0] in ("N1", "N3", "N4")] == [
        ["N1", "ST", "DC 7", "92", "DC07"]]  # addresses off: the N1 as it always was
    no_party = {**ADDRESSED, "ship_to_name": None, "ship_to_id": None}
    assert [s[0] for s in body(PoAckSettings(ship_to=True, addresses=True), no_party)
            if s[0] in ("N1", "N3", "N4")] == []  # no N1 the PO sent: no N3/N4 either
    street_only = {**ORDER, "ship_to_address2": "Dock 4"}  # N302 without N301: written as N301
    assert [s for s in body(PoAckSettings(ship_to=True, addresses=True), street_only) if s[0] in ("N3", "N4")] == [
        ["N3", "Dock 4", ""]]
    assert [s for s in body(PoAckSettings(buyer=True), ORDER) if s[0] == "N1"] == []  # the PO sent no N1*BY


def test_a_delimiter_inside_an_address_is_seen_when_the_delimiters_are_chosen():
    """N301 and N401 are the segments' first elements: a '*' there must move the 855 to other delimiters,
    as one in N102 does."""
    import pyarrow as pa

    from schemas.orders import ORDER_LINES

    head = {**ORDER, "po_number": "PO-1", "ship_to_address1": "Unit*4", "ship_to_city": "Town"}
    used = delimiter_use([head], ORDER_LINES.empty_table(), pa.table({}), [(0, 0)], "*~",
                         settings=PoAckSettings(ship_to=True, addresses=True))
    assert used == [{"*"}]
    used = delimiter_use([{**head, "ship_to_address1": "Unit 4", "ship_to_city": "A~B"}], ORDER_LINES.empty_table(),
                         pa.table({}), [(0, 0)], "*~", settings=PoAckSettings(ship_to=True, addresses=True))
    assert used == [{"~"}]


def test_a_profile_takes_the_party_and_contact_settings_and_refuses_what_no_element_holds():
    base = PROFILES["acme"].model_dump()
    base["acks"]["po_ack"] = {"ship_to": True, "addresses": True, "buyer": True,
                              "ship_from": {"name": "Us", "id_qualifier": "92", "id": "V1", "state": "NJ"},
                              "contact": {"name": "Desk", "email": "a@b.c"}}
    got = PartnerProfile.model_validate(base).acks.po_ack
    assert got.ship_from == PoAckParty(name="Us", id_qualifier="92", id="V1", state="NJ")
    assert got.contact == PoAckContact(name="Desk", email="a@b.c") and got.addresses and got.buyer
    for bad in ({"addresses": True}, {"ship_from": {"name": ""}}, {"ship_from": {"name": "Us", "id": "V1"}},
                {"ship_from": {"name": "Us", "state": "New Jersey"}}, {"ship_from": {"name": "Us\nCo"}},
                {"contact": {"name": "Desk"}}, {"contact": {"function": "information", "phone": "1"}},
                {"contact": {"phone": "1", "pager": "2"}}):
        with pytest.raises(ValueError):
            PartnerProfile.model_validate({**base, "acks": {**base["acks"], "po_ack": bad}})


@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_reader_our_outbound_check_pyx12_and_bots_accept_each_option(partner, option, tmp_path,
                                                                         tmp_path_factory):
    from tests.test_pyx12_outbound import pyx12_accepts

    content = wrap_for(PROFILES[partner], "PR", "855", [body(OPTIONS[option], ADDRESSED)])
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["855"]
    written = {r[0] for r in result.segments.elements.to_pylist()}
    assert {"N1", "PER", "FOB", "TD5"} & written  # the option wrote something to check
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


# --- a run for a partner whose profile turns them on --------------------------------------------------------
NOW = datetime(2026, 11, 27, 2)
PO = ["BEG*00*SA*{po}**20261126", "CUR*BY*USD", "FOB*CC*OR*Dock 4  ", "DTM*010*20261210",
      "TD5*O*2*FDEG*U*FEDEX GROUND", "N1*ST*DC 7*92*DC07", "N3*1 Way*Dock 4",
      "N4*Columbus*OH*43215*US", "N1*BY*ACME Buying Office*92*BUY1", "N4*Dayton*OH*45402",
      "PO1*1*12*EA*19.70*PE*UP*614141100101*VN*VP-1001", "CTT*1*12"]
PROFILE = '''
[acks.po_ack]
ship_to = true
addresses = true
buyer = true
fob = true
carrier = true
[acks.po_ack.ship_from]
name = "OrderBridge Supply"
id_qualifier = "92"
id = "V0042"
city = "Newark"
state = "NJ"
[acks.po_ack.contact]
function = "OC"
name = "Order Desk"
phone = "555-0100"
'''


def test_a_run_writes_the_parties_and_contact_the_partners_guide_asks_for(tmp_path):
    from tests.support import make_workspace, run_night, x12_850

    ws = make_workspace(tmp_path / "ws", partners=())
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + PROFILE)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po1.x12").write_bytes(x12_850([s.format(po="PO-1") for s in PO]))
    run_night(ws, NOW)
    segs = _855s(ws)["PO-1"]
    assert [s[0] for s in segs] == ["ST", "BAK", "PER", "FOB", "TD5", "N1", "N3", "N4", "N1", "N4", "N1", "N4",
                                    "PO1", "ACK", "CTT", "SE"], segs
    assert segs[2:12] == [["PER", "OC", "Order Desk", "TE", "555-0100"], ["FOB", "CC", "OR", "Dock 4"],
                          ["TD5", "O", "2", "FDEG", "U", "FEDEX GROUND"], ["N1", "ST", "DC 7", "92", "DC07"],
                          ["N3", "1 Way", "Dock 4"], ["N4", "Columbus", "OH", "43215", "US"],
                          ["N1", "BY", "ACME Buying Office", "92", "BUY1"], ["N4", "Dayton", "OH", "45402"],
                          ["N1", "SF", "OrderBridge Supply", "92", "V0042"], ["N4", "Newark", "NJ"]]
    assert segs[-1][1] == str(len(segs))


def test_the_po_s_first_heading_fob_and_td5_are_kept_as_sent():
    """Elements from 01 on, trailing blanks dropped (X12.6); a TD5 of a PO1 loop is the line's, not kept."""
    from tests.support import GOOD_PO, x12_850
    from tests.test_acks_and_outputs import run

    body = [*GOOD_PO[:2], "FOB*PP*OR*Dock 4   ", "FOB*CC", GOOD_PO[2], "TD5*O*2*UPSN*M*UPS GROUND", *GOOD_PO[3:9],
            "TD5*Z*2*FDEG", GOOD_PO[9]]
    out = run(x12_850(body))
    # the line's own TD5 (another carrier than the heading's) is not kept: it is quoted for ops (rg15), nothing else
    assert [f.code for f in out.findings] == ["NOTES_NOT_KEPT"] and "TD5 FDEG" in out.findings[0].message
    assert out.orders.select(["fob_sent", "td5_sent"]).to_pylist() == [
        {"fob_sent": "PP\x1fOR\x1fDock 4", "td5_sent": "O\x1f2\x1fUPSN\x1fM\x1fUPS GROUND"}]
    assert run(x12_850(GOOD_PO)).orders.select(["fob_sent", "td5_sent"]).to_pylist() == [
        {"fob_sent": None, "td5_sent": None}]
