import pytest
from django.core.cache import cache

from tongban.queueing.models import Referral, Ticket

pytestmark = pytest.mark.django_db


def test_take_a_ticket_call_and_finish_through_the_api(api, user_of, food_item, gulou_window):
    clerk = user_of("clerk_gulou")
    api.force_authenticate(clerk)
    taken = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "item": food_item.code}, format="json")
    assert taken.status_code == 201 and taken.json()["number"] == "A001"
    assert api.post("/api/v1/tickets/call-next/").json()["code"] == "no_open_window"
    assert api.post("/api/v1/tickets/open-window/", {"window": gulou_window("03").pk}, format="json").status_code == 204
    called = api.post("/api/v1/tickets/call-next/").json()
    assert called["status"] == "called" and called["window_number"] == "03" and called["staff"] == "clerk_gulou"
    assert api.post(f"/api/v1/tickets/{called['id']}/recall/").json()["recalls"] == 1
    assert api.post(f"/api/v1/tickets/{called['id']}/start/").json()["status"] == "serving"
    done = api.post(f"/api/v1/tickets/{called['id']}/finish/").json()
    assert done["status"] == "finished" and done["service_seconds"] is not None
    assert api.post("/api/v1/tickets/call-next/").status_code == 204
    board = api.get("/api/v1/queues/fz-gulou/").json()
    assert board["served_today"] == 1 and board["waiting"] == 0


