"""Ship-to address rules come from the partner profile: by default a partner may leave out the country
(N404), which is then its domestic country (US unless the profile says otherwise); a profile may require
N404."""

from __future__ import annotations

from rules.business import check_ship_to
from schemas.profile import PartnerProfile
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings

from .tables import order, orders_table

NO_COUNTRY = {"ship_to_id": None, "ship_to_address1": "1 Elm St", "ship_to_city": "Albany", "ship_to_state": "NY",
              "ship_to_postal_code": "12207", "ship_to_country": None}
TORONTO = {**NO_COUNTRY, "ship_to_city": "Toronto", "ship_to_state": "ON", "ship_to_postal_code": "M5H 2S6"}


def found(findings):
    return [(f.code, f.location.element) for f in findings]


def test_a_domestic_address_without_n404_is_complete(ref):
    assert check_ship_to(orders_table(order(**NO_COUNTRY)), ref.ship_tos, RuleSettings()) == []


def test_the_omitted_country_is_the_partners_domestic_country(ref):
    canadian = RuleSettings(partners={"acme": PartnerRuleOverrides(domestic_country="CA")})
    assert check_ship_to(orders_table(order(**TORONTO)), ref.ship_tos, canadian) == []
    # checked as a Canadian address: a US ZIP code is not a Canadian postal code
    assert found(check_ship_to(orders_table(order(**NO_COUNTRY)), ref.ship_tos, canadian)) == [
        ("ADDRESS_IMPLAUSIBLE", "N402"), ("ADDRESS_IMPLAUSIBLE", "N403")]
    # and with the US default, Ontario is not a state
    assert found(check_ship_to(orders_table(order(**TORONTO)), ref.ship_tos, RuleSettings())) == [
        ("ADDRESS_IMPLAUSIBLE", "N402"), ("ADDRESS_IMPLAUSIBLE", "N403")]


def test_a_profile_may_require_the_country(ref):
    strict = RuleSettings(partners={"acme": PartnerRuleOverrides(country_required=True)})
    assert found(check_ship_to(orders_table(order(**NO_COUNTRY)), ref.ship_tos, strict)) == [
        ("ADDRESS_INCOMPLETE", "N404")]


def test_the_profile_carries_the_address_rules():
    profile = PartnerProfile.model_validate({
        "id": "north", "name": "North", "x12": {"their_qualifier": "ZZ", "their_id": "NORTH", "our_qualifier": "ZZ",
                                                "our_id": "US", "their_gs_id": "NORTH", "our_gs_id": "US"},
        "rules": {"domestic_country": "CA", "country_required": False}})
    overrides = profile.rules.overrides()
    assert (overrides.domestic_country, overrides.country_required) == ("CA", False)
    settings = RuleSettings(partners={"north": overrides}).for_partner("north")
    assert settings.domestic_country == "CA"


def test_an_alpha3_country_code_is_the_country_it_names(ref):
    """N404 (element 26, ID 2/3) is ISO 3166 alpha-2 or alpha-3: "MEX" is Mexico, shipped to like "MX"
    (it was held ADDRESS_IMPLAUSIBLE: "not one we ship to"); a country we do not serve still is."""
    serves_mexico = RuleSettings(ship_to_countries=("US", "CA", "MX"))
    guadalajara = {**NO_COUNTRY, "ship_to_city": "Guadalajara", "ship_to_state": "JAL", "ship_to_postal_code": "44100"}
    for country in ("MX", "MEX", "mex"):
        assert check_ship_to(orders_table(order(**{**guadalajara, "ship_to_country": country})), ref.ship_tos,
                             serves_mexico) == []
    assert found(check_ship_to(orders_table(order(**{**guadalajara, "ship_to_country": "DEU"})), ref.ship_tos,
                               serves_mexico)) == [("ADDRESS_IMPLAUSIBLE", "N404")]


LONDON = {"ship_to_id": "UK01", "ship_to_address1": "10 High Street", "ship_to_city": "London", "ship_to_state": None,
          "ship_to_postal_code": "SW1A 1AA", "ship_to_country": "GB"}


def test_an_address_outside_the_us_and_canada_needs_no_state(ref):
    """X12's N4 note: "N402 is required only if city name (N401) is in the U.S. or Canada". A British
    partner's store (N4*London**SW1A 1AA*GB) was held ADDRESS_INCOMPLETE for its missing state, and, its
    country named, ADDRESS_IMPLAUSIBLE though it is the partner's own domestic country."""
    british = RuleSettings(partners={"acme": PartnerRuleOverrides(domestic_country="GB")})
    for country in ("GB", "GBR", None):
        assert check_ship_to(orders_table(order(**{**LONDON, "ship_to_country": country})), ref.ship_tos,
                             british) == []
    serves_ireland = RuleSettings(ship_to_countries=("US", "CA", "IE"))
    dublin = {**LONDON, "ship_to_city": "Dublin", "ship_to_postal_code": "D02 X285", "ship_to_country": "IE"}
    assert check_ship_to(orders_table(order(**dublin)), ref.ship_tos, serves_ireland) == []


