import pytest

from tests.appointments.conftest import next_open_day
from tongban.appointments.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(point, food_item):
    cangshan = point("fz-cangshan")
    day = next_open_day(cangshan)
    return day, cangshan


def test_availability_is_public_and_lists_free_places(api, slot, food_item):
    day, _point = slot
    response = api.get(f"/api/v1/availability/?service_point=fz-cangshan&item={food_item.code}&day={day}")
    assert response.status_code == 200, response.json()
    first = response.json()[0]
    assert set(first) == {"starts_at", "ends_at", "free"} and first["free"] > 0
    bad = api.get(f"/api/v1/availability/?service_point=fz-cangshan&item={food_item.code}&day=tomorrow")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    unknown = api.get(f"/api/v1/availability/?service_point=nowhere&item={food_item.code}&day={day}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "service_point_not_found"


def _slot_start(api, food_item, day):
    return api.get(f"/api/v1/availability/?service_point=fz-cangshan&item={food_item.code}&day={day}").json()[2][
        "starts_at"
    ]


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
    later = api.get(f"/api/v1/availability/?service_point=fz-cangshan&item={food_item.code}&day={day}").json()[9]
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
            "starts_at": api.get(
                f"/api/v1/availability/?service_point=fz-gulou&item={food_item.code}&day={next_open_day(_point)}"
            ).json()[0]["starts_at"],
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
