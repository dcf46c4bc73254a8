"""The ranker's content evidence about what a conversation talked about, and the embedding neighbours
of past conversations."""

from __future__ import annotations

from assistant.models import Session
from retrieval.constraints import Constraints
from retrieval.conversations import ConversationModel, LoggedTurn
from retrieval.recommenders import Context

ALIEN, ALIENS, TERMINATOR, TOY_STORY, HOME_ALONE = "1214", "1200", "1240", "1", "586"


def test_items_like_the_ones_named_get_more_content_evidence(small_engine):
    ranker = small_engine.ranker
    ctx = Context(mentioned=[ALIEN, ALIENS])
    # boosts make sure both probes are in the pool whatever the rest finds
    cands = {c.item_id: c for c in ranker.pool(ctx, Constraints(exclude_ids=frozenset({ALIEN, ALIENS})),
                                               boosts={TERMINATOR: 1.0, TOY_STORY: 1.0})}
    near, far = cands[TERMINATOR].features, cands[TOY_STORY].features
    assert near["mention_similarity"] > far["mention_similarity"]
    assert near["genre_match"] > far["genre_match"] >= 0.0  # Sci-Fi/Action as named, not Children/Comedy
    assert near["year_near"] > far["year_near"] > 0.0  # 1984 is nearer 1979-1986 than 1995
    # the pool also draws items near the named ones from the store
    assert any("mentioned" in c.sources for c in cands.values())
    # with nothing named there is no such evidence
    quiet = ranker.pool(Context(), Constraints(), boosts={TERMINATOR: 1.0})
    assert all(c.features["mention_similarity"] == c.features["genre_match"] == c.features["year_near"] == 0.0
               for c in quiet)


def test_years_leaned_towards_score_but_never_filter(small_engine):
    ranker = small_engine.ranker
    probes = {TOY_STORY: 1.0, ALIEN: 1.0}  # 1995 and 1979
    plain = ranker.pool(Context(), Constraints(), boosts=probes)
    leaning = {c.item_id: c for c in ranker.pool(Context(), Constraints(), boosts=probes, lean_years=(1970, 1979))}
    assert {c.item_id for c in plain} == set(leaning)  # nothing is filtered out
    assert leaning[ALIEN].features["year_lean"] == 1.0 and leaning[TOY_STORY].features["year_lean"] == 0.0
    assert all(c.features["year_lean"] == 0.0 for c in plain)
    # with its weight the lean moves a 1970s film up
    rank = lambda lean: [c.item_id for c in ranker.recommend(Context(), Constraints(), 50, boosts=probes,  # noqa: E731
                                                             lean_years=lean).candidates]
    assert rank((1970, 1979)).index(ALIEN) < rank(None).index(ALIEN)


def test_embedding_neighbours_match_past_conversations_said_in_other_words(small_engine, embedder, tmp_path):
    logs = [
        LoggedTurn(conversation_id="1", text="I want a really scary film that gives me nightmares",
                   said="I want a really scary film that gives me nightmares", recommended=[ALIEN]),
        LoggedTurn(conversation_id="2", text="something light and funny for the kids",
                   said="something light and funny for the kids", recommended=[HOME_ALONE]),
    ]
    ids = small_engine.catalog.ids
    model = ConversationModel.fit(logs, ids, data_hash="h", encode=embedder.encode)
    words = embedder.encode_one("a terrifying horror movie please")  # no word in common with either log
    f = model.features(Context(text="a terrifying horror movie please", words=words), [ALIEN, HOME_ALONE])
    assert f["conv_knn"].tolist() == [0.0, 0.0]  # TF-IDF neighbours need shared words
    assert f["conv_eknn"][0] > f["conv_eknn"][1] >= 0.0
    # without an encoder the model still works, without this signal; and the vectors survive a save
    assert not ConversationModel.fit(logs, ids).features(Context(words=words), [ALIEN])["conv_eknn"].any()
    model.save(tmp_path / "c.pt")
    again = ConversationModel.load(tmp_path / "c.pt", "h")
    assert again.features(Context(words=words), [ALIEN])["conv_eknn"] == f["conv_eknn"][:1]


