"""Pure domain: the transition table, roles, jurisdiction codes, masking, hash chain (property-based)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gridwatch.workflow import loop
from gridwatch.workflow.hashchain import GENESIS, ChainedEvent, first_break, link_hash
from gridwatch.workflow.jurisdiction import Level, contains, level_of, place_of
from gridwatch.workflow.masking import mask_account, mask_name
from gridwatch.workflow.roles import ROLE_POLICIES, Role


def test_transition_table_is_well_formed():
    pairs = [(t.action, s) for t in loop.TRANSITIONS for s in t.from_states]
    assert len(pairs) == len(set(pairs))
    reachable = {loop.State.POOLED}
    for _ in range(len(loop.STATES)):
        reachable |= {t.to_state for t in loop.TRANSITIONS if set(t.from_states) & reachable}
    assert reachable == set(loop.STATES)
    assert all(t.roles for t in loop.TRANSITIONS)
    assert set(ROLE_POLICIES) == set(Role)


def test_jurisdiction_codes():
    assert level_of("4401") is Level.CITY and level_of("440106001001-G02") is Level.GRID
    p = place_of("440106001001-G02")
    assert (p.district_code, p.town_code, p.community_code) == ("440106", "440106001", "440106001001")
    assert contains("440106", "440106001001-G02") and not contains("440106002", "440106001001")
    assert contains("440106001001", "440106001001")


@given(st.text(min_size=0, max_size=30))
def test_masking_hides_the_middle(s):
    m = mask_account(s)
    assert m is None or len(m) == len(s)
    if s and len(s) > 5:
        assert m[2:-3] == "*" * (len(s) - 5)
    n = mask_name(s)
    assert not s or (len(n) == len(s) and n[0] == s[0])


@given(st.lists(st.dictionaries(st.text(max_size=5), st.integers()), min_size=1, max_size=20), st.data())
def test_any_single_change_breaks_the_chain_at_that_event(contents, data):
    events, prev = [], GENESIS
    for i, c in enumerate(contents, start=1):
        h = link_hash(prev, {"seq": i, **c})
        events.append(ChainedEvent(i, prev, h, {"seq": i, **c}))
        prev = h
    assert first_break(events) is None
    k = data.draw(st.integers(0, len(events) - 1))
    e = events[k]
    events[k] = ChainedEvent(e.seq, e.prev_hash, e.hash, {**e.content, "tampered": True})
    brk = first_break(events)
    assert brk is not None and brk.seq == k + 1


@given(st.lists(st.sampled_from([t.action for t in loop.TRANSITIONS]), max_size=40))
def test_random_action_sequences_stay_in_known_states(actions):
    state = loop.State.POOLED
    for a in actions:
        t = loop.find(a, state)
        if t is not None:
            state = t.to_state
        assert state in loop.STATES


def test_every_state_has_funnel_stages():
    from gridwatch.workflow.dashboard import FUNNEL, reached

    for state in loop.STATES:
        for resolution in (None, "disposed", "dismissed"):
            stages = reached(str(state), resolution)
            assert stages[0] == "suspects" and set(stages) <= set(FUNNEL)
    assert reached("closed", "dismissed")[-1] == "closed" and "confirmed" not in reached("closed", "dismissed")
