"""The SVG charts and the hot-topic ranking, without an app."""

import re

from app.insights.charts import bar_chart, line_chart
from app.insights.topics import rising, words


def test_a_bar_chart_names_itself_and_escapes_every_text():
    svg = str(bar_chart("c1", "Turnout <b>", "Share & more",
                        [("<script>", 50.0), ("B栋", None)], unit="%", maximum=100.0))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" '
                          'role="img"')
    assert 'aria-label="Turnout &lt;b&gt;"' in svg
    assert "<title>Turnout &lt;b&gt;</title>" in svg
    assert '<desc id="c1-desc">Share &amp; more</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    # A long label is shortened beside its bar and given in full as its title.
    long = str(bar_chart("c5", "T", "D", [("是否同意加装电梯并分摊费用", 1.0)]))
    assert "<title>是否同意加装电梯并分摊费用</title>是否同意加装…</text>" in long
    assert "style=" not in svg
    # 50 % of the 176-unit bar span; the withheld value draws no bar and reads "—".
    assert len(re.findall(r"<rect ", svg)) == 1 and 'width="88.0"' in svg
    assert ">50%</text>" in svg and ">—</text>" in svg


def test_a_line_chart_breaks_at_withheld_points():
    svg = str(line_chart("c2", "Trend", "Per week",
                         [("W1", 10.0), ("W2", 20.0), ("W3", None), ("W4", 5.0), ("W5", 5.0)],
                         unit="%"))
    assert svg.count("<circle ") == 4
    assert svg.count("<polyline ") == 2  # W1–W2 and W4–W5
    assert ">W1</text>" in svg and ">W5</text>" in svg and ">20%</text>" in svg


def test_an_empty_chart_still_renders():
    assert "<title>None</title>" in str(bar_chart("c3", "None", "Nothing", []))
    assert "<polyline" not in str(line_chart("c4", "None", "Nothing", []))


def test_words_drop_stop_words_digits_and_single_characters():
    found = words("我们小区的电梯坏了3次，电梯维修费用101元，希望物业尽快处理")
    assert {"电梯", "维修", "费用"} <= found
    assert not found & {"我们", "希望", "物业", "101", "的", "了"}


def test_rising_ranks_words_by_the_growth_of_their_share():
    recent = ["停车位不够"] * 3 + ["电梯噪音"] * 4 + ["绿化"] * 2 + ["电梯"] * 3
    earlier = ["电梯维修"] * 2 + ["其他事情"] * 2
    ranked = rising(recent, earlier)
    # 噪音 4 of 12 texts now (none before); 不够 and 停车位 3 of 12; 电梯 7 of 12 now
    # against 2 of 4 before (+8.3 points); 绿化 is in only two texts.
    assert [r["word"] for r in ranked] == ["噪音", "不够", "停车位", "电梯"]
    assert ranked[0] == {"word": "噪音", "recent": 4, "earlier": 0, "recent_share": 33.3,
                         "earlier_share": 0.0}
    assert ranked[3]["earlier_share"] == 50.0
    assert rising(recent, earlier, excluded={"噪音"})[0]["word"] == "不够"
    assert rising(earlier, recent) == []  # 电梯 fell; the rest are in fewer than 3 texts
