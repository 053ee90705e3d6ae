"""The law's boundary cases, table by table (issue 8: quorum, majorities, owners by area and head, elections)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.elections import Ballot, ElectionRule, TieBreak, count_first_round, count_further_round, is_invalid
from core.meetings import (
    ADVISORY_POLL,
    REPRESENTATIVES_MEETING,
    Eligibility,
    MotionCount,
    count_motion,
    residents_meeting,
)
from core.owners import Choice, Flat, Matter, count_owners, rule_for, weigh
from core.thresholds import AT_LEAST_TWO_THIRDS, MORE_THAN_HALF, Threshold

# ---- thresholds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "part", "whole", "met"), [
    (MORE_THAN_HALF, 50, 100, False),  # exactly half is not more than half
    (MORE_THAN_HALF, 51, 100, True),
    (MORE_THAN_HALF, 2, 3, True),
    (MORE_THAN_HALF, 1, 2, False),
    (MORE_THAN_HALF, 0, 0, False),  # nothing out of nothing
    (AT_LEAST_TWO_THIRDS, 2, 3, True),  # "at least" includes the boundary
    (AT_LEAST_TWO_THIRDS, 66, 100, False),
    (AT_LEAST_TWO_THIRDS, 67, 100, True),
    (AT_LEAST_TWO_THIRDS, 200, 300, True),
])
def test_threshold_boundaries(threshold: Threshold, part: int, whole: int, met: bool) -> None:
    assert threshold.met(part, whole) is met


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([MORE_THAN_HALF, AT_LEAST_TWO_THIRDS]))
def test_needed_is_the_least_that_meets(whole: int, threshold: Threshold) -> None:
    needed = threshold.needed(whole)
    if whole > 0:
        assert threshold.met(needed, whole) and not threshold.met(needed - 1, whole)


# ---- residents' and representatives' meetings --------------------------------------------------

MEETING = residents_meeting(Eligibility.HOUSEHOLDS)


@pytest.mark.parametrize(("eligible", "yes", "no", "abstain", "quorate", "passed"), [
    (100, 30, 20, 0, False, False),  # exactly half took part: no quorum, nothing passes
    (100, 31, 20, 0, True, True),  # half plus one took part; 31 of 51 is more than half
    (100, 26, 25, 0, True, True),
    (100, 25, 26, 0, True, False),
    (100, 26, 20, 6, True, False),  # 26 of 52 is exactly half: abstentions weigh against passing
    (101, 51, 0, 0, True, True),  # 51 of 101 is more than half
    (101, 50, 0, 0, False, False),
    (0, 0, 0, 0, False, False),  # an empty electorate is never quorate
])
def test_residents_meeting(eligible: int, yes: int, no: int, abstain: int, quorate: bool, passed: bool) -> None:
    result = count_motion(MEETING, MotionCount(eligible=eligible, yes=yes, no=no, abstain=abstain))
    assert (result.quorate, result.passed) == (quorate, passed)
    assert result.rule.key == "rule.residents_meeting" and result.rule.quorum is MORE_THAN_HALF


def test_invalid_ballots_count_as_taking_part_for_nobody() -> None:
    result = count_motion(MEETING, MotionCount(eligible=100, yes=26, no=20, invalid=6))
    assert result.count.took_part == 52 and result.quorate and not result.passed


@pytest.mark.parametrize(("members", "present", "yes", "quorate", "passed"), [
    (30, 20, 11, True, True),  # at least 2/3 present (20 of 30), more than half of them
    (30, 19, 19, False, False),  # 19 of 30 is under 2/3
    (30, 20, 10, True, False),  # exactly half of those present
])
def test_representatives_meeting(members: int, present: int, yes: int, quorate: bool, passed: bool) -> None:
    result = count_motion(REPRESENTATIVES_MEETING, MotionCount(eligible=members, yes=yes, no=present - yes))
    assert (result.quorate, result.passed) == (quorate, passed)
    assert result.needed_for_quorum == 20


def test_a_community_sets_its_own_thresholds_and_the_result_names_them() -> None:
    stricter = REPRESENTATIVES_MEETING.with_thresholds(Threshold(3, 4, strict=False, key="rule.x"), MORE_THAN_HALF)
    assert not count_motion(stricter, MotionCount(eligible=40, yes=29, no=0)).quorate
    assert count_motion(stricter, MotionCount(eligible=40, yes=30, no=0)).passed


def test_advisory_poll_has_no_quorum() -> None:
    assert count_motion(ADVISORY_POLL, MotionCount(eligible=1000, yes=2, no=1)).quorate


def test_nonsense_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        count_motion(MEETING, MotionCount(eligible=10, yes=11, no=0))
    with pytest.raises(ValueError):
        count_motion(MEETING, MotionCount(eligible=10, yes=-1, no=0))
    with pytest.raises(ValueError):
        residents_meeting(Eligibility.REPRESENTATIVES)


# ---- owners' decisions ----------------------------------------------------------------------------


def _flats(*spec: tuple[str, int]) -> list[Flat]:
    """(owner, area in hundredths of m²) per flat, ids from 1."""
    return [Flat(flat_id=i, area=area, owner=owner) for i, (owner, area) in enumerate(spec, start=1)]


def test_an_owner_of_two_flats_counts_once_by_head_and_twice_by_area() -> None:
    flats = _flats(("wang", 90_00), ("wang", 60_00), ("li", 100_00))
    assert weigh(flats).heads == 2 and weigh(flats).area == 250_00
    result = count_owners(Matter.OTHER_MAJOR, flats, {1: Choice.YES, 2: Choice.YES})
    assert result.took_part.heads == 1 and result.took_part.area == 150_00


def test_two_thirds_of_area_but_not_of_heads_is_not_quorate() -> None:
    # one big owner (200 m²) and three small ones (30 m² each): the big one and one small = 230/290 area, 2/4 heads
    flats = _flats(("big", 200_00), ("a", 30_00), ("b", 30_00), ("c", 30_00))
    result = count_owners(Matter.OTHER_MAJOR, flats, {1: Choice.YES, 2: Choice.YES})
    assert result.quorate_by_area and not result.quorate_by_heads and not result.quorate and not result.passed


def _twelve_owners_quorate_with_yes_by_area_only() -> tuple[list[Flat], dict[int, Choice]]:
    """12 owners all take part; the 4 big ones (3/4 of the area) say yes, the 8 small ones no."""
    flats = _flats(*[(f"big{i}", 150_00) for i in range(4)], *[(f"small{i}", 25_00) for i in range(8)])
    votes = {f.flat_id: Choice.YES if f.owner.startswith("big") else Choice.NO for f in flats}
    return flats, votes


def test_three_quarters_by_area_only_fails_for_special_matters() -> None:
    flats, votes = _twelve_owners_quorate_with_yes_by_area_only()
    for matter in (Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD_OR_ALTER, Matter.CHANGE_COMMON_USE):
        result = count_owners(matter, flats, votes)
        assert result.quorate and result.passed_by_area and not result.passed_by_heads and not result.passed
        assert result.rule.key == "rule.owners_special"


def test_using_the_fund_needs_majorities_of_both() -> None:
    flats, votes = _twelve_owners_quorate_with_yes_by_area_only()
    result = count_owners(Matter.USE_MAINTENANCE_FUND, flats, votes)  # (5): more than half of each, not 3/4
    assert result.passed_by_area and not result.passed_by_heads and not result.passed
    votes.update({5: Choice.YES, 6: Choice.YES, 7: Choice.YES})  # 7 of 12 heads, area still well over half
    result = count_owners(Matter.USE_MAINTENANCE_FUND, flats, votes)
    assert result.passed and result.rule.key == "rule.owners_ordinary"
    assert not count_owners(Matter.RAISE_MAINTENANCE_FUND, flats, votes).passed  # 7/12 heads is under 3/4


def test_special_matters_pass_with_three_quarters_of_both() -> None:
    flats = _flats(*[(f"o{i}", 80_00) for i in range(8)])
    votes = {i: Choice.YES for i in range(1, 7)} | {7: Choice.NO, 8: Choice.ABSTAIN}
    assert count_owners(Matter.REBUILD_OR_ALTER, flats, votes).passed  # 6/8 = 3/4 exactly: "at least"
    votes[6] = Choice.NO
    assert not count_owners(Matter.REBUILD_OR_ALTER, flats, votes).passed


def test_developer_unsold_flats_count_as_one_owner() -> None:
    flats = _flats(("developer", 80_00), ("developer", 80_00), ("developer", 80_00), ("zhao", 80_00))
    assert weigh(flats).heads == 2 and weigh(flats).area == 320_00


def test_a_vote_for_a_flat_not_on_the_register_is_refused() -> None:
    with pytest.raises(ValueError):
        count_owners(Matter.OTHER_MAJOR, _flats(("a", 1)), {99: Choice.YES})


def test_every_matter_has_its_rule() -> None:
    assert {rule_for(m).key for m in Matter} == {"rule.owners_special", "rule.owners_ordinary"}
    assert all(rule_for(m).participation is AT_LEAST_TWO_THIRDS for m in Matter)


# ---- elections ------------------------------------------------------------------------------------


def _ballots(*marks: tuple[int, ...], invalid: int = 0) -> list[Ballot]:
    return [Ballot(m) for m in marks] + [Ballot(unreadable=True)] * invalid


def test_a_candidate_with_exactly_half_of_the_ballots_is_not_elected() -> None:
    result = count_first_round(1, 10, _ballots((1,), (1,), (1,), (1,), (2,), (2,), (2,), (2,)))  # 8 cast: 4 each
    assert result.valid and result.elected == () and result.unfilled == 1
    result = count_first_round(1, 10, _ballots((1,), (1,), (1,), (1,), (1,), (2,), (2,), (2,)))
    assert result.elected == (1,)


def test_an_election_with_half_of_the_voters_is_not_valid() -> None:
    assert not count_first_round(1, 10, _ballots((1,), (1,), (1,), (1,), (1,))).valid
    assert count_first_round(1, 10, _ballots((1,), (1,), (1,), (1,), (1,), (1,))).valid


def test_invalid_ballots_count_as_cast_but_for_nobody() -> None:
    ballots = _ballots((1,), (1,), (1,), (2,), (1, 2), invalid=1)  # two seats? no: one seat, (1, 2) has too many
    assert is_invalid(ballots[4], seats=1) and is_invalid(ballots[5], seats=1)
    result = count_first_round(1, 6, ballots)
    assert result.cast == 6 and result.invalid == 2 and result.votes == {1: 3, 2: 1}
    assert result.elected == ()  # 3 of 6 cast is exactly half


def test_seats_left_unfilled_go_to_a_further_round_by_most_votes_with_a_third() -> None:
    first = count_first_round(2, 9, _ballots((1, 2), (1, 3), (1, 3), (1, 4), (1, 2), (4,)))
    assert first.elected == (1,) and first.unfilled == 1
    further = count_further_round(first.unfilled, 9, _ballots((3,), (3,), (4,), (2,), (3,), (4,)))
    assert further.elected == (3,)  # 3 of 6: most votes, at least a third
    weak = count_further_round(1, 9, _ballots((2,), (3,), (4,), (5,), (6,), (7,)))
    assert weak.elected == ()  # nobody has a third


def test_a_tie_for_the_last_seat_goes_to_a_runoff_or_to_the_recorded_lot() -> None:
    ballots = _ballots((1, 2), (1, 3), (1, 2), (1, 3), (2, 3))  # 1: 4, 2: 3, 3: 3 of 5 cast
    runoff = count_first_round(2, 6, ballots)
    assert runoff.elected == (1,) and runoff.tied == (2, 3) and runoff.unfilled == 1
    lot = count_first_round(2, 6, ballots, ElectionRule(tie_break=TieBreak.LOT), lot_order=[3, 2])
    assert lot.elected == (1, 3) and lot.drawn_by_lot == (3,) and lot.tied == ()


def test_write_ins_are_counted_like_candidates() -> None:
    result = count_first_round(1, 4, _ballots((7,), (7,), (901,)))  # 901: another eligible person (另选他人)
    assert result.votes == {7: 2, 901: 1} and result.elected == (7,)
