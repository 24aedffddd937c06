"""A simulated city day on the 23 demo halls: the recommender against three simple rules and offline comparators.

    .venv/bin/python benchmarks/recommendation.py [--visitors 3400] [--seed 20261121] [--cv-scale 1]

Visitors leave home from the demo city's population points over the day (more in the morning and
mid-afternoon), each for one of eight common items with its own service-time distribution; a fifth
of them booked a slot at their nearest eligible hall and come at the slot, the others walk in. Which
halls can handle an item for a visitor's district comes from the real rules (scope, negative list,
grants) on the demo city with city-wide grants (全城通办). Halls staff a share of their windows
(general windows take every item, zone windows their departments'); booked visitors are called at
their slot before walk-ins.

Walk-ins choose a hall by:
* recommender — ``tongban.queueing.policy`` (the code behind ``POST /api/v1/recommendations/``) on a
  snapshot of the simulated halls: travel + predicted wait, counting people already sent there,
  booked visitors due and the rate of recent walk-ins, plus the delay the visit causes to others;
* nearest — the nearest eligible hall;
* shortest wait — the eligible hall with the shortest wait right now (distance ignored);
* home hall — the applicant's district centre;
* (f) told the durations — for reference, an online rule that cheats: it knows the real duration of
  everyone at each hall, on the way there or booked there, and of the person themself, and ranks the
  halls by simulating each one exactly (travel + own wait + ``FORESIGHT_OTHERS`` × the waits the visit
  adds to those known). It still decides when the person leaves, not knowing who comes later: how
  close to the offline comparators an online recommender could get if it knew how long visits take.

Two offline comparators know every visitor in advance — when they leave, where from, what for and
how long each will take at the window (``offline_assignment``):
* (d) the clairvoyant assignment — each walk-in sent to a hall chosen with all that knowledge, and
  scored by the same simulated halls on the same visitors as the policies: the best of the policies'
  assignments (and the LP's, rounded), improved by moving and swapping walk-ins while the simulated
  total falls, to a local optimum. An assignment someone could have made, so the best possible one
  is at most this good: the target's comparator;
* (d′) the LP lower bound — a linear program over window-minutes no assignment can beat; a proven
  floor but a loose one (no queues). The best assignment lies between (d′) and (d).
* (e) for reference, an assignment searched the same way knowing every arrival and item but only
  the item's mean service time, then scored with the real ones: (d) − (e) is what knowing each
  visit's duration is worth, which no online recommender can know.

Prints a table, then one JSON line with the figures and the ratios recommender ÷ nearest,
recommender ÷ clairvoyant assignment (targets on a busy day: ≤ 0.75 and ≤ 1.05), recommender ÷ LP
bound, clairvoyant ÷ LP bound (how far the search may still be from the optimum), recommender ÷ (e)
and (f) ÷ clairvoyant.
"""

import argparse
import dataclasses
import heapq
import json
import math
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks import offline_assignment as offline  # noqa: E402
from benchmarks._setup import percentile  # noqa: E402

from tongban.queueing import policy  # noqa: E402  (pure: no Django needed)
from tongban.queueing.simulation import Hall, Visitor, service_sampler  # noqa: E402

DAY_MINUTES = 540  # 08:30–17:30
# Relative number of people leaving home per hour of the day (from 08:30).
HOURLY_PROFILE = [1.0, 1.4, 1.5, 1.0, 0.5, 0.8, 1.3, 1.2, 0.8]
# (name, share of visitors, mean service minutes, coefficient of variation)
ITEM_MIX = [
    ("企业设立登记", 0.10, 16.0, 0.8),
    ("食品经营许可", 0.10, 12.0, 0.8),
    ("居住证签发", 0.16, 8.0, 0.7),
    ("社会保障卡申领", 0.16, 6.0, 0.7),
    ("城乡居民基本医疗保险参保登记", 0.14, 7.0, 0.7),
    ("住房公积金提取", 0.14, 10.0, 0.8),
    ("不动产登记资料查询", 0.10, 9.0, 0.8),
    ("发票领用", 0.10, 8.0, 0.7),
]
BOOKED_SHARE = 0.2
SLOT_MINUTES = 15
STAFFED_SHARE = 0.35  # of all general windows (see ``staffing``); every zone staffs one window per ten it has
HORIZON = 180.0  # booked visitors due this far ahead count in the snapshot (as the API does)
# (f) counts the waits a visit adds to those known this many times: those not known yet are held up
# too (seed 20261121: 1 → 17.34 min, 2 → 16.74, 3 → 16.77).
FORESIGHT_OTHERS = 2.0


