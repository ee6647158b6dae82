"""A shipment's places told apart once (engine.lifecycle.ship_checks.place_index): ship_to_mismatches (per
shipment and PO) and ship_tos_mixed (per shipment) group their lines' own places by the one function. They
used to be twins that differed on blank fields (the first read a blank field as None, the second kept ""):
a party whose blank fields are "" and one whose are None are one place, and the words a message says of it
are the ones either way."""

from __future__ import annotations

from engine.lifecycle.ship_checks import place_index, place_of
from rules.business.places import places_words, same_party
from schemas.shipments import Party

BLANK = Party(code="ST", name="JUNIPER LANE", id_qualifier="", id="", address1="410 MAIN ST", city="PARK CITY",
              state="UT", postal_code="84060", country="")
NONE = Party(code="ST", name="JUNIPER LANE", id_qualifier=None, id=None, address1="410 MAIN ST",  # type: ignore
             city="PARK CITY", state="UT", postal_code="84060", country=None)  # type: ignore
OTHER_DOOR = Party(code="ST", name="JUNIPER LANE", address1="12 MILL ST", city="PARK CITY", state="UT",
                   postal_code="84060")
STORE = Party(code="ST", name="STORE 7", id_qualifier="92", id="0007")


def _kept_blank(party: Party) -> dict:
    """A place as ship_tos_mixed built it before (its blank fields kept "")."""
    return {f"ship_to_{f}": getattr(party, f) for f in ("name", "id_qualifier", "id", "address1", "address2", "city",
                                                         "state", "postal_code", "country")}


def test_a_blank_field_and_a_missing_one_are_one_place():
    assert place_of(BLANK) == place_of(NONE)
    assert place_of(BLANK)["ship_to_id"] is None and place_of(BLANK)["ship_to_name"] == "JUNIPER LANE"
    assert place_of(None) is None  # the order's ship-to
    known: list = []
    at: dict = {}
    assert [place_index(known, at, "S1", p) for p in (BLANK, NONE, None, OTHER_DOOR, STORE, BLANK, None)] == \
        [0, 0, 1, 2, 3, 0, 1]
    assert [p for p, _lines in known] == [place_of(BLANK), None, place_of(OTHER_DOOR), place_of(STORE)]
    assert place_index(known, at, "S2", BLANK) == 0  # compared again for another key, found where it stands
    assert len(at) == 6


def test_the_blank_field_case_reads_the_same_both_ways():
    """What each twin did with a blank-field place, against what place_of gives both now: same_party's verdicts and
    places_words' words (with and without names) are unchanged."""
    for party in (BLANK, OTHER_DOOR, STORE):
        before, now = _kept_blank(party), place_of(party)
        for other in (BLANK, OTHER_DOOR, STORE):
            assert same_party(before, _kept_blank(other)) == same_party(now, place_of(other))
    before = [_kept_blank(BLANK), _kept_blank(OTHER_DOOR), None, _kept_blank(STORE)]
    now = [place_of(BLANK), place_of(OTHER_DOOR), None, place_of(STORE)]
    for with_names in (True, False):
        assert places_words(now, with_names=with_names) == places_words(before, with_names=with_names)
    assert places_words(now, with_names=True) == [
        "JUNIPER LANE at 410 MAIN ST, PARK CITY, UT, 84060", "JUNIPER LANE at 12 MILL ST, PARK CITY, UT, 84060",
        "the order ship-to", "STORE 7 92 0007"]
