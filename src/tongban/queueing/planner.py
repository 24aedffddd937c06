"""Staffing planner: windows needed per hour for a service level, with Erlang C, checked by simulation.

Two ways to staff a hall (Lishui merged 40 department windows into 19 general ones):
* dedicated — each service-time group (department kind) has its own windows, sized on its own;
* pooled — general windows (无差别全科受理) take every group from one queue.

Erlang C assumes Poisson arrivals and exponential service times. Where the service times' coefficient
of variation is far from 1 the formula is off (more variable → longer waits than it says), so every
plan is also simulated (``simulation.simulate_steady``) with the service times' own mean and spread.
"""

import math
from dataclasses import dataclass, field

from tongban.queueing.simulation import simulate_steady

DEFAULT_TARGET_SHARE = 0.8
DEFAULT_WITHIN_MINUTES = 10.0
# Erlang C is trusted for service-time CVs in this range; outside it the plan carries a note.
EXPONENTIAL_CV_RANGE = (0.7, 1.3)
MAX_WINDOWS = 500
# Simulated minutes per hour and staffing when a plan is checked (a few seconds of CPU at most).
CHECK_SIMULATION_MINUTES = 6000.0
MAX_EXTRA_WINDOWS = 5  # general windows added, one at a time, when the simulation misses the target


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits (Erlang C) with ``servers`` and ``load`` Erlangs (λ × mean service)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = 1.0  # Erlang B by the stable recurrence
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


def mean_wait(servers: int, per_hour: float, service_minutes: float) -> float:
    """Mean minutes from arrival to call (M/M/c); infinite when the windows cannot keep up."""
    load = per_hour * service_minutes / 60
    if per_hour <= 0:
        return 0.0
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * service_minutes / (servers - load)


def service_level(servers: int, per_hour: float, service_minutes: float, within: float) -> float:
    """Share called within ``within`` minutes: 1 − C·e^(−(c − A)·t / S)."""
    load = per_hour * service_minutes / 60
    if per_hour <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    return 1 - erlang_c(servers, load) * math.exp(-(servers - load) * within / service_minutes)


def windows_needed(per_hour: float, service_minutes: float, *, target_share: float, within: float) -> int:
    if per_hour <= 0:
        return 0
    servers = max(1, math.floor(per_hour * service_minutes / 60) + 1)
    while service_level(servers, per_hour, service_minutes, within) < target_share:
        servers += 1
        if servers > MAX_WINDOWS:
            raise ValueError("demand beyond any staffing")
    return servers


@dataclass(frozen=True)
class GroupDemand:
    group: str
    label: str
    per_hour: dict[int, float]  # hour of day → arrivals
    service_minutes: float
    cv: float = 1.0
    source: str = "entered"  # where the service time comes from: hall, city, entered


@dataclass(frozen=True)
class Staffing:
    windows: int
    mean_wait: float  # minutes, Erlang C
    share_within: float  # Erlang C
    simulated_wait: float | None = None
    simulated_share: float | None = None


@dataclass(frozen=True)
class HourPlan:
    hour: int
    arrivals: float
    dedicated: Staffing
    dedicated_by_group: dict[str, int]
    pooled: Staffing


@dataclass
class Plan:
    target_share: float
    within: float
    hours: list[HourPlan]
    groups: list[GroupDemand]
    notes: list[str] = field(default_factory=list)

    @property
    def peak(self) -> HourPlan | None:
        return max(self.hours, key=lambda h: (h.dedicated.windows, h.arrivals), default=None)


def pooled_service(groups: list[GroupDemand], hour: int) -> tuple[float, float, float]:
    """(arrivals, mean minutes, cv) of the mixture all groups make in one queue."""
    total = sum(g.per_hour.get(hour, 0.0) for g in groups)
    if total <= 0:
        return 0.0, 0.0, 1.0
    mean = sum(g.per_hour.get(hour, 0.0) * g.service_minutes for g in groups) / total
    second = sum(g.per_hour.get(hour, 0.0) * g.service_minutes**2 * (1 + g.cv**2) for g in groups) / total
    return total, mean, math.sqrt(max(0.0, second / mean**2 - 1))


def _weighted(values: list[tuple[float, float]]) -> float:
    total = sum(w for w, _v in values)
    return sum(w * v for w, v in values) / total if total else 0.0


