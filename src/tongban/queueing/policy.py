"""Predicted wait and the best-hall recommendation — pure functions over a snapshot, no database.

``recommendation.py`` builds the snapshot from tickets, bookings and referrals for the API; the
city-day benchmark builds it from its simulated halls. Both then call ``rank`` and ``choose`` here,
so the benchmark measures the code the API runs.

The wait is a fluid estimate: the service minutes ahead of a person (people waiting, what is left of
those at the windows, booked visitors and recommended people who will be there first) drain at one
minute per open window per minute; booked visitors whose slot comes while the person waits are
called first and lengthen the wait. Someone with a long way to go is also overtaken by walk-ins not
known yet — sent or walking in after them but living nearer: the hall's recent walk-in rate (service
minutes per minute over the last half hour) is assumed to go on while the person travels, at
``UNSEEN_SHARE`` of it (later recommendations already see this person on the way and partly go
elsewhere; the share was measured on the city-day benchmark, eight seeds).

Halls are listed by the person's own expected total time (travel + wait), but the one recommended is
chosen by the time it costs everyone: their own travel and wait, plus the delay their visit causes to
those who come after them (``cost_to_others``) — what an assignment of the whole day minimises. When
that is not the person's fastest hall, the reason says by how much and what it spares others.
A hall closed when the person would get there and not opening again today is not offered, nor one
that would not call them before its day ends; before opening or at lunch, the wait counts the time
until it opens. Herding is kept in check twice: everyone recommended and not yet arrived is in the snapshot
(``Arrival``), and the choice is random among the best few options whose cost is within
``TIE_MINUTES`` of the best.
"""

import itertools
import math
import random
from dataclasses import dataclass

ROAD_FACTOR = 1.3  # road distance ÷ straight-line distance in the city
SPEED_KMH = 25.0  # door-to-door average speed in city traffic
FIXED_MINUTES = 5.0  # leaving home, parking, finding the hall
TIE_MINUTES = 2.0  # options within this of the best count as equally good
BEST_FEW = 3
EARTH_RADIUS_KM = 6371.0
# The least a person at a window is assumed to still need, as a share of the mean service time
# (someone already past the mean is not about to finish for sure).
MIN_REMAINING_SHARE = 0.25
WALK_IN_RATE_MINUTES = 30.0  # the recent walk-in rate is taken over this many minutes
UNSEEN_SHARE = 0.5  # of that rate, joining ahead of someone on their way (after FIXED_MINUTES)
# People held up, on average, by someone's visit: each waits that visit's minutes ÷ the windows
# longer. Measured on the city-day benchmark (eight seeds: 1.5, 2, 2.5 and 3 alike, 2 in the middle).
OTHERS_DELAYED = 2.0


def call_order(*, booked: bool, due, issued, now, transferred_here: bool = False) -> tuple:
    """The order a window calls people in: transferred to it, booked at their slot, walk-ins, booked early.

    Works on datetimes (the queue) and on minutes (the simulation) alike.
    """
    if transferred_here:
        return (0, issued)
    if booked:
        return (1 if due <= now else 3, due)
    return (2, issued)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def travel_minutes(km: float) -> float:
    return FIXED_MINUTES + km * ROAD_FACTOR / SPEED_KMH * 60


def remaining_minutes(mean: float, elapsed: float) -> float:
    """What a person at a window is expected to still need after ``elapsed`` minutes."""
    return max(mean * MIN_REMAINING_SHARE, mean - elapsed)


@dataclass(frozen=True)
class Arrival:
    """Someone who will join the queue: a booked visitor due, or a recommended person on the way."""

    in_minutes: float  # from now (≤ 0: due already)
    work: float  # expected service minutes
    booked: bool = False  # called at the slot, before walk-ins


@dataclass(frozen=True)
class HallSnapshot:
    code: str
    name: str
    lat: float
    lng: float
    windows: int  # open windows that serve the item
    backlog_minutes: float  # service minutes of those waiting plus what is left of those at the windows
    waiting: int = 0  # people waiting now (for display)
    arrivals: tuple[Arrival, ...] = ()
    service_minutes: float = 10.0  # the item's expected service time here
    walk_in_rate: float = 0.0  # service minutes per minute of walk-ins lately (``WALK_IN_RATE_MINUTES``)
    # The opening periods left today, in minutes from now; None: open all along (the simulated day).
    hours: tuple[tuple[float, float], ...] | None = None

    def opens_in(self, arrive_in: float) -> float | None:
        """Minutes from arriving until the hall is open (0: open then); None: closed for the rest of the day."""
        if self.hours is None:
            return 0.0
        for opens, closes in self.hours:
            if arrive_in < closes:
                return max(0.0, opens - arrive_in)
        return None

    def closed_until(self) -> float:
        """Minutes until the hall opens, when it is closed now (before opening, at lunch); else 0."""
        return max(0.0, self.hours[0][0]) if self.hours else 0.0

    def calls_by_closing(self, moment: float) -> bool:
        """Whether someone due to be called ``moment`` minutes from now is called before the hall's day ends."""
        return self.hours is None or (bool(self.hours) and moment < self.hours[-1][1])