def test_a_us_or_canadian_address_still_needs_its_state(ref):
    british = RuleSettings(partners={"acme": PartnerRuleOverrides(domestic_country="GB")})
    for settings in (RuleSettings(), british):
        for country in ("US", "CA"):
            address = {**(NO_COUNTRY if country == "US" else TORONTO), "ship_to_state": None,
                       "ship_to_country": country}
            assert found(check_ship_to(orders_table(order(**address)), ref.ship_tos, settings)) == [
                ("ADDRESS_INCOMPLETE", "N402")]
    # a domestic US partner's address without N404 is a US one: its state is required
    assert found(check_ship_to(orders_table(order(**{**NO_COUNTRY, "ship_to_state": None})), ref.ship_tos,
                               RuleSettings())) == [("ADDRESS_INCOMPLETE", "N402")]
    # and a country the partner's settings do not serve is still held
    assert found(check_ship_to(orders_table(order(**LONDON)), ref.ship_tos, RuleSettings())) == [
        ("ADDRESS_IMPLAUSIBLE", "N404")]


def test_a_partner_s_profile_names_the_countries_its_stores_are_in(ref):
    """A U.S. retailer with stores in Britain: its profile's [rules] ship_to_countries serves them, while other
    partners keep the run-wide list (the list used to be run-wide only, so such a partner's British stores were
    held ADDRESS_IMPLAUSIBLE unless every partner was served there)."""
    profile = PartnerProfile.model_validate({
        "id": "acme", "name": "Acme", "x12": {"their_qualifier": "ZZ", "their_id": "ACME", "our_qualifier": "ZZ",
                                              "our_id": "US", "their_gs_id": "ACME", "our_gs_id": "US"},
        "rules": {"ship_to_countries": ["US", "CA", "GBR"]}})
    settings = RuleSettings(partners={"acme": profile.rules.overrides()})
    assert settings.for_partner("acme").ship_to_countries == ("US", "CA", "GBR")
    assert settings.for_partner("other").ship_to_countries == ("US", "CA")
    assert check_ship_to(orders_table(order(**LONDON)), ref.ship_tos, settings) == []
    # the same store of a partner whose profile names no such list is still held
    assert found(check_ship_to(orders_table(order(**{**LONDON, "partner": "globex"})), ref.ship_tos, settings)) == [
        ("ADDRESS_IMPLAUSIBLE", "N404")]
    # and the partner's list replaces the run-wide one: a country only the run-wide list serves is not served
    narrow = RuleSettings(ship_to_countries=("US", "CA", "MX"),
                          partners={"acme": PartnerRuleOverrides(ship_to_countries=("US", "GB"))})
    mexico = {**NO_COUNTRY, "ship_to_city": "Guadalajara", "ship_to_state": "JAL", "ship_to_postal_code": "44100",
              "ship_to_country": "MX"}
    assert found(check_ship_to(orders_table(order(**mexico)), ref.ship_tos, narrow)) == [
        ("ADDRESS_IMPLAUSIBLE", "N404")]
    assert check_ship_to(orders_table(order(**LONDON)), ref.ship_tos, narrow) == []


def test_a_canadian_province_s_former_postal_code_is_that_province(ref):
    """Canada Post's earlier codes, still sent by legacy systems, name their province: PQ and QU are Quebec (QC),
    NF and LB Newfoundland and Labrador (NL); an address-only ship-to with them is plausible (PQ was held
    ADDRESS_IMPLAUSIBLE: "not a CA state/province code"). Yukon was never YK, and a US address never takes them."""
    from rules.business.places import region_code

    montreal = {**NO_COUNTRY, "ship_to_city": "Montreal", "ship_to_postal_code": "H1G 3J5", "ship_to_country": "CA"}
    for legacy in ("PQ", "pq", "QU", "NF", "LB"):
        assert check_ship_to(orders_table(order(**{**montreal, "ship_to_state": legacy})), ref.ship_tos,
                             RuleSettings()) == [], legacy
    assert [region_code("CA", c) for c in ("PQ", "QU", "NF", "LB", "qc", "ON")] == ["QC", "QC", "NL", "NL", "QC", "ON"]
    assert region_code("US", "PQ") == "PQ"
    for wrong, country in (("YK", "CA"), ("PQ", "US"), ("NF", None)):
        assert found(check_ship_to(orders_table(order(**{**NO_COUNTRY, **(montreal if country else {}),
                                                         "ship_to_state": wrong, "ship_to_country": country})),
                                   ref.ship_tos, RuleSettings())) == [("ADDRESS_IMPLAUSIBLE", "N402")] + (
            [("ADDRESS_IMPLAUSIBLE", "N403")] if country == "US" else []), wrong
