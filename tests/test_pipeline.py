"""The stage interface: build-time checks, subsets, version-driven recomputation, failure isolation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from dateline.errors import ConfigError, StageError
from dateline.ingest import ingest
from dateline.models import Article, article_id
from dateline.nlp import Analysis
from dateline.pipeline import Pipeline
from dateline.storage import SQLiteStore


@dataclass
class CountingStage:
    """A fake stage: records one annotation per sentence, counts how often it ran."""

    name: str
    assigns: tuple[str, ...]
    requires: tuple[str, ...] = ("text",)
    fail_on: str | None = None
    calls: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        self.calls.append(article.id)
        if self.fail_on and self.fail_on in article.text:
            raise ValueError("cannot handle this article")
        field_name = self.assigns[0]
        values = tuple({"start": s.start_char, "end": s.end_char, "text": s.text, "by": self.name}
                       for s in analysis.sentences)
        return replace(article, **{field_name: values})


def art(text: str) -> Article:
    return Article(id=article_id(None, text), text=text)


def test_requirements_are_checked_when_the_pipeline_is_built() -> None:
    quotes = CountingStage("quotes.test", ("quotes",), requires=("entities",))
    with pytest.raises(ConfigError, match="requires entities"):
        Pipeline([quotes])
    Pipeline([CountingStage("entities.test", ("entities",)), quotes])  # fine in order
    with pytest.raises(ConfigError, match="twice"):
        Pipeline([CountingStage("entities.test", ("entities",)), quotes, quotes])


def test_stage_runs_are_recorded_and_spans_index_the_text() -> None:
    p = Pipeline([CountingStage("entities.test", ("entities",))])
    [out] = p.run([art("Russia struck targets. Syria welcomed it.")])
    assert [r.name for r in out.stage_runs] == ["entities.test"]
    assert len(out.entities) == 2
    assert all(out.text[e["start"]:e["end"]] == e["text"] for e in out.entities)


def test_a_changed_stage_version_recomputes_only_that_stage() -> None:
    ents = CountingStage("entities.test", ("entities",))
    quotes = CountingStage("quotes.test", ("quotes",))
    [a] = Pipeline([ents, quotes]).run([art("One sentence here. Another one.")])
    assert len(ents.calls) == len(quotes.calls) == 1
    # same pipeline again: nothing recomputed
    [a] = Pipeline([ents, quotes]).run([a])
    assert len(ents.calls) == len(quotes.calls) == 1
    # quotes changes its config (as a version bump does): only quotes runs again
    quotes.config = {"lexicon": "bigger"}
    [a] = Pipeline([ents, quotes]).run([a])
    assert (len(ents.calls), len(quotes.calls)) == (1, 2)
    assert [r.name for r in a.stage_runs] == ["entities.test", "quotes.test"]


def test_a_changed_data_file_recomputes_only_the_stage_that_declares_it(tmp_path: Path) -> None:
    lexicon = tmp_path / "cues.tsv"
    lexicon.write_text("say\tccomp:0.9\n", encoding="utf-8")
    ents = CountingStage("entities.test", ("entities",))
    quotes = CountingStage("quotes.test", ("quotes",))
    quotes.data_files = (lexicon,)  # type: ignore[attr-defined]
    [a] = Pipeline([ents, quotes]).run([art("One sentence here. Another one.")])
    [a] = Pipeline([ents, quotes]).run([a])
    assert (len(ents.calls), len(quotes.calls)) == (1, 1)
    lexicon.write_text("say\tccomp:0.8\n", encoding="utf-8")  # a relearned lexicon, same settings
    [a] = Pipeline([ents, quotes]).run([a])
    assert (len(ents.calls), len(quotes.calls)) == (1, 2)


def test_shipped_stages_declare_their_data_files() -> None:
    from dateline.registry import make_stage

    declared = {name: {p.name for p in make_stage(name).data_files}  # type: ignore[attr-defined]
                for name in ("entities.v1", "places.v1", "quotes.v1", "events.v1")}
    assert declared == {"entities.v1": {"aliases.json", "countries.tsv"},
                        "places.v1": {"gazetteer.tsv.gz", "countries.tsv"},
                        "quotes.v1": {"quote_cues.tsv", "quote_model.tsv"},
                        "events.v1": {"plover_lexicon.tsv", "plover_modes.tsv"}}
    for name in declared:
        assert all(p.is_file() for p in make_stage(name).data_files)  # type: ignore[attr-defined]


def test_a_failing_stage_is_recorded_and_other_stages_output_kept() -> None:
    ents = CountingStage("entities.test", ("entities",))
    quotes = CountingStage("quotes.test", ("quotes",), fail_on="poison")
    good, bad = Pipeline([ents, quotes]).run([art("A fine text. Two sentences."), art("A poison text. It breaks.")])
    assert good.quotes and not any(r.error for r in good.stage_runs)
    assert bad.entities, "the entities stage output must survive the quotes failure"
    assert bad.quotes == ()
    [run] = [r for r in bad.stage_runs if r.name == "quotes.test"]
    assert run.error is not None and "cannot handle" in run.error
    with pytest.raises(StageError):
        Pipeline([ents, quotes], on_error="raise").run([art("Another poison one.")])


def test_ingest_restages_stored_articles_when_a_stage_changes(tmp_path: Path) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.jsonl").write_text(
            f'{{"url": "http://x/{i}", "body": "Article {i} says things. It has two sentences."}}\n'
        )
    store = SQLiteStore(tmp_path / "s.db")
    ents = CountingStage("entities.test", ("entities",))
    first = ingest([str(docs)], store, Pipeline([ents]))
    assert (first.read, first.stored, first.restaged) == (3, 3, 0)
    again = ingest([str(docs)], store, Pipeline([ents]))
    assert (again.stored, again.unchanged, again.restaged) == (0, 3, 0)
    ents.config = {"version": "2"}
    bumped = ingest([str(docs)], store, Pipeline([ents]))
    assert (bumped.stored, bumped.unchanged, bumped.restaged) == (0, 3, 3)
    assert store.stats()["articles"] == 3
    store.close()


def test_ingest_learns_site_templates_from_the_whole_run(tmp_path: Path) -> None:
    """A prose-like line repeated on every page of one site is boilerplate once the run has seen the site."""
    import json

    from dateline.extract import extract_document
    from dateline.models import RawDocument

    footer = ("The Example Courier is an independent newspaper founded in 1901 and is published every "
              "morning by the Example Media Group in the old harbour district of the city.")
    bodies = [
        ("The council voted on Tuesday to close the old bridge to lorries after engineers found cracks in two of its "
         "supporting piers. Repairs are expected to take at least eighteen months and to cost about four million."),
        ("Fishermen in the northern bay reported the largest herring catch in a decade this week, and prices at the "
         "morning auction fell by a third as buyers struggled to keep up with the landings."),
        ("The city's oldest cinema will reopen in the spring after a two-year restoration paid for by a public "
         "appeal that raised more than its target within a month, the trust that owns it said."),
        ("Police have asked drivers to avoid the ring road on Saturday, when the annual marathon closes most of its "
         "lanes between seven in the morning and early afternoon."),
    ]
    path = tmp_path / "pages.jsonl"
    with path.open("w") as f:
        for i, body in enumerate(bodies):
            text = f"Home\nNews\n{body}\n{footer}\nContact us"
            f.write(json.dumps({"url": f"https://www.courier.example/news/{i}", "text": text}) + "\n")
    alone = extract_document(RawDocument(source="x", kind="text", content=f"Home\n{bodies[0]}\n{footer}\nContact us",
                                         url="https://www.courier.example/news/0"))
    store = SQLiteStore(tmp_path / "t.db")
    summary = ingest([str(path)], store)
    assert summary.stored == 4
    texts = [a.text for a in store.iter_articles()]
    assert all("independent newspaper founded in 1901" not in t for t in texts)
    assert sorted(t.strip() for t in texts) == sorted(bodies)
    # without the other pages of the site the cleaner alone cannot tell the footer from prose
    assert "founded in 1901" in alone.text
    store.close()


@dataclass
class ParsingStage(CountingStage):
    """A fake stage that asks for the parse of its sentences holding ``word`` before it runs."""

    word: str = "said"
    bad_request_on: str | None = None
    parsed_before_call: list[int] = field(default_factory=list)

    def parse_requests(self, article: Article, analysis: Analysis) -> list:
        if self.bad_request_on and self.bad_request_on in article.text:
            raise RuntimeError("cannot tell")
        return [s for s in analysis.sentences if self.word in s.text]

    def __call__(self, article: Article, analysis: Analysis) -> Article:
        wanted = [s for s in analysis.sentences if self.word in s.text]
        self.parsed_before_call.append(sum(s.start_char in analysis._parsed for s in wanted))
        docs = analysis.parse(wanted)
        heads = tuple({"start": Analysis.offset_of(d) + t.idx, "end": Analysis.offset_of(d) + t.idx + len(t),
                       "text": t.text, "by": self.name} for d in docs for t in d if t.dep_ == "ROOT")
        return replace(article, **{self.assigns[0]: heads})


def test_the_pipeline_parses_every_article_s_requested_sentences_in_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import dateline.nlp
    import dateline.pipeline

    texts = ["The minister said talks would resume. Markets fell.", "Nothing here. Police said two were hurt.",
             "No cue at all in this one."]
    calls: list[int] = []
    real = dateline.nlp.parse_many

    def counting(requests, batch_size=256):  # type: ignore[no-untyped-def]
        requests = list(requests)
        calls.append(sum(len(r[1]) for r in requests))
        real(requests, batch_size)

    monkeypatch.setattr(dateline.pipeline, "parse_many", counting)
    stage = ParsingStage("quotes.v1", ("quotes",))
    out = Pipeline([stage]).run([art(t) for t in texts])
    assert calls == [2]  # one batched call for the two sentences of the whole batch
    assert stage.parsed_before_call == [1, 1, 0]  # ... made before the stage ran
    assert [q["text"] for a in out for q in a.quotes] == ["said", "said"]
    # the same output when each article parses for itself
    monkeypatch.setattr(dateline.pipeline.Pipeline, "_parse_ahead", lambda self, a, b: None)
    lazy = Pipeline([ParsingStage("quotes.v1", ("quotes",))]).run([art(t) for t in texts])
    assert [a.quotes for a in lazy] == [a.quotes for a in out]


def test_a_failing_parse_request_leaves_the_parse_to_the_stage() -> None:
    stage = ParsingStage("quotes.v1", ("quotes",), bad_request_on="Police")
    out = Pipeline([stage]).run([art("The minister said so."), art("Police said two were hurt.")])
    assert stage.parsed_before_call == [1, 0]
    assert [q["text"] for a in out for q in a.quotes] == ["said", "said"]
    assert all(r.error is None for a in out for r in a.stage_runs)