def predict_wait(hall: HallSnapshot, arrive_in: float) -> float:
    """Minutes from arriving (``arrive_in`` minutes from now) until called; infinite with no open window."""
    if hall.windows <= 0:
        return math.inf
    rate = float(hall.windows)
    unseen = UNSEEN_SHARE * hall.walk_in_rate
    opens = hall.closed_until()

    def drain(backlog: float, start: float, end: float) -> float:
        """The work left at ``end``: the windows work once the hall is open, unseen walk-ins join from
        ``FIXED_MINUTES`` on."""
        moments = sorted({start, end, *(m for m in (FIXED_MINUTES, opens) if start < m < end)})
        for begin, until in itertools.pairwise(moments):
            middle = (begin + until) / 2
            net = (rate if middle >= opens else 0.0) - (unseen if middle >= FIXED_MINUTES else 0.0)
            backlog = max(0.0, backlog - net * (until - begin))
        return backlog

    backlog, clock = hall.backlog_minutes, 0.0
    booked_later = []
    for arrival in sorted(hall.arrivals, key=lambda a: a.in_minutes):
        at = max(0.0, arrival.in_minutes)
        if at <= arrive_in:
            backlog = drain(backlog, clock, at) + arrival.work
            clock = at
        elif arrival.booked:
            booked_later.append(arrival)
    backlog = drain(backlog, clock, arrive_in)
    wait = backlog / rate
    for _round in range(5):  # booked visitors due while this person waits go first
        ahead = sum(a.work for a in booked_later if a.in_minutes < arrive_in + wait)
        new_wait = (backlog + ahead) / rate
        if new_wait - wait < 0.01:
            break
        wait = new_wait
    return wait


def cost_to_others(hall: HallSnapshot) -> float:
    """Minutes the person's visit adds to the waits of those after them: while at a window they hold
    one of ``windows``, so the queue behind moves that much slower (a small hall feels it most).
    None at a hall nobody has come to lately and nobody is waiting at or on the way to."""
    if not (hall.walk_in_rate or hall.backlog_minutes or hall.arrivals):
        return 0.0
    return OTHERS_DELAYED * hall.service_minutes / hall.windows


@dataclass(frozen=True)
class Option:
    hall: HallSnapshot
    distance_km: float
    travel_minutes: float
    wait_minutes: float  # from arriving until called, the time until the hall opens included
    others_minutes: float = 0.0  # ``cost_to_others``
    opens_in: float = 0.0  # minutes from arriving until the hall opens

    @property
    def total_minutes(self) -> float:
        """The person's own: travel and wait."""
        return self.travel_minutes + self.wait_minutes

    @property
    def cost_minutes(self) -> float:
        """What the choice costs everyone: the person's total and the delay to others."""
        return self.total_minutes + self.others_minutes

    @property
    def reason(self) -> str:
        wait = round(self.wait_minutes)
        waiting = f"预计等候 {wait} 分钟" if wait >= 1 else "预计到达即可办理"
        if self.opens_in >= 1:
            waiting = f"到达约 {round(self.opens_in)} 分钟后开始办公，{waiting}"
        return f"距您 {self.distance_km:.1f} 公里，路程约 {round(self.travel_minutes)} 分钟，{waiting}"


def rank(halls: list[HallSnapshot], lat: float, lng: float) -> list[Option]:
    """Halls with an open window for the item where the person would be called within opening hours,
    by the person's own expected total time (travel + wait); ``choose`` weighs the cost to others too."""
    options = []
    for hall in halls:
        km = distance_km(lat, lng, hall.lat, hall.lng)
        travel = travel_minutes(km)
        opens_in = hall.opens_in(travel)
        if opens_in is None:
            continue
        wait = opens_in + predict_wait(hall, travel + opens_in)
        if math.isfinite(wait) and hall.calls_by_closing(travel + wait):
            options.append(Option(hall, km, travel, wait, cost_to_others(hall), opens_in))
    return sorted(options, key=lambda o: (o.total_minutes, o.distance_km, o.hall.code))


def choose(options: list[Option], rng: random.Random) -> Option | None:
    """One of the best few by what the choice costs everyone (``Option.cost_minutes``), among those within
    ``TIE_MINUTES`` of the best, at random (spreads the load)."""
    if not options:
        return None
    by_cost = sorted(options, key=lambda o: (o.cost_minutes, o.distance_km, o.hall.code))
    best = by_cost[0].cost_minutes
    near = [o for o in by_cost[:BEST_FEW] if o.cost_minutes <= best + TIE_MINUTES]
    return rng.choice(near)


def reason_for(chosen: Option, options: list[Option]) -> str:
    """The chosen hall's reason; when another is faster for the person, by how much and why not there."""
    fastest = options[0]
    extra = round(chosen.total_minutes - fastest.total_minutes)
    spared = round(fastest.others_minutes - chosen.others_minutes)
    if fastest is chosen or extra < 1 or spared < 1:
        return chosen.reason
    return f"{chosen.reason}；比{fastest.hall.name}约多 {extra} 分钟，但可让后来办事的人少等约 {spared} 分钟"
