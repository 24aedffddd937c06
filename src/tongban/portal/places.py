"""Where to go: halls near a point, and what a service point looks like to a visitor."""

import math
from dataclasses import dataclass

from django.utils import timezone

from tongban.directory.choices import ServicePointLevel
from tongban.directory.models import ServicePoint

HALL_LEVELS = [
    ServicePointLevel.CITY_HALL,
    ServicePointLevel.COUNTY_HALL,
    ServicePointLevel.BRANCH,
    ServicePointLevel.TOWN_CENTRE,
]
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance (haversine): plenty for "which hall is nearest" within a city."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass
class NearbyPoint:
    point: ServicePoint
    km: float
    hours_today: str


def hours_today(point: ServicePoint, weekday: int) -> str:
    periods = [p for p in point.opening_periods.all() if p.weekday == weekday]
    return "，".join(f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods)


def nearest_halls(origin: ServicePoint, limit: int = 5) -> list[NearbyPoint]:
    weekday = timezone.localdate().weekday()
    halls = (
        ServicePoint.objects.filter(is_active=True, level__in=HALL_LEVELS)
        .exclude(pk=origin.pk)
        .select_related("region")
        .prefetch_related("opening_periods")
    )
    ranked = sorted(
        (NearbyPoint(h, distance_km(origin.latitude, origin.longitude, h.latitude, h.longitude), "") for h in halls),
        key=lambda nearby: nearby.km,
    )[:limit]
    for nearby in ranked:
        nearby.hours_today = hours_today(nearby.point, weekday)
    return ranked
