"""Web building blocks without a server: snippet and span highlighting, URL policy, charts, the world map, serve."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dateline.web.charts import map_dots, stacked_bars
from dateline.web.cli import serve_cmd
from dateline.web.geo import HEIGHT, WIDTH, project, world_shapes
from dateline.web.highlight import Layer, highlight_text, safe_url, snippet_html
from dateline.web.queries import MapPoint


def test_snippet_escapes_then_marks() -> None:
    assert str(snippet_html("a [<b>x</b>] & [y")) == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> &amp; <mark>y</mark>"
    assert str(snippet_html("no marks ]")) == "no marks ]"


@given(st.text(max_size=80))
def test_snippet_never_emits_a_tag_but_mark(text: str) -> None:
    html = str(snippet_html(text))
    assert set(re.findall(r"</?([a-zA-Z]+)", html)) <= {"mark"}
    assert html.count("<mark>") == html.count("</mark>")


def test_safe_url_links_only_http() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.org", "http:/x", None,
                "https://a.org/\nx"):
        assert safe_url(bad) is None, bad


def test_highlight_nested_and_crossing_spans() -> None:
    text = "Russian Defense Ministry said.\n\nSecond <p>"
    layers = [Layer("entity", 0, 24, "Entity: Russian Defense Ministry"), Layer("entity", 0, 7, "Entity: Russia"),
              Layer("quote", 8, 35, "Quote"), Layer("place", 500, 600, "out of range")]
    html = str(highlight_text(text, layers))
    assert html.startswith('<p><span class="hl hl-entity" tabindex="0" title="Entity: Russian Defense Ministry\n'
                           'Entity: Russia">Russian</span>')
    assert '<span class="hl hl-entity hl-quote" tabindex="0"' in html and ">Defense Ministry</span>" in html
    assert html.count("<p>") == 2 and ">Sec</span>ond &lt;p&gt;</p>" in html and "out of range" not in html
    plain = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">")
    assert plain == text.replace("\n\n", "")


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70)), max_size=6))
def test_highlight_keeps_every_character(text: str, spans: list[tuple[int, int]]) -> None:
    layers = [Layer("entity", a, b, "<x>") for a, b in spans]
    html = str(highlight_text(text, layers))
    assert "<x>" not in html
    plain = re.sub(r"<[^>]+>", "", html)
    expected = "".join(p for p in text.split("\n\n"))
    unescaped = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'")
    assert unescaped.replace("&amp;", "&") == expected or not expected.strip()


def test_world_shapes_and_projection() -> None:
    shapes = world_shapes()
    assert len(shapes) > 170
    assert any(s.name == "Syria" for s in shapes)
    assert project(-180, 90) == (0.0, 0.0) and project(180, -90) == (WIDTH, HEIGHT)
    x, y = project(36.75, 35.13)  # Hama
    assert 570 < x < 590 and 140 < y < 150


def test_stacked_bars_bins_and_heights() -> None:
    chart = stacked_bars({"2019-11-18": {"ASSAULT": 2, "AGREE": 1}, "2019-11-20": {"ASSAULT": 3}})
    assert chart.bin == "day" and [t.label for t in chart.x_ticks][:1] == ["2019-11-18"]
    assert len(chart.bars) == 3
    tallest = max(chart.bars, key=lambda b: b.h)
    assert tallest.css == "ev-ASSAULT" and tallest.title == "2019-11-20: 3 ASSAULT"
    long = stacked_bars({"2015-01-01": {"AID": 1}, "2019-01-01": {"AID": 1}, "bad": {"AID": 9}})
    assert long.bin == "month" and len(long.bars) == 2
    assert stacked_bars({}).bars == []


def test_map_dots_scale_with_mentions() -> None:
    big = MapPoint("Moscow", "RU", 55.75, 37.6, mentions=100, events=3)
    small = MapPoint("Hama", "SY", 35.1, 36.7, mentions=1)
    dots = map_dots([big, small])
    assert dots[0].name == "Moscow" and dots[0].r > dots[1].r and dots[0].css == "dot-event"


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve_cmd, ["--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1 and "does not exist" in result.output
