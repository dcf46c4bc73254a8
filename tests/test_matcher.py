"""The support matcher: it learns which passage answers which question from the pack's examples, its chances are
calibrated on phrasings it did not see, it is saved and refused when stale, and its examples file is checked."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.docs import load_docs
from retrieval.errors import IndexNotBuilt
from retrieval.matcher import Matcher, PassageSimilarity, family_folds, family_key, load_examples, page_examples
from tests.conftest import DEMO_PACK

REFUND = "refunds#how-do-i-get-a-refund-or-return-an-item"
PASSWORD = "account#i-forgot-my-password"


@pytest.fixture(scope="module")
def pages(embedder):
    passages, issues = load_docs(DEMO_PACK / "support")
    assert passages and not issues
    asked = page_examples(passages)
    similarity = PassageSimilarity(passages, embedder.encode([e.text for e in asked]), [e.passage for e in asked],
                                   embedder.encode([p.body for p in passages]))
    return passages, asked, similarity


def fit(pages, embedder, extra=()):
    passages, asked, similarity = pages
    texts = [e.text for e in asked] + [t for t, _ in extra]
    labels = [e.passage for e in asked] + [p for _, p in extra]
    vectors = np.vstack([similarity.questions, embedder.encode([t for t, _ in extra])]) if extra \
        else similarity.questions
    return Matcher.fit(similarity, vectors, texts, labels, pages=len(asked), data_hash="h")


def chance(matcher, similarity, embedder, text: str, passage: str) -> float:
    _, probs = matcher.evidence(similarity, embedder.encode([text]), [text])
    return float(probs[0, similarity.ids.index(passage)])


def top(matcher, similarity, embedder, text: str) -> str:
    _, probs = matcher.evidence(similarity, embedder.encode([text]), [text])
    return similarity.ids[int(probs[0].argmax())]


def test_paraphrase_families_drop_politeness_and_the_asking_frame():
    assert family_key("Could you please help me cancel my order?") == family_key("cancel order")
    assert family_key("I don't know how to cancel an order") == family_key("cancel my order")
    assert family_key("cancel my order") != family_key("track my refund")
    texts = ["can you help me to cancel my order", "cancel order please", "where is my refund", "refund where?"]
    folds = family_folds(texts)
    assert folds[0] == folds[1] and folds[2] == folds[3]


def test_the_matcher_learns_a_phrasing_the_help_pages_never_use(pages, embedder):
    """A shop's logs say that "the disc skips" means a return; the pages never say so. Trained on a few such
    examples, the matcher sends another phrasing of that complaint to the refund passage."""
    _, _, similarity = pages
    before = fit(pages, embedder)
    taught = fit(pages, embedder, extra=[
        ("my disc keeps skipping", REFUND), ("the dvd skips halfway through", REFUND),
        ("the blu-ray freezes and skips", REFUND), ("disc skipping, what can I do", REFUND),
        ("I forgot my password", PASSWORD), ("can't remember my login password", PASSWORD),
    ])
    question = "the movie skips all the time on my player"
    assert chance(taught, similarity, embedder, question, REFUND) > 10 * chance(before, similarity, embedder,
                                                                                question, REFUND)
    assert top(taught, similarity, embedder, question) == REFUND != top(before, similarity, embedder, question)
    assert taught.mix.shape == (3,) and taught.meta["n_examples"] == len(pages[1]) + 6
    assert taught.mix[0] == taught.mix[1]  # the closeness (asked + text) keeps its shape; only its scale is fitted
    assert {"skipp", "skips"} & set(taught.vocabulary[REFUND])  # words a covered answer may use


def test_chances_sum_to_one_and_favour_the_page_that_answers(pages, embedder):
    _, _, similarity = pages
    matcher = fit(pages, embedder)
    texts = ["I forgot my password", "how do I get a refund?"]
    close, probs = matcher.evidence(similarity, embedder.encode(texts), texts)
    assert np.allclose(close, similarity(embedder.encode(texts), texts), atol=1e-5)  # no examples: the pages' own
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert similarity.ids[int(probs[0].argmax())] == PASSWORD
    assert similarity.ids[int(probs[1].argmax())] == REFUND


def test_a_saved_matcher_loads_and_is_refused_when_its_data_changed(pages, embedder, tmp_path):
    _, _, similarity = pages
    matcher = fit(pages, embedder)
    path = tmp_path / "matcher.pt"
    matcher.save(path)
    back = Matcher.load(path, "h")
    vector = embedder.encode(["where is my refund"])
    assert np.allclose(back.evidence(similarity, vector, ["where is my refund"])[1],
                       matcher.evidence(similarity, vector, ["where is my refund"])[1], atol=1e-3)
    with pytest.raises(IndexNotBuilt, match="crs train"):
        Matcher.load(path, "other-data")
    with pytest.raises(IndexNotBuilt, match="crs train"):
        Matcher.load(tmp_path / "missing.pt", "h")


def test_an_examples_file_with_bad_rows_keeps_the_good_ones_and_says_which_were_skipped(pages, tmp_path):
    passages = pages[0]
    path = tmp_path / "examples.csv"
    path.write_text("utterance,passage\n"
                    f"my disc skips,{REFUND}\n"
                    "lost my password,I forgot my password\n"      # the section heading works too
                    f",{REFUND}\n"                                 # no utterance
                    "what is this,no#such-passage\n", encoding="utf-8")
    examples, issues = load_examples(path, passages)
    assert [(e.text, e.passage) for e in examples] == [("my disc skips", REFUND), ("lost my password", PASSWORD)]
    assert [(i.line, i.reason) for i in issues] == [(4, "empty utterance"), (5, "no passage 'no#such-passage'")]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text,label\nhello,there\n", encoding="utf-8")
    assert load_examples(wrong, passages)[0] == [] and "needs columns" in load_examples(wrong, passages)[1][0].reason


def test_the_served_desk_loads_the_trained_matcher_and_refuses_a_stale_one(small_engine, tmp_path, embedder):
    from retrieval.build import train_matcher
    from retrieval.docs import docs_hash

    desk = small_engine.support
    assert desk.matcher is not None and desk.matcher.meta["n_examples"] > 4000  # the demo's examples file
    passages = list(desk.passages.values())
    with pytest.raises(IndexNotBuilt, match="crs train"):
        train_matcher(small_engine.pack, passages, desk.similarity, embedder, tmp_path, docs_hash(passages),
                      build=False)
