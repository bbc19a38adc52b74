"""events.v1: the seed's five events, date resolution, and one hand-made sentence per PLOVER type."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from dateline.models import Article, Dates
from dateline.nlp import analyse
from dateline.stages.event_dates import resolve_date
from dateline.stages.event_lexicon import load_lexicon, surface_forms
from dateline.stages.events import EventsStage, make


def _run(text: str, published: str | None = None, with_entities: bool = True) -> list[dict[str, Any]]:
    article = Article(id="t", text=text, dates=Dates(published=published))
    analysis = analyse([text])[0]
    if with_entities:
        from dateline.stages.entities import make as make_entities

        article = make_entities({})(article, analysis)
    out = make({})(article, analysis)
    for e in out.events:  # the span invariant
        assert text[e["trigger"]["start"]:e["trigger"]["end"]] == e["trigger"]["text"]
    return list(out.events)


def _canon(p: Any) -> set[str]:
    if p is None:
        return set()
    return {x["canonical"] for x in p} if isinstance(p, list) else {p["canonical"]}


@pytest.fixture(scope="module")
def seed_events(seed_article: Article) -> list[dict[str, Any]]:
    """events.v1 (after entities and places) over the seed body from the real extractor, with the
    publication date unknown (as on the page)."""
    article = dataclasses.replace(seed_article, dates=Dates(published=None))
    analysis = analyse([article.text])[0]
    from dateline.stages.entities import make as make_entities

    article = make_entities({})(article, analysis)
    try:
        from dateline.stages.places import make as make_places

        article = make_places({})(article, analysis)
    except ImportError:
        pass
    return list(EventsStage()(article, analysis).events)


def _find(events: list[dict[str, Any]], type_: str, actor: str) -> dict[str, Any]:
    hits = [e for e in events if e["type"] == type_ and actor in _canon(e["actor"])]
    assert hits, f"no {type_} event by {actor}: {[(e['type'], _canon(e['actor'])) for e in events]}"
    return hits[0]


def test_seed_russian_strikes_on_opposition(seed_events: list[dict[str, Any]]) -> None:
    e = _find(seed_events, "ASSAULT", "Russia")
    assert e["mode"] == "aerial" and e["cameo"] == "195"
    assert e["actor"]["detail"] == "Russian Air Force"
    assert "civilians" in e["target"]["text"]
    assert {"Hama", "Homs", "Idlib"} <= {p["name"] for p in e["places"]}
    assert e["date_text"] == "yesterday" and e["date"] is None and e["date_resolved"] is False


def test_seed_airstrikes_on_islamic_state(seed_events: list[dict[str, Any]]) -> None:
    e = next(e for e in seed_events if e["type"] == "ASSAULT" and _canon(e["target"]) == {"Islamic State"})
    assert _canon(e["actor"]) == {"Russia"} and e["mode"] == "aerial"
    assert "Syria" in {p["name"] for p in e["places"]}
    assert (e["date_text"], e["date_resolved"]) == ("Wednesday", False)


def test_seed_request_by_seven_countries(seed_events: list[dict[str, Any]]) -> None:
    e = _find(seed_events, "REQUEST", "Turkey")
    assert _canon(e["actor"]) == {"Turkey", "France", "Germany", "Qatar", "Saudi Arabia", "United Kingdom",
                                  "United States"}
    assert _canon(e["target"]) == {"Russia"}
    assert (e["date_text"], e["date"], e["date_resolved"]) == ("Friday", None, False)


def test_seed_cooperation_and_syrian_strikes(seed_events: list[dict[str, Any]]) -> None:
    co = _find(seed_events, "COOPERATE", "Syria")
    assert _canon(co["actor"]) == {"Russia", "Syria"} and co["target"] is None
    sy = _find(seed_events, "ASSAULT", "Syria")
    assert sy["actor"]["detail"] == "Syrian Army"
    assert "terrorist organizations" in sy["target"]["text"]
    assert len(seed_events) <= 7, "restatements should fold into one event"


def test_dates_resolve_against_published() -> None:
    assert resolve_date("Wednesday", "2015-10-02").date == "2015-09-30"
    assert resolve_date("yesterday", "2015-10-02T10:00:00+00:00").date == "2015-10-01"
    assert resolve_date("Friday", "2015-10-02").date == "2015-10-02"
    assert resolve_date("September 29", "2015-10-02").date == "2015-09-29"
    unresolved = resolve_date("last week", "2015-10-02")
    assert (unresolved.date, unresolved.text, unresolved.resolved) == (None, "last week", False)
    assert resolve_date("Wednesday", None).resolved is False


def test_event_date_in_record() -> None:
    events = _run("Russia launched airstrikes on Islamic State targets in Syria on Wednesday.", "2015-10-02")
    e = next(e for e in events if e["type"] == "ASSAULT")
    assert (e["date"], e["date_text"], e["date_resolved"]) == ("2015-09-30", "Wednesday", True)
    assert e["mode"] == "aerial"
    events = _run("Israeli soldiers arrested 40 Palestinians yesterday.", "2020-03-05")
    e = next(e for e in events if e["type"] == "COERCE")
    assert (e["date"], e["date_resolved"]) == ("2020-03-04", True)


HAND_MADE = [
    ("Germany and France agreed to cooperate on border controls.", "AGREE", "Germany", None),
    ("The Iranian foreign minister visited Iraq on Monday.", "CONSULT", "Iran", "Iraq"),
    ("Japan praised South Korea for its handling of the talks.", "SUPPORT", "Japan", "South Korea"),
    ("Serbia lifted the curfew in Montenegro.", "CONCEDE", "Serbia", "Montenegro"),
    ("Israel shared intelligence with the United States about the plot.", "COOPERATE", "Israel", "United States"),
    ("Norway sent humanitarian aid to Kenya.", "AID", "Norway", "Kenya"),
    ("Turkey withdrew its troops from Iraq.", "RETREAT", "Turkey", "Iraq"),
    ("Poland demanded that Russia return the aircraft wreckage.", "REQUEST", "Poland", "Russia"),
    ("Pakistan accused India of violating the ceasefire.", "ACCUSE", "Pakistan", "India"),
    ("Egypt rejected an Ethiopian proposal on the dam.", "REJECT", "Egypt", "Ethiopia"),
    ("China threatened to impose tariffs on Australia.", "THREATEN", "China", "Australia"),
    ("Thousands of Kenyans demonstrated against the government in Nairobi.", "PROTEST", "Kenya", None),
    ("The European Union imposed sanctions on Belarus.", "SANCTION", None, "Belarus"),
    ("Russia massed troops on the border with Ukraine.", "MOBILIZE", "Russia", None),
    ("Chinese police arrested dozens of Tibetan monks.", "COERCE", "China", None),
    ("Syrian forces shelled rebel positions near Aleppo.", "ASSAULT", "Syria", None),
]


@pytest.mark.parametrize(("text", "type_", "actor", "target"), HAND_MADE, ids=[h[1] for h in HAND_MADE])
def test_one_sentence_per_type(text: str, type_: str, actor: str | None, target: str | None) -> None:
    events = _run(text)
    hits = [e for e in events if e["type"] == type_]
    assert hits, f"{type_} not found in {[(e['type'], e['trigger']['text']) for e in events]}"
    e = hits[0]
    if actor is not None:
        assert actor in _canon(e["actor"]), e["actor"]
    if target is not None:
        assert target in _canon(e["target"]), e["target"]


PHRASES = [
    ("Former Prime Minister Nawaz Sharif accused the army of rigging the vote.", "ACCUSE",
     ("Former Prime Minister Nawaz Sharif", "Nawaz Sharif"), None),
    ("Kurdish militants attacked two Turkish soldiers near the border.", "ASSAULT",
     ("Kurdish militants", None), ("Turkish soldiers", "Turkey")),
    ("President Emmanuel Macron praised German Chancellor Angela Merkel.", "SUPPORT",
     ("President Emmanuel Macron", "Emmanuel Macron"), ("German Chancellor Angela Merkel", "Angela Merkel")),
    ("Vice-President Kamala Harris criticized the Chinese government.", "ACCUSE",
     ("Vice-President Kamala Harris", "Kamala Harris"), None),
    ("U.N. peacekeepers attacked rebel positions near the town.", "ASSAULT", ("U.N.", "United Nations"), None),
]


def test_a_place_the_event_hits_is_its_target() -> None:
    """With no entity mention on the object, a place the places stage found there is the target."""
    from dateline.nlp import load_model
    from dateline.stages.event_coder import PlaceMention, SentenceInput
    from dateline.stages.event_rules import RuleCoder

    text = "Government troops shelled Juba for a second day."
    juba = PlaceMention(26, 30, "Juba", "Juba", "SS")
    doc = load_model()(text)
    events = RuleCoder().code(SentenceInput(text, 0, len(text), (), (juba,), doc))
    e = next(e for e in events if e.type == "ASSAULT")
    target = e.targets[0] if e.targets else None
    assert target is not None and (target.text, target.kind, target.country) == ("Juba", "place", "SS")
    assert (target.start, target.end) == (26, 30)
    assert [pl.text for pl in e.places] == ["Juba"]  # and still where it happened


@pytest.mark.parametrize(("text", "type_", "actor", "target"), PHRASES, ids=[p[0].split()[0] for p in PHRASES])
def test_participants_take_the_text_of_their_noun_phrase(
        text: str, type_: str, actor: tuple[str, str | None], target: tuple[str, str | None] | None) -> None:
    """A person's title comes with the name, a demonym with the noun it modifies (the canonical
    entity unchanged); an organisation is not widened to what it modifies ("U.N. peacekeepers")."""
    e = next(e for e in _run(text) if e["type"] == type_)
    for want, got in ((actor, e["actor"]), (target, e["target"])):
        if want is None:
            continue
        m = got[0] if isinstance(got, list) else got
        assert m["text"] == want[0] and text[m["start"]:m["end"]] == m["text"], m
        if want[1] is not None:
            assert m["canonical"] == want[1], m


def test_negation_and_intent() -> None:
    assert not [e for e in _run("The jets did not strike Islamic State targets in Syria.") if e["type"] == "ASSAULT"]
    assert [e["type"] for e in _run("Syria said it will withdraw its troops from Lebanon.")] == ["AGREE"]
    assert [e["type"] for e in _run("The United States said it would not meet Iran's demands.")] == ["REJECT"]


def test_keyword_coder_and_lexicon() -> None:
    stage = make({"coder": "keyword"})
    assert stage.coder.name == "keyword" and not stage.coder.needs_parse
    lex = load_lexicon()
    assert {"banned", "bans", "banning"} <= surface_forms("ban") and "withdrew" in surface_forms("withdraw")
    assert {e.type for entries in lex.entries.values() for e in entries} == {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
        "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}


def test_parses_only_trigger_sentences() -> None:
    text = "The weather was mild. Officials met for lunch. Rebels attacked a convoy in Mali."
    analysis = analyse([text])[0]
    EventsStage()(Article(id="p", text=text), analysis)
    assert len(analysis._parsed) == 2  # "met" and "attacked"; the first sentence is never parsed