def test_transfer_and_no_show_through_the_api_and_a_bad_id_is_a_json_404(api, user_of, food_item, gulou_window):
    api.force_authenticate(user_of("clerk_gulou"))
    for _ in range(2):
        api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "item": food_item.code}, format="json")
    api.post("/api/v1/tickets/open-window/", {"window": gulou_window("03").pk}, format="json")
    first = api.post("/api/v1/tickets/call-next/").json()
    moved = api.post(f"/api/v1/tickets/{first['id']}/transfer/", {"window": gulou_window("04").pk}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "waiting", moved.json()
    bad = api.post(f"/api/v1/tickets/{first['id']}/transfer/", {"window": "x"}, format="json")
    assert bad.status_code == 400 and "window" in bad.json()["details"]
    second = api.post("/api/v1/tickets/call-next/").json()
    assert second["id"] != first["id"]  # the transferred ticket waits for window 04, not 03
    gone = api.post(f"/api/v1/tickets/{second['id']}/no-show/").json()
    assert gone["status"] == "no_show"
    again = api.post(f"/api/v1/tickets/{second['id']}/no-show/")
    assert again.status_code == 409 and again.json()["code"]
    for response in (api.post("/api/v1/tickets/abc/recall/"), api.get("/api/v1/tickets/1.5/")):
        assert response.status_code == 404 and response.json()["code"]


def test_only_clerks_of_the_hall_call_and_tickets_are_not_public(api, user_of, food_item, gulou_window):
    api.force_authenticate(user_of("clerk_city"))
    refused = api.post("/api/v1/tickets/open-window/", {"window": gulou_window("01").pk}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_clerk_here"
    ticket = api.post("/api/v1/tickets/", {"service_point": "fz-gulou", "item": food_item.code}, format="json").json()
    assert api.get(f"/api/v1/tickets/{ticket['id']}/").status_code == 404
    assert api.get("/api/v1/tickets/?service_point=fz-gulou").status_code == 404
    api.force_authenticate(user_of("hall_gulou"))
    assert api.get(f"/api/v1/tickets/{ticket['id']}/").status_code == 200
    listed = api.get("/api/v1/tickets/?service_point=fz-gulou").json()
    assert [t["number"] for t in listed["results"]] == ["A001"]
    assert Ticket.objects.count() == 1


def test_recommendation_lists_halls_with_reasons(api, food_item, office_hours):
    response = api.post(
        "/api/v1/recommendations/?seed=3",
        {"item": food_item.code, "region": "350104", "lat": 26.044, "lng": 119.259},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recommended"] in [o["service_point"] for o in body["options"][:3]]
    assert body["reason"].startswith("距您") and body["referral"]
    assert {"distance_km", "wait_minutes", "travel_minutes", "total_minutes", "reason"} <= set(body["options"][0])
    bad = api.post("/api/v1/recommendations/", {"item": food_item.code, "region": "350104", "lat": 200, "lng": 0})
    assert bad.status_code == 400


def test_a_citizen_asking_again_replaces_their_trip_and_staff_asking_for_visitors_do_not(
    api, user_of, food_item, office_hours
):
    from django.utils import timezone

    body = {"item": food_item.code, "region": "350104", "lat": 26.044, "lng": 119.259}
    zhang = user_of("citizen_zhang")
    api.force_authenticate(zhang)
    tokens = [api.post("/api/v1/recommendations/", body, format="json").json()["referral"] for _ in range(2)]
    open_now = Referral.objects.filter(arrived_at__isnull=True, expires_at__gt=timezone.now())
    assert list(open_now.values_list("token", flat=True)) == [tokens[1]]  # asking again is not a second person
    assert open_now.get().created_by == zhang
    api.force_authenticate(user_of("clerk_gulou"))  # a clerk asking for two visitors at the desk
    for _ in range(2):
        api.post("/api/v1/recommendations/", body, format="json")
    assert open_now.count() == 3 and open_now.filter(created_by=None).count() == 2


def test_a_flood_of_recommendations_from_one_client_is_refused(api, food_item, settings, office_hours):
    """Each recommendation counts in flight at its hall: one client cannot fill a hall with phantoms."""
    cache.clear()
    settings.RECOMMENDATION_RATE = "3/min"
    body = {"item": food_item.code, "region": "350104", "lat": 26.044, "lng": 119.259}
    answers = [api.post("/api/v1/recommendations/", body, format="json") for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert answers[-1].json()["code"] == "throttled" and "请求过于频繁" in answers[-1].json()["message"]
    assert Referral.objects.count() == 3
    cache.clear()


def test_staffing_plan_for_hall_admins_and_supervisors(api, user_of):
    body = {
        "service_point": "fz-gulou",
        "simulate": False,
        "groups": [
            {"group": "market", "label": "市场监管", "per_hour": {"9": 12, "10": 18}, "service_minutes": 12},
            {"group": "tax", "per_hour": {"9": 6}, "service_minutes": 15, "cv": 1.8},
        ],
    }
    api.force_authenticate(user_of("clerk_gulou"))
    assert api.post("/api/v1/staffing-plans/", body, format="json").json()["code"] == "not_hall_overseer"
    api.force_authenticate(user_of("hall_gulou"))
    other_hall = api.post("/api/v1/staffing-plans/", {**body, "service_point": "fz-cangshan"}, format="json")
    assert other_hall.status_code == 403  # a district's hall admin plans only the district's halls
    plan = api.post("/api/v1/staffing-plans/", body, format="json").json()
    assert [h["hour"] for h in plan["hours"]] == [9, 10]
    nine = plan["hours"][0]
    assert nine["pooled"]["windows"] <= nine["dedicated"]["windows"] == sum(nine["dedicated_by_group"].values())
    assert plan["notes"]  # the tax group's service times are far from exponential
    api.force_authenticate(user_of("supervisor"))
    empty = api.get("/api/v1/staffing-plans/?service_point=fz-gulou")
    assert empty.status_code == 400 and empty.json()["code"] == "no_demand"
    bad = api.post("/api/v1/staffing-plans/", {**body, "groups": [{**body["groups"][0], "per_hour": {"25": 3}}]})
    assert bad.status_code == 400


def test_a_kiosk_system_takes_tickets_by_code_and_only_the_halls_staff_may(api, user_of, office_hours):
    from tongban.queueing.recommendation import set_off

    zhang = user_of("citizen_zhang")
    trip = set_off(
        by=zhang, region_code="350102", lat=26.085, lng=119.279, item_code="000101008000", point_code="fz-gulou"
    )
    body = {"service_point": "fz-gulou", "code": trip.token.upper()}
    for outsider in ("citizen_zhang", "clerk_city"):  # the traveller themself, a clerk of another hall
        api.force_authenticate(user_of(outsider))
        refused = api.post("/api/v1/tickets/arrive/", body, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "not_hall_staff"
    api.force_authenticate(user_of("clerk_gulou"))
    taken = api.post("/api/v1/tickets/arrive/", body, format="json")
    assert taken.status_code == 201 and taken.json()["number"].startswith("A")
    assert Ticket.objects.get(referral=trip).applicant == zhang.applicant
    again = api.post("/api/v1/tickets/arrive/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "referral_used"
    by_card = api.post("/api/v1/tickets/arrive/", {**body, "code": "110105194912310039"}, format="json")
    assert by_card.status_code == 400 and by_card.json()["code"] == "invalid_id_number"
