"""Web building blocks without a server: snippet and span highlighting, URL policy, charts, the world map, serve."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from dateline.web.charts import map_dots, stacked_bars
from dateline.web.cli import serve_cmd
from dateline.web.geo import HEIGHT, WIDTH, project, world_shapes
from dateline.web.highlight import Layer, highlight_text, safe_url, snippet_html
from dateline.web.queries import MapPoint
from dateline.web.storyview import UNKNOWN_OUTLET, article_story_index, conflicts, events, outlet_columns, story_ref


def test_snippet_escapes_then_marks() -> None:
    assert str(snippet_html("a [<b>x</b>] & [y")) == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> &amp; <mark>y</mark>"
    assert str(snippet_html("no marks ]")) == "no marks ]"


def _snippet_reference(snippet: str) -> str:
    """The first implementation (escape one character at a time): the fast one must agree with it."""
    out, depth = [], 0
    for ch in snippet:
        if ch == "[" and depth == 0:
            out.append("<mark>")
            depth = 1
        elif ch == "]" and depth == 1:
            out.append("</mark>")
            depth = 0
        else:
            out.append(str(escape(ch)))
    return "".join(out) + ("</mark>" if depth else "")


@given(st.text(alphabet=st.sampled_from("ab[]<>&\"' …"), max_size=60))
def test_snippet_matches_the_reference(text: str) -> None:
    assert str(snippet_html(text)) == _snippet_reference(text)


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


STORY = {
    "id": "s1", "label": "Strike", "outlets": ["A", "B"], "size": 3, "unique_size": 2,
    "articles": [{"id": "a1", "outlet": "B"}, {"id": "a2", "outlet": "A"},
                 {"id": "a3", "outlet": "A", "duplicate_of": "a2"}, {"id": "a4"}, "not a dict"],
    "events": [{"id": "e1", "type": "ASSAULT", "cameo": ["190", "195"], "targets": {"civilians": 2, "army": 1},
                "mentions": [{"article_id": "a1", "outlet": "B", "text": "struck"},
                             {"article_id": "a2", "outlet": "A", "text": "hit"}]},
               {"id": "e2", "type": "AGREE", "cameo": None, "targets": ["x"], "mentions": []}],
    "quotes": [{"speaker": "Ann", "quotes": [{"article_id": "a2", "outlet": "A", "text": "we hit"}]}],
    "conflicts": [{"axis": "target", "about": "who was hit", "claims": [{"source": "Ann", "says": "hit: army; "},
                                                                       {"source": None, "says": None}],
                   "pairs": [{"a": "Ann", "b": "?", "on": ("army",)}]}],
}


def test_outlet_columns_group_coverage_by_outlet() -> None:
    cols = outlet_columns(STORY)
    assert [c.outlet for c in cols] == ["A", "B", UNKNOWN_OUTLET]  # most original articles first, unknown last
    a = cols[0]
    assert [x["id"] for x in a.articles] == ["a2", "a3"] and a.copies == 1
    assert [e["text"] for e in a.events] == ["hit"] and a.quotes[0]["speaker"] == "Ann"
    assert [e["text"] for e in cols[1].events] == ["struck"] and cols[1].quotes == []


def test_story_records_of_the_wrong_shape_do_not_break_the_page() -> None:
    ref = story_ref({"id": "s2", "articles": "oops", "size": "many", "events": {"x": 1}})
    assert (ref.label, ref.size, ref.unique_size, ref.events, ref.outlets) == ("(no label)", 0, 0, 0, ())
    assert outlet_columns({"articles": [{"id": "x", "outlet": 7}], "events": None, "quotes": [None]})[0].outlet == "7"
    c = conflicts(STORY)[0]
    assert [cl["says"] for cl in c["claims"]] == [["hit: army"], []] and c["claims"][1]["source"] == "?"
    assert c["pairs"] == [{"a": "Ann", "b": "?", "on": ["army"]}]
    evs = events(STORY)
    assert [e["id"] for e in evs] == ["e1", "e2"] and evs[0]["cameo"] == "190, 195"
    assert evs[0]["targets"] == ["civilians ×2", "army"] and evs[1]["targets"] == ["x"] and evs[1]["cameo"] == "?"


def test_article_story_index() -> None:
    index = article_story_index([STORY, {"id": "s2", "articles": [{"id": "b1"}]}])
    assert index["a3"].id == "s1" and index["b1"].id == "s2" and "a5" not in index
    assert index["a1"].unique_size == 2 and index["a1"].conflicts == 1


def test_store_counts_are_cached_even_with_the_result_cache_off() -> None:
    from dateline.storage import MemoryStore
    from dateline.web.queries import Queries, SearchParams, TTLCache

    class Counting(MemoryStore):
        calls = 0

        def stats(self) -> dict[str, object]:
            Counting.calls += 1
            return super().stats()

    q = Queries(Counting(), cache=TTLCache(0), stats_cache=TTLCache(30))
    for _ in range(3):
        q.outlets()
        q.stats()
        q.search(SearchParams("x"))
    assert Counting.calls == 1
