"""Customer service on real parts: help documents parsed and indexed in a real Chroma collection with the real
embedding model, a real SQLite orders database, handoffs stored in SQLite and posted to a real local webhook."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.llm.tasks import grounded
from assistant.support.handoff import HandoffStore
from assistant.models import Session
from assistant.support.orders import MAX_FAILED_LOOKUPS, OrderBook
from assistant.understanding import routing
from retrieval.docs import load_docs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def desk_assistant(small_engine, tmp_path):
    return Assistant(small_engine, handoffs=HandoffStore(tmp_path / "handoffs.sqlite3"))


def _an_order(engine) -> tuple[str, str]:
    db = sqlite3.connect(engine.support.orders.path)
    order_id, email = db.execute("SELECT order_id, email FROM orders WHERE status = 'shipped' ORDER BY order_id").fetchone()
    db.close()
    return order_id, email


# -- documents ----------------------------------------------------------------------------------

def test_markdown_json_and_csv_documents_become_citable_passages_and_broken_files_are_reported(tmp_path):
    (tmp_path / "policies.md").write_text(
        "# Store policies\n\nIntro.\n\n## Returns\n*Also asked: send it back; return window*\n\n"
        "Returns are accepted within **30 days**.\nWrapped onto a second line.\n\n## Returns\nA second section.\n")
    (tmp_path / "faq.json").write_text(json.dumps([{"question": "Do you gift wrap?", "answer": "Yes, for $2."}]))
    (tmp_path / "guide.json").write_text(json.dumps(
        {"title": "Guide", "sections": [{"title": "Setup", "text": "Plug it in.", "questions": ["how to start"]}]}))
    (tmp_path / "more.csv").write_text("question,answer,section\nWhen are you open?,9 to 5.,Opening hours\n")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "wrong.csv").write_text("a,b\n1,2\n")
    passages, issues = load_docs(tmp_path)
    by_id = {p.id: p for p in passages}
    assert set(by_id) == {"policies#returns", "policies#returns-2", "faq#do-you-gift-wrap", "guide#setup",
                          "more#opening-hours"}
    returns = by_id["policies#returns"]
    assert returns.citation == "Store policies › Returns"
    assert returns.questions == ("send it back", "return window")
    assert returns.text == "Returns are accepted within 30 days.\nWrapped onto a second line."
    assert by_id["more#opening-hours"].questions == ("When are you open?",)
    assert sorted(i.file for i in issues) == ["broken.json", "wrong.csv"]
    assert all(i.reason.startswith("skipped:") for i in issues)


# -- routing and citations ------------------------------------------------------------------------

@pytest.mark.parametrize("question, passage", [
    ("how do I send back a disc that arrived scratched?", "refunds#how-do-i-get-a-refund-or-return-an-item"),
    ("can I pay with paypal", "payments#which-payment-methods-do-you-accept"),
    ("I forgot my password", "account#i-forgot-my-password"),
    ("how many days until my parcel arrives with standard delivery", "shipping#how-long-does-delivery-take"),
    ("I want a PDF of my invoice", "payments#how-do-i-get-a-copy-of-an-invoice"),
    ("please take me off your mailing list", "contact#how-do-i-subscribe-to-or-unsubscribe-from-the-newsletter"),
    ("is there a fee if I cancel my order?", "orders#are-there-cancellation-fees"),
    # a greeting before it says nothing of what is asked: matched with it, this went to the page on order status
    ("hey there! how do i return an order", "refunds#how-do-i-get-a-refund-or-return-an-item"),
    ("good morning :) can i change the email on my account", "account#how-do-i-edit-my-account-details"),
])
def test_support_questions_are_answered_from_the_right_passage_with_its_citation(desk_assistant, question, passage):
    """A sure answer cites the right passage; an unsure one offers it among the two closest, each quoted and cited
    ("is there a fee if I cancel my order?" is as close to cancelling as to its fees)."""
    reply = desk_assistant.respond(Session(), question)
    assert reply.intent == "support" and not reply.recommendations
    cited = [c.passage_id for c in reply.citations]
    unsure = reply.text.startswith("I'm not sure I understood")
    assert cited and (cited[0] == passage or (unsure and passage in cited)), (question, cited)
    passages = desk_assistant.engine.support.passages
    assert f"{'Sources' if len(cited) > 1 else 'Source'}: {'; '.join(passages[c].citation for c in cited)}" \
        in reply.text
    texts = " ".join(" ".join(passages[c].text.split()) for c in cited)
    assert all(sentence in texts for sentence in _quoted(reply.text))


def _quoted(text: str) -> list[str]:
    """The sentences a support reply quotes, without the framing around them."""
    text = text.split("\nSource")[0]
    if text.startswith("I'm not sure I understood"):
        text = text.split("help pages: ", 1)[1].split("\nIf that is not")[0]
        text = re.sub(r"\nOr, if you meant “[^”]*”: ", " ", text)
    return re.split(r"(?<=\.) ", text)


def test_support_and_recommendation_alternate_without_losing_the_preferences(desk_assistant):
    a, session = desk_assistant, Session()
    first = a.respond(session, "sci-fi movies from the 90s")
    assert first.intent == "recommend" and first.recommendations
    refund = a.respond(session, "how do I get a refund?")
    assert refund.intent == "support" and refund.citations
    assert refund.preferences == first.preferences and session.shown == [r.item_id for r in first.recommendations]
    more = a.respond(session, "more like the second one")
    assert more.intent == "refine" and first.recommendations[1].item_id in more.preferences.liked
    assert all(1990 <= r.year <= 1999 and "Sci-Fi" in r.genres for r in more.recommendations)
    back = a.respond(session, "and which payment methods do you accept?")
    assert back.intent == "support" and back.preferences == more.preferences


@pytest.mark.parametrize("message", [
    "I loved The Matrix, anything like it?", "a comedy from the 80s please", "hi, how are you?",
    "something with Tom Hanks", "I need a movie for a long flight",
])
def test_recommendation_requests_are_not_taken_for_support(desk_assistant, message):
    assert desk_assistant.respond(Session(), message).intent not in ("support", "handoff")


# Questions the demo shop's help pages do not answer. Whatever the reply, it may only quote the pages.
UNCOVERED = [
    "Do you price match other shops?", "Is there a student discount on orders?", "Do you offer gift wrapping?",
    "Can I pay in instalments?", "Do you ship to Australia?", "Can I pick up my order in a physical store?",
    "What is your warranty on Blu-ray players?", "Do you have a loyalty points program?",
    "Can I order by fax?", "Do you buy used DVDs from customers?", "How do I redeem a promo code?",
    "Is my credit card stored encrypted?", "do you charge sales tax on digital orders?",
    "What's the CEO's email address?", "Do you have a mobile app?", "Can I change the currency of my account?",
]


@pytest.mark.parametrize("message", ["change pw", "forgot my pwd", "my acct is locked"])
def test_account_words_in_chat_spellings_are_support_questions(desk_assistant, message):
    assert desk_assistant.respond(Session(), message).intent in ("support", "handoff"), message


@pytest.mark.parametrize("message", [
    "is there a student discount", "is there a family plan", "how much is premium", "upgrade to premium",
    "do you have a free trial?",
])
def test_what_the_service_costs_is_a_support_question_not_a_request(desk_assistant, message):
    """Plans, discounts and trials are how the shop sells, not what an item is ("a family plan" recommended
    children's films, "how much is premium" was off topic): asked of the help pages, which may not know."""
    reply = desk_assistant.respond(Session(), message)
    assert reply.intent in ("support", "handoff") and not reply.recommendations, message
    assert desk_assistant.respond(Session(), "a family movie please").intent == "recommend"


def test_uncovered_questions_get_no_invented_policy(desk_assistant):
    passages = " ".join(" ".join(p.text.split()) for p in desk_assistant.engine.support.passages.values())
    said_unknown = 0
    for question in UNCOVERED:
        reply = desk_assistant.respond(Session(), question)
        if "couldn't find that in our help pages" in reply.text or "can't answer that" in reply.text:
            said_unknown += 1
            assert not reply.citations
            continue
        # otherwise only ever the closest passage, verbatim, marked as unsure, and cited
        assert reply.intent == "support" and reply.citations, question
        assert "I'm not sure I understood" in reply.text, question
        assert all(s in passages for s in _quoted(reply.text)), question
    assert said_unknown >= len(UNCOVERED) // 2


# -- order status ---------------------------------------------------------------------------------

def test_order_status_needs_both_the_number_and_the_email_on_it(desk_assistant):
    a, session = desk_assistant, Session()
    order_id, email = _an_order(a.engine)
    assert "order number" in a.respond(session, "where is my order?").text
    asked = a.respond(session, f"it is {order_id}")
    assert "email address" in asked.text and order_id not in asked.text
    status = a.respond(session, email.upper())  # emails compare case-insensitively
    assert status.intent == "support" and order_id in status.text and "on its way" in status.text
    assert session.pending_order_id is None and session.pending_email is None


def test_a_wrong_or_missing_email_never_reveals_an_order_or_that_it_exists(desk_assistant):
    a = desk_assistant
    order_id, email = _an_order(a.engine)
    replies = {
        "wrong email": a.respond(Session(), f"status of {order_id} for someone.else@example.com").text,
        "no such order": a.respond(Session(), f"status of RC-000001 for {email}").text,
        "mixed": a.respond(Session(), f"{order_id} {email.replace('@', 'x@')}").text,
    }
    assert len(set(replies.values())) == 1  # the same answer whether the order exists or not
    text = replies["wrong email"]
    assert order_id not in text and "couldn't find" in text
    missing = a.respond(Session(), f"what's the status of order {order_id}?").text
    assert "email address" in missing and "shipped" not in missing and "delivered" not in missing


def test_order_numbers_cannot_be_enumerated_through_the_chat(desk_assistant):
    a, session = desk_assistant, Session()
    order_id, email = _an_order(a.engine)
    for n in range(MAX_FAILED_LOOKUPS):
        reply = a.respond(session, f"RC-{100000 + n} {email}")
        assert "couldn't find" in reply.text
    # from now on even the right pair gets no answer in this conversation
    blocked = a.respond(session, f"{order_id} {email}")
    assert order_id not in blocked.text and "can't look up any more orders" in blocked.text


def test_order_book_is_read_only_and_takes_hostile_input_as_data(small_engine):
    orders: OrderBook = small_engine.support.orders
    order_id, email = _an_order(small_engine)
    assert orders.lookup(order_id, email).order_id == order_id
    for bad in [(order_id, ""), ("", email), (order_id + "' OR '1'='1", email), (order_id, "' OR 1=1 --"),
                ("RC-1' UNION SELECT * FROM orders --", email), (order_id.lower(), "x" * 10_000)]:
        assert orders.lookup(*bad) is None
    with pytest.raises(sqlite3.OperationalError):
        orders._db.execute("DELETE FROM orders")


# -- handoff --------------------------------------------------------------------------------------

class Webhook:
    """A real HTTP endpoint on loopback that records what it is sent."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.received = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                outer.events.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()
                outer.received.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_asking_for_a_person_hands_over_with_the_transcript_and_the_assistant_stays_quiet(small_engine, tmp_path):
    hook = Webhook()
    store = HandoffStore(tmp_path / "handoffs.sqlite3", webhook_url=hook.url)
    a, session = Assistant(small_engine, handoffs=store), Session()
    try:
        a.respond(session, "a comedy from the 90s")
        handed = a.respond(session, "can I talk to a real person please")
        assert handed.intent == "handoff" and handed.handoff
        assert hook.received.wait(10)
    finally:
        hook.close()
    event = hook.events[0]
    assert event["event"] == "handoff" and event["session_id"] == session.id and event["reason"] == "asked for a person"
    assert [t["text"] for t in event["transcript"] if t["role"] == "user"] == [
        "a comedy from the 90s", "can I talk to a real person please"]
    deadline = time.monotonic() + 10  # the notifier records the webhook's answer just after the hook has it
    while store.active(session.id).webhook_status is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.active(session.id).webhook_status == "http 204"
    quiet = a.respond(session, "recommend me a horror movie")
    assert quiet.intent == "handoff" and not quiet.recommendations
    assert store.active(session.id).transcript[-1] == {"role": "user", "text": "recommend me a horror movie"}
    # released (as `crs handoff release` does), the assistant answers again, preferences intact
    assert a.release(session)
    back = a.respond(session, "recommend me a horror movie")
    assert back.intent in ("recommend", "refine") and back.recommendations and not back.handoff


@pytest.mark.parametrize("message, reason", [
    ("I want to file a complaint about your service", "complaint"),
    ("I'm going to sue you, my lawyer will be in touch", "legal"),
    ("someone hacked my account and placed orders", "account_security"),
])
def test_sensitive_topics_are_handed_over_at_once(desk_assistant, message, reason):
    session = Session()
    reply = desk_assistant.respond(session, message)
    assert reply.intent == "handoff" and reply.handoff
    assert desk_assistant.handoffs.active(session.id).reason == reason


@pytest.mark.parametrize("message", [
    # ways of asking the desk's pattern does not list, read by the learned reader (assistant/support/person.py)
    "I want an agent", "help me contact an agent", "this bot is useless, get me a human",
    "is there anybody real I can chat with", "need assistance chatting with somebody",
])
def test_a_person_asked_for_in_any_words_is_handed_over(desk_assistant, message):
    session = Session()
    reply = desk_assistant.respond(session, message)
    assert reply.intent == "handoff" and reply.handoff, message
    assert desk_assistant.handoffs.active(session.id).reason == "asked for a person"


@pytest.mark.parametrize("message", [
    "secret agent movies", "how do I switch user?", "i need assistance to create a new user account",
    "hi, hope you are doing well", "a movie about a travel agent", "how do I contact you by email?",
])
def test_what_does_not_ask_for_a_person_is_not_handed_over(desk_assistant, message):
    reply = desk_assistant.respond(Session(), message)
    assert not reply.handoff and reply.intent != "handoff", message


def test_a_follow_up_with_nothing_of_its_own_is_read_with_the_support_question_it_follows(desk_assistant):
    a, session = desk_assistant, Session()
    policy = a.respond(session, "whats ur return policy on dvds")
    assert policy.intent == "support" and policy.citations
    # the same passage, its sentences nearest the follow-up
    opened = a.respond(session, "what if it was opened")
    assert opened.intent == "support" and opened.citations[0].passage_id == policy.citations[0].passage_id
    assert opened.text.startswith("Opened") and opened.text != policy.text
    # nothing more in the help pages for it: said so, and a person offered
    lost = a.respond(Session(), "hey my order never showed up")
    session = Session()
    a.respond(session, "hey my order never showed up")
    late = a.respond(session, "its been 2 weeks")
    assert late.intent == "support" and late.text.startswith("That is all our help pages say")
    assert late.citations[0].passage_id == lost.citations[0].passage_id and not late.handoff
    assert a.respond(session, "thanks!").intent == "chitchat"  # small talk a reader knows is not a follow-up
    assert a.respond(session, "a comedy from the 80s").intent == "recommend"
    assert a.respond(session, "its been 2 weeks").intent != "support"  # the conversation moved on
    # a fresh conversation has no question to follow
    assert a.respond(Session(), "its been 2 weeks").intent != "support"


def test_the_same_unanswered_question_twice_is_handed_over(desk_assistant):
    a, session = desk_assistant, Session()
    first = a.respond(session, "do you have a loyalty points program for my account?")
    assert first.intent == "support" and "couldn't find" in first.text and not first.handoff
    second = a.respond(session, "is there a loyalty points program for my account?")
    assert second.handoff and a.handoffs.active(session.id).reason == "could not answer twice"


def test_handoffs_survive_a_restart_and_cli_releases_them(small_pack_dir, small_engine, tmp_path, capsys):
    from assistant.cli import main
    from assistant.engine import handoffs_path

    state = tmp_path / "state"
    store = HandoffStore(handoffs_path(state))
    session = Session()
    Assistant(small_engine, handoffs=store).respond(session, "I need to speak to a human agent")
    store.close()
    assert main(["handoff", "list", "--state-dir", str(state)]) == 0
    assert session.id in capsys.readouterr().out
    assert main(["handoff", "release", session.id, "--state-dir", str(state)]) == 0
    assert main(["handoff", "release", session.id, "--state-dir", str(state)]) == 2  # nothing left to release
    assert HandoffStore(handoffs_path(state)).active(session.id) is None


def test_a_pack_without_support_documents_gives_its_contact_details(small_engine):
    import dataclasses

    assistant = Assistant(dataclasses.replace(small_engine, support=None))
    session = Session()
    assistant.respond(session, "sci-fi from the 90s")
    reply = assistant.respond(session, "where is my refund?")
    assert reply.intent == "support" and "can't see orders" in reply.text
    assert small_engine.pack.manifest.support_contact in reply.text and session.preferences.include_genres == ["sci-fi"]


def test_without_a_handoff_store_a_person_request_gets_the_contact_details(small_engine):
    reply = Assistant(small_engine).respond(Session(), "let me speak to a human")
    assert reply.intent == "support" and not reply.handoff
    assert small_engine.pack.manifest.support_contact in reply.text


# -- LLM wording ----------------------------------------------------------------------------------

def test_an_llm_answer_is_kept_only_when_every_fact_in_it_is_in_the_passages():
    sources = ["Returns within 30 days. Email support@shop.example. Express costs $9.99."]
    assert grounded("You can return it within 30 days.", sources)
    assert grounded("Write to support@shop.example; express is $9.99.", sources)
    assert not grounded("You can return it within 60 days.", sources)
    assert not grounded("Write to help@shop.example.", sources)
    assert not grounded("See https://evil.example for details.", sources)
    assert not grounded("<script>alert(1)</script>", sources)
    assert not grounded("", sources)


# -- a second pack: ABCD's agent guidelines --------------------------------------------------------

# Labelled by reading the guidelines: Single-Item Query is every question about one kind of clothing (jeans, boots,
# shirt, jacket), Storewide Query general pricing, timing, membership and policy questions.
ABCD_QUESTIONS = [
    ("I want a refund for the shirt I bought", "product-defect"),
    ("I'd like to return my boots, there's a stain on them", "product-defect"),
    ("I need to change the shipping address for the order I just placed", "shipping-issue"),
    ("can I cancel the order I placed yesterday?", "order-issue"),
    ("my package never arrived, what happened to it?", "shipping-issue"),
    ("I forgot my username", "account-access"),
    ("I can't log in, I need to reset my password", "account-access"),
    ("the two-factor code never arrives", "account-access"),
    ("the website is really slow today", "troubleshoot-site"),
    ("the search bar isn't working", "troubleshoot-site"),
    ("I can't add items to my cart", "troubleshoot-site"),
    ("how do I change the phone number on my account?", "manage-account"),
    ("I want to update the address on my profile", "manage-account"),
    ("there is an extra fee on my order that I did not expect", "order-issue"),
    ("I'm being billed for something I never bought", "purchase-dispute"),
    ("the promo code didn't work and I paid full price", "purchase-dispute"),
    ("when is my subscription fee due?", "subscription-inquiry"),
    ("did my payment go through? I want to be sure my premium subscription is still active", "subscription-inquiry"),
    ("I was charged for my subscription twice this month", "subscription-inquiry"),
    ("I can't afford my premium subscription right now, can I get more time to pay?", "subscription-inquiry"),
    ("the item I wanted is out of stock", "purchase-dispute"),
    ("my credit card keeps getting rejected at checkout", "troubleshoot-site"),
    ("I'd like to upgrade my order to overnight shipping", "order-issue"),
    ("I found the same jacket cheaper at a competitor", "purchase-dispute"),
    ("what is the return policy on jeans?", "single-item-query"),
    ("how long does standard shipping usually take?", "storewide-query"),
    ("what sizes does this boot come in?", "single-item-query"),
    ("what material is this jacket made of?", "single-item-query"),
]


@pytest.fixture(scope="module")
def abcd_engine(tmp_path_factory, embedder):
    from assistant.engine import prepare
    from eval.abcd import build_abcd_pack

    source = SHARED / "support-abcd"
    if not (source / "guidelines.json").is_file():
        pytest.skip("../shared/data/support-abcd is not here")
    root = tmp_path_factory.mktemp("abcd")
    pack = build_abcd_pack(source, root / "pack")
    return prepare(pack, root / "state", embedder=embedder, progress=False)


def test_abcd_guideline_pack_cites_the_right_flow(abcd_engine):
    """At least 20 hand-written questions cite the right flow. Known misses (2 of 28): the Storewide FAQ sections
    say nothing about their content beyond "Timing" or "Pricing", so "how long does shipping take" lands on
    Shipping Issue; and "the two-factor code never arrives" finds the right section but too weakly to answer."""
    a = Assistant(abcd_engine)
    right, wrong = [], []
    for question, flow in ABCD_QUESTIONS:
        reply = a.respond(Session(), question)
        cited = reply.citations[0].passage_id.split("#")[0] if reply.citations else None
        (right if cited == flow else wrong).append((question, flow, cited, reply.intent))
    assert len(ABCD_QUESTIONS) >= 28
    assert len(right) >= 20 and len(wrong) <= 2, wrong


# -- crs eval support -------------------------------------------------------------------------------

def test_support_eval_scores_routing_and_citations_as_hand_computed(small_engine, tmp_path):
    from eval.support import evaluate_support

    data = tmp_path / "bench"
    data.mkdir()
    (data / "utterances.csv").write_text(
        "flags,utterance,category,intent\n"
        "B,I forgot my password,ACCOUNT,recover_password\n"          # routed, cites the password passage: right
        "B,how do I cancel my order,ORDER,cancel_order\n"            # routed, cites the cancel passage: right
        "B,which payment methods do you accept,PAYMENT,cancel_order\n"  # routed, labelled wrong on purpose: wrong
        "B,hmm,OTHER,recover_password\n",                            # not routed to support
        encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps({"id": str(n), "turns": [{"role": "user", "text": t}], "targets": []})
                               for n, t in enumerate(["a funny sci-fi movie please", "I loved The Matrix"])))
    intents = tmp_path / "intents.yaml"
    intents.write_text("recover_password: [account#i-forgot-my-password]\ncancel_order: [orders#how-do-i-cancel-an-order]\n")
    result = evaluate_support(small_engine, data, cases, intents=intents, progress=False, folds=2)
    assert (result["n_support"], result["n_recommendation"], result["n"]) == (4, 2, 6)
    assert result["support_routed"] == 0.75 and result["recommendation_routed"] == 1.0
    assert result["routing_accuracy"] == round(5 / 6, 4)
    assert result["by_intent"]["cancel_order"] == 0.5
    assert result["confusion"]["cancel_order"]["cancel_order"] == 1
    assert result["end_to_end"] == 0.5  # two utterances both routed and cited right, of four
    hmm_right = small_engine.support.read("hmm").matches[0].passage.id == "account#i-forgot-my-password"
    assert result["top1_accuracy"] == (2 + hmm_right) / 4  # "hmm" cites whatever is nearest
    # the matcher columns: k-fold and paraphrase-split matchers never saw the utterance they score, so the
    # payment question labelled cancel_order on purpose is still cited from the payments page
    assert set(result["columns"]) == {"similarity_only", "shipped", "kfold", "paraphrase"}
    assert result["by_intent"]["cancel_order"] == 0.5  # k-fold
    assert result["columns"]["kfold"]["top1_accuracy"] <= 0.75
    assert sum(row["n"] for row in result["reliability"]) == 4
    assert result["in_pack_examples"] == 0


def test_support_eval_refuses_an_intent_map_that_does_not_fit_the_data(small_engine, tmp_path):
    from eval.support import evaluate_support

    (tmp_path / "utterances.csv").write_text("utterance,intent\nI forgot my password,recover_password\n")
    (tmp_path / "intents.yaml").write_text("recover_password: [account#no-such-section]\n")
    with pytest.raises(ValueError, match="no-such-section"):
        evaluate_support(small_engine, tmp_path, tmp_path / "none.jsonl", intents=tmp_path / "intents.yaml",
                         progress=False)
    (tmp_path / "intents.yaml").write_text("cancel_order: [orders#how-do-i-cancel-an-order]\n")
    with pytest.raises(ValueError, match="recover_password"):
        evaluate_support(small_engine, tmp_path, tmp_path / "none.jsonl", intents=tmp_path / "intents.yaml",
                         progress=False)


@pytest.mark.parametrize("message, rest", [
    ("hey there! how do i return an order", "how do i return an order"),
    ("yo my dvd came smashed", "my dvd came smashed"),
    ("hi, how are you? any good comedies", "any good comedies"),
    ("good morning :) can i change my email", "can i change my email"),
    ("hey 👋 where is my order", "where is my order"),
    ("hi there", "hi there"),  # a greeting alone stays
    ("hi, how are you", "hi, how are you"),
    ("hey, thanks", "hey, thanks"),
    ("history movies", "history movies"),  # a word that starts like one is no greeting
    ("yolo movies", "yolo movies"),
])
def test_a_greeting_is_set_aside_where_more_follows(message, rest):
    assert routing.past_greeting(message) == rest


def test_a_greeting_does_not_keep_a_support_question_from_the_desk(desk_assistant):
    session = Session()
    reply = desk_assistant.respond(session, "yo my dvd came smashed")
    assert reply.intent == "support" and not reply.recommendations
    assert session.turns[0].text == "yo my dvd came smashed"  # the transcript keeps the message as typed


def test_typed_support_questions_are_scored_through_whole_turns(small_engine, tmp_path):
    from eval.support import evaluate_typed

    typed = tmp_path / "typed.yaml"
    typed.write_text(
        "development:\n"
        "  account#i-forgot-my-password: [\"cant remember my password lol\"]\n"  # routed, cited right
        "  orders#how-do-i-cancel-an-order: [\"which payment methods do you accept\"]\n"  # labelled wrong on purpose
        "test:\n"
        "  orders#how-do-i-cancel-an-order: [\"hmm\"]\n"  # not a support question at all
        "unanswered: [\"what's the capital of France?\"]\n", encoding="utf-8")
    result = evaluate_typed(small_engine, typed, progress=False)
    dev, test = result["halves"]["development"], result["halves"]["test"]
    assert (dev["n"], dev["routed"], dev["first_passage_right"]) == (2, 1.0, 0.5)
    assert (test["n"], test["routed"], test["first_passage_right"]) == (1, 0.0, 0.0)
    assert result["halves"]["unanswered"] == {"n": 1, "answered_without_hedge": 0}
    assert [m["text"] for m in result["missed"]] == ["which payment methods do you accept", "hmm"]
    # a file for another pack's pages is not scored
    typed.write_text("development:\n  nowhere#no-such-passage: [\"where is it\"]\n", encoding="utf-8")
    assert evaluate_typed(small_engine, typed, progress=False) is None
    # a file that is not there, or not in the shape, is a clear error
    from retrieval.errors import CrsError

    for bad in (tmp_path / "missing.yaml", typed):
        typed.write_text("- just a list\n", encoding="utf-8")
        with pytest.raises(CrsError, match="typed support questions|expected halves"):
            evaluate_typed(small_engine, bad, progress=False)


def test_a_word_of_the_domain_does_not_hold_back_a_question_the_desk_is_sure_of(small_assistant):
    # "movie" alone made this a request; the matcher is sure of the reviews passage and the message is that close
    reply = small_assistant.respond(Session(), "where can i rate a movie i bought")
    assert reply.intent == "support" and reply.citations[0].passage_id == "contact#how-do-i-leave-a-review-or-feedback"
    # a request that names the domain stays a request
    assert small_assistant.respond(Session(), "i'm looking for help picking out a movie").intent != "support"
