"""quotes.v1: the seed's four attributions and one hand-made case per construction."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from typing import Any

import pytest

from dateline.errors import ConfigError
from dateline.models import Article, RawDocument
from dateline.nlp import analyse
from dateline.stages.quote_cues import inflections, parse_lexicon
from dateline.stages.quote_marks import quote_kind, quote_spans
from dateline.stages.quote_model import default_model, format_model, parse_model
from dateline.stages.quotes import QuotesStage, make
from tests.conftest import SEED, SEED_EXPECTED, need

HAS_ENTITIES = importlib.util.find_spec("dateline.stages.entities") is not None


def run(text: str, config: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Quotes of one text, with the entities stage first when it exists (as in the pipeline)."""
    article = Article(id="t", text=text)
    analysis = analyse([text])[0]
    if HAS_ENTITIES:
        from dateline.registry import make_stage

        article = make_stage("entities.v1")(article, analysis)
    quotes = list(QuotesStage(config)(article, analysis).quotes)
    assert_spans_exact(text, quotes)
    return quotes


def assert_spans_exact(text: str, quotes: list[dict[str, Any]]) -> None:
    """Every content, cue and speaker span indexes the article text exactly."""
    for q in quotes:
        assert text[q["start"] : q["end"]] == q["text"]
        assert q["kind"] in ("direct", "indirect", "mixed")
        for role in ("cue", "speaker"):
            span = q[role]
            if span is not None:
                assert text[span["start"] : span["end"]] == span["text"], (role, span)


def find(quotes: list[dict[str, Any]], contains: str) -> dict[str, Any]:
    """The quote whose content holds ``contains`` (fails the test when there is none)."""
    hits = [q for q in quotes if contains.lower() in q["text"].lower()]
    assert hits, f"no quote contains {contains!r}: {[q['text'] for q in quotes]}"
    return min(hits, key=lambda q: len(q["text"]))


def norm(s: str | None) -> str:
    """Case- and whitespace-folded text."""
    return " ".join((s or "").lower().split())


# --- the seed --------------------------------------------------------------------------------------


def seed_text() -> str:
    """The seed's body: from the flattened-text extractor, or (while that is being reworked) its five
    body paragraphs joined by hand, the way the extractor joins them."""
    raw = need(SEED).read_bytes()
    expected = json.loads(need(SEED_EXPECTED).read_text())["body"]
    try:
        from dateline.extract import extract_document

        text = extract_document(RawDocument(source="seed", kind="text", content=raw)).text
        if text.startswith(expected["first_words"]) and text.rstrip().endswith(expected["last_words"]):
            return text
    except Exception:  # the extractor is another stage's work; the quotes test must not hinge on it
        pass
    lines = [ln.strip().replace("\u00a0", " ") for ln in raw.decode("utf-8").splitlines()]
    body = [ln for ln in lines if ln.endswith(".") and len(ln.split()) >= 12]
    assert len(body) == expected["paragraphs"]
    return "\n\n".join(body)


@pytest.fixture(scope="module")
def seed_quotes() -> list[dict[str, Any]]:
    """quotes.v1 over the seed body."""
    return run(seed_text())


def test_seed_statement_reads_is_a_direct_quote_of_the_joint_statement(seed_quotes: list[dict[str, Any]]) -> None:
    expected = json.loads(need(SEED_EXPECTED).read_text())["quotes"][0]
    q = find(seed_quotes, expected["starts"])
    assert q["kind"] == "direct"
    assert q["text"].strip("“”\" ,").startswith(expected["starts"])
    assert expected["ends"] in q["text"]
    assert q["cue"] is not None and q["cue"]["text"] == "reads"
    assert norm(q["speaker"]["text"]) == "the joint statement"
    assert "joint statement" in norm(q["speaker"]["canonical"])
    members = {norm(m) for m in q["speaker"].get("entities", [])}
    assert {"france", "germany", "qatar", "saudi arabia"} <= members


