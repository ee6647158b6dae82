"""How our files travel to a partner: the file name patterns, the folder per document type and the upload
staging a profile's [delivery] table may ask for (definitions, and the checks made once when the profile is
loaded). Pure: no paths are touched here; flows.documents names the files, the connectors place them.

A pattern is literal text (letters, digits, ``.``, ``_``, ``-``) and tokens:
``{partner}`` the profile id, ``{type}`` the document type (855, 856, 810, 997, TA1, 865, 870, 880; CSV for a CSV
acknowledgment), ``{isa13}`` (or ``{seq}``) the document's own control number (ISA13; a CSV acknowledgment's own
number), ``{gs06}`` (0 for a TA1 or a CSV acknowledgment), ``{po}`` the PO number when every set of the file
answers one PO (MULTI when it answers several, NONE when none; characters other than letters, digits, ``_`` and
``-`` become ``_``, at most 40), ``{date}`` (YYYYMMDD), ``{time}`` (HHMMSS) and ``{now:%Y%m%d%H%M%S}`` from the
run clock. Numbers take a width: ``{isa13:09d}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

TOKENS = ("partner", "type", "isa13", "seq", "gs06", "po", "date", "time", "now")
NUMBERS = ("isa13", "seq", "gs06")
UPLOADS = ("temp_name", "staging", "direct")
# the documents a pattern or a folder may name: the X12 ones we send (one ISA13 counter) and the CSV acknowledgment
# (its own counter)
X12_TYPES = ("997", "TA1", "855", "870", "856", "810", "880", "865")
CSV_ACK = "csv_ack"
DOC_KEYS = (*X12_TYPES, CSV_ACK)
DEFAULT_X12 = "{partner}-{type}-{isa13:09d}.x12"  # what flows.documents writes without a pattern
DEFAULT_CSV = "{partner}-csv-ack-{isa13:09d}.csv"
PO_WIDTH = 40
_LITERAL = re.compile(r"[A-Za-z0-9._-]+")
_TOKEN = re.compile(r"\{([a-z0-9]+)(?::([^{}]*))?\}")
_NUMBER_SPEC = re.compile(r"0?(\d{0,2})d")
_FIXED_TIME = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2, "y": 2, "j": 3}  # strftime fields of one width
_UNREAD_ENDINGS = (".tmp", ".part", ".filepart", ".lock", ".lck", ".partial")  # names pollers and we skip


@dataclass(frozen=True, slots=True)
class Part:
    """A literal (``token`` empty, ``text`` the text) or a token with its format ``text``."""

    token: str
    text: str

    def width(self, partner: str, doc_type: str) -> int | None:
        """The characters this part always writes for ``partner``'s ``doc_type``; None when it varies."""
        if not self.token:
            return len(self.text)
        if self.token == "partner":
            return len(partner)
        if self.token == "type":
            return len(doc_type)
        if self.token in NUMBERS:
            m = _NUMBER_SPEC.fullmatch(self.text or "d")
            return int(m[1]) if m and m[1] and int(m[1]) >= 9 and self.text.startswith("0") else None
        if self.token == "po":
            return None
        return len(datetime(2000, 1, 1).strftime(self._time_format()))

    def _time_format(self) -> str:
        return {"date": "%Y%m%d", "time": "%H%M%S"}.get(self.token) or self.text or "%Y%m%d%H%M%S"


def parse_pattern(pattern: str) -> list[Part]:
    """The parts of ``pattern``; ValueError naming what is wrong (an unknown token, a character a file name of
    ours never has, a format that is not a number's width or fixed-width date and time fields)."""
    parts: list[Part] = []
    at = 0
    for m in _TOKEN.finditer(pattern):
        if m.start() > at:
            parts.append(_literal(pattern[at:m.start()], pattern))
        token, spec = m[1], m[2] or ""
        if token not in TOKENS:
            raise ValueError(f"file name pattern {pattern!r}: unknown token {{{token}}}; choose from "
                             + ", ".join("{" + t + "}" for t in TOKENS))
        if token in NUMBERS and spec and not _NUMBER_SPEC.fullmatch(spec):
            raise ValueError(f"file name pattern {pattern!r}: {{{token}:{spec}}} is not a width such as 09d")
        if token in ("partner", "type", "po", "date", "time") and spec:
            raise ValueError(f"file name pattern {pattern!r}: {{{token}}} takes no format")
        if token == "now":
            fields = re.findall(r"%(.)", spec)
            rest = re.sub(r"%.", "", spec)
            if not spec or any(f not in _FIXED_TIME for f in fields) or (rest and not _LITERAL.fullmatch(rest)):
                raise ValueError(f"file name pattern {pattern!r}: {{now:{spec}}} takes fixed-width fields only ("
                                 + " ".join("%" + f for f in _FIXED_TIME) + ") and letters, digits, . _ -")
        parts.append(Part(token, spec))
        at = m.end()
    if at < len(pattern):
        parts.append(_literal(pattern[at:], pattern))
    return parts