def plan_hall(
    groups: list[GroupDemand],
    *,
    target_share: float = DEFAULT_TARGET_SHARE,
    within: float = DEFAULT_WITHIN_MINUTES,
    simulate_minutes: float = 0.0,
    seed: int = 1,
) -> Plan:
    """Windows per hour, dedicated and pooled, with the waits each gives; simulated too when asked."""
    hours = sorted({h for g in groups for h, rate in g.per_hour.items() if rate > 0})
    plan = Plan(target_share, within, [], groups)
    worst_pooled_cv = 1.0
    for hour in hours:
        by_group, waits, shares = {}, [], []
        for g in groups:
            rate = g.per_hour.get(hour, 0.0)
            if rate <= 0:
                continue
            c = windows_needed(rate, g.service_minutes, target_share=target_share, within=within)
            by_group[g.group] = c
            waits.append((rate, mean_wait(c, rate, g.service_minutes)))
            shares.append((rate, service_level(c, rate, g.service_minutes, within)))
        rate, mean, pooled_cv = pooled_service(groups, hour)
        worst_pooled_cv = max(worst_pooled_cv, pooled_cv, key=lambda cv: abs(cv - 1))
        pooled_windows = windows_needed(rate, mean, target_share=target_share, within=within)
        dedicated = Staffing(sum(by_group.values()), _weighted(waits), _weighted(shares))
        pooled = Staffing(
            pooled_windows, mean_wait(pooled_windows, rate, mean), service_level(pooled_windows, rate, mean, within)
        )
        if simulate_minutes > 0:
            dedicated, pooled = _simulated(groups, hour, by_group, dedicated, pooled, within, simulate_minutes, seed)
            plan.notes += _short_of_target(groups, hour, dedicated, pooled, plan, simulate_minutes, seed)
        plan.hours.append(HourPlan(hour, rate, dedicated, by_group, pooled))
    variability = [(g.label, g.cv) for g in groups]
    if len(groups) > 1:
        variability.append(("综窗（各组混合排队）", worst_pooled_cv))
    low, high = EXPONENTIAL_CV_RANGE
    for label, cv in variability:
        if not low <= cv <= high:
            plan.notes.append(
                f"“{label}”的办理时长变异系数为 {cv:.2f}，与指数分布（1.0）相差较大，"
                f"Erlang C 的结果{'偏乐观' if cv > high else '偏保守'}，请以仿真结果为准。"
            )
    return plan


def _demand(groups: list[GroupDemand], hour: int) -> dict[str, tuple[float, float, float]]:
    """The hour's demand as ``simulate_steady`` takes it: group → (per hour, mean minutes, cv)."""
    return {g.group: (g.per_hour.get(hour, 0.0), g.service_minutes, g.cv) for g in groups}


def _short_of_target(groups, hour, dedicated, pooled, plan, minutes, seed) -> list[str]:
    """Notes where the simulation calls fewer than the target share in time; for general windows, how
    many the simulation needs (up to ``MAX_EXTRA_WINDOWS`` more)."""
    notes = []
    if len(groups) > 1 and dedicated.simulated_share < plan.target_share:  # one group: the same windows
        notes.append(
            f"{hour}:00 专窗 {dedicated.windows} 个：仿真达标率 {dedicated.simulated_share:.0%}，"
            f"低于目标 {plan.target_share:.0%}（Erlang C 低估了等候）。"
        )
    if pooled.simulated_share < plan.target_share:
        demand = _demand(groups, hour)

        def meets_target(windows: int) -> bool:
            outcome = simulate_steady([None] * windows, demand, within=plan.within, minutes=minutes, seed=seed + hour)
            return outcome.share_within >= plan.target_share

        extra = range(pooled.windows + 1, pooled.windows + MAX_EXTRA_WINDOWS + 1)
        needed = next((n for n in extra if meets_target(n)), None)
        more = f"仿真需 {needed} 个" if needed else f"增加 {MAX_EXTRA_WINDOWS} 个仍不达标"
        notes.append(
            f"{hour}:00 综窗 {pooled.windows} 个：仿真达标率 {pooled.simulated_share:.0%}，"
            f"低于目标 {plan.target_share:.0%}，{more}。"
        )
    return notes


def _simulated(groups, hour, by_group, dedicated, pooled, within, minutes, seed):
    demand = _demand(groups, hour)
    dedicated_windows = [frozenset([group]) for group, c in sorted(by_group.items()) for _i in range(c)]
    apart = simulate_steady(dedicated_windows, demand, within=within, minutes=minutes, seed=seed + hour)
    together = simulate_steady([None] * pooled.windows, demand, within=within, minutes=minutes, seed=seed + hour)
    return (
        Staffing(dedicated.windows, dedicated.mean_wait, dedicated.share_within, apart.mean_wait, apart.share_within),
        Staffing(pooled.windows, pooled.mean_wait, pooled.share_within, together.mean_wait, together.share_within),
    )
