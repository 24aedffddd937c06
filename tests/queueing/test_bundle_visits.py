"""A 一件事 as one visit without booking: a trip set off for it (现在去办) or a walk-in ticket for it takes in every
item it starts at one window, like a booked bundle."""

import pytest
from django.utils import timezone

from tongban.appointments.services import visit_of
from tongban.directory.models import ServicePoint
from tongban.queueing.models import Referral, Ticket
from tongban.queueing.recommendation import hall_snapshots, set_off
from tongban.queueing.service_times import ServiceTimes, service_group_of
from tongban.queueing.services import arrive_at, call_next, issue_ticket, service_point
from tongban.workbench.queue import intake_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

BUNDLE = "YJS004"  # 新生儿出生: two items start at once
FROM_GULOU = {"region_code": "350102", "lat": 26.08, "lng": 119.30}


def _along_with(visit) -> list:
    return [[item.code, item.authority_kind] for item in visit.along_with]


def test_a_bundle_trip_takes_one_ticket_called_only_by_a_window_taking_in_all_it_starts(
    user_of, clerk_at, gulou_window
):
    visit = visit_of(bundle_code=BUNDLE)
    zhang = user_of("citizen_zhang")
    trip = set_off(by=zhang, bundle_code=BUNDLE, point_code="fz-gulou", **FROM_GULOU)
    assert (trip.bundle_code, trip.item_code, trip.along_with) == (BUNDLE, visit.item.code, _along_with(visit))

    zone = gulou_window("A01")
    zone.zone_item_codes, zone.zone_authorities = [visit.item.code], []  # serves the bundle's first item only
    zone.save()
    at_zone, at_general = clerk_at("A01"), clerk_at("01")
    ticket = arrive_at(service_point("fz-gulou"), trip.token, by=user_of("kiosk_gulou"))
    assert ticket.bundle_code == BUNDLE and ticket.along_with == _along_with(visit)
    assert ticket.item_code == visit.item.code and ticket.applicant == zhang.applicant
    Ticket.objects.exclude(pk=ticket.pk).delete()
    assert call_next(by=at_zone) is None
    assert call_next(by=at_general).pk == ticket.pk
    assert intake_url(ticket, zhang.applicant.pk) == f"/workbench/applicants/{zhang.applicant.pk}/bundles/{BUNDLE}/"


def test_a_bundle_trip_counts_ahead_for_every_item_it_takes_in(user_of):
    visit = visit_of(bundle_code=BUNDLE)
    point = ServicePoint.objects.get(code="fz-gulou")
    now = timezone.now()

    def arriving() -> set:
        return set(hall_snapshots([visit.item], [point], now=now)[0].arrivals)

    before = arriving()
    set_off(by=user_of("citizen_zhang"), item_code=visit.item.code, point_code="fz-gulou", **FROM_GULOU)
    (alone,) = arriving() - before
    set_off(by=user_of("enterprise_rongyun"), bundle_code=BUNDLE, point_code="fz-gulou", **FROM_GULOU)
    (bundle,) = arriving() - before - {alone}

    times = ServiceTimes()
    assert alone.work == times.get(service_group_of(visit.item), point.pk).minutes
    others = sum(times.get(item.authority_kind, point.pk).minutes for item in visit.along_with)
    assert others > 0 and bundle.work == pytest.approx(alone.work + others)


def test_a_walk_in_ticket_for_a_bundle_over_the_api(api, user_of):
    visit = visit_of(bundle_code=BUNDLE)
    api.force_authenticate(user_of("kiosk_gulou"))
    taken = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "bundle": BUNDLE}, format="json")
    assert taken.status_code == 201, taken.json()
    body = taken.json()
    assert body["item_code"] == visit.item.code and body["along_with"] == _along_with(visit)
    assert body["bundle_code"] == BUNDLE

    for unclear in ({"bundle": BUNDLE, "item": visit.item.code}, {}):
        refused = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", **unclear}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "item_or_bundle_required"
    unknown = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "bundle": "YJS999"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "bundle_not_found"
    assert Ticket.objects.filter(bundle_code=BUNDLE).count() == 1


def _zones(first: list[str], rest: list[str]) -> None:
    """fz-gulou's first window takes in the items ``first``, every other window those of ``rest``."""
    windows = service_point("fz-gulou").windows.all()
    one = windows.first()
    windows.filter(pk=one.pk).update(kind="zone", zone_item_codes=first, zone_authorities=[])
    windows.exclude(pk=one.pk).update(kind="zone", zone_item_codes=rest, zone_authorities=[])


def _members(bundle_code: str) -> list[str]:
    return [member.item_code for member in visit_of(bundle_code=bundle_code).bundle.members.all()]


