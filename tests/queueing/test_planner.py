"""Erlang C against published values, the planner's numbers, and the simulation that checks them."""

import math

import pytest

from tongban.queueing.planner import (
    GroupDemand,
    erlang_c,
    mean_wait,
    plan_hall,
    pooled_service,
    service_level,
    windows_needed,
)
from tongban.queueing.simulation import simulate_steady

# Published Erlang C probabilities of waiting for a load of 10 Erlangs (standard tables; the worked
# example of 100 calls per 30 minutes with a 3-minute handling time).
PUBLISHED_TEN_ERLANGS = {11: 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741, 15: 0.1020}


@pytest.mark.parametrize("servers, expected", sorted(PUBLISHED_TEN_ERLANGS.items()))
def test_erlang_c_matches_published_values(servers, expected):
    assert erlang_c(servers, 10.0) == pytest.approx(expected, abs=5e-5)


def test_erlang_c_small_exact_case_and_limits():
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)  # M/M/3 at 2 Erlangs, by hand
    assert erlang_c(5, 0.0) == 0.0
    assert erlang_c(4, 4.0) == 1.0 and erlang_c(3, 7.5) == 1.0  # no steady state: everyone waits


def test_worked_example_service_level_and_answer_time():
    # 100 calls in 30 minutes = 200 per hour, 3 minutes each, target 80 % within 20 seconds.
    assert service_level(13, 200, 3, 20 / 60) == pytest.approx(0.7956, abs=5e-4)
    assert service_level(14, 200, 3, 20 / 60) == pytest.approx(0.8884, abs=5e-4)
    assert mean_wait(14, 200, 3) * 60 == pytest.approx(7.8, abs=0.05)
    assert windows_needed(200, 3, target_share=0.8, within=20 / 60) == 14
    assert mean_wait(10, 200, 3) == math.inf


def test_pooled_windows_need_no_more_than_dedicated_ones_and_wait_less():
    groups = [
        GroupDemand("market", "市场监管", {9: 12, 10: 18}, 12.0),
        GroupDemand("public_security", "公安", {9: 8, 10: 10}, 8.0),
        GroupDemand("tax", "税务", {9: 6, 10: 9}, 15.0),
    ]
    plan = plan_hall(groups, target_share=0.8, within=10)
    for hour in plan.hours:
        assert hour.pooled.windows <= hour.dedicated.windows
        assert hour.dedicated.windows == sum(hour.dedicated_by_group.values())
        assert hour.pooled.share_within >= 0.8 and hour.dedicated.share_within >= 0.8
    assert plan.peak.hour == 10
    rate, mean, cv = pooled_service(groups, 10)
    assert rate == 37 and mean == pytest.approx((18 * 12 + 10 * 8 + 9 * 15) / 37)
    assert cv > 1  # a mixture of exponentials is more variable than one


def test_simulation_confirms_erlang_c_for_exponential_service():
    c, per_hour, minutes = 4, 18.0, 10.0
    outcome = simulate_steady([None] * c, {"g": (per_hour, minutes, 1.0)}, within=10, minutes=60_000, seed=3)
    assert outcome.mean_wait == pytest.approx(mean_wait(c, per_hour, minutes), rel=0.1)
    assert outcome.share_within == pytest.approx(service_level(c, per_hour, minutes, 10), abs=0.02)


def test_variable_service_times_wait_longer_than_erlang_c_says_and_the_plan_says_so():
    groups = [GroupDemand("real_estate", "不动产登记", {9: 30}, 20.0, cv=2.5)]
    plan = plan_hall(groups, simulate_minutes=30_000, seed=5)
    hour = plan.hours[0]
    assert hour.pooled.simulated_wait > hour.pooled.mean_wait
    variability = [n for n in plan.notes if "变异系数为 2.50" in n]
    assert variability and "偏乐观" in variability[0]
    # the simulation misses the target with Erlang C's windows: the plan says so and how many it needs
    assert hour.pooled.simulated_share < 0.8
    short = next(n for n in plan.notes if n.startswith("9:00 综窗"))
    needed = int(short.split("仿真需 ")[1].split(" 个")[0])
    assert needed > hour.pooled.windows
    demand = {"real_estate": (30, 20.0, 2.5)}
    assert simulate_steady([None] * needed, demand, within=10, minutes=30_000, seed=5 + 9).share_within >= 0.8
    assert simulate_steady([None] * (needed - 1), demand, within=10, minutes=30_000, seed=5 + 9).share_within < 0.8


def test_a_mixture_of_groups_in_one_queue_gets_its_own_variability_note():
    groups = [
        GroupDemand("market", "市场监管", {9: 10}, 30.0, cv=1.0),
        GroupDemand("public_security", "公安", {9: 30}, 3.0, cv=1.0),
    ]
    notes = plan_hall(groups).notes
    assert len(notes) == 1 and "综窗（各组混合排队）" in notes[0] and "偏乐观" in notes[0]


def test_simulation_repeats_with_the_same_seed():
    demand = {"a": (20.0, 9.0, 0.6), "b": (10.0, 14.0, 1.4)}
    windows = [None, None, frozenset({"a"}), frozenset({"b"})]
    first = simulate_steady(windows, demand, within=10, minutes=3000, seed=11)
    assert first == simulate_steady(windows, demand, within=10, minutes=3000, seed=11)
    assert first != simulate_steady(windows, demand, within=10, minutes=3000, seed=12)
