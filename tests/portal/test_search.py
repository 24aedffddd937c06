import pytest

from tongban.portal.search import expand, search

pytestmark = pytest.mark.django_db


def test_what_people_say_finds_what_the_catalog_calls_it():
    result = search("开饭店")
    assert result.bundles and result.bundles[0].name == "开办餐饮店一件事"
    assert "餐饮" in result.also_searched


def test_bundle_found_by_its_characters_in_order():
    assert [b.name for b in search("开餐饮店").bundles] == ["开办餐饮店一件事"]


def test_pinyin_initials_and_result_names():
    names = [row.name for row in search("yyzz").items]
    assert names and all(names)  # 营业执照 is the result of several registrations
    assert any("登记" in name for name in names)
    assert search("spjy").items[0].name == "食品经营许可"


def test_all_words_must_match_when_the_query_has_spaces():
    names = {row.name for row in search("食品 许可").items}
    assert "食品经营许可" in names
    assert all("食品" in n or "许可" in n for n in names)


def test_longest_saying_wins_and_empty_query_finds_nothing():
    _variants, used = expand("二手房过户")
    assert used == ["不动产转移登记"]
    assert search("  ").empty


def test_nothing_found_page_is_chinese_and_helpful(client):
    response = client.get("/search/", {"q": "zzzzqqq"})
    assert "没有找到与“zzzzqqq”相关的事项" in response.content.decode()


def test_htmx_request_gets_only_the_results(client):
    response = client.get("/search/", {"q": "社保卡"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"') and "社会保障卡申领" in html
