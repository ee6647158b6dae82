"""X12 dictionaries, standard-complete and version-aware: the model (schemas.x12dict.model) and the
loader of the declarative data in schemas/x12dict/data/, one immutable, cached Dictionary per version.

Owns the reading of data/*.txt only; checking documents against a Dictionary is rules/ work and
building documents is engine/ work. Plain string splitting, no regex, no third-party grammar.

The data format (written by us from the X12 standard and public references; "#" starts a comment,
blank lines are ignored). Files named ``*-005010.txt`` hold only what 005010 changed: a line there
replaces (or adds) the 004010 line with the same id.

``elements.txt``   one data element a line: ``REF TYPE MIN MAX Name``, e.g. ``353 ID 2 2 Transaction
                   Set Purpose Code``. TYPE is AN, ID, N0..N9, R, DT, TM or B.
``composites.txt`` ``ID Name: REF REQ, REF REQ, ... | NOTE NOTE``, e.g.
                   ``C040 Reference Identifier: 128 M, 127 M, 128 X, 127 X | P0304``. REQ is M, O or X
                   (X: relational, governed by a syntax note).
``segments.txt``   ``ID Name: REF REQ, ... | NOTE ...``; REF is a data element number or a composite id
                   (C001); ``REF REQ*N`` marks an element that may repeat N times (005010 and later).
                   Notes in X12 notation: P0506 paired, R0203 required, E0102 exclusion, C0302
                   conditional, L010203 list conditional.
``sets/SET-VERSION.txt``  first line ``SET 850 PO Purchase Order`` (set id, GS01 functional id, name),
                   then one segment a line, ``SEG REQ MAX``, and loops by two-space indentation:
                   ``LOOP ID REQ REPEAT`` with the loop's segments below it, its trigger first.
                   MAX/REPEAT ``>1`` means unbounded.
``codes/ELEMENT.txt``, ``codes/ELEMENT-005010.txt``  the complete code list of one ID element for
                   004010 (and for 005010 where no -005010 file replaces it): one code a line, its
                   name after it (ignored by the loader).
                   Only complete lists are held: an element without a file accepts any value.
``codes/ELEMENT-known.txt``  codes of an element known from references when its complete list is not held
                   (e.g. 355): documentation for rules and reports, never loaded as a code list.
``codes/ELEMENT-later.txt``  codes later X12 versions added to an element whose complete list we hold for
                   an earlier one (723 "12" Too Many Repetitions, from 005050): no version's list, so never
                   loaded as one; `codes_of_any_version` adds them to what a code check accepts.
"""

from __future__ import annotations

import functools
from importlib import resources
from types import MappingProxyType

from schemas.x12dict.model import (  # noqa: F401
    NOTE_AK4,
    UNBOUNDED,
    ComponentUse,
    CompositeDef,
    Dictionary,
    ElementDef,
    ElementUse,
    SegmentDef,
    SetTable,
    SyntaxNote,
)

SUPPORTED_VERSIONS = ("004010", "005010")
_BASE = "004010"
_SETS = {
    "004010": ("850", "875", "876", "860", "855", "870", "865", "856", "810", "880", "824", "864", "945", "997", "820",
               "812"),
    "005010": ("850", "875", "876", "860", "855", "870", "865", "856", "810", "880", "824", "864", "945", "997", "999",
               "820", "812"),
    # the releases before 004010 some of whose sets we write (EARLY_RELEASES): those sets only
    "003040": ("810", "855", "856", "865", "880"),
    "003050": ("810", "855", "856", "865"),
    "003060": ("810", "855", "856", "865"),
    "003070": ("810", "855", "856", "865"),
}