def test_items_sharing_directors_or_cast_with_the_named_ones_are_proposed_and_scored(tmp_path, embedder):
    import json

    from assistant.engine import prepare
    from eval.benchmark import bench_pack

    bench = tmp_path / "people-crs"
    bench.mkdir()
    items = [  # Heat and Collateral share their director; Ronin shares De Niro with Heat; Up shares no one
        ("1", "Heat", 1995, ["crime"], ["Michael Mann"], ["Al Pacino", "Robert De Niro"]),
        ("2", "Collateral", 2004, ["crime"], ["Michael Mann"], ["Tom Cruise"]),
        ("3", "Ronin", 1998, ["action"], ["John Frankenheimer"], ["Robert De Niro"]),
        ("4", "Up", 2009, ["animation"], ["Pete Docter"], ["Ed Asner"]),
        ("5", "Thief", 1981, ["crime"], ["Michael Mann"], ["James Caan", "Robert De Niro"]),
    ]
    with (bench / "items.jsonl").open("w") as f:
        for iid, title, year, genres, directors, cast in items:
            f.write(json.dumps({"id": iid, "name": f"{title} ({year})", "title": title, "year": year, "genres": genres,
                                "directors": directors, "cast": cast}) + "\n")
    (bench / "cases.jsonl").write_text("")
    engine = prepare(bench_pack(bench, tmp_path)[0], tmp_path / "state", embedder=embedder, progress=False)
    ranker = engine.ranker
    pool = {c.item_id: c for c in ranker.pool(Context(mentioned=["1"]), Constraints(exclude_ids=frozenset({"1"})))}
    assert {"2", "3", "5"} <= set(pool) and "1" not in pool
    assert all("people" in pool[i].sources for i in ("2", "3", "5")) and "people" not in pool["4"].sources
    assert pool["5"].features["people_match"] == 2.0  # Mann and De Niro
    assert pool["2"].features["people_match"] == pool["3"].features["people_match"] == 1.0
    assert pool["4"].features["people_match"] == 0.0
    # ties are cut in catalog order, whatever order the people come in (they come from sets, whose order
    # changes with each process's hash seed, and so did the benchmark's candidate pools)
    people = {"michael mann": 1, "robert de niro": 1}
    for order in (people, dict(reversed(people.items()))):
        assert ranker._sharing_people(order, {"1"}, 2) == ["5", "2"]
    # nothing named, no such evidence
    assert all(c.features["people_match"] == 0.0 for c in ranker.pool(Context(), Constraints()))
    # the explanation says which of them it shares with what the person liked, and nothing else about people
    from assistant.dialogue.explain import claims_for, render
    from assistant.models import Preferences

    text = render(claims_for(pool["5"], Preferences(liked=["1"]), engine.catalog))
    assert "Directed by Michael Mann." in text and "Starring Robert De Niro." in text and "Caan" not in text
    assert "Directed" not in render(claims_for(pool["4"], Preferences(liked=["1"]), engine.catalog))