@dataclass(frozen=True)
class HallSite:
    code: str
    name: str
    region: str
    level: str
    lat: float
    lng: float
    windows: tuple  # per staffed window: None (general) or a frozenset of authority kinds


@dataclass(frozen=True)
class Item:
    name: str
    group: str  # authority kind: what zone windows and service times go by
    share: float
    mean: float
    cv: float


@dataclass
class City:
    halls: list[HallSite]
    places: list[dict]  # population points
    items: list[Item]
    eligible: dict[tuple[str, str], list[int]]  # (region, item name) → hall indexes


@dataclass
class Person:
    id: int
    place: int
    item: int
    leaves: float  # minute of leaving home (walk-ins) or of arriving (booked)
    service: float
    booked_hall: int | None = None
    due: float = 0.0
    hall: int | None = None
    travel: float = 0.0
    visitor: Visitor | None = None

    @property
    def total(self) -> float:
        return self.travel + self.visitor.wait


# --- the city from the demo data and the real eligibility rules ------------------------------------


def staffing(halls: list[dict], places: list[dict]) -> dict[str, int]:
    """General windows each hall staffs: a fixed share of all of them, city-level halls by their size,
    district halls by their district's population (split among a district's halls by their size)."""
    total = round(STAFFED_SHARE * sum(h["general_windows"] for h in halls))
    city = [h for h in halls if h["region"].endswith("0100")]
    district_weight: dict[str, float] = {}
    for place in places:
        district_weight[place["region"]] = district_weight.get(place["region"], 0) + place["weight"]
    all_general = sum(h["general_windows"] for h in halls)
    staffed = {h["key"]: total * h["general_windows"] / all_general for h in city}
    rest = total - sum(staffed.values())
    for region, weight in district_weight.items():
        local = [h for h in halls if h["region"] == region]
        size = sum(h["general_windows"] for h in local)
        for h in local:
            staffed[h["key"]] = rest * weight / sum(district_weight.values()) * h["general_windows"] / size
    return {key: max(1, round(value)) for key, value in staffed.items()}


def staffed_windows(general: int, zones: list[tuple[list[str], int]]) -> tuple:
    windows = [None] * general
    for authorities, count in zones:
        windows += [frozenset(authorities)] * max(1, round(count / 10))
    return tuple(windows)


def grant_whole_city(kinds: set[str]) -> None:
    """全城通办: every district department of these kinds lets every hall outside its district receive and accept."""
    from django.contrib.auth import get_user_model

    from tongban.cases.choices import Right
    from tongban.cases.grants import create_grant
    from tongban.cases.models import Grant
    from tongban.catalog.models import ItemImplementation
    from tongban.directory.models import ServicePoint

    admin = get_user_model().objects.get(username="admin")
    halls = list(ServicePoint.objects.filter(level__in=HALL_LEVELS))
    departments = {
        i.department
        for i in ItemImplementation.objects.select_related("department__region").filter(department__kind__in=kinds)
    }
    existing = set(Grant.objects.values_list("department_id", "service_point_id"))
    for department in departments:
        if department.region.level == "city":
            continue
        for hall in halls:
            if not department.region.contains(hall.region) and (department.pk, hall.pk) not in existing:
                create_grant(by=admin, department=department, service_point=hall, rights=[Right.RECEIVE_ACCEPT])


HALL_LEVELS = ("city_hall", "county_hall", "branch")


