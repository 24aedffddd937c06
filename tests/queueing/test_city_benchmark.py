"""The city-day benchmark's simulation repeats with its seed, and its offline bound is below every policy."""

import pytest
from benchmarks import recommendation as bench

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return bench.city_from_demo()


def test_every_visitor_can_go_somewhere_and_home_halls_are_district_centres(city):
    assert len(city.halls) == 23
    assert all(city.eligible.values())
    gulou = next(i for i, h in enumerate(city.halls) if h.code == "fz-gulou")
    assert gulou in city.eligible[("350104", "食品经营许可")]  # 全城通办 grants in the benchmark city


def test_the_day_repeats_with_its_seed_and_the_bound_is_below_every_policy(city):
    first = bench.measure(city, 240, seed=7)
    second = bench.measure(city, 240, seed=7)
    for figures in (first, second):
        del figures["offline_bound"]["seconds"]
    assert first == second
    bound = first["offline_bound"]["mean"]
    for rule, _label in bench.RULES:
        assert bound <= first[rule]["mean"] + 1e-6, rule
    assert bench.measure(city, 240, seed=8, bound=False)["recommender"] != first["recommender"]


def test_everyone_is_served_after_arriving(city):
    people = bench.visitors_of_the_day(city, 150, seed=3)
    day = bench.run_day(city, people, "recommender", seed=3)
    assert all(p.visitor.start >= p.visitor.arrive for p in day)
    assert sum(p.booked_hall is not None for p in day) > 0
