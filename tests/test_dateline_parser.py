"""Datelines and dates: hand-made cases covering the forms wire stories use."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.extract.dateline import find_dateline
from dateline.extract.dates import check_published, parse_page_clock


@pytest.mark.parametrize(
    ("opening", "place", "agency"),
    [
        ("MOSCOW (Sputnik) – “We express our deep concern", "Moscow", "Sputnik"),
        ("KYIV, March 3 (Reuters) - Ukraine said", "Kyiv", "Reuters"),
        ("WASHINGTON (AP) — The Senate voted", "Washington", "AP"),
        ("LONDON: Prime Minister said", "London", None),
        ("HAYWARD, Calif. (AP) — A man was", "Hayward, Calif.", "AP"),
        ("DUBAI, United Arab Emirates — Iran said", "Dubai, United Arab Emirates", None),
        ("MADRID — Rafael Nadal kept", "Madrid", None),
        ("NEW YORK (Reuters) - Stocks fell", "New York", "Reuters"),
        ("UNITED NATIONS (AP) -- The council met", "United Nations", "AP"),
        ("BEIRUT, Lebanon (CNN) -- Fighting", "Beirut, Lebanon", "CNN"),
        ("PORT-AU-PRINCE, Haiti — Aid arrived", "Port-Au-Prince, Haiti", None),
        ("(Reuters) - The company said", None, "Reuters"),
    ],
)
def test_datelines_are_parsed_with_spans(opening: str, place: str | None, agency: str | None) -> None:
    text = f"A lead paragraph without a dateline.\n\n{opening} more text follows."
    d = find_dateline(text)
    assert d is not None
    assert (d.place, d.agency) == (place, agency)
    surface = text[d.start : d.end]
    assert surface.startswith(opening.split(" ")[0][:3]) and surface.rstrip()[-1] in "-–—:"


@pytest.mark.parametrize(
    "opening",
    [
        "BREAKING: Markets tumble",
        "UPDATE — the story changed",
        "The minister said - and then",
        "A: I think so",
        "It was a long day in Moscow.",
        "US officials said on Monday",
        "EDITOR'S NOTE: this story",
    ],
)
def test_non_datelines_are_not_taken(opening: str) -> None:
    assert find_dateline(opening + " more words here.") is None


def test_dateline_only_opens_early_paragraphs() -> None:
    paras = ["Paragraph one.", "Paragraph two.", "Paragraph three.", "Paragraph four.", "MOSCOW (Sputnik) – late"]
    assert find_dateline("\n\n".join(paras)) is None


@given(st.text(max_size=300))
def test_dateline_never_crashes_and_spans_index_the_text(text: str) -> None:
    d = find_dateline(text)
    if d is not None:
        assert 0 <= d.start < d.end <= len(text)


def test_page_clock_is_parsed_not_published() -> None:
    assert parse_page_clock("17:38 GMT03 December 2020") == "2020-12-03T17:38:00+00:00"
    assert parse_page_clock("09:05 MSK 04.12.2020") == "2020-12-04T06:05:00+00:00"
    assert parse_page_clock("Listen Live") is None
    assert parse_page_clock("On Wednesday, Russia started carrying out strikes at 17:38 GMT") is None


NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("published", "captured", "kept"),
    [
        ("2015-10-02", "2020-12-03T17:38:00Z", "2015-10-02"),
        ("1985-01-01", None, None),
        ("2031-01-01", None, None),
        ("2021-06-01", "2020-12-03T17:38:00Z", None),
        ("not a date at all", None, None),
        (None, None, None),
    ],
)
def test_published_is_checked(published: str | None, captured: str | None, kept: str | None) -> None:
    value, warning = check_published(published, captured, NOW)
    assert value == kept
    assert (warning is not None) == (published is not None and kept is None)
