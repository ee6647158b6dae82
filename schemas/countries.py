"""Countries as ISO 3166 alpha-2 codes, the form our documents write N404 in: the alpha-3 codes of the countries
orders are usually shipped to (N404, element 26, ID 2/3, allows either: "MEX" is MX) and the English names order
exports write instead of a code (Faire's and many web exports' "United States"). One table for the parsers, which
read a name as its code, and the rules, which compare an alpha-3 code as its alpha-2 one; a code or name not
listed is left as sent."""

from __future__ import annotations

ALPHA3 = dict(pair.split(":") for pair in (
    "USA:US CAN:CA MEX:MX PRI:PR GBR:GB IRL:IE DEU:DE FRA:FR ITA:IT ESP:ES PRT:PT NLD:NL BEL:BE LUX:LU AUT:AT "
    "CHE:CH DNK:DK SWE:SE NOR:NO FIN:FI ISL:IS POL:PL CZE:CZ SVK:SK HUN:HU ROU:RO BGR:BG GRC:GR HRV:HR SVN:SI "
    "EST:EE LVA:LV LTU:LT CYP:CY MLT:MT TUR:TR ISR:IL ARE:AE SAU:SA IND:IN CHN:CN HKG:HK TWN:TW JPN:JP KOR:KR "
    "SGP:SG MYS:MY THA:TH VNM:VN PHL:PH IDN:ID AUS:AU NZL:NZ ZAF:ZA BRA:BR ARG:AR CHL:CL COL:CO PER:PE "
    "DOM:DO GTM:GT CRI:CR PAN:PA VIR:VI GUM:GU ASM:AS MNP:MP UMI:UM MAC:MO QAT:QA JAM:JM BHS:BS").split())

# The United States' territories with an ISO 3166 code of their own, which USPS lists as states too (the same two
# letters: N4*SAN JUAN*PR*00907*PR), within its ZIP codes and domestic mail. X12's RFI 1686: "There is no situation in
# which a territory of the United States would be reported using a country code in N404 ... Territorial addresses are
# not outside the United States"; yet buyers' systems write their code (or its alpha-3: GUM, VIR) there. A partner
# we ship to the United States for is served in them: the address is checked as a U.S. one, the territory its state.
US_TERRITORIES = frozenset({"PR", "VI", "GU", "AS", "MP"})

# Countries with no postal codes, or none in general use: an address there has no N403 to send (Hong Kong, Macau,
# the Emirates, Qatar, ...; Ireland's Eircode, since 2015, and Panama's are optional: Magento's default countries of
# an optional postcode are HK, IE, MO and PA). X12 makes N403 optional; its absence is no incomplete address there.
NO_POSTAL_CODES = frozenset(
    "AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GM GQ GY HK IE JM KI KM KN KP LC ML MO MR "
    "MW NR NU PA QA RW SB SC SL SR SS ST SY TD TG TK TL TO TV UG VU YE ZW".split())

# by English name, upper case, without dots; "US" and "USA" as the exports write the United States
NAMES = {
    "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "US": "US", "USA": "US", "CANADA": "CA",
    "MEXICO": "MX", "PUERTO RICO": "PR", "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "IRELAND": "IE",
    "GERMANY": "DE", "FRANCE": "FR", "ITALY": "IT", "SPAIN": "ES", "PORTUGAL": "PT", "NETHERLANDS": "NL",
    "THE NETHERLANDS": "NL", "BELGIUM": "BE", "LUXEMBOURG": "LU", "AUSTRIA": "AT", "SWITZERLAND": "CH",
    "DENMARK": "DK", "SWEDEN": "SE", "NORWAY": "NO", "FINLAND": "FI", "POLAND": "PL", "CZECH REPUBLIC": "CZ",
    "CZECHIA": "CZ", "GREECE": "GR", "AUSTRALIA": "AU", "NEW ZEALAND": "NZ", "JAPAN": "JP",
}


def alpha2(code: str) -> str:
    """An N404 country code as its alpha-2 code (upper case): "GBR" is GB; one not listed upper-cased as sent."""
    code = code.strip().upper()
    return ALPHA3.get(code, code)


def named(text: str) -> str:
    """A country written as its English name (or US/USA) as its alpha-2 code; anything else as sent."""
    return NAMES.get(" ".join(text.replace(".", "").split()).upper(), text)


# Canada Post's earlier two-letter codes, still sent by legacy systems (Canada Post's Canadian Postal Code
# Directory and Natural Resources Canada's list of former abbreviations): PQ and later QU for Quebec (QC since
# 1990-92), NF for Newfoundland (NL since the province's name changed in 2001), LB for Labrador (a part of NL).
# They name the province as plainly as its code today: checked as it (the address kept as sent for our
# documents). Yukon has been YT throughout; the "YK" some lists give is no code Canada Post used.
CA_LEGACY_PROVINCES = {"PQ": "QC", "QU": "QC", "NF": "NL", "LB": "NL"}
_LEGACY = {"CA": CA_LEGACY_PROVINCES}


def region_code(country: str, code: str) -> str:
    """An N402 state or province ``code`` of ``country`` (an alpha-2 code) as its code today: a Canadian
    province's former code (CA_LEGACY_PROVINCES: PQ is QC) as the current one, any other upper-cased as sent.
    For every check of a province (and what depends on it, such as a province's tax), never for our documents,
    which echo the address as sent."""
    code = code.strip().upper()
    return _LEGACY.get(country, {}).get(code, code)