def test_the_pool_holds_what_plain_dense_retrieval_of_everything_said_finds(small_engine, embedder):
    """Early words ("aliens") outlast the recent-words window: the whole conversation is a search and a feature."""
    from assistant.assistant import Assistant
    from assistant.models import Session

    assistant = Assistant(small_engine)
    session = Session()
    for text in ("I'm after something with aliens invading earth", "hmm", "ok", "sure", "any more?", "go on"):
        assistant.observe(session, "user", text)
    ctx = assistant.ranking.context(session)
    assert ctx.dialogue is not None and ctx.words is not None and not (ctx.dialogue == ctx.words).all()
    dense = [h.item_id for h in small_engine.store.search(ctx.dialogue, 10)]
    pool = {c.item_id: c for c in small_engine.ranker.pool(ctx, Constraints())}
    assert set(dense) <= set(pool)
    assert all(pool[i].features["dialogue_similarity"] > 0 for i in dense)
    assert any("dialogue" in pool[i].sources for i in dense)
    # a conversation no longer than the recent words has nothing more to say: no second search, no second feature
    short = Session()
    assistant.observe(short, "user", "I'm after something with aliens invading earth")
    quick = small_engine.ranker.pool(assistant.ranking.context(short), Constraints())
    assert all(c.features["dialogue_similarity"] == 0.0 and "dialogue" not in c.sources for c in quick)


def test_what_the_recommender_proposed_stays_open_and_what_the_person_named_does_not(small_assistant):
    """Replayed history (`observe`): an item the assistant's side named stays a candidate, as the assistant's own
    picks do live, until the person has seen it, turns it down or names it themselves."""
    catalog = small_assistant.engine.catalog
    loved, proposed, other = [i for i in catalog.ids if catalog.get(i).year and len(catalog.get(i).title) > 6][:3]
    session = Session()
    small_assistant.observe(session, "user", f"I loved {catalog.get(loved).name}")
    small_assistant.observe(session, "assistant", f"Then you should watch {catalog.get(proposed).name}")
    small_assistant.observe(session, "user", "Is that a good one? I have never seen it.")
    excluded = small_assistant.ranking.constraints(session).exclude_ids
    assert loved in excluded and proposed not in excluded
    small_assistant.observe(session, "user", "I've seen that one already")
    assert proposed in small_assistant.ranking.constraints(session).exclude_ids
    small_assistant.observe(session, "assistant", f"How about {catalog.get(other).name}?")
    assert other not in small_assistant.ranking.constraints(session).exclude_ids
    small_assistant.observe(session, "user", f"{catalog.get(other).name} is one I know well")
    assert other in small_assistant.ranking.constraints(session).exclude_ids


def test_a_request_of_genres_alone_searches_by_their_items_not_their_names(demo_engine):
    import numpy as np

    from assistant.assistant import Assistant
    from assistant.models import Preferences

    ranking = Assistant(demo_engine).ranking
    hot = demo_engine.store.hot
    romance = ranking.genre_vector(Preferences(include_genres=["romance"]))
    rows = hot.genres["romance"]
    mean = hot.vectors[rows].mean(axis=0)
    assert np.allclose(romance, mean / np.linalg.norm(mean), atol=1e-5)
    assert ranking.query_text(Preferences(include_genres=["romance"])) == ""  # the name is not embedded
    # beside words, the words need the genre's name with them ("a documentary about food")
    with_words = Preferences(include_genres=["documentary"], query="food")
    assert ranking.genre_vector(with_words) is None and ranking.query_text(with_words) == "food Documentary"
    # the titles that carry the word no longer lead: Romance (1999), The Romantics (2010)
    reply = Assistant(demo_engine).respond(Session(), "romance movies")
    assert len(reply.recommendations) == 5
    assert not any("roman" in r.title.casefold() for r in reply.recommendations)


def test_a_series_ruled_out_leaves_every_film_of_it_out(demo_engine):
    from assistant.assistant import Assistant

    assistant = Assistant(demo_engine)
    session = Session()
    reply = assistant.respond(session, "fantasy but not harry potter or lord of the rings")
    titles = [r.title.casefold() for r in reply.recommendations]
    assert len(titles) == 5 and not any("harry potter" in t or "lord of the rings" in t for t in titles)
    out = assistant.ranking.series_ruled_out(session.preferences)
    named = {demo_engine.catalog.get(i).name for i in out}
    assert "Harry Potter and the Goblet of Fire (2005)" in named
    assert "The Lord of the Rings: The Return of the King (2003)" in named
    # a series is two words or more: turning down Alien leaves the other titles that open with "alien" alone
    from assistant.models import Preferences

    alien = next(i for i in demo_engine.catalog.ids if demo_engine.catalog.get(i).name == "Alien (1979)")
    assert assistant.ranking.series_ruled_out(Preferences(disliked=[alien])) == []


