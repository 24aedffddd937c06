import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.appointments.eligibility import eligible_points, eligible_points_for, owning_department
from tongban.appointments.models import VisitProfile
from tongban.catalog.search import item_index
from tongban.queueing.choices import TicketKind, TicketStatus
from tongban.queueing.models import Referral, Ticket
from tongban.queueing.recommendation import hall_snapshots, recommend
from tongban.queueing.service_times import MIN_SAMPLES, ServiceTimes
from tongban.queueing.services import issue_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]

# A point in 仓山 (金山) next to the 仓山 hall.
JINSHAN = {"lat": 26.0440, "lng": 119.2590}


def test_only_halls_that_can_handle_the_item_for_the_applicant_are_ranked(food_item):
    result = recommend(region_code="350104", item_code=food_item.code, rng=random.Random(1), **JINSHAN)
    eligible = {p.code for p in eligible_points(food_item, owning_department(food_item, "350104"))}
    ranked = [o.hall.code for o in result.options]
    assert set(ranked) == eligible and "fz-taijiang" not in ranked
    assert result.chosen.hall.code in ranked[:3]
    assert result.chosen.reason.startswith("距您 ")
    assert [o.total_minutes for o in result.options] == sorted(o.total_minutes for o in result.options)


def test_a_taken_recommendation_counts_until_the_person_arrives(food_item, user_of):
    result = recommend(region_code="350104", item_code=food_item.code, rng=random.Random(1), **JINSHAN)
    referral = result.referral
    assert referral.service_point.code == result.chosen.hall.code
    assert referral.expected_at > referral.created_at and referral.arrived_at is None
    snapshot = next(
        s
        for s in hall_snapshots([food_item], [referral.service_point], now=timezone.now())
        if s.code == referral.service_point.code
    )
    assert len(snapshot.arrivals) == 1
    ticket = issue_ticket(
        by=user_of("clerk_gulou"),
        point_code=referral.service_point.code,
        item_code=food_item.code,
        referral_token=referral.token,
    )
    referral.refresh_from_db()
    assert referral.arrived_at is not None and ticket.referral == referral
    snapshot = hall_snapshots([food_item], [referral.service_point], now=timezone.now())[0]
    assert snapshot.arrivals == () and snapshot.waiting == 1  # now counted as a waiting ticket instead


def test_a_crowded_hall_loses_to_a_quiet_one_a_little_further(food_item, user_of):
    before = recommend(region_code="350104", item_code=food_item.code, rng=random.Random(1), **JINSHAN)
    cangshan = next(o for o in before.options if o.hall.code == "fz-cangshan")
    Referral.objects.all().delete()
    for _ in range(60):
        issue_ticket(by=user_of("clerk_gulou"), point_code="fz-cangshan", item_code=food_item.code)
    after = recommend(region_code="350104", item_code=food_item.code, rng=random.Random(1), **JINSHAN)
    crowded = next(o for o in after.options if o.hall.code == "fz-cangshan")
    assert crowded.hall.waiting == 60
    assert crowded.wait_minutes > cangshan.wait_minutes + 20
    assert after.chosen.hall.code != "fz-cangshan"


def test_walk_ins_of_the_last_half_hour_give_the_rate_of_people_not_known_yet(food_item, user_of):
    now = timezone.now()
    issued = []
    for minutes_ago in (5, 20, 45):
        ticket = issue_ticket(by=user_of("clerk_gulou"), point_code="fz-cangshan", item_code=food_item.code)
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=now - datetime.timedelta(minutes=minutes_ago))
        issued.append(ticket)
    Ticket.objects.filter(pk=issued[1].pk).update(status=TicketStatus.FINISHED)  # served already: still came
    point = issued[0].service_point
    times = ServiceTimes(now)
    snapshot = hall_snapshots([food_item], [point], now=now, times=times)[0]
    minutes = times.get(issued[0].service_group, point.pk).minutes
    assert snapshot.walk_in_rate == pytest.approx(2 * minutes / 30)  # not the one of 45 minutes ago
    assert snapshot.waiting == 2  # the finished one no longer waits
    Ticket.objects.filter(pk__in=[t.pk for t in issued]).update(kind=TicketKind.BOOKED)
    assert hall_snapshots([food_item], [point], now=now, times=times)[0].walk_in_rate == 0  # booked: known


def test_service_times_are_learned_from_finished_tickets(food_item, user_of):
    VisitProfile.objects.update_or_create(item_code=food_item.code, defaults={"service_minutes": 25})
    VisitProfile.objects.filter(item_code="000101001000").update(service_minutes=15)  # another market item
    assert ServiceTimes().get("market").minutes == 20  # entered (the group's mean), before any data
    now = timezone.now()
    for i in range(MIN_SAMPLES):
        ticket = issue_ticket(by=user_of("clerk_gulou"), point_code="fz-gulou", item_code=food_item.code)
        Ticket.objects.filter(pk=ticket.pk).update(
            status=TicketStatus.FINISHED,
            started_at=now - datetime.timedelta(minutes=10),
            finished_at=now,
            service_seconds=480 if i % 2 else 720,
        )
    learned = ServiceTimes().get("market", ticket.service_point_id)
    assert (learned.minutes, learned.samples, learned.source) == (10.0, MIN_SAMPLES, "hall")
    assert learned.cv == pytest.approx(0.2)
    assert ServiceTimes().get("market", None).source == "city"


def test_bad_location_and_missing_item_are_clear_errors(food_item):
    from tongban.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        recommend(region_code="350104", item_code=food_item.code, lat="north", lng=119.3)
    assert error.value.code == "invalid_location"
    with pytest.raises(InvalidInput) as error:
        recommend(region_code="350104", lat=26.0, lng=119.3)
    assert error.value.code == "item_or_bundle_required"