def test_a_bundle_walk_in_at_a_hall_with_no_window_for_all_it_starts_is_called_for_its_first_item(
    user_of, clerk_at, gulou_window
):
    visit = visit_of(bundle_code=BUNDLE)
    _zones([visit.item.code], [code for code in _members(BUNDLE) if code != visit.item.code])
    ticket = issue_ticket(by=user_of("kiosk_gulou"), point_code="fz-gulou", bundle_code=BUNDLE)
    assert ticket.item_code == visit.item.code and ticket.along_with == []
    assert ticket.bundle_code == BUNDLE  # the clerk still opens the bundle's intake
    first_item_window = service_point("fz-gulou").windows.get(zone_item_codes=[visit.item.code])
    assert call_next(by=clerk_at(first_item_window.number)).pk == ticket.pk


@pytest.mark.parametrize(
    "layout",
    ["every window takes all", "starting items only", "starting items split", "starting together, later elsewhere"],
)
def test_the_kiosk_offers_a_bundle_where_going_now_would_send_someone_for_it(client, user_of, layout):
    from tongban.queueing.recommendation import ranked_halls

    visit = visit_of(bundle_code=BUNDLE)
    starting = [item.code for item in (visit.item, *visit.along_with)]
    later = [code for code in _members(BUNDLE) if code not in starting]
    if layout == "starting items only":
        _zones(starting, starting)  # nobody takes the later items: the bundle's case cannot be taken in here
    elif layout == "starting items split":
        _zones(starting[:1], starting[1:] + later)  # no window takes in the visit at once
    elif layout == "starting together, later elsewhere":
        _zones(starting, later)
    client.force_login(user_of("kiosk_gulou"))
    offered = BUNDLE in [choice.code for choice in client.get("/queue/fz-gulou/kiosk/").context["bundles"]]
    ranking = ranked_halls(bundle_code=BUNDLE, going_now=True, **dict(FROM_GULOU, region_code="350102"))
    assert offered == ("fz-gulou" in [option.hall.code for option in ranking.options])
    assert offered == (layout in ("every window takes all", "starting together, later elsewhere"))


def test_the_kiosks_bundles_are_read_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    from tongban.queueing.kiosk import _bundles

    point = service_point("fz-gulou")
    windows = list(point.windows.filter(is_active=True))
    _bundles(point, windows, "")  # the catalog index loaded
    with django_assert_max_num_queries(3):  # bundles, their members, the members' implementations
        assert len(_bundles(point, windows, "")) == 5


def test_a_bundle_ticket_teaches_no_service_time_and_counts_ahead_for_all_it_takes_in(user_of, clerk_at, food_item):
    import datetime

    from django.core.cache import cache

    from tongban.queueing.ticket_status import SERVICE_TIMES_KEY, ticket_status

    point = service_point("fz-gulou")
    visit = visit_of(bundle_code=BUNDLE)
    group, now = service_group_of(visit.item), timezone.now()
    finished = [
        Ticket(
            service_point=point,
            day=now.date() - datetime.timedelta(days=1),
            sequence=n,
            number=f"A{n:03d}",
            item_code=visit.item.code,
            item_name=visit.item.name,
            authority_kind=visit.item.authority_kind,
            service_group=group,
            status="finished",
            due_at=now - datetime.timedelta(days=1),
            issued_at=now - datetime.timedelta(days=1),
            finished_at=now - datetime.timedelta(hours=20),
            service_seconds=600 if n % 2 else 1800,  # the item alone: 10 minutes; the whole bundle: 30
            bundle_code="" if n % 2 else BUNDLE,
        )
        for n in range(1, 81)
    ]
    Ticket.objects.bulk_create(finished)
    assert ServiceTimes().get(group, point.pk).minutes == pytest.approx(10)

    cache.delete(SERVICE_TIMES_KEY)
    clerk_at("01")  # one window open
    bundle = issue_ticket(by=user_of("kiosk_gulou"), point_code="fz-gulou", bundle_code=BUNDLE)
    behind = issue_ticket(by=user_of("kiosk_gulou"), point_code="fz-gulou", item_code=food_item.code)
    times = ServiceTimes()
    expected = times.get(group, point.pk).minutes + sum(
        times.get(service_group_of(item), point.pk).minutes for item in visit.along_with
    )
    assert expected > 10
    assert ticket_status(behind).wait_minutes == pytest.approx(expected)
    assert ticket_status(bundle).ahead == 0


def test_a_citizens_bundle_recommendation_is_their_bundle_trip(api, user_of):
    api.force_authenticate(user_of("citizen_zhang"))
    body = {"bundle": BUNDLE, "region": "350102", "lat": 26.08, "lng": 119.30}
    answer = api.post("/api/v1/recommendations/?seed=1", body, format="json")
    assert answer.status_code == 201, answer.json()
    trip = Referral.objects.get(token=answer.json()["referral"])
    assert trip.bundle_code == BUNDLE and trip.along_with == _along_with(visit_of(bundle_code=BUNDLE))
