import pytest

from tongban.ratings.choices import Level
from tongban.ratings.models import FollowUp, Rating
from tongban.ratings.services import rate_case

pytestmark = pytest.mark.django_db


def test_the_applicant_rates_a_case_over_the_api(api, zhang, window_case_of):
    case = window_case_of(zhang.applicant)
    api.force_authenticate(zhang)
    missing = api.post("/api/v1/ratings", {"case": case.number, "level": 2}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "comment_required"
    created = api.post("/api/v1/ratings", {"case": case.number, "level": 2, "comment": "材料说明不清"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["level_display"] == "不满意" and body["follow_up"]["status"] == "open"
    again = api.post("/api/v1/ratings", {"case": case.number, "level": 5}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert [r["case"] for r in api.get("/api/v1/ratings").json()["results"]] == [case.number]


def test_a_rating_names_one_case_or_one_ticket(api, zhang, window_case_of):
    api.force_authenticate(zhang)
    case = window_case_of(zhang.applicant)
    for body in ({"level": 5}, {"case": case.number, "ticket": 1, "level": 5}):
        response = api.post("/api/v1/ratings", body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "case_or_ticket_required"
    assert api.post("/api/v1/ratings", {"case": case.number, "level": "x"}, format="json").status_code == 400


def test_someone_elses_case_is_not_found_and_visitors_must_log_in(api, zhang, window_case_of, user_of):
    case = window_case_of(zhang.applicant)
    assert api.post("/api/v1/ratings", {"case": case.number, "level": 5}, format="json").status_code in (401, 403)
    api.force_authenticate(user_of("enterprise_rongyun"))
    response = api.post("/api/v1/ratings", {"case": case.number, "level": 5}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "case_not_found"
    assert not Rating.objects.exists()


def test_the_hall_sees_its_ratings_without_the_rater_and_closes_the_follow_up(api, zhang, window_case_of, user_of):
    rating = rate_case(window_case_of(zhang.applicant), by=zhang, level=Level.VERY_DISSATISFIED, comment="排队太久")
    api.force_authenticate(user_of("hall_gulou"))
    listed = api.get("/api/v1/ratings").json()["results"]
    assert [r["id"] for r in listed] == [rating.pk] and "applicant" not in listed[0]
    url = f"/api/v1/ratings/{rating.pk}/close-follow-up"
    refused = api.post(url, {"callback_note": "", "fix_note": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "follow_up_notes_required"
    closed = api.post(url, {"callback_note": "已电话回访", "fix_note": "增开窗口"}, format="json")
    assert closed.status_code == 200 and closed.json()["follow_up"]["status"] == "done"
    api.force_authenticate(user_of("clerk_gulou"))
    assert api.get("/api/v1/ratings").json()["results"] == []
    assert api.post(url, {"callback_note": "x", "fix_note": "y"}, format="json").status_code == 404
    assert FollowUp.objects.get().closed_by == user_of("hall_gulou")
