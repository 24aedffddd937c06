"""A discrete-event model of a hall's windows (pure Python, seeded by the caller).

Windows call in the queue's order (``policy.call_order``); a window serves every group (general,
无差别全科受理) or only its zone's groups. The staffing planner checks Erlang C with it, and the
city-day benchmark runs 23 of them with people routed by each policy.
"""

import heapq
import math
import random
from dataclasses import dataclass

from tongban.queueing import policy


@dataclass
class Visitor:
    arrive: float  # minute the person is at the hall
    service: float  # minutes at the window
    group: str
    booked: bool = False
    due: float = 0.0  # slot start (booked)
    start: float | None = None  # minute called
    window: int | None = None  # index of the window that called

    @property
    def wait(self) -> float:
        return self.start - self.arrive


class Hall:
    """Windows, each serving every group (``None``) or a set of groups."""

    def __init__(self, windows: list[frozenset | None]):
        self.windows = windows
        self.now = 0.0
        self.free = list(range(len(windows)))
        self.busy: list[tuple[float, int]] = []
        self.serving: dict[int, Visitor] = {}
        self.waiting: list[Visitor] = []

    def serves(self, window: int, group: str) -> bool:
        groups = self.windows[window]
        return groups is None or group in groups

    def arrive(self, visitor: Visitor) -> None:
        self.advance(visitor.arrive)
        self.waiting.append(visitor)
        self._dispatch()

    def advance(self, until: float) -> None:
        while self.busy and self.busy[0][0] <= until:
            end, window = heapq.heappop(self.busy)
            self.now = end
            del self.serving[window]
            self.free.append(window)
            self._dispatch()
        self.now = max(self.now, until)

    def _dispatch(self) -> None:
        if not self.waiting:
            return
        for window in sorted(self.free):
            candidates = [v for v in self.waiting if self.serves(window, v.group)]
            if not candidates:
                continue
            chosen = min(
                candidates,
                key=lambda v: policy.call_order(booked=v.booked, due=v.due, issued=v.arrive, now=self.now),
            )
            self.waiting.remove(chosen)
            self.free.remove(window)
            chosen.start, chosen.window = self.now, window
            self.serving[window] = chosen
            heapq.heappush(self.busy, (self.now + chosen.service, window))
            if not self.waiting:
                return

    def snapshot(self, group: str, means: dict[str, float]) -> tuple[int, float, int]:
        """(windows serving ``group``, service minutes ahead as the system estimates them, people waiting)."""
        serving = [w for w in range(len(self.windows)) if self.serves(w, group)]
        backlog, waiting = 0.0, 0
        for visitor in self.waiting:
            if any(self.serves(w, visitor.group) for w in serving):
                backlog += means[visitor.group]
                waiting += 1
        for window, visitor in self.serving.items():
            if window in serving:
                backlog += policy.remaining_minutes(means[visitor.group], self.now - visitor.start)
        return len(serving), backlog, waiting


def service_sampler(mean: float, cv: float):
    """Service times with this mean and coefficient of variation: exponential at cv 1, lognormal otherwise."""
    if abs(cv - 1.0) < 1e-9:
        return lambda rng: rng.expovariate(1.0 / mean)
    sigma2 = math.log(1 + cv * cv)
    mu = math.log(mean) - sigma2 / 2
    return lambda rng: rng.lognormvariate(mu, math.sqrt(sigma2))


@dataclass(frozen=True)
class Outcome:
    mean_wait: float
    share_within: float  # share called within the target
    visitors: int


def simulate_steady(
    windows: list[frozenset | None],
    demand: dict[str, tuple[float, float, float]],
    *,
    within: float,
    minutes: float,
    seed: int,
    warmup: float = 120.0,
) -> Outcome:
    """Poisson arrivals per group (``demand[group] = (per hour, mean minutes, cv)``) into one hall for
    ``minutes`` after a warm-up; waits of those arriving after the warm-up."""
    rng = random.Random(seed)
    arrivals = []
    for group in sorted(demand):
        per_hour, mean, cv = demand[group]
        if per_hour <= 0:
            continue
        sample, clock = service_sampler(mean, cv), 0.0
        while True:
            clock += rng.expovariate(per_hour / 60)
            if clock > warmup + minutes:
                break
            arrivals.append(Visitor(clock, sample(rng), group))
    arrivals.sort(key=lambda v: v.arrive)
    hall = Hall(windows)
    for visitor in arrivals:
        hall.arrive(visitor)
    hall.advance(math.inf)
    counted = [v for v in arrivals if v.arrive >= warmup]
    if not counted:
        return Outcome(0.0, 1.0, 0)
    return Outcome(
        sum(v.wait for v in counted) / len(counted), sum(v.wait <= within for v in counted) / len(counted), len(counted)
    )
