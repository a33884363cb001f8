"""The units page: the roster in natural order, page by page, for one building or all."""

import re


def _rooms(response) -> list[str]:
    return re.findall(r"<td>(\d栋-\d+)</td>", response.get_data(as_text=True))


def test_units_come_in_natural_order_a_page_at_a_time(app, world, make_unit, login, client,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    second = world.community.buildings[1]
    make_unit(world.community, "1001")
    make_unit(world.community, "201")
    make_unit(world.community, "102", building=second)
    login(world.users["oc_staff"])
    url = f"/c/{world.community.id}/units"
    pages = [_rooms(client.get(f"{url}?page={n}")) for n in (1, 2, 3)]
    assert pages == [["1栋-101", "1栋-201"], ["1栋-1001", "2栋-102"], []], pages
    assert _rooms(client.get(f"{url}?building={second.id}")) == ["2栋-102"]