def _literal(text: str, pattern: str) -> Part:
    if not _LITERAL.fullmatch(text):
        raise ValueError(f"file name pattern {pattern!r}: {text!r} has a character other than letters, digits, "
                         "'.', '_', '-' and tokens in braces")
    return Part("", text)


def check_patterns(partner: str, patterns: dict[str, str]) -> None:
    """Refuse (ValueError) patterns that could give two documents of ``partner`` one name, so that no file is ever
    written over another document's (the state store keeps names unique per partner, whatever their folder):
    ``patterns`` maps each document kind (X12_TYPES, CSV_ACK) to the pattern it is named by. Each must

    - hold the document's own number (``{isa13}`` or ``{seq}``), readable back from the name: every part on one side
      of it has one width (literals, ``{partner}``, ``{type}``, numbers of width 9 such as ``{gs06:09d}``, date and
      time fields) and the number is ``{isa13:09d}`` or is bounded on its other side by that side's fixed part or a
      character that is not a digit;
    - differ from every other kind's pattern (with ``{partner}`` and ``{type}`` written out) in its fixed text
      before the first varying part or after the last, neither being the start (or end) of the other, unless both
      are the same pattern numbered by the same counter (X12 documents share ISA13s; a CSV acknowledgment's
      numbers are its own);
    - not start with '.' or '~' nor end as a temporary or lock file ("being written" to pollers and to us),
      and fit in 255 bytes."""
    resolved: dict[str, tuple[str, str, str]] = {}  # kind -> (fixed start, fixed end, the pattern written out)
    for kind, pattern in patterns.items():
        doc_type = "CSV" if kind == CSV_ACK else kind
        parts = parse_pattern(pattern)
        numbered = [i for i, p in enumerate(parts) if p.token in ("isa13", "seq")]
        if not numbered:
            raise ValueError(f"file name pattern {pattern!r} ({kind}) has no {{isa13}} (or {{seq}}): without the "
                             "document's own number two documents could take one name")
        if not any(_readable(parts, i, partner, doc_type) for i in numbered):
            raise ValueError(f"file name pattern {pattern!r} ({kind}): the number cannot be read back from the name "
                             "(a varying part such as {po} or an unpadded number on both sides of it, or beside it "
                             "without a non-digit between): two documents could take one name; put {isa13:09d} "
                             "first or last, or separate it with a letter, '.', '_' or '-'")
        written = [p if p.token not in ("partner", "type") else Part("", partner if p.token == "partner" else doc_type)
                   for p in parts]
        text = "".join(p.text if not p.token else "{" + p.token + (":" + p.text if p.text else "") + "}"
                       for p in written)
        start = "".join(p.text for p in _fixed_run(written))
        end = "".join(p.text for p in reversed(_fixed_run(list(reversed(written)))))
        if start.startswith((".", "~")):
            raise ValueError(f"file name pattern {pattern!r} ({kind}) starts with '.' or '~': pollers take such "
                             "names as hidden or temporary files")
        if end.lower().endswith(_UNREAD_ENDINGS) or ".." in pattern:
            raise ValueError(f"file name pattern {pattern!r} ({kind}) ends as a temporary or lock file or holds "
                             "'..': such a file is never taken as ready")
        longest = sum(_most(p, partner, doc_type) for p in parts)
        if longest > 255:
            raise ValueError(f"file name pattern {pattern!r} ({kind}) can make names of {longest} characters; a "
                             "file name holds at most 255")
        resolved[kind] = (start, end, text)
    kinds = sorted(resolved)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            (sa, ea, ta), (sb, eb, tb) = resolved[a], resolved[b]
            if ta == tb and (a == CSV_ACK) == (b == CSV_ACK):
                continue  # one pattern, one counter: the numbers differ
            apart = not (sa.startswith(sb) or sb.startswith(sa)) or not (ea.endswith(eb) or eb.endswith(ea))
            if not apart:
                raise ValueError(f"file name patterns of {a} ({patterns[a]!r}) and {b} ({patterns[b]!r}) could "
                                 "give two documents one name: give them other fixed text at the start or the end "
                                 "(e.g. {type} first, or another extension)")


