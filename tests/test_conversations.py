"""Conversation-log CF: what past conversations named, recommended, accepted and turned down; and the
benchmark's K-fold training, where no dialogue ever helps predict itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.conversations import ConversationModel, LoggedTurn
from retrieval.errors import IndexNotBuilt
from retrieval.recommenders import Context

ITEMS = ["a", "b", "c", "d", "e", "f"]


def turn(cid, text="", mentioned=(), recommended=(), accepted=(), rejected=()):
    return LoggedTurn(conversation_id=cid, text=text, mentioned=list(mentioned), recommended=list(recommended),
                      accepted=list(accepted), rejected=list(rejected))


@pytest.fixture(scope="module")
def model():
    logs = [
        turn("1", "a space adventure with robots", ["a"], ["b"]),
        turn("2", "space robots again please", ["a"], ["b", "c"], rejected=["c"]),
        turn("3", "a gentle romance set in paris", ["d"], ["e"], accepted=["e"]),
        turn("3", "a gentle romance set in paris, more", ["d", "e"], ["f"]),
    ]
    return ConversationModel.fit(logs, ITEMS, data_hash="h1")


def feats(model, ctx, ids=ITEMS):
    return {k: dict(zip(ids, v.tolist(), strict=True)) for k, v in model.features(ctx, ids).items()}


def test_items_named_together_and_what_followed_a_mention(model):
    f = feats(model, Context(mentioned=["a"]))
    assert f["conv_co"]["b"] > 0 and f["conv_co"]["d"] == 0
    assert f["conv_trans"]["b"] > f["conv_trans"]["c"] == 0  # c was turned down after a
    assert f["conv_co"]["c"] == 0  # a rejected recommendation is not "named together"
    assert model.candidates(Context(mentioned=["a"]), 2)[0] == "b"


def test_cosine_co_mention_favours_items_that_always_come_together_over_a_blockbuster_s_company():
    # a is named in four conversations, b in two of them; e and f are only ever named together, twice
    logs = [turn("1", mentioned=["a", "b"]), turn("2", mentioned=["a", "c"]), turn("3", mentioned=["a", "d"]),
            turn("4", mentioned=["a", "b"]), turn("5", mentioned=["e", "f"]),
            turn("6", mentioned=["e"], recommended=["f"])]
    m = ConversationModel.fit(logs, ITEMS)
    f = feats(m, Context(mentioned=["e", "a"]))  # a, the newest, counts the most
    assert f["conv_co"]["b"] == f["conv_co"]["f"] > 0  # two shared conversations each
    assert f["conv_cos"]["f"] > f["conv_cos"]["b"] > f["conv_cos"]["c"] > 0
    assert f["conv_cos"]["e"] == f["conv_cos"]["a"] == 0  # what was named is not its own neighbour


def test_accepted_recommendations_count_more_and_rejected_ones_against(model):
    pop = feats(model, Context())["conv_pop"]
    assert pop["e"] > pop["f"] > 0  # e accepted, f merely recommended
    assert pop["c"] == 0  # recommended once, rejected once


def test_past_conversations_with_the_same_words_vote_for_what_was_recommended(model):
    knn = feats(model, Context(text="romance in paris"))["conv_knn"]
    assert knn["e"] > 0 and knn["f"] > 0 and knn["b"] == 0
    assert not any(feats(model, Context(text="zzz qqq"))["conv_knn"].values())


def test_a_close_past_conversation_also_votes_for_what_it_recommended_later():
    logs = [turn("x", "a quiet film about the sea", ["d"], ["a"]), turn("x", "anything else at all", ["d"], ["b"]),
            turn("y", "the sea again", [], ["c"])]
    f = feats(ConversationModel.fit(logs, ITEMS), Context(text="something about the sea"))
    assert f["conv_knn"]["a"] > 0 and f["conv_knn"]["c"] > 0 and f["conv_knn"]["b"] == 0
    assert f["conv_knn_dlg"]["b"] > 0 and f["conv_knn_dlg"]["a"] >= f["conv_knn"]["a"]
    assert f["conv_knn_dlg"]["e"] == 0


def test_what_was_recommended_just_before_is_the_trend(monkeypatch):
    import retrieval.conversations as conversations

    monkeypatch.setattr(conversations, "TREND_WINDOW", 2)
    logs = [LoggedTurn(conversation_id=c, recommended=rec, rejected=rej, at=at) for c, rec, rej, at in [
        ("newer", ["d", "e"], ["e"], 10.0), ("old", ["a", "b"], [], 1.0), ("mid", ["a", "c"], [], 5.0),
        ("new", ["d"], [], 9.0), ("untimed", ["f"], [], None)]]  # the logs' order does not matter, their times do
    m = ConversationModel.fit(logs, ITEMS)
    before = lambda at: feats(m, Context(at=at))["conv_trend"]  # noqa: E731
    assert [k for k, v in before(2.0).items() if v > 0] == ["a", "b"]  # only "old" came before
    assert before(6.0)["a"] > before(6.0)["b"] > 0 and before(6.0)["c"] > 0  # "old" and "mid"
    assert [k for k, v in before(9.5).items() if v > 0] == ["a", "c", "d"]  # the two latest before: "mid", "new"
    assert [k for k, v in before(None).items() if v > 0] == ["d"]  # now: "new" and "newer"; e was turned down
    assert not any(before(5.0 - 4.5).values())  # nothing came before; a conversation at `at` itself is not before
    assert before(5.0)["c"] == 0
    assert feats(m, Context(at=2.0))["conv_pop"]["f"] > 0 and before(20.0)["f"] == 0  # no time, no trend
    assert not any(feats(ConversationModel.fit(logs[-1:], ITEMS), Context())["conv_trend"].values())  # none timed


def test_save_load_roundtrip_and_stale_models_are_refused(model, tmp_path):
    path = tmp_path / "conversations.pt"
    model.save(path)
    again = ConversationModel.load(path, "h1")
    ctx = Context(text="space robots", mentioned=["a", "d"], recent=["d"])
    for key, values in model.features(ctx, ITEMS).items():
        assert np.allclose(again.features(ctx, ITEMS)[key], values), key
    with pytest.raises(IndexNotBuilt, match="crs train"):
        ConversationModel.load(path, "other")


def test_an_empty_log_scores_nothing():
    empty = ConversationModel.fit([], ITEMS)
    assert not any(v.any() for v in empty.features(Context(text="anything", mentioned=["a"]), ITEMS).values())


@pytest.fixture(scope="module")
def paired_bench(tmp_path_factory, small_pack_dir):
    """Dialogues in threes: all of a group use the same made-up word and get the same target, which no
    other dialogue mentions. A word must occur in two past dialogues to count (TF-IDF min_df), so a
    dialogue can learn its target only when both partners are in other folds."""
    from retrieval.pack import load_pack

    pack = load_pack(small_pack_dir)
    root = tmp_path_factory.mktemp("paired") / "paired-crs"
    root.mkdir()
    with (root / "items.jsonl").open("w") as f:
        for it in pack.items:
            f.write(json.dumps({"id": it.id, "name": it.name, "title": it.title, "year": it.year}) + "\n")
    targets = [it.id for it in pack.items[40:56]]
    rows = []
    for k, target in enumerate(targets):
        word = "".join(chr(ord("k") + int(d)) for d in f"{k:03d}")  # a word no other pair uses
        for side in ("left", "r", "mid-"):
            rows.append({"id": f"{side}{k}", "dialog_id": f"{side}{k}",
                         "turns": [{"role": "user", "text": f"I want something {word} {word} tonight"}],
                         "target_ids": [target], "mentioned_ids": []})
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_kfold_learns_from_other_dialogues_only(paired_bench, small_assistant):
    from eval.benchmark import load_cases, replay, run_benchmark
    from eval.folds import fold_of, logged_turns, run_folds

    cases = load_cases(paired_bench)
    partners = {c.id: [o for o in cases if o.target_ids == c.target_ids and o.id != c.id] for c in cases}
    learnable = {c.id for c in cases if all(fold_of(o, 2) != fold_of(c, 2) for o in partners[c.id])}
    isolated = {c.id for c in cases if all(fold_of(o, 2) == fold_of(c, 2) for o in partners[c.id])}
    assert learnable and isolated  # the fixture has both kinds

    replays, info = run_folds(small_assistant, cases, cases, folds=2, learn_blend=False, progress=False)
    assert info["folds"] == 2
    target = {c.id: c.target_ids[0] for c in cases}
    rank = {cid: r.ranked.index(target[cid]) if target[cid] in r.ranked else 99 for cid, r in replays.items()}
    assert all(rank[c] < 3 for c in learnable)  # learned from its two partners in the other fold
    assert all(rank[c] >= 3 for c in isolated)  # only its own fold knew it: never learned

    # the positive control: a model that saw every dialogue (a leak) finds every target near the top
    ranker = small_assistant.engine.ranker
    base = list(ranker.models)
    ranker.set_models([*base, ConversationModel.fit(logged_turns(cases), small_assistant.engine.catalog.ids)])
    try:
        leaked = {c.id: replay(small_assistant, c).ranked for c in cases}
        assert all(target[c.id] in leaked[c.id][:5] for c in cases)
    finally:
        ranker.set_models(base)

    result = run_benchmark(small_assistant, paired_bench, folds=2, progress=False)
    assert result["training"] == {"folds": 2, "blend": "default (a learned blend needs 3 folds or more)",
                                  "train_seconds": result["training"]["train_seconds"]}
    assert result["recall@5"] == pytest.approx(sum(rank[c] < 5 for c in rank) / len(cases), abs=1e-4)


def test_the_learned_blend_finds_what_decides_and_beats_fixed_weights():
    from retrieval.blend import Blend

    rng = np.random.default_rng(0)
    names = ["similarity", "popularity", "conv_knn"]

    def example():
        f = rng.random((30, 3)).astype(np.float32)
        y = np.zeros(30, dtype=np.float32)
        y[int(np.argmax(f[:, 2] - 0.8 * f[:, 1]))] = 1.0  # taken: close in words, not the hit
        return f, y

    learned = Blend.fit(names, [example() for _ in range(400)], epochs=15)
    fixed = Blend.default(names)
    held_out = [example() for _ in range(200)]
    top1 = lambda b: np.mean([y[np.argmax(b.score(f))] for f, y in held_out])  # noqa: E731
    assert top1(learned) > 0.8 > top1(fixed)


def test_the_learned_blend_averages_nets_from_several_seeds_and_survives_a_save(tmp_path):
    from retrieval.blend import Blend

    rng = np.random.default_rng(1)
    names = ["similarity", "conv_knn"]
    examples = []
    for _ in range(60):
        f = rng.random((12, 2)).astype(np.float32)
        examples.append((f, (np.arange(12) == np.argmax(f[:, 1])).astype(np.float32)))
    blend = Blend.fit(names, examples, epochs=3, members=3)
    one = [Blend.fit(names, examples, epochs=3, members=1, seed=s) for s in range(3)]
    f = examples[0][0]
    assert np.allclose(blend.score(f), np.mean([b.score(f) for b in one], axis=0), atol=1e-5)
    blend.save(tmp_path / "blend.pt")
    again = Blend.load(tmp_path / "blend.pt")
    assert again.learned and np.allclose(again.score(f), blend.score(f))


def test_a_packs_conversation_logs_are_trained_and_change_what_is_recommended(tmp_path, embedder, capsys):
    """An operator's logs in the pack: `crs train` fits the conversation model, the served ranker loads it, and what
    people were recommended after naming a film comes up when a new person names it."""
    from assistant.assistant import Assistant
    from assistant.cli import main
    from assistant.engine import prepare
    from retrieval.build import CONVERSATIONS, model_path
    from assistant.models import Session
    from retrieval.pack import load_pack
    from tests.conftest import make_small_pack

    root = make_small_pack(tmp_path / "pack")
    toy_story, fargo = "1", "608"  # nothing alike: an animated film for children and a crime film
    logs = [json.dumps({"conversation_id": k, "text": f"I loved Toy Story, what next? chat {k}", "at": 1000 + k,
                        "mentioned": [toy_story], "recommended": [fargo], "accepted": [fargo] if k % 2 else []})
            for k in range(12)]
    logs += ["{not json", json.dumps({"text": "no id"}),
             json.dumps({"conversation_id": "x", "recommended": ["no-such-item"]}),
             json.dumps({"conversation_id": "y", "mentioned": ["no-such-item", toy_story], "recommended": [fargo]})]
    (root / "conversations.jsonl").write_text("\n".join(logs) + "\n")
    (root / "pack.toml").write_text((root / "pack.toml").read_text() + '\n[conversations]\npath = "conversations.jsonl"\n')

    pack = load_pack(root)
    assert len(pack.conversations) == 13 and pack.conversations[-1].mentioned == [toy_story]
    problems = {i.line: i.reason for i in pack.issues if i.file == "conversations.jsonl"}
    assert set(problems) == {13, 14, 15, 16} and "kept, without 1 unknown item id" in problems[16]
    assert "no recommended item" in problems[15]

    state = tmp_path / "state"
    assert main(["train", "--pack", str(root), "--state-dir", str(state)]) == 0
    assert "trained conversations on 13 logged turns of 13 conversations" in capsys.readouterr().out
    saved = model_path(state, pack, CONVERSATIONS)
    trained_at = saved.stat().st_mtime_ns
    engine = prepare(root, state, embedder=embedder, progress=False)
    assert saved.stat().st_mtime_ns == trained_at  # loaded as `crs train` saved it, not fitted again
    assert CONVERSATIONS in engine.models and engine.models[CONVERSATIONS].meta["timed_conversations"] == 12

    def picks(eng):
        return [r.item_id for r in Assistant(eng).respond(Session(), "I loved Toy Story").recommendations]

    assert fargo in picks(engine)
    without = prepare(make_small_pack(tmp_path / "plain"), tmp_path / "state-plain", embedder=embedder, progress=False)
    assert fargo not in picks(without)


def test_learned_fixed_weights_follow_what_decides_and_keep_the_prior_where_nothing_is_learned():
    from retrieval.blend import Blend, fit_weights

    rng = np.random.default_rng(2)
    names = ["similarity", "popularity", "conv_knn", "boost"]
    prior = {"similarity": 1.0, "popularity": 0.5, "conv_knn": 0.1, "boost": 0.5}

    def example():
        f = rng.random((30, 4)).astype(np.float32)
        f[:, 3] = 0.0  # never fires in these examples: nothing to learn about it
        y = np.zeros(30, dtype=np.float32)
        y[int(np.argmax(f[:, 2] + 0.2 * f[:, 0]))] = 1.0  # taken: what conv_knn says, not popularity
        return f, y, False

    train = [example() for _ in range(300)]
    weights = fit_weights(names, train, prior)
    assert weights["conv_knn"] > prior["conv_knn"] + 0.3 and weights["popularity"] < prior["popularity"]
    assert weights["boost"] == prior["boost"]
    frozen = fit_weights(names, train, prior, frozen=("popularity",))
    assert frozen["popularity"] == prior["popularity"]
    held_out = [example() for _ in range(200)]
    top1 = lambda w: np.mean([y[np.argmax(Blend(names, w).score(f))] for f, y, _ in held_out])  # noqa: E731
    assert top1(weights) > top1(prior) + 0.2
    with pytest.raises(ValueError):
        fit_weights(names, [(f, np.zeros(len(f), dtype=np.float32), False) for f, _, _ in train[:3]], prior)
