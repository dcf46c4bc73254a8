"""Reading the price range a message asks for: "under $20", "between 10 and 30 euros", "$15 or less",
"over £50", "around $20", and "cheaper" / "pricier" relative to what was shown.

A number is a price only with a currency sign or word next to it ("under 20 dollars"), or after a price
word ("a budget of 30", "price under 15"): "under 90 minutes" and "the top 10" are not prices.
"""

from __future__ import annotations

import re
import statistics

from assistant.understanding.negation import is_negated, nearest_negation

Span = tuple[int, int]

_CUR = r"(?:[$€£¥]|usd|eur|gbp)"
_CUR_WORD = r"(?:dollars?|bucks|usd|euros?|eur|pounds?|quid|gbp|yen)"
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d{1,7}(?:[.,]\d{1,2})?)"
# an amount: "$20", "20$", "20 dollars", "€ 12,50"; group 1 is the number
_AMOUNT = rf"(?:{_CUR}\s?{_NUM}|{_NUM}\s?(?:{_CUR}|{_CUR_WORD})\b)"
_PRICE_WORD = r"(?:price[sd]?|priced|cost(?:s|ing)?|budget|spend(?:ing)?|pay(?:ing)?|afford|limit)"
# a bare number after a price word: "a budget of 30", "price under 15", "costs less than 20"
_BARE = (rf"{_NUM}(?!\s*(?:%|years?|yrs?|minutes?|mins?|hours?|hrs?|pages?|seasons?|episodes?|movies|films|books|"
         r"items)\b)")

_BETWEEN = re.compile(rf"\b(?:between|from)\s+{_AMOUNT}\s*(?:and|to|-|–)\s*(?:{_AMOUNT}|{_BARE})"
                      rf"|\b(?:between|from)\s+{_BARE}\s*(?:and|to|-|–)\s*{_AMOUNT}"
                      rf"|{_AMOUNT}\s*(?:-|–|to)\s*(?:{_AMOUNT}|{_BARE})|\b{_BARE}\s*(?:-|–|to)\s*{_AMOUNT}"
                      rf"|\b{_PRICE_WORD}\s+(?:\w+\s+){{0,2}}?(?:between|from)\s+{_BARE}\s*(?:and|to|-|–)\s*{_BARE}")
_MAX_WORDS = (r"(?:less than|under) or equal to|under|below|less than|cheaper than|at most|no more than|not more than|up to|max(?:imum)?|within|"
              r"no (?:more|higher) than|lower than|beneath|<=?")
_MIN_WORDS = r"(?:more than|over) or equal to|over|above|more than|at least|min(?:imum)?|higher than|pricier than|no less than|>=?"
_MAX = re.compile(rf"(?:\b|(?=<))(?:{_MAX_WORDS})\s*{_AMOUNT}|{_AMOUNT}\s+(?:or|and)\s+(?:less|under|below|cheaper)\b"
                  rf"|{_AMOUNT}\s+max(?:imum)?\b|\b{_PRICE_WORD}\s+(?:(?!(?:{_MIN_WORDS})\b)\w+\s+){{0,2}}?(?:(?:of|is|at)\s+)?"
                  rf"(?:{_MAX_WORDS})?\s*"
                  rf"(?:{_AMOUNT}|{_BARE})\b")
_MIN = re.compile(rf"(?:\b|(?=>))(?:{_MIN_WORDS})\s*{_AMOUNT}|{_AMOUNT}\s+(?:or|and)\s+(?:more|over|above|up)\b"
                  rf"|\b{_PRICE_WORD}\s+(?:\w+\s+){{0,2}}?(?:{_MIN_WORDS})\s*(?:{_AMOUNT}|{_BARE})\b")
_AROUND = re.compile(rf"\b(?:around|about|roughly|approximately|near|close to|~)\s*{_AMOUNT}")
_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower[- ]priced|more affordable|lower price)\b(?!\s+than)")
_PRICIER = re.compile(r"\b(?:pricier|more expensive|higher[- ]end|more premium)\b(?!\s+than)")
_CHEAP = re.compile(r"\b(?:cheap|inexpensive|affordable|bargains?|low[- ]cost|on a budget)\b")  # not "low budget"
# any talk of money, for a catalog without prices: said so rather than searched for as words
PRICE_TALK = re.compile(rf"{_AMOUNT}|\b(?:price[sd]?|priced|pricing|cheap|cheaper|cheapest|expensive|pricier|"
                        r"affordable|inexpensive|on a budget)\b")
_NEGATION_REACH = 3  # words between a denial and the bound it turns round: "don't [want to] spend more than 25"
AROUND_SHARE = 0.25  # "around $20": $15 to $25
CHEAP_SHARE = 0.25  # "something cheap": the cheapest quarter of the catalog's priced items


def _number(raw: str) -> float:
    return float(raw.replace(",", "") if re.search(r",\d{3}", raw) else raw.replace(",", "."))


def _amounts(m: re.Match[str]) -> list[float]:
    return [_number(g) for g in m.groups() if g]


def _negated(text: str, pos: int) -> bool:
    """Whether a bound at `pos` is denied close before it: "nothing over $30", "not under 10 dollars", "I don't want
    to spend more than 25", "can't afford more than $15" ("I don't mind paying over $20" is no denial)."""
    m = nearest_negation(text, pos)
    return m is not None and is_negated(text, pos) and len(text[m.end():pos].split()) <= _NEGATION_REACH


def read_prices(text: str, shown_prices: list[float],
                cheap_below: float | None) -> tuple[float | None, float | None, list[Span]]:
    """(price_min, price_max, spans used) for a lower-cased message. "cheaper" / "pricier" are relative to the
    median of `shown_prices` (nothing when none was shown); "cheap" means at most `cheap_below`."""
    lo: float | None = None
    hi: float | None = None
    spans: list[Span] = []

    def take(m: re.Match[str]) -> None:
        spans.append((m.start(), m.end()))

    for m in _BETWEEN.finditer(text):
        a, b = _amounts(m)[:2]
        lo, hi = min(a, b), max(a, b)
        take(m)
    if lo is None:
        for m in _AROUND.finditer(text):
            (a,) = _amounts(m)[:1]
            lo, hi = round(a * (1 - AROUND_SHARE), 2), round(a * (1 + AROUND_SHARE), 2)
            take(m)
        for bound in (_MAX, _MIN):
            for m in bound.finditer(text):
                if any(s <= m.start() < e for s, e in spans):
                    continue
                upper = (bound is _MAX) != _negated(text, m.start())  # "nothing over $30" is an upper bound
                if upper:
                    hi = _amounts(m)[0]
                else:
                    lo = _amounts(m)[0]
                take(m)
    if lo is None and hi is None:
        middle = statistics.median(shown_prices) if shown_prices else None
        if (m := _CHEAPER.search(text)) and middle is not None:
            hi = round(middle - 0.01, 2)
            take(m)
        elif (m := _PRICIER.search(text)) and middle is not None:
            lo = round(middle + 0.01, 2)
            take(m)
        elif (m := _CHEAP.search(text)) and cheap_below is not None:
            hi = cheap_below
            take(m)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi, spans