def _readable(parts: list[Part], i: int, partner: str, doc_type: str) -> bool:
    """Whether the number at ``parts[i]`` can be read back from any name the pattern makes."""
    before, after = parts[:i], parts[i + 1:]
    fixed_before = all(p.width(partner, doc_type) is not None for p in before)
    fixed_after = all(p.width(partner, doc_type) is not None for p in after)
    if parts[i].width(partner, doc_type) is not None:  # {isa13:09d}: its place is known from a fixed side
        return fixed_before or fixed_after
    if fixed_before and fixed_after:
        return True
    # an unpadded number read from its fixed side runs to the first non-digit: the other side must start with one
    if fixed_before:
        return bool(after) and not after[0].token and not after[0].text[0].isdigit()
    if fixed_after:
        return bool(before) and not before[-1].token and not before[-1].text[-1].isdigit()
    return False


def _fixed_run(parts: list[Part]) -> list[Part]:
    out = []
    for p in parts:
        if p.token:
            break
        out.append(p)
    return out


def _most(p: Part, partner: str, doc_type: str) -> int:
    w = p.width(partner, doc_type)
    if w is not None:
        return w
    if p.token == "po":
        return PO_WIDTH
    m = _NUMBER_SPEC.fullmatch(p.text or "d")
    return max(9, int(m[1]) if m and m[1] else 0)


_PO_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class NamePattern:
    """A checked pattern, ready to name documents (``name``)."""

    parts: tuple[Part, ...]

    @classmethod
    def of(cls, pattern: str) -> NamePattern:
        return cls(tuple(parse_pattern(pattern)))

    def name(self, *, partner: str, doc_type: str, number: int, gs06: int, po: str, now: datetime) -> str:
        out = []
        for p in self.parts:
            t = p.token
            if not t:
                out.append(p.text)
            elif t == "partner":
                out.append(partner)
            elif t == "type":
                out.append(doc_type)
            elif t in NUMBERS:
                out.append(format(gs06 if t == "gs06" else number, p.text or "d"))
            elif t == "po":
                out.append(_PO_UNSAFE.sub("_", po)[:PO_WIDTH] or "NONE")
            else:
                out.append(now.strftime(p._time_format()))
        return "".join(out)

    def matcher(self, *, partner: str, doc_type: str) -> re.Pattern[str]:
        """A regular expression matching the names this pattern gives ``partner``'s ``doc_type``; its group
        ``number`` is the document's own number (a store rebuilt from the outbox reads it back: flows.rebuild)."""
        out, numbered = [], False
        for p in self.parts:
            t = p.token
            if not t:
                out.append(re.escape(p.text))
            elif t in ("partner", "type"):
                out.append(re.escape(partner if t == "partner" else doc_type))
            elif t in NUMBERS:
                m = _NUMBER_SPEC.fullmatch(p.text or "d")
                digits = rf"\d{{{int(m[1])},}}" if m and m[1] and p.text.startswith("0") else r"\d+"
                if t != "gs06" and not numbered:
                    out.append(f"(?P<number>{digits})")
                    numbered = True
                else:
                    out.append(digits)
            elif t == "po":
                out.append(r"[A-Za-z0-9_-]*")
            else:
                fmt = p._time_format()
                out.append(re.sub(r"%(.)", lambda f: rf"\d{{{_FIXED_TIME[f[1]]}}}", re.sub(r"[^%A-Za-z0-9]",
                                                                                      lambda c: "\\" + c[0], fmt)))
        return re.compile("".join(out))


# what `orderbridge partner check` names its example files with (rules.partner_check.delivery_lines): fixed, so its
# output is the same every time it runs
EXAMPLE_NUMBER, EXAMPLE_GS06, EXAMPLE_PO = 1, 1, "PO12345"
EXAMPLE_RUN = datetime(2026, 1, 2, 3, 4, 5)
_UPLOADS_SAID = {
    "temp_name": "each file is written under a hidden temporary name in its own folder, then renamed into place",
    "staging": "each file is written in the staging folder {staging}, then moved into its folder",
    "direct": "each file is written under its final name and its size checked (a crash can leave part of a file "
              "there until the next run writes it again whole)",
}


def example_name(pattern: str | None, *, partner: str, kind: str) -> str:
    """The name a document of ``kind`` (an X12 type or csv_ack) of ``partner`` takes by ``pattern`` (None: the
    default names), numbered EXAMPLE_NUMBER, for EXAMPLE_PO, run at EXAMPLE_RUN."""
    csv = kind == CSV_ACK
    text = pattern or (DEFAULT_CSV if csv else DEFAULT_X12)
    return NamePattern.of(text).name(partner=partner, doc_type="CSV" if csv else kind, number=EXAMPLE_NUMBER,
                                     gs06=0 if csv or kind == "TA1" else EXAMPLE_GS06, po=EXAMPLE_PO, now=EXAMPLE_RUN)


def upload_said(upload: str, staging: str | None) -> str:
    """How a file of an ``upload`` mode reaches its folder, in words."""
    return _UPLOADS_SAID[upload].format(staging=staging or "")