def test_a_bundle_is_recommended_where_all_its_items_can_be_done(api):
    response = api.post(
        "/api/v1/recommendations/?seed=1", {"bundle": "YJS003", "region": "350102", "lat": 26.09, "lng": 119.29}
    )
    assert response.status_code == 201, response.json()
    items, points = eligible_points_for(region_code="350102", bundle_code="YJS003")
    assert len(items) > 1
    assert {o["service_point"] for o in response.json()["options"]} == {p.code for p in points}


def test_the_recommendation_reads_a_fixed_number_of_queries_however_busy_the_halls(food_item, user_of):
    def count(seed: int = 1) -> int:
        # The catalog index re-reads its revision at most once a second: make every counted call read it,
        # or the count depends on how fast the machine is.
        item_index.invalidate()
        with CaptureQueriesContext(connection) as queries:
            recommend(region_code="350104", item_code=food_item.code, rng=random.Random(seed), **JINSHAN)
        count.last = [q["sql"] for q in queries]
        return len(queries)

    count()  # the first call also fills per-process caches (the in-force catalog)
    quiet, quiet_queries = count(), count.last
    for code in ("fz-cangshan", "fz-gulou", "fz-cangshan-chengnan"):
        for _ in range(5):
            issue_ticket(by=user_of("clerk_gulou"), point_code=code, item_code=food_item.code)
    assert all(count(seed) == quiet for seed in range(1, 6)), set(count.last) ^ set(quiet_queries)


def test_after_hours_and_on_holidays_no_hall_is_recommended_and_nothing_is_held(food_item, clock_at, api):
    from tests.queueing.conftest import next_working_day
    from tongban.workdays.models import CalendarYear, DayKind, SpecialDay

    clock_at(20)
    evening = recommend(region_code="350104", item_code=food_item.code, **JINSHAN)
    assert evening.options == [] and evening.chosen is None and evening.referral is None
    assert "今天已停止办公" in evening.reason and not Referral.objects.exists()
    body = {"item": food_item.code, "region": "350104", **JINSHAN}
    answer = api.post("/api/v1/recommendations/", body, format="json").json()
    assert answer["recommended"] is None and answer["options"] == [] and "停止办公" in answer["reason"]

    day = next_working_day()
    year, _created = CalendarYear.objects.get_or_create(year=day.year)
    SpecialDay.objects.create(year=year, date=day, kind=DayKind.HOLIDAY, name="测试假日")
    clock_at(10, day=day)
    assert recommend(region_code="350104", item_code=food_item.code, **JINSHAN).options == []


def test_before_opening_the_wait_counts_the_time_until_the_hall_opens(food_item, clock_at):
    now = clock_at(7, 0)
    result = recommend(region_code="350104", item_code=food_item.code, rng=random.Random(1), **JINSHAN)
    assert result.options and all(o.opens_in > 0 and o.wait_minutes >= o.opens_in for o in result.options)
    first = result.options[0]
    opens = now + datetime.timedelta(minutes=first.travel_minutes + first.opens_in)
    assert timezone.localtime(opens).strftime("%H:%M") in {"08:00", "08:30"}  # the demo halls' opening times
    assert "开始办公" in result.chosen.reason


def test_people_due_count_only_where_a_window_serving_the_item_serves_them(police_item):
    """With only zone windows left for the item, someone on the way for another zone's item is not ahead."""
    from tongban.catalog.models import Item
    from tongban.directory.choices import WindowKind
    from tongban.directory.models import ServicePoint, Window

    tax_item = Item.objects.in_force().get(name="发票领用")
    point = ServicePoint.objects.get(code="fz-cangshan")
    now = timezone.now()
    for item in (police_item, tax_item):
        Referral.objects.create(
            token=f"t-{item.code}",
            service_point=point,
            item_code=item.code,
            service_group=item.authority_kind,
            authority_kind=item.authority_kind,
            created_at=now,
            expected_at=now + datetime.timedelta(minutes=10),
            expires_at=now + datetime.timedelta(minutes=40),
        )
    assert len(hall_snapshots([police_item], [point], now=now)[0].arrivals) == 2  # general windows take both
    Window.objects.filter(service_point=point, kind=WindowKind.GENERAL).update(is_active=False)
    police, tax = (hall_snapshots([item], [point], now=now)[0] for item in (police_item, tax_item))
    assert police.windows == 3 and tax.windows == 2
    assert len(police.arrivals) == 1 and len(tax.arrivals) == 1  # each zone counts only its own


def test_a_booked_bundle_counts_ahead_for_as_long_as_its_visit(user_of):
    from tongban.appointments.services import availability, book, service_point, visit_of
    from tongban.cases.services import identify_applicant

    visit = visit_of(bundle_code="YJS004")  # two items start at once
    gulou = service_point("fz-gulou")
    slot = availability(gulou, visit.item, timezone.localdate(), along_with=visit.along_with)[0]
    person = identify_applicant(kind="person", id_number="110105194912310054", name="王五")
    book(by=user_of("clerk_gulou"), applicant=person, bundle_code="YJS004", region_code="350102",
         point_code="fz-gulou", starts_at=slot.starts_at)  # fmt: skip
    snapshot = hall_snapshots([visit.item], [gulou], now=timezone.now())[0]
    visit_minutes = (slot.ends_at - slot.starts_at).total_seconds() / 60
    assert [a.work for a in snapshot.arrivals] == [visit_minutes] and snapshot.arrivals[0].booked