def test_a_liked_items_sequels_are_proposed_and_scored_as_parts_of_its_series(tmp_path, embedder):
    """Parts of a series share the name before a part number or subtitle; namesakes ("Heat", "The Heat") and two
    entries of one title are not a series."""
    import json

    from assistant.engine import prepare
    from eval.benchmark import bench_pack
    from retrieval.series import series_names

    assert series_names("Star Wars: Episode IV - A New Hope") == ({"star wars"}, True)
    assert series_names("Catching Fire (The Hunger Games, #2)") == ({"catching fire", "hunger games"}, True)
    assert series_names("The Hunger Games (The Hunger Games, #1)") == ({"hunger games"}, True)
    assert series_names("Friday the 13th Part 2") == ({"friday the 13th"}, True)
    assert series_names("Heat") == ({"heat"}, False) and series_names("2012") == (frozenset({"2012"}), False)
    bench = tmp_path / "series-crs"
    bench.mkdir()
    titles = ["Iron Man", "Iron Man 2", "Iron Man III", "The Iron Giant", "Iron Man", "Heat", "The Heat",
              "Highlander", "Highlander: Endgame", "Up"]
    with (bench / "items.jsonl").open("w") as f:
        for n, title in enumerate(titles, 1):
            f.write(json.dumps({"id": str(n), "title": title, "year": 1980 + n}) + "\n")
    (bench / "cases.jsonl").write_text("")
    engine = prepare(bench_pack(bench, tmp_path)[0], tmp_path / "state", embedder=embedder, progress=False)
    ranker = engine.ranker
    assert engine.catalog.series.parts(["1"], 10) == ["2", "3"]  # not The Iron Giant, nor the second entry of Iron Man
    series = engine.catalog.series
    assert series.parts(["9"], 10) == ["8"] and series.parts(["6"], 10) == []  # Heat has no sequel
    ctx = Context(liked=["1"], mentioned=["1"])
    pool = {c.item_id: c for c in ranker.pool(ctx, Constraints(exclude_ids=frozenset({"1"})))}
    assert {"2", "3"} <= set(pool) and all("series" in pool[i].sources for i in ("2", "3"))
    assert pool["2"].features["same_series"] == pool["3"].features["same_series"] == 1.0
    assert all(pool[i].features["same_series"] == 0.0 for i in ("4", "5", "10"))
    # a constraint still decides what may be shown: a sequel ruled out is not proposed
    ruled = ranker.pool(ctx, Constraints(exclude_ids=frozenset({"1", "2"})))
    assert "2" not in {c.item_id for c in ruled}
    # nothing liked, no such evidence
    assert all(c.features["same_series"] == 0.0 for c in ranker.pool(Context(mentioned=["1"]), Constraints()))
    # the card says so, and only where it is true
    from assistant.dialogue.explain import claims_for, render
    from assistant.models import Preferences, Recommendation, SeriesClaim
    from eval.faithfulness import claim_problems

    assert "From the same series as Iron Man (1981)." in render(claims_for(pool["2"], Preferences(liked=["1"]),
                                                                           engine.catalog))
    assert "series" not in render(claims_for(pool["4"], Preferences(liked=["1"]), engine.catalog))
    giant = engine.catalog.get("4")
    false = SeriesClaim(seed_id="1", seed_title="Iron Man (1981)")
    rec = Recommendation(item_id="4", title=giant.title, year=giant.year, genres=[], explanation=render([false]),
                         score=1.0, claims=[false])
    assert claim_problems(rec, engine.catalog) == ["4: not of the series of Iron Man (1981)"]