def city_from_demo() -> City:
    """The 23 halls, population points and item mix; eligibility asked of ``appointments.eligibility``."""
    from tongban.appointments.eligibility import eligible_points_for
    from tongban.catalog.models import Item as CatalogItem
    from tongban.demo.data import city_data

    catalog_items = {i.name: i for i in CatalogItem.objects.in_force().filter(name__in=[m[0] for m in ITEM_MIX])}
    grant_whole_city({i.authority_kind for i in catalog_items.values()})
    halls_data = {h["key"]: h for h in city_data.HALLS}
    general = staffing(city_data.HALLS, city_data.POPULATION_POINTS)
    halls = [
        HallSite(
            code=h["key"],
            name=h["name"],
            region=h["region"],
            level=h["level"],
            lat=h["lat"],
            lng=h["lng"],
            windows=staffed_windows(general[h["key"]], [(z["authorities"], z["windows"]) for z in h["zones"]]),
        )
        for h in halls_data.values()
    ]
    index = {h.code: i for i, h in enumerate(halls)}
    items = []
    for name, share, mean, cv in ITEM_MIX:
        items.append(Item(name, catalog_items[name].authority_kind, share, mean, cv))
    places = list(city_data.POPULATION_POINTS)
    eligible = {}
    for region in sorted({p["region"] for p in places}):
        for name, *_rest in ITEM_MIX:
            _items, points = eligible_points_for(region_code=region, item_code=catalog_items[name].code)
            eligible[(region, name)] = sorted(index[p.code] for p in points if p.code in index)
    return City(halls, places, items, eligible)


# --- the visitors of one day -------------------------------------------------------------------------


