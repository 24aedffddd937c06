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


def test_a_bundle_walk_in_at_a_hall_with_no_window_for_all_of_it_is_called_for_its_first_item(user_of):
    visit = visit_of(bundle_code=BUNDLE)
    point = service_point("fz-gulou")
    first = point.windows.first()  # each item has its windows, none takes in both
    point.windows.filter(pk=first.pk).update(kind="zone", zone_item_codes=[visit.item.code], zone_authorities=[])
    others = [item.code for item in visit.along_with]
    point.windows.exclude(pk=first.pk).update(kind="zone", zone_item_codes=others, zone_authorities=[])
    ticket = issue_ticket(by=user_of("kiosk_gulou"), point_code="fz-gulou", bundle_code=BUNDLE)
    assert ticket.item_code == visit.item.code and ticket.along_with == []
    assert ticket.bundle_code == BUNDLE  # the clerk still opens the bundle's intake


def test_a_citizens_bundle_recommendation_is_their_bundle_trip(api, user_of):
    api.force_authenticate(user_of("citizen_zhang"))
    body = {"bundle": BUNDLE, "region": "350102", "lat": 26.08, "lng": 119.30}
    answer = api.post("/api/v1/recommendations/?seed=1", body, format="json")
    assert answer.status_code == 201, answer.json()
    trip = Referral.objects.get(token=answer.json()["referral"])
    assert trip.bundle_code == BUNDLE and trip.along_with == _along_with(visit_of(bundle_code=BUNDLE))
