import pytest

from tests.appointments.conftest import next_open_day
from tongban.appointments.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(point, food_item):
    cangshan = point("fz-cangshan")
    day = next_open_day(cangshan)
    return day, cangshan


def slots_url(item, day, point="fz-cangshan", region="350104") -> str:
    return f"/api/v1/availability/?region={region}&service_point={point}&item={item.code}&day={day}"


def test_availability_is_public_and_lists_free_places(api, slot, food_item):
    day, _point = slot
    response = api.get(slots_url(food_item, day))
    assert response.status_code == 200, response.json()
    first = response.json()[0]
    assert set(first) == {"starts_at", "ends_at", "free"} and first["free"] > 0
    bad = api.get(slots_url(food_item, "tomorrow"))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    unknown = api.get(slots_url(food_item, day, point="nowhere"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "service_point_not_found"
    # 台江 has no grant from 仓山's market bureau: no slots offered that a booking would refuse
    refused = api.get(slots_url(food_item, day, point="fz-taijiang"))
    assert refused.status_code == 403 and refused.json()["code"] == "point_not_eligible"
    no_region = api.get(slots_url(food_item, day, region=""))
    assert no_region.status_code == 400 and "region" in no_region.json()["details"]


def _slot_start(api, food_item, day):
    return api.get(slots_url(food_item, day)).json()[2]["starts_at"]


def test_book_cancel_and_reschedule_through_the_api(api, slot, food_item, citizen):
    day, _point = slot
    person = citizen(0)
    api.force_authenticate(person.user)
    body = {"item": food_item.code, "region": "350104", "service_point": "fz-cangshan"}
    created = api.post("/api/v1/bookings/", {**body, "starts_at": _slot_start(api, food_item, day)}, format="json")
    assert created.status_code == 201, created.json()
    booking = created.json()
    assert booking["status"] == "booked" and booking["applicant_id"].count("*") >= 8  # masked
    listed = api.get("/api/v1/bookings/").json()
    assert [b["number"] for b in listed["results"]] == [booking["number"]]
    later = api.get(slots_url(food_item, day)).json()[9]
    moved = api.post(
        f"/api/v1/bookings/{booking['number']}/reschedule/", {"starts_at": later["starts_at"]}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    cancelled = api.post(f"/api/v1/bookings/{moved.json()['number']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/bookings/{moved.json()['number']}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "booking_not_open"


def test_a_clerk_books_for_an_applicant_by_identity(api, slot, food_item, user_of):
    _day, _point = slot
    api.force_authenticate(user_of("clerk_gulou"))
    response = api.post(
        "/api/v1/bookings/",
        {
            "item": food_item.code,
            "region": "350104",
            "service_point": "fz-gulou",  # granted by 仓山's market bureau
            "starts_at": api.get(slots_url(food_item, next_open_day(_point), point="fz-gulou")).json()[0]["starts_at"],
            "applicant": {"kind": "person", "id_number": "110105194912310054", "name": "王五"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Booking.objects.get(number=response.json()["number"]).applicant.name == "王五"


def test_booking_needs_a_login_and_an_identity(api, food_item, user_of):
    body = {"item": food_item.code, "region": "350104", "service_point": "fz-cangshan", "starts_at": "2026-12-01T09:00"}
    assert api.post("/api/v1/bookings/", body, format="json").json()["code"] == "not_authenticated"
    api.force_authenticate(user_of("supervisor"))
    response = api.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "applicant_unknown"


def test_only_staff_may_name_someone_else_and_a_refusal_writes_nothing(api, slot, food_item, citizen):
    """A citizen naming another person's identity (with a new phone) changes nobody's record."""
    from tests.appointments.conftest import PEOPLE
    from tongban.cases.models import Applicant

    day, _point = slot
    me, victim = citizen(0), citizen(1)
    victim_phone = victim.phone
    api.force_authenticate(me.user)
    body = {"item": food_item.code, "region": "350104", "service_point": "fz-cangshan"}
    body["starts_at"] = _slot_start(api, food_item, day)
    someone = {"kind": "person", "id_number": PEOPLE[1], "name": "市民1", "phone": "13800000000"}
    refused = api.post("/api/v1/bookings/", {**body, "applicant": someone}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_the_applicant"
    stranger = {"kind": "person", "id_number": PEOPLE[4], "name": "陌生人"}
    assert api.post("/api/v1/bookings/", {**body, "applicant": stranger}, format="json").status_code == 403
    victim.refresh_from_db()
    assert victim.phone == victim_phone and not Applicant.objects.filter(id_number=PEOPLE[4]).exists()
    assert not Booking.objects.exists()
    mine = {"kind": "person", "id_number": PEOPLE[0].lower(), "name": "市民0", "phone": "13900000000"}
    booked = api.post("/api/v1/bookings/", {**body, "applicant": mine}, format="json")
    assert booked.status_code == 201, booked.json()
    me.refresh_from_db()
    assert me.phone == "13900000000"


def test_a_bundle_is_booked_over_the_api_as_one_longer_visit(api, user_of):
    from tests.appointments.conftest import next_open_day
    from tongban.appointments.services import availability, service_point, visit_of

    visit = visit_of(bundle_code="YJS004")  # 新生儿出生: two items start at once
    gulou = service_point("fz-gulou")
    day = next_open_day(gulou)
    slot = availability(gulou, visit.item, day, along_with=visit.along_with)[0]
    listed = api.get(f"/api/v1/availability/?region=350102&service_point=fz-gulou&bundle=YJS004&day={day}").json()
    assert listed[0]["starts_at"] == slot.starts_at.isoformat() and listed[0]["ends_at"] == slot.ends_at.isoformat()
    single = api.get(slots_url(visit.item, day, point="fz-gulou", region="350102")).json()
    assert single[0]["ends_at"] < listed[0]["ends_at"]  # one item alone is a shorter visit
    api.force_authenticate(user_of("clerk_gulou"))
    body = {
        "region": "350102",
        "service_point": "fz-gulou",
        "starts_at": slot.starts_at.isoformat(),
        "applicant": {"kind": "person", "id_number": "110105194912310054", "name": "王五"},
    }
    both = api.post("/api/v1/bookings/", {**body, "item": visit.item.code, "bundle": "YJS004"}, format="json")
    assert both.status_code == 400 and "item" in both.json()["details"]
    created = api.post("/api/v1/bookings/", {**body, "bundle": "YJS004"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["bundle_code"] == "YJS004" and created.json()["ends_at"] == slot.ends_at.isoformat()
    unknown = api.post("/api/v1/bookings/", {**body, "bundle": "NOPE"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "bundle_not_found"


def test_a_bundle_with_nothing_to_start_or_too_long_a_visit_is_refused_clearly(api, user_of):
    from tongban.appointments.models import MAX_SLOTS_PER_VISIT, VisitProfile
    from tongban.appointments.services import service_point, visit_of
    from tongban.catalog.models import BundleItem

    day = next_open_day(service_point("fz-gulou"))
    visit = visit_of(bundle_code="YJS004")
    for item in (visit.item, *visit.along_with):
        VisitProfile.objects.update_or_create(item_code=item.code, defaults={"slots_per_visit": MAX_SLOTS_PER_VISIT})
    too_long = api.get(f"/api/v1/availability/?region=350102&service_point=fz-gulou&bundle=YJS004&day={day}")
    assert too_long.status_code == 400 and too_long.json()["code"] == "visit_too_long"
    [m.delete() for m in BundleItem.objects.filter(bundle__code="YJS003") if not m.waits_for]  # all now wait
    nothing = api.get(f"/api/v1/availability/?region=350102&service_point=fz-gulou&bundle=YJS003&day={day}")
    assert nothing.status_code == 404 and nothing.json()["code"] == "bundle_not_bookable"