# Releases before 004010 in which we write some sets besides 997s, and which (the 855, 856, 810 and 865 in
# 003040-003070; the 880 in 003040, a 003040UCS grocer's invoice): a buyer whose guide for a set is in one (Navistar's
# 856 guide is 003050, its 810 003040; Ford's 810 003040; a VICS retailer's 003060VICS) names it in [x12]
# gs_versions. Each has a dictionary of its own (004010's with the release's layer: data/*-0030x0.txt,
# data/sets/SET-0030x0.txt) by which those sets are written (engine.early_release: 004010's body with the elements
# that release lacks left out, its dates YYMMDD, 003070's date and century composites) and judged (rules.outbound);
# never used to judge inbound groups (dictionary() holds 004010 and 005010 only: an inbound 003040 group is judged as
# before, schemas.profile other_versions)
EARLY_RELEASES = MappingProxyType({v: _SETS[v] for v in ("003040", "003050", "003060", "003070")})


def base_version(version: str) -> str:
    """The X12 version/release of a GS08 (or ISA12) value: "004010VICS" -> "004010",
    "005010X230" -> "005010", "3050" -> "003050", "00401" (ISA12) -> "004010"."""
    v = version.strip()
    digits = ""
    for ch in v:
        if not ch.isdigit():
            break
        digits += ch
    if len(digits) == 5:  # ISA12 form: 00401 -> 004010
        return digits + "0"
    if len(digits) >= 6:
        return digits[:6]
    if len(digits) == 4:  # "3050", "4010" written without the leading zeros
        return "00" + digits
    return digits


# The releases whose documents we write (schemas.profile.X12Settings.gs_version, the 997 of a group in another
# version: AckSettings.version): a version we hold and its later releases up to 0x0 (004010 .. 004090, 005010 ..
# 005090), each built by, and judged by, its version's dictionary (a later release keeps the earlier release's
# segments, elements and codes). What 004020-004060 changed in the 855, 856 and 810 (Bots' grammars of each
# release, the tests' oracle): lengths widened (004030: REF02, N902, BAK08, SAC13 1/50; PER04/06/08 1/256),
# elements and segments added (ST03, BIG11, N407, the 810's CRC), and the 855's MSG taken out of its N9, N1 and
# SLN loops (004020, for MTX): none of it in what we write (our 855 has no MSG), so a 4010-built 855/856/810 is a
# valid 004030 one; judged by 004010's lengths, a check of ours stricter than 004030's. The 4030 code lists we do
# not hold (a code 4030 withdrew would pass).
WRITTEN_RELEASES = MappingProxyType({f"{v[:3]}0{r}0": v for v in SUPPORTED_VERSIONS for r in range(int(v[4]), 10)})


# Releases before 004010 in which we write 997s only, for their groups (engine.envelope.ack_version): 004010's 997
# without what later releases added (AK103, AK203; AK401 one number before 003050, when C030 came), GS04 YYMMDD,
# ISA11 U, the release's ISA12 (00200 for 002001-002003, 00204, 00301 ...). X12 has had the 997 since version 2
# (the automotive guides of 002001/002002/002040: Ford's 002002FORD, FCA US's 997 in 002040), its AK1 (479, 28),
# AK2 (143, 329), AK3 (721, 719, 447, 720), AK4 (722, 725, 723, 724), AK5 (717, 718) and AK9 (715, 97, 123, 2,
# 716) the same elements from then until 003050 turned AK401 into C030 and 005010 added AK103/AK203; so a version-2
# or 003010-003030 group is answered in its own release as every later one is (a translator matches a 997 to the
# group it answers by version: Bots issue 366). 002000, the first issue, is not among them (no 997 there we could
# find a guide for): its groups are answered in the profile's version. Bots holds 997 grammars from 003040 only;
# tests hold the earlier ones against its 003040 grammar (the same segments)
EARLY_997_RELEASES = frozenset({"002001", "002002", "002003", "002040", "003010", "003020", "003030",
                                *(f"0030{r}0" for r in range(4, 8))})


def built_by(version: str) -> str | None:
    """The version we hold whose dictionary our documents of ``version`` (any GS08 form) are built by: 004030 and
    004030VICS -> 004010, 005010 -> 005010, an early release we write sets in its own (003050 -> 003050); None for
    a version we do not write (003030, 006020)."""
    v = base_version(version)
    return v if v in EARLY_RELEASES else WRITTEN_RELEASES.get(v)


