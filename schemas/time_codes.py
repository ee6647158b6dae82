"""X12 code list 623 (time code: a 945's G6205, an 856's DTM04): the UTC offset each code names on a day, the code
of a warehouse's IANA time zone, and a time written in the style a partner's 856 guide asks (AsnSettings.time_code).
Definitions and pure arithmetic only (zoneinfo): no profile, no table, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Literal

# G6205 (code list 623) -> hours from UTC: 01..12 are UTC+1..+12, 13..24 UTC-12..-1 (25..29 the half hours of
# later versions); the named standard and daylight times; ET/CT/MT/PT (and AT, HT, NT), the time in force there
# on the day, by its IANA zone
FIXED = {**{f"{h:02d}": h for h in range(1, 13)}, **{f"{h:02d}": h - 25 for h in range(13, 25)}, "UT": 0, "GM": 0,
         "ES": -5, "ED": -4, "CS": -6, "CD": -5, "MS": -7, "MD": -6, "PS": -8, "PD": -7, "AS": -9, "AD": -8,
         "HS": -10, "HD": -9, "NS": -3.5, "ND": -2.5, "25": -2.5, "26": -3.5, "27": 5.5, "28": 9.5, "29": 10.5}
NAMED = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
         "AT": "America/Anchorage", "HT": "Pacific/Honolulu", "NT": "America/St_Johns"}
# a named zone's (standard, daylight) codes: the "standard_daylight" style
_PAIRS = {"ET": ("ES", "ED"), "CT": ("CS", "CD"), "MT": ("MS", "MD"), "PT": ("PS", "PD"), "AT": ("AS", "AD"),
          "HT": ("HS", "HD"), "NT": ("NS", "ND")}
# IANA zones that keep the clock of a named US zone (the code a warehouse there writes); Phoenix keeps no daylight
# time (MS all year), Honolulu neither (HS)
_US_ZONES = {
    "ET": ("America/New_York", "America/Detroit", "America/Indiana/Indianapolis", "America/Indianapolis",
           "America/Kentucky/Louisville", "America/Louisville", "America/Toronto", "US/Eastern", "EST5EDT"),
    "CT": ("America/Chicago", "America/Indiana/Knox", "America/Menominee", "America/North_Dakota/Center",
           "America/Winnipeg", "US/Central", "CST6CDT"),
    "MT": ("America/Denver", "America/Boise", "America/Edmonton", "US/Mountain", "MST7MDT"),
    "PT": ("America/Los_Angeles", "America/Vancouver", "US/Pacific", "PST8PDT"),
    "AT": ("America/Anchorage", "America/Juneau", "US/Alaska"),
    "NT": ("America/St_Johns",),
}
_ZONE_CODES = {zone: code for code, zones in _US_ZONES.items() for zone in zones} | {
    "America/Phoenix": "MS", "US/Arizona": "MS", "Pacific/Honolulu": "HS", "US/Hawaii": "HS", "UTC": "UT",
    "Etc/UTC": "UT", "Etc/GMT": "UT", "GMT": "UT"}

# how a partner's 856 writes DTM04 (AsnSettings.time_code): "zone" the code the warehouse gave, or its clock's
# ET/CT/MT/PT (code list 623's zones, in force on the day: the code most retailers' guides list); "standard_daylight"
# ES/ED, CS/CD ... as the day keeps (guides listing those alone); "utc" UT, the time (and date) converted
TimeCodeStyle = Literal["zone", "standard_daylight", "utc"]


def time_code_offset(code: str, day: date, at: time | None) -> timedelta | None:
    """The UTC offset a G62/DTM time code names for a time on ``day``; None for LT (local time: whose is not said)
    or a code we do not know."""
    if code in FIXED:
        return timedelta(hours=FIXED[code])
    if code in NAMED:
        from zoneinfo import ZoneInfo

        return datetime.combine(day, at or time(12)).replace(tzinfo=ZoneInfo(NAMED[code])).utcoffset()
    return None


def local_offset(zone: str, day: date, at: time) -> timedelta | None:
    """The UTC offset of the IANA ``zone`` at ``at`` on ``day`` (a warehouse's clock: WarehouseProfile.time_zone)."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone)).utcoffset()


def zone_code(zone: str, day: date, at: time) -> str:
    """The 623 code of a time on ``day`` at ``at`` on the clock of the IANA ``zone`` (a warehouse's): a US zone's
    ET/CT/MT/PT/AT/NT (MS in Phoenix, HS in Honolulu, UT for UTC); elsewhere the code of the offset in force then
    (01-12 east, 13-24 west, 25-29 the half hours); "" when 623 has none (Nepal's +05:45)."""
    code = _ZONE_CODES.get(zone)
    if code:
        return code
    offset = local_offset(zone, day, at)
    if offset is None:
        return ""
    return offset_code(int(offset.total_seconds() // 60))


def written_time(day: date, at: time, code: str, style: TimeCodeStyle) -> tuple[date, time, str]:
    """(DTM02 date, DTM03 time, DTM04 code) of a time ``at`` on ``day`` given in the zone ``code`` (623; "" none),
    as ``style`` writes it: "zone" as given; "standard_daylight" a named zone's ES/ED ... for the day (a fixed code as
    given); "utc" converted to UT (LT, "" or an unknown code: as given, there is no offset to convert by)."""
    if not code or style == "zone":
        return day, at, code
    if style == "standard_daylight":
        if code not in _PAIRS:
            return day, at, code
        offset = time_code_offset(code, day, at)
        standard = time_code_offset(_PAIRS[code][0], day, at)
        return day, at, _PAIRS[code][0 if offset == standard else 1]
    offset = time_code_offset(code, day, at)
    if offset is None:
        return day, at, code
    utc = datetime.combine(day, at).replace(tzinfo=timezone(offset)).astimezone(UTC)
    return utc.date(), utc.time().replace(tzinfo=None), "UT"


# time zone abbreviations outside the US that name one offset wherever they are written (tzdata's, as strftime's %Z,
# PostgreSQL, Go and .NET exports write them after a time) -> minutes from UTC; BST is British Summer Time, ADT
# Atlantic Daylight (tzdata writes Bangladesh's and Arabia's as +06 and +03); MSK Moscow, WIB/WITA/WIT Indonesia's
# western, central and eastern time (tzdata's), MEZ/MESZ the German names of CET/CEST
ABROAD = {"WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180,
          "WAT": 60, "CAT": 120, "SAST": 120, "EAT": 180, "IDT": 180, "PKT": 300, "HKT": 480, "AWST": 480,
          "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
          "ADT": -180, "MSK": 180, "WIB": 420, "WITA": 480, "WIT": 540, "MEZ": 60, "MESZ": 120,
          # the German names of WET/WEST and EET/EEST; Java's names where tzdata writes digits ("+08" for
          # Singapore: JDK's TimeZoneNames write SGT): Singapore, Malaysia, Indochina, the Philippines, Brazil (BRST
          # its former summer time), Argentina, Colombia, Peru, Chile, Turkey, Nepal, Bangladesh, Myanmar, Iran,
          # Afghanistan, Uzbekistan; none of them is tzdata's name of another offset (tests/test_shipgaps3.py
          # checks each against tzdata)
          "WEZ": 0, "WESZ": 60, "OEZ": 120, "OESZ": 180, "SGT": 480, "MYT": 480, "ICT": 420, "PHT": 480,
          "BRT": -180, "BRST": -120, "ART": -180, "COT": -300, "PET": -300, "CLT": -240, "CLST": -180, "TRT": 180,
          "NPT": 345, "BDT": 360, "MMT": 390, "IRST": 210, "IRDT": 270, "AFT": 270, "UZT": 300,
          # Guam and the Northern Marianas: Chamorro Standard Time, as tzdata and Java write it (mixed case)
          "ChST": 600}
# abbreviations naming several zones: (reading, minutes from UTC) each; the warehouse's clock (its time_zone) says
# which it means (ambiguous_reading). CST and CDT are read as US Central, PST as US Pacific, where the clock is not
# set or in the Americas, as they always were (zone_names of csv_common: CS, CD, PS)
AMBIGUOUS = {"IST": (("India", 330), ("Ireland", 60), ("Israel", 120)),
             "CST": (("US Central", -360), ("China", 480), ("Cuba", -300)),
             "CDT": (("US Central", -300), ("Cuba", -240)),
             "AST": (("Atlantic", -240), ("Arabia", 180)),
             # tzdata writes PST for Manila too; Java writes GST for the Gulf (Dubai) and South Georgia
             "PST": (("US Pacific", -480), ("Philippines", 480)),
             "GST": (("Gulf", 240), ("South Georgia", -120)),
             # tzdata's Samoa (Pago Pago); Singapore Standard Time as some exports write it
             "SST": (("Samoa", -660), ("Singapore", 480))}
# the seasons a clock is looked at to learn the abbreviations it writes (standard and summer time, both hemispheres)
_SEASONS = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))


@lru_cache(maxsize=256)
def ambiguous_reading(name: str, clock: str) -> tuple[str, int] | None:
    """The reading (of AMBIGUOUS[``name``]) the IANA ``clock`` keeps: the one whose offset it is in winter or summer
    while it writes ``name`` then (or writes no letters, "+03", tzdata's Riyadh), else None (no clock, or one that
    keeps none of them)."""
    if not clock or name not in AMBIGUOUS:
        return None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(clock)
    for moment in _SEASONS:
        at = moment.replace(tzinfo=zone)
        offset, written = at.utcoffset(), at.tzname() or ""
        if offset is None or not (written == name or written[:1] in "+-"):
            continue
        minutes = int(offset.total_seconds() // 60)
        for reading in AMBIGUOUS[name]:
            if reading[1] == minutes:
                return reading
    return None


def offset_code(minutes: int) -> str:
    """The 623 code of a fixed UTC offset (minutes) by number, as a place outside the US zones is named: UT, 01-12
    east, 13-24 west, 27/28/29 +05:30/+09:30/+10:30, 25/26 -02:30/-03:30; "" when 623 has none (+05:45, +13:00)."""
    return _BY_MINUTES.get(minutes, "")


_BY_MINUTES = {0: "UT"} | {round(FIXED[c] * 60): c for c in [f"{h:02d}" for h in range(1, 25)] + [
    "25", "26", "27", "28", "29"]}
