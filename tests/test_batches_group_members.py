"""engine.lifecycle.batches.group adds a member whose values hold no character the group's do not
already hold without fitting a delimiter set again (the group's set fits it): the groups are those
of fitting every member, on any mix of members, delimiter collisions and limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.envelope import envelope_for, first_fit
from engine.lifecycle.batches import group
from schemas.profile import load_profiles
from tests.support import REPO

ENV = envelope_for(load_profiles(REPO / "partners")["acme"])
CHARS = sorted({ch for d in ENV.candidates for ch in (d.element, d.component, d.segment, d.repetition) if ch}
               | {"a", "1"})


def fitted_each_time(used, env, limit):
    """group as it was: every member's characters fitted alone and with the group's."""
    out, members, common, chosen = [], [], set(), None
    for i, chars in enumerate(used):
        alone = first_fit(env, chars)
        if alone is None:
            if members:
                out.append((members, chosen))
                members, common, chosen = [], set(), None
            out.append(([i], None))
            continue
        together = first_fit(env, common | chars) if members else alone
        if members and (together is None or (limit is not None and len(members) >= limit)):
            out.append((members, chosen))
            members, common, together = [], set(), alone
        members.append(i)
        common |= chars
        chosen = together
    if members:
        out.append((members, chosen))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.sampled_from(CHARS), max_size=3), max_size=30), st.one_of(st.none(), st.integers(1, 5)))
def test_groups_are_those_of_fitting_every_member(used, limit):
    assert group(used, ENV, limit) == fitted_each_time(used, ENV, limit)


def test_members_holding_nothing_share_one_group_up_to_the_limit():
    assert [m for m, _ in group([set()] * 5, ENV, 2)] == [[0, 1], [2, 3], [4]]
    assert group([set()] * 3, ENV, None) == [([0, 1, 2], ENV.candidates[0])]
