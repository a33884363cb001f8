"""A long notice folds after a few paragraphs (issue 15, item 2) behind "Show the full
text", which unfolds it without JavaScript; a short one shows whole."""


def test_a_long_notice_folds_and_a_short_one_does_not(client, world, login, make_notice):
    paragraphs = [f"第{n}段：停水期间请提前储水。" for n in range(1, 9)]
    long = make_notice(world.owners_committee, "停水通知", body="\n\n".join(paragraphs))
    short = make_notice(world.property_company, "停电通知", body="明天停电。\n\n请备好手电。")
    login(world.users["resident"])
    page = client.get(f"/notices/{long.id}").text
    assert '<input type="checkbox" class="unfold" id="unfold-body">' in page
    assert "展开全文" in page and "第8段" in page
    page = client.get(f"/notices/{short.id}").text
    assert 'class="unfold"' not in page and "请备好手电。" in page
