"""What the assistant asks a chat model to do, each a typed task with its own check on the answer:

- `read_message`: a message's `LLMReading` as JSON, validated; a validation error goes back to the model once;
- `opening`: the opening sentence over a list of picks, streamed; `opening_is_safe` says whether to keep it;
- `support_wording`: a help answer reworded from the cited passages only; kept when `grounded` in them.

A task never raises for what the model got wrong: it returns None (or an unsafe sentence the caller drops) and
the assistant uses its own wording. Faults are counted and logged without the user's text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence

from pydantic import ValidationError

import prompts
from assistant.llm.chat import ChatModel, Message
from assistant.llm.errors import LLMError
from assistant.serving.observability import FALLBACKS, LLM_ERRORS
from assistant.understanding.reconcile import PRICED_READING_SCHEMA, READING_SCHEMA, LLMReading, PricedReading
from retrieval.docs import Passage

log = logging.getLogger(__name__)
MAX_OPENING_CHARS = 300
OPENING_TOKENS = 60
SUPPORT_TOKENS = 160


def read_message(model: ChatModel, message: str, *, noun: str, genres: str, priced: bool,
                 shown: Sequence[str] = ()) -> LLMReading | None:
    """The model's reading of `message` (`shown`: the names of the items on screen, in order); None when the
    model fails or answers out of shape twice. With `priced`, the reading may carry a price range."""
    listed = "; ".join(f"{i}. {name}" for i, name in enumerate(shown[:10], 1))
    messages: list[Message] = [
        ("system", prompts.render("llm", "extract_system", noun=noun, genres=genres, prices=priced)),
        ("user", prompts.render("llm", "extract_user", shown=listed, message=json.dumps(message))),
    ]
    reading, schema = (PricedReading, PRICED_READING_SCHEMA) if priced else (LLMReading, READING_SCHEMA)
    for attempt in (1, 2):
        try:
            text = model.complete(messages, schema=schema)
        except LLMError as e:
            LLM_ERRORS.labels("extract").inc()
            log.warning("llm extraction failed (%s); using the parser's reading", e)
            return None
        try:
            return reading.model_validate_json(json_part(text))
        except (ValidationError, ValueError) as e:
            error = short_error(e)
            LLM_ERRORS.labels("extract_invalid").inc()
            log.warning("llm extraction attempt %d invalid (%s)", attempt, error)
            messages += [("assistant", text[:2000]), ("user", prompts.render("llm", "extract_retry", error=error))]
    log.warning("llm extraction invalid twice; using the parser's reading")
    return None


def opening(model: ChatModel, description: str, *, noun: str) -> Iterator[str]:
    """The opening sentence of a list of picks described by `description`, piece by piece (LLMError on a fault)."""
    messages: list[Message] = [
        ("system", prompts.render("llm", "narrate_system", noun=noun)),
        ("user", prompts.render("llm", "narrate_user", description=description)),
    ]
    return model.complete(messages, stream=True, max_tokens=OPENING_TOKENS)


def opening_is_safe(sentence: str, description: str, titles: Sequence[str],
                    names_a_title: Callable[[str], bool]) -> bool:
    """An opening may only frame the list: no numbers the `description` lacks, no titles (of the picks, `titles`,
    or any the catalog knows, `names_a_title`), no markup or links, and no wording of its instructions."""
    if not sentence or len(sentence) > MAX_OPENING_CHARS:
        return False
    if prompts.shingles(sentence) & prompts.instruction_shingles():
        return False
    if re.search(r"[<>\[\]`{}|]|https?:|www\.", sentence):
        return False
    if set(re.findall(r"\d+", sentence)) - set(re.findall(r"\d+", description)):
        return False
    low = sentence.casefold()
    return not any(t.casefold() in low for t in titles if len(t) >= 4) and not names_a_title(sentence)


def support_wording(model: ChatModel, question: str, passages: Sequence[Passage]) -> str | None:
    """The model's answer to a help question written from `passages` only, or None (then the passage's own
    sentences are used) when it fails or says anything they do not (see `grounded`)."""
    sources = "\n\n".join(f"[{i}] {p.citation}\n{p.text}" for i, p in enumerate(passages, start=1))
    messages: list[Message] = [
        ("system", prompts.render("llm", "support_system")),
        ("user", prompts.render("llm", "support_user", sources=sources, question=json.dumps(question))),
    ]
    try:
        text = " ".join(model.complete(messages, max_tokens=SUPPORT_TOKENS).split())
    except LLMError as e:
        LLM_ERRORS.labels("support").inc()
        FALLBACKS.labels("support_answer").inc()
        log.warning("llm support answer failed (%s); using the passage", e)
        return None
    if not grounded(text, [p.text for p in passages]):
        FALLBACKS.labels("support_answer").inc()
        log.warning("llm support answer not grounded in the passages; using the passage")
        return None
    return text


def grounded(answer: str, sources: list[str]) -> bool:
    """Whether an LLM's answer only repeats facts it was given: every number, email, link and phone-like string
    in it occurs in the sources; no markup; not empty and not long."""
    if not answer or len(answer) > 700 or re.search(r"[<>`{}|]|\]\(", answer):
        return False
    source = " ".join(sources).casefold()
    facts = re.findall(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\$?\d[\d,.:]*%?", answer.casefold())
    return all(fact.rstrip(".,;:") in source for fact in facts)


def json_part(text: str) -> str:
    """The JSON object in a model's answer (some wrap it in prose or code fences)."""
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        raise ValueError("no JSON object in the answer")
    return m.group(0)


def short_error(e: Exception) -> str:
    """A validation error in one line the model can act on."""
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        return f"{'.'.join(map(str, err['loc'])) or 'value'}: {err['msg']}"[:200]
    return str(e)[:200]