def visitors_of_the_day(city: City, count: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    place_weights = [p["weight"] for p in city.places]
    item_weights = [i.share for i in city.items]
    samplers = [service_sampler(i.mean, i.cv) for i in city.items]
    hours = list(range(len(HOURLY_PROFILE)))
    people = []
    for n in range(count):
        place = rng.choices(range(len(city.places)), place_weights)[0]
        item = rng.choices(range(len(city.items)), item_weights)[0]
        hour = rng.choices(hours, HOURLY_PROFILE)[0]
        leaves = min(DAY_MINUTES - 30, hour * 60 + rng.random() * 60)
        person = Person(n, place, item, leaves, samplers[item](rng))
        if rng.random() < BOOKED_SHARE:
            options = city.eligible[(city.places[place]["region"], city.items[item].name)]
            hall = min(options, key=lambda h: _km(city, place, h))
            person.booked_hall = hall
            person.due = max(0.0, math.floor(leaves / SLOT_MINUTES) * SLOT_MINUTES)
            person.leaves = max(0.0, person.due - rng.uniform(0, 10))  # arrives a little before the slot
        people.append(person)
    return people


def _km(city: City, place: int, hall: int) -> float:
    p, h = city.places[place], city.halls[hall]
    return policy.distance_km(p["lat"], p["lng"], h.lat, h.lng)


def _travel(city: City, place: int, hall: int) -> float:
    return policy.travel_minutes(_km(city, place, hall))


# --- the day, under one policy -----------------------------------------------------------------------


@dataclass
class Day:
    city: City
    people: list[Person]
    halls: list[Hall]
    means: dict[str, float]
    on_the_way: list[dict[int, tuple[float, str]]] = field(default_factory=list)  # per hall: person → (eta, group)
    booked_due: list[list[Person]] = field(default_factory=list)  # per hall, not yet arrived
    walk_ins: list[list[tuple[float, str]]] = field(default_factory=list)  # per hall: (arrived, group)

    def snapshot(self, hall: int, group: str, now: float, *, with_arrivals: bool) -> policy.HallSnapshot:
        site = self.city.halls[hall]
        windows, backlog, waiting = self.halls[hall].snapshot(group, self.means)
        arrivals, walk_in_rate = (), 0.0
        if with_arrivals:
            arrivals = tuple(
                policy.Arrival(eta - now, self.means[g]) for eta, g in self.on_the_way[hall].values()
            ) + tuple(
                policy.Arrival(p.due - now, self.means[self.city.items[p.item].group], booked=True)
                for p in self.booked_due[hall]
                if p.due - now <= HORIZON
            )
            lately = (self.means[g] for at, g in self.walk_ins[hall] if now - at <= policy.WALK_IN_RATE_MINUTES)
            walk_in_rate = sum(lately) / policy.WALK_IN_RATE_MINUTES
        return policy.HallSnapshot(
            site.code,
            site.name,
            site.lat,
            site.lng,
            windows,
            backlog,
            waiting,
            arrivals,
            service_minutes=self.means[group],
            walk_in_rate=walk_in_rate,
        )


def choose_hall(rule: str, day: Day, person: Person, now: float, rng: random.Random) -> int:
    city = day.city
    place = city.places[person.place]
    item = city.items[person.item]
    options = city.eligible[(place["region"], item.name)]
    if rule == "nearest":
        return min(options, key=lambda h: _km(city, person.place, h))
    if rule == "home":
        home = [h for h in options if city.halls[h].region == place["region"] and city.halls[h].level == "county_hall"]
        return home[0] if home else min(options, key=lambda h: _km(city, person.place, h))
    for h in options:
        day.halls[h].advance(now)
    if rule == "shortest_wait":
        waits = {h: policy.predict_wait(day.snapshot(h, item.group, now, with_arrivals=False), 0.0) for h in options}
        return min(options, key=lambda h: (waits[h], _km(city, person.place, h)))
    if rule == "foresight":
        return min(options, key=lambda h: (_cost_told_durations(day, h, person, now), h))
    snapshots = [day.snapshot(h, item.group, now, with_arrivals=True) for h in options]
    chosen = policy.choose(policy.rank(snapshots, place["lat"], place["lng"]), rng)
    return next(h for h in options if city.halls[h].code == chosen.hall.code)


def _cost_told_durations(day: Day, hall: int, person: Person, now: float) -> float:
    """(f)'s cost of sending ``person`` to ``hall``: simulated with the real durations of everyone known."""
    city = day.city
    known = [Visitor(eta, day.people[pid].service, group) for pid, (eta, group) in day.on_the_way[hall].items()]
    known += [
        Visitor(p.leaves, p.service, city.items[p.item].group, booked=True, due=p.due)
        for p in day.booked_due[hall]
        if p.due - now <= HORIZON
    ]
    travel = _travel(city, person.place, hall)
    before = _waits_from(day.halls[hall], known)
    *others, own = _waits_from(
        day.halls[hall], [*known, Visitor(now + travel, person.service, city.items[person.item].group)]
    )
    return travel + own + FORESIGHT_OTHERS * (sum(others) - sum(before))


def _waits_from(hall: Hall, joining: list[Visitor]) -> list[float]:
    """The waits of those waiting at ``hall``, then of ``joining`` in its order, on a copy of the hall
    run to its end (the hall and the visitors are not changed)."""
    copy = Hall(hall.windows)
    copy.now, copy.free, copy.busy = hall.now, list(hall.free), list(hall.busy)
    copy.serving = dict(hall.serving)  # called already: they are not changed again
    copy.waiting = [dataclasses.replace(v) for v in hall.waiting]
    everyone = [*copy.waiting, *(dataclasses.replace(v) for v in joining)]
    for visitor in sorted(everyone[len(copy.waiting) :], key=lambda v: v.arrive):
        copy.arrive(visitor)
    copy.advance(math.inf)
    return [v.wait for v in everyone]


def run_day(city: City, people: list[Person], rule: str, seed: int) -> list[Person]:
    """Every person's hall, travel and wait under ``rule`` (people are copied, not changed)."""
    rng = random.Random(seed)
    people = [Person(p.id, p.place, p.item, p.leaves, p.service, p.booked_hall, p.due) for p in people]
    day = Day(
        city,
        people,
        [Hall(list(h.windows)) for h in city.halls],
        {i.group: i.mean for i in city.items},
        [{} for _ in city.halls],
        [[] for _ in city.halls],
        [[] for _ in city.halls],
    )
    events = []
    for person in people:
        if person.booked_hall is not None:
            person.hall = person.booked_hall
            person.travel = _travel(city, person.place, person.hall)
            day.booked_due[person.hall].append(person)
            heapq.heappush(events, (person.leaves, 1, person.id, "arrive"))
        else:
            heapq.heappush(events, (person.leaves, 0, person.id, "leave"))
    while events:
        now, _order, pid, kind = heapq.heappop(events)
        person = people[pid]
        group = city.items[person.item].group
        if kind == "leave":
            person.hall = choose_hall(rule, day, person, now, rng)
            person.travel = _travel(city, person.place, person.hall)
            day.on_the_way[person.hall][pid] = (now + person.travel, group)
            heapq.heappush(events, (now + person.travel, 1, pid, "arrive"))
            continue
        if person.booked_hall is None:
            del day.on_the_way[person.hall][pid]
            day.walk_ins[person.hall].append((now, group))
        else:
            day.booked_due[person.hall].remove(person)
        person.visitor = Visitor(now, person.service, group, booked=person.booked_hall is not None, due=person.due)
        day.halls[person.hall].arrive(person.visitor)
    for hall in day.halls:
        hall.advance(math.inf)
    return people


# --- the offline comparators ------------------------------------------------------------------------


def visits_of(city: City, people: list[Person]) -> list[offline.Visit]:
    """The day as the offline comparators see it: each person's halls, nearest first, with travel and arrival."""
    visits = []
    for person in people:
        item = city.items[person.item]
        if person.booked_hall is not None:
            hall = person.booked_hall
            options = (offline.Option(hall, _travel(city, person.place, hall), person.leaves),)
        else:
            eligible = city.eligible[(city.places[person.place]["region"], item.name)]
            travel = {h: _travel(city, person.place, h) for h in eligible}
            nearest_first = sorted(eligible, key=lambda h: (travel[h], h))
            options = tuple(offline.Option(h, travel[h], person.leaves + travel[h]) for h in nearest_first)
        booked = person.booked_hall is not None
        visits.append(offline.Visit(person.id, person.service, item.group, booked, person.due, options))
    return visits


# --- report ------------------------------------------------------------------------------------------


RULES = [
    ("recommender", "推荐（路程 + 预计等候，计在途）"),
    ("nearest", "(a) 最近大厅"),
    ("shortest_wait", "(b) 当前等候最短"),
    ("home", "(c) 户籍所在区县中心"),
    ("foresight", "(f) 在线，预知在场与在途者时长"),
]
OFFLINE = [
    ("clairvoyant", "(d) 离线分配：预知一切"),
    ("lp_bound", "(d′) 线性规划下界"),
    ("arrivals_known", "(e) 离线分配：预知到达，不知时长"),
]


def _summary(totals: list[float], travels: list[float]) -> dict:
    return {
        "mean": sum(totals) / len(totals),
        "p90": percentile(totals, 0.9),
        "travel": sum(travels) / len(travels),
        "wait": (sum(totals) - sum(travels)) / len(totals),
    }


def measure(city: City, visitors: int, seed: int, *, offline_comparators: bool = True) -> dict:
    people = visitors_of_the_day(city, visitors, seed)
    visits = visits_of(city, people)
    windows = [h.windows for h in city.halls]
    figures, assignments = {}, {}
    for rule, _label in RULES:
        day = run_day(city, people, rule, seed)
        figures[rule] = _summary([p.total for p in day], [p.travel for p in day])
        assignments[rule] = [p.hall for p in day]
        # the offline comparators score assignments with the same halls: they must agree on this one
        rescored = offline.simulate(windows, visits, assignments[rule])
        if not all(math.isclose(a, p.total, abs_tol=1e-9) for a, p in zip(rescored, day, strict=True)):
            raise AssertionError(f"the offline scoring differs from the day under {rule}")
    if offline_comparators:
        started = time.perf_counter()
        mean, totals, lp_halls = offline.lower_bound(windows, visits)
        figures["lp_bound"] = {"mean": mean, "p90": percentile(totals, 0.9), "seconds": time.perf_counter() - started}
        assignments["lp_rounded"] = lp_halls
        # (e): planned knowing who comes when and for what, but only the item's mean service time
        means = {item.group: item.mean for item in city.items}
        blind = [dataclasses.replace(v, service=means[v.group]) for v in visits]
        not_told = {rule: halls for rule, halls in assignments.items() if rule != "foresight"}  # (f) knew durations
        found = offline.clairvoyant_assignment(windows, blind, not_told, seed=seed)
        figures["arrivals_known"] = _offline_figures(windows, visits, found)
        found = offline.clairvoyant_assignment(windows, visits, assignments, seed=seed)
        figures["clairvoyant"] = _offline_figures(windows, visits, found)
    return figures


def _offline_figures(windows: list[tuple], visits: list[offline.Visit], found: offline.Assignment) -> dict:
    """The figures of an offline assignment, scored with everyone's real service time."""
    totals = offline.simulate(windows, visits, found.halls)
    figures = _summary(totals, [v.at[h].travel for v, h in zip(visits, found.halls, strict=True)])
    figures.update(
        start=found.start,
        start_mean=found.start_mean,
        moves=found.moves,
        swaps=found.swaps,
        converged=found.converged,
        seconds=found.seconds,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=3400)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument(
        "--cv-scale",
        type=float,
        default=1.0,
        help="multiplies every item's coefficient of variation (0: every visit for an item takes the item's mean)",
    )
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from benchmarks._setup import django_on

    django_on(args.database_url)
    from tongban.demo.loader import load_demo_city

    load_demo_city()
    city = city_from_demo()
    city.items = [dataclasses.replace(item, cv=item.cv * args.cv_scale) for item in city.items]
    windows = sum(len(h.windows) for h in city.halls)
    load = args.visitors * sum(i.share * i.mean for i in city.items) / (windows * DAY_MINUTES)
    print(f"{len(city.halls)} 个大厅，在岗窗口 {windows} 个；{args.visitors} 人次，平均负荷 {load:.0%}")
    print(f"随机种子 {args.seed}；办理时长变异系数 × {args.cv_scale:g}")
    figures = measure(city, args.visitors, args.seed)
    columns = ("平均总用时(分)", "P90(分)", "平均路程", "平均等候")
    print(_cell("策略", 34, left=True) + "".join(_cell(c, 16) for c in columns))
    for rule, label in [*RULES, *OFFLINE]:
        row = figures[rule]
        values = [f"{row[k]:.1f}" if k in row else "—" for k in ("mean", "p90", "travel", "wait")]
        print(_cell(label, 34, left=True) + "".join(_cell(v, 16) for v in values))
    for key, scored in (("clairvoyant", ""), ("arrivals_known", "，按平均时长计")):
        search = figures[key]
        stopped = "到局部最优" if search["converged"] else "预算用尽"
        print(
            f"{dict(OFFLINE)[key].split()[0]} 从「{search['start']}」的分配（{search['start_mean']:.1f} 分{scored}）"
            f"出发，移动 {search['moves']} 人、交换 {search['swaps']} 对，{stopped}，{search['seconds']:.0f} 秒"
        )
    print("(d) 是可实现的分配，最优分配不劣于它；(d′) 是证明过的下界，最优分配不优于它")
    print("    （(d′) 的 P90 取自线性规划解的逐人数值，不是 P90 的下界）。")
    print("(e) 按各事项平均时长规划，再以真实时长计分：(d) 与 (e) 之差是预知办理时长的价值。")
    print("(f) 是作弊的在线规则（预知在场、在途与本人的办理时长，但不知道之后谁来）：在线推荐能逼近 (d) 的程度。")
    mean = {rule: f["mean"] for rule, f in figures.items()}
    ratios = {
        "ratio_to_nearest": mean["recommender"] / mean["nearest"],
        "ratio_to_clairvoyant": mean["recommender"] / mean["clairvoyant"],
        "ratio_to_lp_bound": mean["recommender"] / mean["lp_bound"],
        "clairvoyant_to_lp_bound": mean["clairvoyant"] / mean["lp_bound"],
        "ratio_to_arrivals_known": mean["recommender"] / mean["arrivals_known"],
        "foresight_to_clairvoyant": mean["foresight"] / mean["clairvoyant"],
    }
    print(
        f"推荐 ÷ (a) = {ratios['ratio_to_nearest']:.3f}（目标 ≤ 0.75）；"
        f"推荐 ÷ (d) = {ratios['ratio_to_clairvoyant']:.3f}（目标 ≤ 1.05）；"
        f"推荐 ÷ (d′) = {ratios['ratio_to_lp_bound']:.3f}；(d) ÷ (d′) = {ratios['clairvoyant_to_lp_bound']:.3f}；"
        f"推荐 ÷ (e) = {ratios['ratio_to_arrivals_known']:.3f}；(f) ÷ (d) = {ratios['foresight_to_clairvoyant']:.3f}"
    )
    summary = {
        "visitors": args.visitors,
        "seed": args.seed,
        "cv_scale": args.cv_scale,
        "staffed_windows": windows,
        "mean_load": round(load, 3),
        **{f"{rule}_mean": round(m, 2) for rule, m in mean.items()},
        **{f"{rule}_p90": round(f["p90"], 2) for rule, f in figures.items()},
        "clairvoyant_converged": figures["clairvoyant"]["converged"],
        "clairvoyant_seconds": round(figures["clairvoyant"]["seconds"], 1),
        "lp_bound_seconds": round(figures["lp_bound"]["seconds"], 1),
        **{name: round(value, 3) for name, value in ratios.items()},
        "target_ratio_to_nearest": 0.75,
        "target_ratio_to_clairvoyant": 1.05,
    }
    print(json.dumps(summary, ensure_ascii=False))


def _cell(text: str, width: int, *, left: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    padding = " " * max(0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))
    return text + padding if left else padding + text


if __name__ == "__main__":
    main()