@pytest.mark.skipif(not HAS_ENTITIES, reason="needs entities.v1 to map Great Britain/Turkish to countries")
def test_seed_statement_speaker_entities_are_the_seven_countries(seed_quotes: list[dict[str, Any]]) -> None:
    expected = json.loads(need(SEED_EXPECTED).read_text())["quotes"][0]
    q = find(seed_quotes, expected["starts"])
    assert {norm(m) for m in q["speaker"]["entities"]} == {norm(m) for m in expected["speaker_entities"]}


def test_seed_according_to_the_defense_ministry(seed_quotes: list[dict[str, Any]]) -> None:
    q = find(seed_quotes, "hit over 10 targets")
    assert q["kind"] == "indirect"
    assert norm(q["cue"]["text"]) == "according to"
    assert "russian defense ministry" in norm(q["speaker"]["canonical"])


def test_seed_ambassador_confirmed_and_added(seed_quotes: list[dict[str, Any]]) -> None:
    confirmed = find(seed_quotes, "against armed terrorist organizations and not political opposition factions")
    assert confirmed["kind"] == "indirect"
    assert confirmed["cue"]["text"] == "confirmed"
    assert norm(confirmed["speaker"]["canonical"]) == "riad haddad"
    added = find(seed_quotes, "exact coordinates of terrorist group locations")
    assert added["kind"] == "indirect"
    assert added["cue"]["text"] == "added"
    assert norm(added["speaker"]["text"]) == "the ambassador"
    assert norm(added["speaker"]["canonical"]) == "riad haddad"


# --- one case per construction ----------------------------------------------------------------------


def test_direct_quote_with_inverted_said_x() -> None:
    text = '"We will rebuild every school in the valley before winter," said Maria Lopez, the mayor.'
    q = find(run(text), "rebuild every school")
    assert q["kind"] == "direct"
    assert q["cue"]["text"] == "said"
    assert "Maria Lopez" in q["speaker"]["text"]
    assert q["speaker"]["canonical"] == "Maria Lopez"


def test_quote_split_by_its_cue_is_one_attribution() -> None:
    text = '"The bridge is safe," the engineer said on Tuesday, "and it will reopen to traffic next month."'
    quotes = run(text)
    q = find(quotes, "bridge is safe")
    assert "reopen to traffic" in q["text"]
    assert q["kind"] == "direct"
    assert norm(q["speaker"]["text"]) == "the engineer"


def test_mixed_quote() -> None:
    text = 'Mary Jones said the new budget was "a disaster for every family in this state."'
    q = find(run(text), "new budget")
    assert q["kind"] == "mixed"
    assert q["speaker"]["text"] == "Mary Jones"


def test_according_to() -> None:
    text = "According to the Interior Ministry, twelve people died in the attack on the market."
    q = find(run(text), "twelve people died")
    assert q["kind"] == "indirect"
    assert norm(q["cue"]["text"]) == "according to"
    assert q["speaker"]["text"] == "the Interior Ministry"
    assert "According" not in q["text"]


def test_pronoun_resolves_to_the_last_named_speaker() -> None:
    text = "Mary Jones said the bill would pass by Friday. She added that the vote would be very close."
    q = find(run(text), "vote would be very close")
    assert q["speaker"]["text"] == "She"
    assert q["speaker"]["canonical"] == "Mary Jones"


def test_role_noun_resolves_to_the_named_person_with_that_role() -> None:
    text = (
        "Pentagon spokesman John Kirby said the strikes had stopped on Monday. "
        "Aid groups were preparing convoys for the city. "
        "The spokesman added that the talks would resume in Geneva."
    )
    q = find(run(text), "talks would resume")
    assert norm(q["speaker"]["text"]) == "the spokesman"
    assert q["speaker"]["canonical"] == "John Kirby"


def test_statement_that_reads_is_attributed_to_its_issuer() -> None:
    text = (
        "The Foreign Ministry of Norway released a statement on Monday.\n\n"
        '"We condemn the attack on the embassy in the strongest terms," the statement reads.'
    )
    q = find(run(text), "condemn the attack")
    assert q["kind"] == "direct"
    assert q["cue"]["text"] == "reads"
    assert norm(q["speaker"]["text"]) == "the statement"
    assert q["speaker"]["canonical"] == "statement"
    assert q["speaker"].get("entities")


