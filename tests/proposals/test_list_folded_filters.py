"""The list's filters fold behind one control whose words name the filters in force, so
that the first proposal is on a phone's first screen (issue 15)."""

import re

SUMMARY = re.compile(r'<details class="card proposal-filter">\s*<summary>([^<]*)</summary>')


def summary(client, url: str, **params) -> str:
    page = client.get(url, query_string=params).get_data(as_text=True)
    return SUMMARY.search(page).group(1)


def test_the_folded_filters_name_the_filters_in_force(place, login, en):
    login(place.users["resident"])
    url = f"/c/{place.community.id}/proposals"
    assert summary(en, url) == "Filter"
    assert summary(en, url, sort="newest") == "Filter", "the default order is no filter"
    assert summary(en, url, status="deliberation", following="y", q="电梯") == \
        "Filter: “电梯” · In deliberation · I follow"
    assert summary(en, url, status="nonsense") == "Filter", "an ignored value is not in force"
    cleared = en.get(url, query_string={"mine": "y"}).get_data(as_text=True)
    assert f'<a class="button" href="{url}">Clear the filters</a>' in cleared
