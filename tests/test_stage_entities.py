"""entities.v1: the acceptance seed, hand-built alias cases from real pages, user alias files,
case rules ("is" is not IS) and the public normalisation API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dateline.errors import ConfigError
from dateline.models import Article
from dateline.nlp import analyse
from dateline.pipeline import Pipeline
from dateline.registry import make_stage
from dateline.stages.entities import entity_at, group_entities, make, resolve_name
from dateline.stages.entity_eval import load_cases, score_case
from dateline.stages.entity_lexicon import country_name
from tests.conftest import SEED_EXPECTED, need

CASES = Path(__file__).with_name("alias_cases.jsonl")


def _run(text: str, config: dict[str, Any] | None = None) -> Article:
    article = Article(id="t", text=text)
    return make(config or {})(article, analyse([text])[0])


@pytest.fixture(scope="module")
def seed(seed_article: Article) -> Article:
    """entities.v1 over the body the real extractor gives for the seed page."""
    return _run(seed_article.text)


def test_spans_index_the_text(seed: Article) -> None:
    assert seed.entities
    for ent in seed.entities:
        assert seed.text[ent["start"] : ent["end"]] == ent["text"]
        assert {"start", "end", "text", "label", "canonical", "kind", "country"} <= set(ent)


def test_seed_yields_every_expected_entity(seed: Article) -> None:
    expected = json.loads(need(SEED_EXPECTED).read_text(encoding="utf-8"))["entities"]
    groups = {g["canonical"].casefold(): g for g in group_entities(seed.entities)}
    body = " ".join(seed.text.split()).casefold()
    for exp in expected:
        got = groups.get(exp["canonical"].casefold())
        assert got is not None, f"missing {exp['canonical']}; got {sorted(groups)}"
        assert got["kind"] == exp["kind"], exp["canonical"]
        if "country" in exp:
            assert got["country"] and country_name(got["country"]) == exp["country"], exp["canonical"]
        if "role" in exp:
            assert got.get("role") == exp["role"]
        mentions = {m.casefold() for m in got["mentions"]}
        for mention in exp.get("mentions", []):
            # Only mentions in the body count (ISIL and Daesh are in the series line and the tags).
            if f" {mention.casefold()} " in f" {body} ".replace(",", " ").replace(".", " "):
                assert mention.casefold() in mentions, f"{exp['canonical']}: {mention!r} not merged"


def test_seed_alias_merges(seed: Article) -> None:
    by_text = {e["text"]: e for e in seed.entities}
    assert by_text["IS"]["canonical"] == "Islamic State"
    assert by_text["Russia Federation"]["canonical"] == "Russia"
    assert by_text["Great Britain"]["canonical"] == "United Kingdom"
    assert by_text["the United States"]["country"] == "US"
    assert by_text["The ambassador"]["canonical"] == "Riad Haddad"
    assert by_text["Riad Haddad"]["role"] == "Syrian Ambassador to Russia"
    assert "Hama" not in by_text  # a city the NER tags ORG: the places stage's business


def test_alias_cases_from_real_pages() -> None:
    cases = load_cases(CASES)
    assert len(cases) >= 50
    stage = make({})
    analyses = analyse(c["text"] for c in cases)
    failures = []
    for case, analysis in zip(cases, analyses, strict=True):
        result = score_case(case, stage.extract(analysis.doc))
        if not result.ok:
            failures.append((case["mention"], case["canonical"], result.got))
    assert not failures, failures  # the floor is 100%: every case was written to pass


@pytest.mark.parametrize("text", [
    "This is what it is.",
    "THIS IS NOT A DRILL, IS IT?",
    "Tell us what the plan is.",
])
def test_the_verb_is_never_islamic_state(text: str) -> None:
    assert not [e for e in _run(text).entities if e["canonical"] in ("Islamic State", "United States")]


def test_acronym_in_mixed_case_text_matches() -> None:
    ents = _run("Jets struck IS positions near the US base.").entities
    pairs = [(e["text"], e["canonical"]) for e in ents]
    assert ("IS", "Islamic State") in pairs and ("US", "United States") in pairs


def test_article_without_entities() -> None:
    assert _run("it was raining and nothing else happened at all.").entities == ()
    assert _run("").entities == ()


@pytest.mark.parametrize(("name", "canonical", "kind", "country"), [
    ("Russian", "Russia", "country", "RU"),
    ("Russia Federation", "Russia", "country", "RU"),
    ("Great Britain", "United Kingdom", "country", "GB"),
    ("US", "United States", "country", "US"),
    ("the U.S.", "United States", "country", "US"),
    ("Turkish", "Turkey", "country", "TR"),
    ("Daesh", "Islamic State", "armed group", None),
    ("ISIL", "Islamic State", "armed group", None),
    ("the Russian Defense Ministry", "Russian Defense Ministry", "government body", "RU"),
    ("Ministry of Defence of Russia", "Russian Defense Ministry", "government body", "RU"),
    ("Turkish Foreign Ministry", "Turkish Foreign Ministry", "government body", "TR"),
    ("Syrian Army", "Syrian Army", "military", "SY"),
    ("Russia's Air Force", "Russian Air Force", "military", "RU"),
])
def test_resolve_name(name: str, canonical: str, kind: str, country: str | None) -> None:
    resolved = resolve_name(name)
    assert resolved is not None, name
    assert (resolved.canonical, resolved.kind, resolved.country) == (canonical, kind, country)


@pytest.mark.parametrize("name", ["is", "us", "Is", "", "Riad Haddad", "the military presence"])
def test_resolve_name_unknown(name: str) -> None:
    assert resolve_name(name) is None


def test_entity_at(seed: Article) -> None:
    start = seed.text.index("Riad Haddad")
    assert entity_at(seed, start, start + 4)["canonical"] == "Riad Haddad"  # type: ignore[index]
    assert entity_at(seed, start - 1, start - 1) is None  # the space before the name


USER_JSON = {"entities": [
    {"canonical": "Maghawir al-Thawra", "kind": "armed group", "aliases": ["MaT", "Maghawir al Thawra"],
     "country": "SY"},
    {"canonical": "ISIS-K", "kind": "armed group", "aliases": ["ISKP", "ISIS-K"]},
]}
USER_TEXT = "US-backed Maghawir al Thawra fought ISIS-K while MaT held the base."


def _user_file(tmp_path: Path, fmt: str) -> Path:
    if fmt == "json":
        path = tmp_path / "mine.json"
        path.write_text(json.dumps(USER_JSON), encoding="utf-8")
    elif fmt == "toml":
        path = tmp_path / "mine.toml"
        path.write_text(
            '[[entities]]\ncanonical = "Maghawir al-Thawra"\nkind = "armed group"\n'
            'aliases = ["MaT", "Maghawir al Thawra"]\ncountry = "SY"\n'
            '[[entities]]\ncanonical = "ISIS-K"\nkind = "armed group"\naliases = ["ISKP", "ISIS-K"]\n',
            encoding="utf-8",
        )
    else:
        path = tmp_path / "mine.tsv"
        path.write_text(
            "# canonical\tkind\taliases\tcountry\n"
            "Maghawir al-Thawra\tarmed group\tMaT|Maghawir al Thawra\tSY\n"
            "ISIS-K\tarmed group\tISKP|ISIS-K\t\n",
            encoding="utf-8",
        )
    return path


@pytest.mark.parametrize("fmt", ["json", "toml", "tsv"])
def test_user_alias_file_extends_and_overrides(tmp_path: Path, fmt: str) -> None:
    path = _user_file(tmp_path, fmt)
    plain = {e["text"]: e["canonical"] for e in _run(USER_TEXT).entities}
    assert plain.get("ISIS-K") != "ISIS-K"  # shipped table: a branch of Islamic State
    mine = {e["text"]: e for e in _run(USER_TEXT, {"alias_file": str(path)}).entities}
    assert mine["Maghawir al Thawra"]["canonical"] == "Maghawir al-Thawra"
    assert mine["Maghawir al Thawra"]["country"] == "SY"
    assert mine["MaT"]["canonical"] == "Maghawir al-Thawra"
    assert mine["ISIS-K"]["canonical"] == "ISIS-K"  # the user's entry wins over the shipped alias
    assert mine["US"]["canonical"] == "United States"  # the shipped table is still there
    assert resolve_name("ISKP", alias_files=(str(path),)) is not None
    assert resolve_name("ISKP") is None


def test_user_alias_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_ALIASES", str(_user_file(tmp_path, "json")))
    assert resolve_name("MaT").canonical == "Maghawir al-Thawra"  # type: ignore[union-attr]


def test_bad_user_alias_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"entities": [{"canonical": "X", "kind": "wizard"}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown kind"):
        make({"alias_file": str(bad)})
    with pytest.raises(ConfigError, match="cannot be read"):
        make({"alias_file": str(tmp_path / "missing.json")})


def test_runs_in_the_pipeline() -> None:
    stage = make_stage("entities.v1")
    assert stage.name == "entities.v1" and stage.assigns == ("entities",)
    [out] = Pipeline([stage], on_error="raise").run([Article(id="p", text="Qatar and the Syrian Army.")])
    assert [e["canonical"] for e in out.entities if not e.get("nested")] == ["Qatar", "Syrian Army"]
    # "Syrian" inside the army's name is also a mention of Syria, kept as a nested entity.
    assert [(e["text"], e["canonical"]) for e in out.entities if e.get("nested")] == [("Syrian", "Syria")]
    assert out.stage_runs[-1].name == "entities.v1"
