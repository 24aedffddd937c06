"""The city-day benchmark repeats with its seed, and its offline comparators bracket every policy:
LP bound ≤ clairvoyant assignment ≤ every policy; assignments are scored exactly, changes included."""

import math

import pytest
from benchmarks import offline_assignment as offline
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


def test_the_day_repeats_with_its_seed_and_the_offline_comparators_bracket_every_policy(city):
    first = bench.measure(city, 240, seed=7)
    second = bench.measure(city, 240, seed=7)
    for figures in (first, second):
        for comparator in ("lp_bound", "clairvoyant", "arrivals_known"):
            del figures[comparator]["seconds"]
    assert first == second
    bound, clairvoyant = first["lp_bound"]["mean"], first["clairvoyant"]["mean"]
    assert first["clairvoyant"]["converged"] and first["arrivals_known"]["converged"]
    assert bound <= clairvoyant + 1e-6 and bound <= first["arrivals_known"]["mean"] + 1e-6
    for rule, _label in bench.RULES:
        assert clairvoyant <= first[rule]["mean"] + 1e-6, rule
    assert clairvoyant < first["recommender"]["mean"]  # knowing the day helps
    assert bench.measure(city, 240, seed=8, offline_comparators=False)["recommender"] != first["recommender"]


def test_a_change_to_a_hall_is_scored_as_a_fresh_simulation_would(city):
    """Moves and swaps re-simulate a hall only until its queue is as before: same result as from scratch."""
    people = bench.visitors_of_the_day(city, 300, seed=5)
    visits = bench.visits_of(city, people)
    windows = [h.windows for h in city.halls]
    halls = [p.hall for p in bench.run_day(city, people, "nearest", seed=5)]  # long queues: changes carry far
    days = offline.hall_days(windows, visits, halls)
    walk_ins = [v.person for v in visits if not v.booked]

    def fresh(day, add=None, remove=None):
        members = [p for p in day.members if p != remove] + ([add] if add is not None else [])
        return offline.HallDay(day.hall, windows[day.hall], visits, members)

    for n, person in enumerate(walk_ins[:60]):
        here = days[halls[person]]
        there = max((d for d in days if d is not here), key=lambda d: d.cost)
        other = next(p for p in there.members if not visits[p].booked)
        for day, change in (
            (here, {"remove": person}),
            (there, {"add": person}),
            (there, {"add": person, "remove": other}),
        ):
            assert math.isclose(day.change(**change), fresh(day, **change).cost - day.cost, abs_tol=1e-6)
        if n % 5 == 0:  # carry out a swap and compare every wait
            expected = fresh(there, add=person, remove=other)
            there.apply(add=person, remove=other)
            here.apply(add=other, remove=person)
            halls[person], halls[other] = there.hall, here.hall
            assert there.members == expected.members and math.isclose(there.cost, expected.cost, abs_tol=1e-6)
            assert all(math.isclose(there.wait[p], expected.wait[p], abs_tol=1e-9) for p in expected.members)


def test_everyone_is_served_after_arriving(city):
    people = bench.visitors_of_the_day(city, 150, seed=3)
    day = bench.run_day(city, people, "recommender", seed=3)
    assert all(p.visitor.start >= p.visitor.arrive for p in day)
    assert sum(p.booked_hall is not None for p in day) > 0
