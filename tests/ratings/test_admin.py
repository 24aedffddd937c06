import pytest
from django.contrib.auth import get_user_model

from tongban.directory.models import ServicePoint
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.ratings.choices import FollowUpStatus, Level
from tongban.ratings.models import FollowUp
from tongban.ratings.services import rate_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_rating(zhang, window_case_of):
    return rate_case(window_case_of(zhang.applicant), by=zhang, level=Level.VERY_DISSATISFIED, comment="材料被退回三次")


def test_the_hall_admin_lists_bad_ratings_and_records_the_fix(client, user_of, bad_rating):
    client.force_login(user_of("hall_gulou"))
    listing = client.get("/admin/ratings/followup/")
    assert listing.status_code == 200 and [f.pk for f in listing.context["cl"].result_list] == [bad_rating.follow_up.pk]
    url = f"/admin/ratings/followup/{bad_rating.follow_up.pk}/change/"
    page = client.get(url).content.decode()
    assert "材料被退回三次" in page and "非常不满意" in page and 'name="fix_note"' in page
    empty = client.post(url, {"callback_note": "已回访", "fix_note": ""})
    assert empty.status_code == 200 and FollowUp.objects.get().status == FollowUpStatus.OPEN
    saved = client.post(url, {"callback_note": "已回访致歉", "fix_note": "一次性告知清单已更新"})
    assert saved.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.fix_note == "一次性告知清单已更新"
    assert 'name="fix_note"' not in client.get(url).content.decode()  # done: read only


def test_other_halls_do_not_see_it_and_supervisors_only_watch(client, user_of, bad_rating):
    other = get_user_model().objects.create(username="hall_cangshan_test", is_staff=True)
    assign_staff(other, role=Role.HALL_ADMIN, service_point=ServicePoint.objects.get(code="fz-cangshan"))
    client.force_login(other)
    assert list(client.get("/admin/ratings/followup/").context["cl"].result_list) == []
    client.force_login(user_of("supervisor"))
    url = f"/admin/ratings/followup/{bad_rating.follow_up.pk}/change/"
    assert client.get("/admin/ratings/rating/").status_code == 200
    page = client.get(url).content.decode()
    assert "材料被退回三次" in page and 'name="fix_note"' not in page
    client.post(url, {"callback_note": "x", "fix_note": "y"})
    assert FollowUp.objects.get().status == FollowUpStatus.OPEN
