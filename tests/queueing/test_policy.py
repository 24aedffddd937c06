"""The pure wait prediction and recommendation policy (the same functions the API and the benchmark call)."""

import math
import random
from dataclasses import replace

from tongban.queueing.policy import (
    OTHERS_DELAYED,
    Arrival,
    HallSnapshot,
    choose,
    distance_km,
    predict_wait,
    rank,
    reason_for,
    travel_minutes,
)


def hall(code="h", windows=3, backlog=0.0, arrivals=(), lat=26.08, lng=119.30):
    return HallSnapshot(code, code, lat, lng, windows, backlog, arrivals=tuple(arrivals))


def test_wait_is_the_work_ahead_shared_by_the_open_windows():
    assert predict_wait(hall(windows=0), 0) == math.inf
    assert predict_wait(hall(backlog=0), 0) == 0
    assert predict_wait(hall(backlog=60), 0) == 20
    assert predict_wait(hall(backlog=60), 10) == 10  # the windows work while the person travels
    assert predict_wait(hall(backlog=60), 30) == 0


def test_people_on_their_way_count_only_if_they_get_there_first():
    sooner = hall(backlog=30, arrivals=[Arrival(5, 30)])  # arrives before us
    later = hall(backlog=30, arrivals=[Arrival(50, 30)])  # arrives after us: behind us
    assert predict_wait(sooner, 10) == (30 - 3 * 5 + 30 - 3 * 5) / 3
    assert predict_wait(later, 0) == 10


def test_booked_visitors_due_while_we_wait_are_called_first():
    plain = hall(backlog=60)
    with_booking = hall(backlog=60, arrivals=[Arrival(10, 15, booked=True)])
    after_our_call = hall(backlog=60, arrivals=[Arrival(40, 15, booked=True)])
    assert predict_wait(with_booking, 0) == 25
    assert predict_wait(after_our_call, 0) == predict_wait(plain, 0) == 20


def test_walk_ins_not_known_yet_count_only_while_the_person_travels():
    """At the hall's recent walk-in rate, shared with other halls; nobody gets there within five minutes."""
    lately = HallSnapshot("h", "h", 26.08, 119.30, windows=1, backlog_minutes=10, walk_in_rate=4.0)
    unseen_per_minute = 0.5 * 4.0  # UNSEEN_SHARE of the rate: twice what the one window does
    assert predict_wait(lately, 5) == 10 - 5
    assert predict_wait(lately, 25) == 10 - 5 + (unseen_per_minute - 1) * 20
    assert predict_wait(hall(windows=1, backlog=10), 25) == 0
    assert predict_wait(replace(lately, windows=4), 25) == 0  # four windows keep up with it


def test_travel_grows_with_distance():
    assert math.isclose(distance_km(26.0, 119.0, 26.0, 119.0), 0)
    assert 11 < distance_km(26.0, 119.0, 26.1, 119.0) < 11.2  # 0.1° latitude ≈ 11.1 km
    assert travel_minutes(0) == 5 and travel_minutes(10) > travel_minutes(2)


def test_ranking_weighs_travel_against_wait_and_says_why():
    near_busy = hall("near", backlog=300, lat=26.080, lng=119.300)
    far_free = hall("far", backlog=0, lat=26.100, lng=119.300)
    options = rank([near_busy, far_free, hall("shut", windows=0)], 26.080, 119.300)
    assert [o.hall.code for o in options] == ["far", "near"]  # a closed hall is never offered
    best = options[0]
    assert best.total_minutes == best.travel_minutes + best.wait_minutes
    assert best.reason.startswith("距您 2.2 公里")
    assert "预计等候 95 分钟" in options[1].reason  # (300 − 3 × 5) ÷ 3, it drains while one travels