def early_sets_text() -> str:
    """The sets we write in a release before 004010 (EARLY_RELEASES), as a profile's refusal names them: "the 810,
    855, 856 and 865 in 003040-003070"."""
    by_sets: dict[tuple[str, ...], list[str]] = {}
    for v, sets in EARLY_RELEASES.items():
        by_sets.setdefault(sets, []).append(v)
    return "; ".join(f"the {_and(list(sets))} in " + (f"{versions[0]}-{versions[-1]}" if len(versions) > 2
                                                       else " and ".join(versions))
                     for sets, versions in by_sets.items())


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def written_in(set_id: str, version: str) -> bool:
    """We write ``set_id`` sets in GS08 ``version`` by its own dictionary: an early release holding that set's table
    (EARLY_RELEASES: the 855, 856, 810 and 865 in 003040-003070, the 880 in 003040)."""
    return set_id in EARLY_RELEASES.get(base_version(version), ())


def release_dictionary(version: str) -> Dictionary | None:
    """dictionary(version), and the dictionaries of the early releases we write sets in (EARLY_RELEASES): the one
    our outbound documents of ``version`` are built and judged by (built_by's version)."""
    v = base_version(version)
    return _load(v) if v in EARLY_RELEASES else dictionary(v)


def dictionary(version: str) -> Dictionary | None:
    """The Dictionary of an X12 version (any GS08 form), or None when we hold no table for it.
    Loaded once per version (cached) and immutable."""
    v = base_version(version)
    if v not in SUPPORTED_VERSIONS:
        return None
    return _load(v)


@functools.cache
def codes_of_any_version(ref: str) -> frozenset[str]:
    """Every code of element ``ref`` that some X12 version defines, as far as we know them: the complete
    lists of every version we hold and the codes later versions added (codes/REF-later.txt). A code
    check accepts these in any version: a newer translator's well-formed code is no reason to refuse a
    document (a 004010 997 with AK403 12, a 004010 850 with a BEG01 of 005010)."""
    out: set[str] = set()
    for version in SUPPORTED_VERSIONS:
        out |= _load(version).codes(ref) or frozenset()
    out |= {line.split()[0] for line in _lines(_read(f"codes/{ref}-later.txt"))}
    return frozenset(out)


def functional_id_unknown(gs01: str, gs08: str) -> bool:
    """GS01 is no code of element 479 (functional identifier code) in the group's own release (GS08), as far
    as we can tell: only for a release up to 004010, whose codes are all in 004010's complete list (the list
    only grew). A later release added codes we do not hold (005010 has 262), so there any GS01 of valid
    syntax may be one of them: never called unknown (a check stricter than the standard refuses a valid group)."""
    if base_version(gs08) > _BASE:
        return False
    return gs01 not in (_load(_BASE).codes("479") or {gs01})


