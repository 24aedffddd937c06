"""Where to go: halls near a point, what a service point looks like to a visitor, and where the visitor is."""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import timezone

from tongban.directory.choices import RegionLevel, ServicePointLevel
from tongban.directory.models import Region, ServicePoint

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


@dataclass
class Whereabouts:
    """Where the applicant says they are: a town or community, and the coordinates to measure from."""

    region: Region
    lat: float
    lng: float
    located: bool  # from the browser's geolocation (the region is then the nearest one)

    @property
    def query(self) -> str:
        """The part of a page address that names this place again."""
        return urlencode({"lat": self.lat, "lng": self.lng} if self.located else {"place": self.region.code})


def located_regions() -> list[tuple[Region, list[Region]]]:
    """Towns and communities with coordinates, under their county: the places to choose from."""
    places = Region.objects.filter(
        level__in=[RegionLevel.TOWN, RegionLevel.COMMUNITY], latitude__isnull=False, longitude__isnull=False
    ).order_by("code")
    counties = {c.code: c for c in Region.objects.filter(level=RegionLevel.COUNTY)}
    grouped: dict[str, list[Region]] = {}
    for place in places:
        grouped.setdefault(place.code[:6], []).append(place)
    return [(counties[code], regions) for code, regions in grouped.items() if code in counties]


def whereabouts(place: str = "", lat: str = "", lng: str = "") -> Whereabouts | None:
    """The chosen place, or the one nearest to the browser's position; None when neither is usable."""
    located = Region.objects.filter(
        level__in=[RegionLevel.TOWN, RegionLevel.COMMUNITY], latitude__isnull=False, longitude__isnull=False
    )
    if place:
        region = located.filter(code=place).first()
        return Whereabouts(region, float(region.latitude), float(region.longitude), False) if region else None
    try:
        here = float(lat), float(lng)
    except ValueError:
        return None
    if not (-90 <= here[0] <= 90 and -180 <= here[1] <= 180):
        return None
    nearest = min(located, key=lambda r: distance_km(here[0], here[1], r.latitude, r.longitude), default=None)
    return Whereabouts(nearest, here[0], here[1], True) if nearest else None
