"""The city-day benchmark's offline comparators: both know every visitor of the day in advance.

* ``lower_bound`` — a linear program no assignment can beat (see its doc): a proven floor, but a
  loose one, since it has no queues, only window-minutes per ten-minute bucket.
* ``clairvoyant_assignment`` — a real assignment of every walk-in to a hall, chosen knowing when
  everyone leaves, from where, for what and how long each will take at the window, and scored with
  the same discrete-event halls (``tongban.queueing.simulation.Hall``) as the online policies, on the
  same visitors (common random numbers). It is found by local search, so it is an upper estimate of
  the best assignment: the optimum lies between the two.
"""

import bisect
import math
import random
import time
from dataclasses import dataclass
from functools import cached_property

from tongban.queueing.simulation import Hall, Visitor

BOUND_BUCKET = 10.0
BOUND_HORIZON = 90.0
BOUND_HALLS = 5
IMPROVEMENT = 1e-9  # minutes: smaller changes are rounding, not improvement
SWAP_WINDOW = 30.0  # minutes between two people's arrivals for a swap to be tried


@dataclass(frozen=True)
class Option:
    hall: int
    travel: float
    arrive: float  # minute at the hall


@dataclass(frozen=True)
class Visit:
    """One person's visit as the offline comparators see it; a booked visitor has one option."""

    person: int
    service: float
    group: str
    booked: bool
    due: float
    options: tuple[Option, ...]  # nearest first

    @cached_property
    def at(self) -> dict[int, Option]:
        return {o.hall: o for o in self.options}


# --- the lower bound ---------------------------------------------------------------------------------


