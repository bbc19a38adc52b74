"""Evaluation helpers for stories: BCubed scoring and a syndication test set for near-duplicates.

The syndication set is made from real article bodies by the edits a re-publisher makes: other
boilerplate around the body, the last paragraph trimmed, a new headline, typographic quotes
straightened. Hard negatives are different articles of the same site (given the *same* boilerplate)
and different outlets' reports of the same event.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from datasketch import MinHashLSH
from spacy.lang.en.stop_words import STOP_WORDS

from dateline.story_dedup import NUM_PERM, signature
from dateline.story_text import cosine, shingles

BOILERPLATE = (
    "Copyright {year} The Associated Press. All rights reserved. This material may not be published, broadcast,"
    " rewritten or redistributed.",
    "Follow us on Twitter and Facebook for the latest news. Sign up for our daily newsletter.",
    "Share this article: Facebook Twitter Email Print",
    "This story has been corrected to show the right date of the hearing.",
    "Related coverage: more stories from our world desk.",
    "Read more: the latest updates on this developing story, and our full archive.",
    "Advertisement - continue reading below",
    "Reporting by staff writers; editing by the news desk.",
    "(c) {year} Syndicated Wire Service. Distributed by our content partners.",
    "Comments are closed for this article. Join the conversation on our community page.",
)
AMBIGUOUS_JACCARD = 0.3
"""Two reports of one event sharing this much of their shingles are wire copies, not hard negatives."""
HEADLINES = ("UPDATE 2-", "BREAKING: ", "Analysis: ", "", "WATCH: ")


@dataclass(frozen=True)
class SyndicationSet:
    """Texts keyed by id, plus the gold near-duplicate pairs among them."""

    texts: dict[str, str]
    duplicates: set[frozenset[str]]
    hard_negatives: set[frozenset[str]]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def syndicated_copy(text: str, rng: random.Random, edits: Sequence[str]) -> str:
    """A re-published copy of ``text`` with the named edits: ``boilerplate``, ``trim``, ``headline``."""
    paras = _paragraphs(text)
    year = str(rng.randint(2009, 2020))
    if "trim" in edits and len(paras) > 3:
        total = sum(len(p.split()) for p in paras)
        if len(paras[-1].split()) <= total // 5:
            paras = paras[:-1]
        else:  # one long closing paragraph: trim its last sentence instead (a copy keeps most of the text)
            kept, dot, _ = paras[-1].rstrip(". ").rpartition(". ")
            paras[-1] = kept + dot if kept else paras[-1]
    if "headline" in edits:
        lead = paras[0].split()[: rng.randint(6, 12)]
        paras = [rng.choice(HEADLINES) + " ".join(lead).rstrip(".,;:"), *paras]
    if "boilerplate" in edits:
        head = [b.format(year=year) for b in rng.sample(BOILERPLATE, 2)]
        tail = [b.format(year=year) for b in rng.sample(BOILERPLATE, 2)]
        paras = [head[0], *paras, *tail] if rng.random() < 0.5 else [*paras, *head, *tail]
    body = "\n\n".join(paras)
    return body.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")


EDIT_SETS = (("boilerplate",), ("trim",), ("headline",), ("boilerplate", "trim"), ("boilerplate", "trim", "headline"))


def syndication_set(
    pages: Sequence[tuple[str, str, str]], events: Sequence[tuple[str, str, str]], seed: int = 7
) -> SyndicationSet:
    """Build the test set.

    ``pages``: (id, site, body) of real articles (e.g. Dragnet gold). Each eligible page (4+
    paragraphs, 150+ words) gets 1-2 edited copies. Pages of the same site become hard negatives,
    all given the same boilerplate block. ``events``: (id, event, body) of other outlets' reports of
    one event; pairs within an event are hard negatives, except genuine wire copies (shingle Jaccard
    >= :data:`AMBIGUOUS_JACCARD` with an earlier report), which are left out of the set.
    """
    rng = random.Random(seed)
    texts: dict[str, str] = {}
    dups: set[frozenset[str]] = set()
    negatives: set[frozenset[str]] = set()
    by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pid, site, body in _distinct(pages):
        if len(_paragraphs(body)) >= 4 and len(body.split()) >= 150:
            by_site[site].append((pid, body))
    for _site, items in sorted(by_site.items()):
        # Pages of one site share a boilerplate block, so only their bodies tell them apart.
        shared = "\n\n".join(b.format(year="2012") for b in rng.sample(BOILERPLATE, 3)) if len(items) > 1 else ""
        for (a, _), (b, _) in itertools.pairwise(items):
            negatives.add(frozenset((a, b)))
        for pid, body in items:
            texts[pid] = body + ("\n\n" + shared if shared else "")
            copies = [pid]
            for k in range(rng.choice((1, 1, 2))):
                cid = f"{pid}~copy{k}"
                texts[cid] = syndicated_copy(body, rng, rng.choice(EDIT_SETS))
                copies.append(cid)
            dups.update(frozenset((x, y)) for i, x in enumerate(copies) for y in copies[i + 1 :])
    by_event: dict[str, list[str]] = defaultdict(list)
    kept: dict[str, set[str]] = {}
    for eid, event, body in events:
        grams = shingles(body)
        # Genuine wire copies (or two stubs with the same boilerplate) are duplicates, not negatives.
        if any(_jaccard(grams, other) >= AMBIGUOUS_JACCARD for other in kept.values()):
            continue
        kept[eid] = grams
        texts[eid] = body
        by_event[event].append(eid)
    for ids in by_event.values():
        negatives.update(frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return SyndicationSet(texts, dups, negatives)


def _distinct(pages: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop pages that already are copies of an earlier page (the source corpus has a few): candidate
    pairs from a loose LSH, labelled by their exact shingle Jaccard."""
    lsh = MinHashLSH(threshold=0.2, num_perm=NUM_PERM)
    kept: list[tuple[str, str, str]] = []
    grams: dict[str, set[str]] = {}
    for pid, site, body in pages:
        sig = signature(body)
        if sig is None:
            continue
        mine = shingles(body)
        if any(_jaccard(mine, grams[str(o)]) >= AMBIGUOUS_JACCARD for o in lsh.query(sig)):
            continue
        lsh.insert(pid, sig)
        grams[pid] = mine
        kept.append((pid, site, body))
    return kept


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def pair_scores(predicted: set[frozenset[str]], gold: set[frozenset[str]]) -> tuple[float, float]:
    """Precision and recall of predicted pairs against gold pairs (every other predicted pair is wrong)."""
    tp = len(predicted & gold)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(gold) if gold else 1.0
    return precision, recall


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 over the gold items (same definition as score_stories.py)."""
    p_cl: dict[str, set[str]] = defaultdict(set)
    g_cl: dict[str, set[str]] = defaultdict(set)
    for item, c in predicted.items():
        if item in gold:
            p_cl[c].add(item)
    for item, c in gold.items():
        g_cl[c].add(item)
    bp = br = 0.0
    for item in gold:
        if item not in predicted:
            continue
        cluster, klass = p_cl[predicted[item]], g_cl[gold[item]]
        inter = len(cluster & klass)
        bp += inter / len(cluster)
        br += inter / len(klass)
    n = len(gold) or 1
    bp, br = bp / n, br / n
    return bp, br, (2 * bp * br / (bp + br) if bp + br else 0.0)


def tfidf_baseline(docs: Sequence[tuple[str, str]], threshold: float = 0.15) -> dict[str, str]:
    """The reference: plain TF-IDF cosine, greedy online single link (README of the stories data).

    ``docs`` are (id, text) in publication order. Raw term counts of lower-cased ``\\w\\w+`` tokens
    minus spaCy's English stop words, smoothed IDF ``ln((1+n)/(1+df)) + 1`` over all documents,
    L2 norm; each article joins the story of its most similar earlier article at cosine >= threshold.
    """
    token = re.compile(r"(?u)\b\w\w+\b")
    counts = [Counter(w for w in token.findall(text.lower()) if w not in STOP_WORDS) for _, text in docs]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(docs)
    vectors = []
    for c in counts:
        v = {w: k * (math.log((1 + n) / (1 + df[w])) + 1) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({w: x / norm for w, x in v.items()})
    assign: dict[str, str] = {}
    for i, (doc_id, _) in enumerate(docs):
        best, best_j = 0.0, -1
        for j in range(i):
            sim = cosine(vectors[i], vectors[j])
            if sim > best:
                best, best_j = sim, j
        assign[doc_id] = assign[docs[best_j][0]] if best_j >= 0 and best >= threshold else doc_id
    return assign