def test_only_halls_that_will_call_the_person_today_are_offered_and_opening_counts_as_waiting():
    here = {"lat": 26.080, "lng": 119.300}  # travel to any of these halls: 5 minutes
    open_all_day = replace(hall("open", backlog=30), hours=((-90.0, 420.0),))
    closing = replace(hall("closing", backlog=0), hours=((-400.0, 4.0),))  # shuts before one gets there
    too_late = replace(hall("too-late", backlog=60), hours=((-400.0, 12.0),))  # called after it shuts
    lunch = replace(hall("lunch"), hours=((-200.0, -20.0), (60.0, 240.0)))  # reopens in an hour
    holiday = replace(hall("holiday"), hours=())
    options = {o.hall.code: o for o in rank([open_all_day, closing, too_late, lunch, holiday], **here)}
    assert set(options) == {"open", "lunch"}
    assert options["open"].opens_in == 0 and options["open"].wait_minutes == (30 - 3 * 5) / 3
    after_lunch = options["lunch"]
    assert after_lunch.opens_in == 55 and after_lunch.wait_minutes == 55
    assert "到达约 55 分钟后开始办公，预计等候 55 分钟" in after_lunch.reason
    assert rank([replace(hall("unknown"))], **here)[0].opens_in == 0  # no hours known: open all along

    # People already queueing before opening: the windows work only from opening time
    queued = replace(hall("queued", backlog=300), hours=((60.0, 480.0),))
    before_opening = rank([queued], **here)[0]
    assert before_opening.opens_in == 55 and before_opening.wait_minutes == 55 + 300 / 3
    assert predict_wait(queued, 90) == (300 - 3 * 30) / 3  # and then drain it


def test_a_visit_costs_those_after_it_most_at_a_hall_with_few_windows():
    """Listed by the person's own time, chosen by everyone's: a large hall a little further beats a small
    nearer one, and the reason says what that costs the person and spares others."""
    lately = {"service_minutes": 12.0, "walk_in_rate": 0.2}  # people come now and then, nobody waits now
    small = replace(hall("small", windows=1), name="小站", **lately)
    large = replace(hall("large", windows=10, lat=26.095), **lately)
    options = rank([small, large], 26.08, 119.30)
    assert [o.hall.code for o in options] == ["small", "large"]  # nearer, and nobody waits at either
    chosen = choose(options, random.Random(1))
    assert chosen.hall.code == "large"
    extra = round(chosen.total_minutes - options[0].total_minutes)
    assert extra >= 1
    assert reason_for(chosen, options) == chosen.reason + f"；比小站约多 {extra} 分钟，但可让后来办事的人少等约 22 分钟"
    assert reason_for(options[0], options) == options[0].reason
    by_code = {o.hall.code: o for o in options}
    assert by_code["small"].others_minutes == OTHERS_DELAYED * 12.0
    assert by_code["large"].cost_minutes == by_code["large"].total_minutes + OTHERS_DELAYED * 12.0 / 10
    assert by_code["small"].reason.endswith("预计到达即可办理")
    idle = rank([replace(small, walk_in_rate=0.0), replace(large, walk_in_rate=0.0)], 26.08, 119.30)
    assert [o.hall.code for o in idle] == ["small", "large"]  # nobody around to hold up: the nearer one
    assert idle[0].others_minutes == 0


def test_herding_is_avoided_by_counting_recommendations_in_flight():
    """Forty people from one place: without in-flight counting all would go to one hall."""
    halls = {code: hall(code, windows=2, lat=26.08 + d, lng=119.30) for code, d in (("a", 0.0), ("b", 0.004))}
    on_the_way = {code: [] for code in halls}
    rng = random.Random(7)
    for _person in range(40):
        snapshot = [
            HallSnapshot(h.code, h.name, h.lat, h.lng, h.windows, 0.0, arrivals=tuple(on_the_way[h.code]))
            for h in halls.values()
        ]
        chosen = choose(rank(snapshot, 26.08, 119.30), rng)
        on_the_way[chosen.hall.code].append(Arrival(chosen.travel_minutes, 10))
    counts = sorted(len(v) for v in on_the_way.values())
    assert counts[0] >= 15, counts


def test_choice_is_among_the_best_few_and_repeatable_with_a_seed():
    options = rank([hall(c, lat=26.08 + i * 0.0005) for i, c in enumerate("abcdef")], 26.08, 119.30)
    picks = [choose(options, random.Random(seed)).hall.code for seed in range(30)]
    assert set(picks) <= {"a", "b", "c"} and len(set(picks)) > 1
    assert picks == [choose(options, random.Random(seed)).hall.code for seed in range(30)]
    assert choose([], random.Random(1)) is None