def test_passive_report_is_left_out_by_default() -> None:
    text = "It was reported that the talks between the two parties had collapsed overnight."
    assert run(text) == []


def test_passive_report_has_no_speaker() -> None:
    text = "It was reported that the talks between the two parties had collapsed overnight."
    q = find(run(text, {"speakerless": True}), "talks between the two parties")
    assert q["speaker"] is None


def test_unattributed_quoted_paragraph_is_left_out_by_default() -> None:
    text = '"Nobody in this town remembers a winter as cold as this one, not even the oldest farmers."'
    assert run(text) == []


def test_unattributed_quoted_paragraph_has_no_speaker() -> None:
    text = '"Nobody in this town remembers a winter as cold as this one, not even the oldest farmers."'
    q = find(run(text, {"uncued_quotes": True, "speakerless": True}), "Nobody in this town")
    assert q["kind"] == "direct"
    assert q["speaker"] is None
    assert q["cue"] is None


def test_continuation_paragraph_takes_the_previous_speaker() -> None:
    text = (
        'Mayor Ana Ruiz said the city would hire 200 new teachers next year.\n\n'
        '"We have waited far too long for this, and the children have paid the price for our delay."'
    )
    q = find(run(text, {"uncued_quotes": True}), "waited far too long")
    assert q["speaker"] is not None and q["speaker"]["canonical"] == "Ana Ruiz"


def test_scare_quotes_alone_are_not_quotations() -> None:
    text = 'The company launched its "smart" fridge in three markets this spring.'
    assert run(text) == []


# --- building blocks --------------------------------------------------------------------------------


def test_quote_spans_pair_marks_and_run_open_quotes_to_paragraph_end() -> None:
    text = 'He said: \u201cOne two three.\u201d Then "four five" and \u201csix seven\n\nNext paragraph.'
    spans = [(text[q.start : q.end], q.closed) for q in quote_spans(text)]
    assert spans == [("\u201cOne two three.\u201d", True), ('"four five"', True), ("\u201csix seven", False)]


def test_quote_kind_matches_the_scorer_rule() -> None:
    text = 'X: "All of it." Y said it was "bad" news. Z said no.'
    assert quote_kind(text, 3, 15) == "direct"
    assert quote_kind(text, 23, 41) == "mixed"
    assert quote_kind(text, 49, 51) == "indirect"


def test_lexicon_parsing_and_inflections() -> None:
    lex = parse_lexicon("# comment\nsay\tccomp:0.66,colon:0.31\tsaid\nconfirm\tccomp:0.8\t\n")
    assert lex.precision("say", "ccomp") == pytest.approx(0.66)
    assert lex.precision("say", "dobj") == 0.0
    assert lex.triggers("The minister confirmed it.")
    assert not lex.triggers("The minister left early.")
    assert {"confirms", "confirmed", "confirming"} <= inflections("confirm")


def test_model_parsing_and_the_packaged_model() -> None:
    model = parse_model("# comment\n__bias__\t-1.0\nf:ccomp\t2.0\n")
    assert model.prob(["f:ccomp", "unknown"]) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert model.prob([]) < 0.5
    assert parse_model(format_model(model, ["header"])) == model
    packaged = default_model()
    assert len(packaged.weights) > 1000 and packaged.bias != 0.0  # trained, not a placeholder


def test_scorer_config() -> None:
    assert QuotesStage().model is not None
    assert QuotesStage({"scorer": "lexicon"}).model is None
    with pytest.raises(ConfigError):
        QuotesStage({"scorer": "precision"})


def test_make_and_protocol() -> None:
    stage = make({"min_precision": 0.5})
    assert stage.name == "quotes.v1"
    assert stage.requires == ("entities",)
    assert stage.assigns == ("quotes",)
    assert stage.min_precision == 0.5
    assert re.fullmatch(r"quotes\.v\d+", stage.name)


def test_speaker_name_never_comes_from_the_reported_content() -> None:
    text = "Seven countries issued a letter calling on the United Nations to send observers to the border."
    for q in run(text):
        if q["speaker"] is not None:
            assert "United Nations" not in q["speaker"]["canonical"]
