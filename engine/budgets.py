"""A partner's budgets for one file (schemas.profile.LimitSettings): a file too large is never read, a
file with too many transaction sets is not checked set by set, a set too large to hold gets a
finding, and the findings kept per set and per file are capped, the rest counted in one
FINDINGS_CAPPED finding per set (or file). Never a crash, never memory in proportion to a hostile
file's damage.

Pure: sizes, parse results and findings in; findings out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from engine.acks import TA1_TOLERATED
from schemas.codes import CATALOGUE
from schemas.findings import Finding, FindingsBudget, finding
from schemas.profile import LimitSettings
from schemas.x12 import Interchange


def file_too_large(size: int, limits: LimitSettings, *, file: str) -> Finding | None:
    """FILE_TOO_LARGE when ``size`` bytes is over the partner's limit (checked before reading)."""
    if size <= limits.max_file_bytes:
        return None
    return finding("FILE_TOO_LARGE", f"{file} is {size:,} bytes, over this partner's limit of "
                   f"{limits.max_file_bytes:,} (limits.max_file_bytes); it was archived and quarantined unread, "
                   "and nothing was answered.", file=file, value=str(size))


def too_many_sets(count: int, limits: LimitSettings, *, file: str) -> Finding | None:
    """FILE_TOO_MANY_SETS when the file holds more transaction sets than the partner's limit."""
    if count <= limits.max_sets_per_file:
        return None
    return finding("FILE_TOO_MANY_SETS", f"{file} holds {count:,} transaction sets, over this partner's limit of "
                   f"{limits.max_sets_per_file:,} (limits.max_sets_per_file); none was checked or answered and "
                   "the file was quarantined.", file=file, value=str(count))


def set_too_large(size: int, segments: int, limits: LimitSettings, *, file: str, isa13: str, gs06: str, st02: str,
                  file_segment: int, set_id: str) -> Finding:
    """SET_TOO_LARGE for a transaction set whose body (``size`` bytes, ``segments`` segments, more than
    the partner's max_set_bytes) the streaming reader left out instead of holding it."""
    return finding("SET_TOO_LARGE", f"Transaction set {set_id} {st02} holds more than {limits.max_set_bytes:,} bytes "
                   f"(limits.max_set_bytes; at least {size:,} bytes, {segments:,} segments); it was not read, it is "
                   "rejected in the 997 and the file is quarantined.", file=file, isa13=isa13, gs06=gs06, st02=st02,
                   seg="ST", file_segment=file_segment, value=str(size))


def spans_of(interchanges: Iterable[Interchange]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The file segments (first, last; as a finding's file_segment counts them) of every group and of
    every transaction set of ``interchanges``, each list in file order (cap_findings' ``spans``)."""
    groups = [(g.start + 1, g.end + 1) for ic in interchanges for g in ic.groups]
    sets = [(ts.start + 1, ts.end + 1) for ic in interchanges for g in ic.groups for ts in g.transactions]
    return groups, sets


def cap_findings(findings: Sequence[Finding], limits: LimitSettings,
                 spans: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])) -> list[Finding]:
    """At most ``max_findings_per_set`` findings per transaction set (interchange and group findings
    count as their own set) and ``max_findings_per_file`` in all, in their order; what is dropped is
    counted by code in a FINDINGS_CAPPED warning where it was dropped. The first error of every set
    is always kept, and in every set the first error that decides each of: the interchange's acceptance
    (an interchange-level error a TA1 does not tolerate, engine.acks.TA1_TOLERATED), a group's (a
    group-level error) and a transaction set's (a set, segment or element error), per group and per
    transaction set where ``spans`` (spans_of) places the finding: a group whose GS06 is unreadable has
    its findings under its interchange, two sets may share an ST02. So what is accepted or rejected
    never depends on the cap."""
    budget = FindingsBudget(limits.max_findings_per_set, limits.max_findings_per_file)
    groups, sets = spans
    group_starts, set_starts = [a for a, _ in groups], [a for a, _ in sets]
    for f in findings:
        loc = f.location
        decides = _decides(f)
        if decides == "group":
            decides = ("group", _container(groups, group_starts, loc.file_segment))
        elif decides == "set":
            decides = ("set", _container(sets, set_starts, loc.file_segment))
        budget.add(f, (loc.file, loc.isa13, loc.gs06, loc.st02), decides=decides)
    return _with_capped(budget)


def _decides(f: Finding) -> str | None:
    """What an error decides (cap_findings): "interchange", "group", "set", or None (a warning, or an
    interchange error a TA1 tolerates)."""
    spec = CATALOGUE.get(f.code)
    if f.severity != "error" or spec is None:
        return None
    if spec.level == "interchange":
        return None if f.code in TA1_TOLERATED else "interchange"
    return "group" if spec.level == "group" else "set" if spec.level in ("set", "segment", "element") else None


def _container(spans: list[tuple[int, int]], starts: list[int], file_segment: int | None) -> int | None:
    """The index of the span (in file order) holding ``file_segment``, None when none does or it is None."""
    if file_segment is None:
        return None
    i = bisect_right(starts, file_segment) - 1
    return i if i >= 0 and file_segment <= spans[i][1] else None


def _with_capped(budget: FindingsBudget) -> list[Finding]:

    def name(where: tuple) -> str:
        _file, isa13, gs06, st02 = where
        return f"transaction set ST02 {st02}" if st02 else f"group GS06 {gs06}" if gs06 else \
            f"interchange ISA13 {isa13}" if isa13 else "file"

    return budget.kept + [finding("FINDINGS_CAPPED", message, file=where[0], isa13=where[1], gs06=where[2],
                                  st02=where[3], value=str(count)) for where, count, message in budget.capped(name)]