def lower_bound(windows: list[tuple], visits: list[Visit]) -> tuple[float, list[float], list[int]]:
    """Mean total time no assignment can beat; the LP optimum's per-person totals and, per person,
    the hall holding most of their work (a starting point for the clairvoyant assignment).

    The LP assigns each visitor's work to halls and 10-minute buckets without exceeding any hall's
    staffed window-minutes per bucket. The work of someone called at ``s`` is done in ``[s, s + p]``,
    so the work-weighted mean of the bucket start times is at most ``s + p/2``: the LP's wait is at
    most the real one. Relaxations that keep it a bound: zone windows count as general, work may be
    split across buckets and halls, work after a 90-minute horizon and halls beyond a visitor's five
    nearest cost only their travel. Solved with scipy's HiGHS.
    """
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n = len(visits)
    costs = [1.0] * n  # each person's wait w_i comes first
    rows, cols, values, ineq_b = [], [], [], []
    capacity_rows: dict[tuple[int, int], int] = {}
    assignment_cols: list[list[int]] = []
    col_hall: list[int] = [-1] * n

    def new_col(cost: float, hall: int) -> int:
        costs.append(cost)
        col_hall.append(hall)
        return len(costs) - 1

    def add(row: int, col: int, value: float) -> None:
        rows.append(row)
        cols.append(col)
        values.append(value)

    for i, visit in enumerate(visits):
        wait_row = len(ineq_b)  # Σ x (t_b − arrival) − w_i ≤ p_i / 2
        ineq_b.append(visit.service / 2)
        add(wait_row, i, -1.0)
        assignment = []
        near, beyond = visit.options[:BOUND_HALLS], visit.options[BOUND_HALLS:]
        for option in near:
            first = int(option.arrive // BOUND_BUCKET)
            last = int((option.arrive + BOUND_HORIZON) // BOUND_BUCKET)
            for bucket in range(first, last + 1):
                col = new_col(option.travel, option.hall)
                assignment.append(col)
                add(wait_row, col, max(bucket * BOUND_BUCKET, option.arrive) - option.arrive)
                key = (option.hall, bucket)
                if key not in capacity_rows:
                    capacity_rows[key] = len(ineq_b)
                    ineq_b.append(len(windows[option.hall]) * BOUND_BUCKET)
                add(capacity_rows[key], col, visit.service)
            overflow = new_col(option.travel, option.hall)  # work after the horizon: waits at least that long
            assignment.append(overflow)
            add(wait_row, overflow, (last + 1) * BOUND_BUCKET - option.arrive)
        if beyond:
            assignment.append(new_col(beyond[0].travel, beyond[0].hall))
        assignment_cols.append(assignment)
    a_ub = coo_matrix((values, (rows, cols)), shape=(len(ineq_b), len(costs))).tocsr()
    eq_rows = [r for r, group in enumerate(assignment_cols) for _c in group]
    eq_cols = [c for group in assignment_cols for c in group]
    a_eq = coo_matrix(([1.0] * len(eq_cols), (eq_rows, eq_cols)), shape=(n, len(costs))).tocsr()
    result = linprog(
        np.array(costs), A_ub=a_ub, b_ub=np.array(ineq_b), A_eq=a_eq, b_eq=np.ones(n), bounds=(0, None), method="highs"
    )
    if result.status != 0:
        raise RuntimeError(f"LP not solved: {result.message}")
    x = result.x
    totals = [x[i] + sum(costs[c] * x[c] for c in assignment_cols[i]) for i in range(n)]
    main_halls = []
    for group in assignment_cols:
        mass: dict[int, float] = {}
        for c in group:
            mass[col_hall[c]] = mass.get(col_hall[c], 0.0) + x[c]
        main_halls.append(max(mass, key=lambda h: (mass[h], -h)))
    return result.fun / n, totals, main_halls


# --- the clairvoyant assignment ----------------------------------------------------------------------


@dataclass
class Entry(Visitor):
    """A visitor in a hall's queue, knowing who it is."""

    person: int = -1


@dataclass(frozen=True)
class Moment:
    """A hall's queue just before someone arrives: enough to resume from, and to compare."""

    now: float
    busy: tuple[tuple[float, int], ...]  # the heap of (end, window)
    serving: dict
    waiting: tuple[int, ...]  # persons, in queue order
    key: tuple  # what decides everything after: busy ends by kind of window, and who waits


class HallDay:
    """One hall's day for a set of visitors: each one's wait, and the queue just before every arrival.

    A change (one visitor more or less) is re-simulated exactly from the moment it happens until the
    queue is again as it was without it — from then on nothing differs — so trying a move costs a
    few arrivals, not the day.
    """

    def __init__(self, hall: int, windows: tuple, visits: list[Visit], members: list[int]):
        self.hall = hall
        self.windows = list(windows)
        self.visits = visits
        # Windows serving the same groups are interchangeable when they sit together (free windows
        # call in index order), so only how many of each kind are busy until when matters.
        kinds: dict = {}
        for w, groups in enumerate(windows):
            kinds.setdefault(groups, []).append(w)
        together = all(ws == list(range(ws[0], ws[0] + len(ws))) for ws in kinds.values())
        self.kind = [kinds[groups][0] if together else w for w, groups in enumerate(windows)]
        self.members: list[int] = []
        self.keys: list[tuple[float, int]] = []
        self.moments: list[Moment] = []
        self.wait: dict[int, float] = {}
        self.cost = 0.0
        for person in sorted(members, key=self._key):
            self.apply(add=person)

    def _key(self, person: int) -> tuple[float, int]:
        return (self.visits[person].at[self.hall].arrive, person)

    def _entry(self, person: int) -> Entry:
        visit = self.visits[person]
        return Entry(visit.at[self.hall].arrive, visit.service, visit.group, visit.booked, visit.due, person=person)

    def travel(self, person: int) -> float:
        return self.visits[person].at[self.hall].travel

    def _moment(self, hall: Hall) -> Moment:
        waiting = tuple(v.person for v in hall.waiting)
        key = (tuple(sorted((self.kind[window], end) for end, window in hall.busy)), waiting)
        return Moment(hall.now, tuple(hall.busy), dict(hall.serving), waiting, key)

    def _resume(self, moment: Moment) -> Hall:
        hall = Hall(self.windows)
        hall.now = moment.now
        hall.busy = list(moment.busy)
        hall.serving = dict(moment.serving)
        hall.free = [w for w in range(len(self.windows)) if w not in hall.serving]
        hall.waiting = [self._entry(p) for p in moment.waiting]
        return hall

    def change(self, *, add: int | None = None, remove: int | None = None) -> float:
        """Exact change of the hall's total (travel + wait) if ``add`` joins and/or ``remove`` leaves."""
        return self._replay(add, remove, record=False)[0]

    def apply(self, *, add: int | None = None, remove: int | None = None) -> None:
        change, at, coupled_at, moments, waits = self._replay(add, remove, record=True)
        if remove is not None:
            gone = bisect.bisect_left(self.keys, self._key(remove))
            del self.members[gone], self.keys[gone], self.wait[remove]
        if add is not None:
            place = bisect.bisect_left(self.keys, self._key(add))
            self.members.insert(place, add)
            self.keys.insert(place, self._key(add))
        self.moments[at:coupled_at] = moments
        self.wait.update(waits)
        self.cost += change

    def _replay(self, add: int | None, remove: int | None, *, record: bool):
        """Re-simulate from the change until the queue is as before: (change of the total, where the
        change starts in ``members``, the old index where the queue became as before, the moments of
        the replayed arrivals, the new waits of those called meanwhile)."""
        at = min(bisect.bisect_left(self.keys, self._key(p)) for p in (add, remove) if p is not None)
        removed_at = -1 if remove is None else bisect.bisect_left(self.keys, self._key(remove))
        moments = []
        if at:  # resume just before the previous member arrived and let them arrive again
            hall = self._resume(self.moments[at - 1])
            called = list(hall.waiting)  # waiting already: their call may move too
            previous = self._entry(self.members[at - 1])
            hall.arrive(previous)
            called.append(previous)
        else:
            hall, called = Hall(self.windows), []
        change = 0.0
        if remove is not None:
            change -= self.travel(remove) + self.wait[remove]
        pending = None
        if add is not None:
            pending, pending_key = self._entry(add), self._key(add)
            change += self.travel(add)
        coupled_at = len(self.members)
        for k in range(at, len(self.members) + 1):
            if pending is not None and (k == len(self.members) or pending_key < self.keys[k]):
                hall.advance(pending.arrive)
                if record:
                    moments.append(self._moment(hall))
                hall.arrive(pending)
                called.append(pending)
                pending = None
            if k == len(self.members):
                hall.advance(math.inf)
                break
            if k == removed_at:
                continue
            entry = self._entry(self.members[k])
            hall.advance(entry.arrive)
            old, moment = self.moments[k], None
            if (
                pending is None
                and k > removed_at
                and len(hall.busy) == len(old.busy)
                and len(hall.waiting) == len(old.waiting)
            ):
                moment = self._moment(hall)
                if moment.key == old.key:  # as before from here on
                    coupled_at = k
                    break
            if record:
                moments.append(moment or self._moment(hall))
            hall.arrive(entry)
            called.append(entry)
        waits = {}
        for entry in called:
            if entry.start is not None:
                waits[entry.person] = entry.wait
                change += entry.wait - self.wait.get(entry.person, 0.0)
        return change, at, coupled_at, moments, waits


@dataclass
class Assignment:
    halls: list[int]  # per person
    totals: list[float]  # per person: travel + wait
    start: str  # the starting assignment the search began from
    start_mean: float
    moves: int
    swaps: int
    converged: bool  # no single move or swap improves it any more
    seconds: float

    @property
    def mean(self) -> float:
        return sum(self.totals) / len(self.totals)


def simulate(windows: list[tuple], visits: list[Visit], halls: list[int]) -> list[float]:
    """Every person's travel + wait when person ``i`` goes to ``halls[i]`` (one full simulation)."""
    totals = [0.0] * len(visits)
    for day in hall_days(windows, visits, halls):
        for person in day.members:
            totals[person] = day.travel(person) + day.wait[person]
    return totals


def hall_days(windows: list[tuple], visits: list[Visit], halls: list[int]) -> list[HallDay]:
    members: list[list[int]] = [[] for _ in windows]
    for person, hall in enumerate(halls):
        members[hall].append(person)
    return [HallDay(h, windows[h], visits, members[h]) for h in range(len(windows))]


class LocalSearch:
    """Improves an assignment by moving one walk-in to another hall, or swapping two between halls,
    whenever that lowers the day's exactly simulated total; in an order drawn from ``rng``."""

    def __init__(self, windows: list[tuple], visits: list[Visit], halls: list[int], rng: random.Random, budget: int):
        self.visits = visits
        self.halls = list(halls)
        self.days = hall_days(windows, visits, halls)
        self.rng = rng
        self.budget = budget  # re-simulations allowed
        self.evaluations = self.moves = self.swaps = 0
        self.walk_ins = [v.person for v in visits if not v.booked]

    @property
    def total(self) -> float:
        return sum(day.cost for day in self.days)

    def run(self) -> bool:
        """Moves and swaps until neither helps (True) or the budget is spent (False)."""
        while self.evaluations < self.budget:
            changed = self._pass(self._move) + self._pass(self._swap)
            if changed == 0 and self.evaluations < self.budget:  # a whole round tried, nothing helped
                return True
        return False

    def _pass(self, step) -> int:
        order = list(self.walk_ins)
        self.rng.shuffle(order)
        done = 0
        for person in order:
            if self.evaluations >= self.budget:
                break
            done += step(person)
        return done

    def _move(self, person: int) -> int:
        """To the hall that gains most, trying only halls whose travel alone costs less than what taking
        the person out saves (their travel and wait, and the waits they caused)."""
        here = self.days[self.halls[person]]
        saved = -here.change(remove=person)
        self.evaluations += 1
        best, best_gain = None, IMPROVEMENT
        for option in self.visits[person].options:  # nearest first
            if option.travel >= saved - best_gain:
                break
            if option.hall != here.hall:
                gain = saved - self.days[option.hall].change(add=person)
                self.evaluations += 1
                if gain > best_gain:
                    best, best_gain = option.hall, gain
        if best is None:
            return 0
        here.apply(remove=person)
        self.days[best].apply(add=person)
        self.halls[person] = best
        self.moves += 1
        return 1

    def _swap(self, person: int) -> int:
        """With someone at a nearer hall, arriving within ``SWAP_WINDOW`` of them, who would travel less here."""
        visit = self.visits[person]
        here = self.halls[person]
        travel_here = visit.at[here].travel
        best, best_gain = None, IMPROVEMENT
        for option in visit.options:
            if option.travel >= travel_here:
                break
            there = self.days[option.hall]
            low = bisect.bisect_left(there.keys, (option.arrive - SWAP_WINDOW, -1))
            high = bisect.bisect_right(there.keys, (option.arrive + SWAP_WINDOW, math.inf))
            for other in there.members[low:high]:
                at = self.visits[other].at
                if self.visits[other].booked or here not in at:
                    continue
                if at[here].travel + option.travel >= at[option.hall].travel + travel_here:
                    continue
                gain = -self.days[here].change(remove=person, add=other) - there.change(remove=other, add=person)
                self.evaluations += 2
                if gain > best_gain:
                    best, best_gain = (option.hall, other), gain
        if best is None:
            return 0
        there, other = best
        self.days[here].apply(remove=person, add=other)
        self.days[there].apply(remove=other, add=person)
        self.halls[person], self.halls[other] = there, here
        self.swaps += 1
        return 1


def clairvoyant_assignment(
    windows: list[tuple],
    visits: list[Visit],
    starts: dict[str, list[int]],
    *,
    seed: int,
    budget: int = 400_000,
) -> Assignment:
    """The best of ``starts`` (named assignments: hall per person), improved to a local optimum.

    The search stops when no move or swap improves (converged) or after ``budget`` hall
    re-simulations; both depend only on the visitors and ``seed``, so the result repeats.
    """
    started = time.perf_counter()
    scored = {name: sum(simulate(windows, visits, halls)) for name, halls in starts.items()}
    name = min(scored, key=lambda n: (scored[n], n))
    search = LocalSearch(windows, visits, starts[name], random.Random(seed), budget)
    converged = search.run()
    totals = simulate(windows, visits, search.halls)
    if not math.isclose(sum(totals), search.total, rel_tol=1e-9, abs_tol=1e-6):
        raise AssertionError(f"incremental total {search.total} differs from the full simulation {sum(totals)}")
    return Assignment(
        search.halls,
        totals,
        name,
        scored[name] / len(visits),
        search.moves,
        search.swaps,
        converged,
        time.perf_counter() - started,
    )
