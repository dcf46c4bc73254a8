"""LLM backends over the demo pack, with a `FunctionModel` standing in for the model: what we do with a model's
answer where the demo pack's learned readers and its catalog (no prices) have a say. Apart from tests/test_llm.py so
that its model servers start while the demo pack's state is still being built (tests/conftest.py)."""

from __future__ import annotations

import json

from assistant.assistant import Assistant
from assistant.llm.backends import Backend
from assistant.llm.chat import FunctionModel
from assistant.models import Session


def test_a_price_the_parser_missed_is_taken_from_the_model_only_when_the_message_writes_it(small_engine, demo_engine):
    catalog = small_engine.catalog
    message = "a road trip with a talking animal, I have 25 to spend"  # the parser reads no price here
    assert small_engine.parser.parse(message, Session()).preferences.price_max is None

    def ask(engine, content: str, text: str = message):
        asked = []

        def model(messages, schema):
            asked.append(json.dumps([messages, schema]))
            return content

        assistant = Assistant(engine, backend=Backend(engine, FunctionModel(model), "function"))
        session = Session()
        reply = assistant.respond(session, text)
        return session, reply, asked[0]

    session, reply, request = ask(small_engine, '{"intent": "recommend", "price_max": 25}')
    assert session.preferences.price_max == 25 and "price_max" in request
    assert reply.recommendations and all(catalog.get(r.item_id).price <= 25 for r in reply.recommendations)
    assert "25" not in session.preferences.query.split()
    # an amount the message does not write is the model's invention: left out
    session, _, _ = ask(small_engine, '{"intent": "recommend", "price_max": 30, "price_min": 5}')
    assert (session.preferences.price_min, session.preferences.price_max) == (None, None)
    # a catalog without prices is never asked about them
    session, _, request = ask(demo_engine, '{"intent": "recommend", "price_max": 25}')
    assert "price" not in request and session.preferences.price_max is None


def test_the_model_calls_a_message_off_topic_only_where_the_learned_reader_reads_it_so(demo_engine):
    from assistant.understanding.learned import NAME

    assert NAME in dict(demo_engine.parser.readers)  # the demo engine has its learned reader
    assistant = Assistant(demo_engine, backend=Backend(
        demo_engine, FunctionModel(lambda messages, schema: '{"intent": "out_of_scope"}'), "function"))
    # free words the parser would search, which a small model calls off topic: the learned reader reads a request
    # ("darker"), so the parser's reading stands; where it reads off topic too, the model's reading is taken
    session = Session()
    assistant.respond(session, "a comedy from the 90s")
    reply = assistant.respond(session, "nah not feeling it. darker pls")
    assert reply.intent == "refine" and reply.recommendations
    assert assistant.respond(Session(), "my neighbour's dog keeps barking all night").intent == "out_of_scope"


def test_an_opening_must_say_back_what_was_understood_and_the_template_s_notices_stay(demo_engine):
    said = {"opening": ""}
    assistant = Assistant(demo_engine, backend=Backend(demo_engine, FunctionModel(lambda m, s: said["opening"])))
    rules = Assistant(demo_engine)
    template = rules.respond(Session(), "comedies from the 90s").text.split("\n")[0]
    # read back by the parser, a generic sentence asks for neither the genre nor the years: the template stays
    said["opening"] = "Here are a few picks I think you'll enjoy."
    assert list(assistant.stream(Session(), "comedies from the 90s"))[-1].text.split("\n")[0] == template
    said["opening"] = "Some nineties comedies to make you laugh."
    assert list(assistant.stream(Session(), "comedies from the 90s"))[-1].text.split("\n")[0] == said["opening"]
    # "recommend 30 westerns": the model's sentence replaces the list line, never the notice before it
    said["opening"] = "Saddle up with these westerns."
    opening = list(assistant.stream(Session(), "recommend 30 westerns"))[-1].text.split("\n")[0]
    assert opening.startswith("I can list up to 20 movies at a time.") and opening.endswith(said["opening"])