@functools.cache
def _read(name: str) -> str:
    try:
        return (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            out.append(line)
    return out


def _layered(name: str, version: str) -> list[str]:
    """The lines of ``name``.txt for the base version, then those of ``name``-VERSION.txt."""
    lines = _lines(_read(name + ".txt"))
    if version != _BASE:
        lines += _lines(_read(f"{name}-{version}.txt"))
    return lines


def _notes(text: str) -> tuple[SyntaxNote, ...]:
    notes = []
    for word in text.split():
        kind, digits = word[0], word[1:]
        if kind not in "PRECL" or len(digits) < 4 or len(digits) % 2 or not digits.isdigit():
            raise ValueError(f"bad syntax note {word!r}")
        notes.append(SyntaxNote(kind, tuple(int(digits[i:i + 2]) for i in range(0, len(digits), 2))))
    return tuple(notes)


def _split_def(line: str) -> tuple[str, str, list[tuple[str, str, int]], tuple[SyntaxNote, ...]]:
    """``ID Name: REF REQ, ... | NOTES`` -> (id, name, [(ref, req, repeat)], notes)."""
    head, _, rest = line.partition(":")
    ident, _, name = head.strip().partition(" ")
    body, _, notes = rest.partition("|")
    uses = []
    for item in body.split(","):
        ref, req = item.split()
        repeat = 1
        if "*" in req:
            req, n = req.split("*")
            repeat = int(n)
        if req not in ("M", "O", "X"):
            raise ValueError(f"{ident}: bad requirement {req!r}")
        uses.append((ref, req, repeat))
    return ident, name.strip(), uses, _notes(notes)


def _table(lines: list[str], path: str) -> tuple[tuple[str, str, str], tuple]:
    header = lines[0].split(None, 3)
    if header[0] != "SET":
        raise ValueError(f"{path}: first line must be SET")
    root: list = []
    stack: list[tuple[int, list]] = [(-1, root)]
    for line in lines[1:]:
        indent = len(line) - len(line.lstrip(" "))
        words = line.split()
        while indent <= stack[-1][0]:
            stack.pop()
        target = stack[-1][1]
        if words[0] == "LOOP":
            _, loop_id, req, rep = words
            body: list = []
            target.append(["LOOP", loop_id, req, _count(rep), body])
            stack.append((indent, body))
        else:
            seg, req, mx = words
            target.append((seg, req, _count(mx)))
    return (header[1], header[2], header[3]), _freeze(root)


def _freeze(entries: list) -> tuple:
    out = []
    for e in entries:
        out.append((e[0], e[1], e[2], e[3], _freeze(e[4])) if e[0] == "LOOP" else e)
    return tuple(out)


def _count(word: str) -> int:
    return UNBOUNDED if word == ">1" else int(word)


@functools.cache
def _load(version: str) -> Dictionary:
    elements: dict[str, ElementDef] = {}
    for line in _layered("elements", version):
        ref, typ, lo, hi, *name = line.split()
        elements[ref] = ElementDef(ref, typ, int(lo), int(hi), " ".join(name))

    composites: dict[str, CompositeDef] = {}
    for line in _layered("composites", version):
        ident, name, uses, notes = _split_def(line)
        comps = tuple(ComponentUse(i, elements[ref], req) for i, (ref, req, _) in enumerate(uses, 1))
        composites[ident] = CompositeDef(ident, name, comps, notes)

    segments: dict[str, SegmentDef] = {}
    for line in _layered("segments", version):
        ident, name, uses, notes = _split_def(line)
        els = tuple(
            ElementUse(i, ref, req, composite=composites[ref], repeat=rep) if ref in composites
            else ElementUse(i, ref, req, element=elements[ref], repeat=rep)
            for i, (ref, req, rep) in enumerate(uses, 1))
        segments[ident] = SegmentDef(ident, name, els, notes)

    sets: dict[str, SetTable] = {}
    for set_id in _SETS[version]:
        path = f"sets/{set_id}-{version}.txt"
        lines = _lines(_read(path))
        if not lines:
            continue
        (sid, fid, name), entries = _table(lines, path)
        sets[sid] = SetTable(sid, version, fid, name, entries)

    code_lists: dict[str, frozenset[str]] = {}
    codes_dir = resources.files(__package__) / "data" / "codes"
    if codes_dir.is_dir():
        names = sorted(p.name for p in codes_dir.iterdir() if p.name.endswith(".txt"))
        for fname in names:
            stem = fname[:-4]
            ref, _, ver = stem.partition("-")
            if ver and ver != version:
                continue
            if not ver and f"{ref}-{version}.txt" in names:
                continue  # this version has its own complete list
            codes = frozenset(line.split()[0] for line in _lines(_read("codes/" + fname)))
            code_lists[ref] = codes

    return Dictionary(version, MappingProxyType(elements), MappingProxyType(composites),
                      MappingProxyType(segments), MappingProxyType(sets), MappingProxyType(code_lists))
