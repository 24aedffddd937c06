"""The planner's chart as plain geometry for a server-rendered SVG (no script, no CDN)."""

import math
from dataclasses import dataclass

from tongban.queueing.planner import Plan

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]  # arrivals per hour
    dedicated: str  # polyline points: dedicated windows per hour
    pooled: str  # polyline points: pooled windows per hour
    dots: list[tuple[float, float, float, float, int, int]]  # x, y dedicated, y pooled, …, values
    y_ticks: list[tuple[float, str]]
    baseline: float
    right_ticks: list[tuple[float, str]]


def _ticks(top_value: float, count: int = 4) -> list[float]:
    step = max(1, math.ceil(top_value / count))
    return [step * i for i in range(count + 1)]


def plan_chart(plan: Plan) -> Chart | None:
    if not plan.hours:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(plan.hours)
    max_arrivals = max(h.arrivals for h in plan.hours) or 1
    max_windows = max(max(h.dedicated.windows, h.pooled.windows) for h in plan.hours) or 1
    arrival_ticks = _ticks(max_arrivals)
    window_ticks = _ticks(max_windows)
    top_arrivals, top_windows = max(arrival_ticks[-1], max_arrivals), max(window_ticks[-1], max_windows)
    baseline = TOP + plot_h

    def y_arrivals(value: float) -> float:
        return baseline - value / top_arrivals * plot_h

    def y_windows(value: float) -> float:
        return baseline - value / top_windows * plot_h

    bars, dedicated, pooled, dots = [], [], [], []
    for i, hour in enumerate(plan.hours):
        x = LEFT + i * slot
        height = baseline - y_arrivals(hour.arrivals)
        bars.append(Bar(x + slot * 0.15, baseline - height, slot * 0.7, height, f"{hour.hour}时", hour.arrivals))
        centre = x + slot / 2
        yd, yp = y_windows(hour.dedicated.windows), y_windows(hour.pooled.windows)
        dedicated.append(f"{centre:.1f},{yd:.1f}")
        pooled.append(f"{centre:.1f},{yp:.1f}")
        dots.append((centre, yd, yp, baseline + 16, hour.dedicated.windows, hour.pooled.windows))
    return Chart(
        WIDTH,
        HEIGHT,
        bars,
        " ".join(dedicated),
        " ".join(pooled),
        dots,
        [(y_arrivals(v), f"{v:g}") for v in arrival_ticks],
        baseline,
        [(y_windows(v), f"{v:g}") for v in window_ticks],
    )
