"""Intent cues: what kind of message this is, which shown items it points at, and what it asks."""

from __future__ import annotations

import re

from assistant.understanding import clauses, years
from assistant.understanding.lexicon import (AUDIENCE, DISCOURSE, FILLER, NUMBER_WORDS, ORDINAL_TIMES, ORDINALS,
                                            PEOPLE_ROLES)
from assistant.models import Action, Question

RESET = re.compile(
    r"\b(?:start (?:over|again|afresh|from scratch)|reset(?! (?:my|the|your|a|an) )|forget (?:it|that|everything|all|what i said)|"
    r"(?:scratch|scrap) (?:that|this|it|all that)|"
    r"new search|clear (?:all|everything|my preferences))\b"
)
GREETING = re.compile(r"\b(?:hi|hello|hey|hiya|howdy|yo|aloha|greetings|good (?:morning|afternoon|evening)"
                      r"|how are you)\b")
# a message's opening greeting, before what it says ("hey there! how do i return an order", "yo my dvd came smashed",
# "hi, how are you? any good comedies"): words of greeting only, each with what may follow it
_GREETING_WORDS = r"(?:hi+|hello+|hey+|heya|hiya|howdy|yo|sup|aloha|greetings|good (?:morning|afternoon|evening|day))"
OPENING_GREETING = re.compile(
    rf"^(?:{_GREETING_WORDS}(?: there| all| again| guys| folks| everyone| team)?"
    r"(?:\s*[:;]-?[)D(P](?!\w)|[^\w]+|$)|how are (?:you|u|ya)(?: doing)?(?: today)?(?:[^\w]+|$))+",
    re.I)


def past_greeting(text: str) -> str:
    """`text` without the greeting it opens with, where more follows ("hey there! how do i return an order" -> "how
    do i return an order"): a greeting says nothing of what is asked, and matched with the rest it sent "hey there!
    how do i return an order" to the help page on order status. A greeting alone stays as it is."""
    m = OPENING_GREETING.match(text)
    rest = text[m.end():].strip() if m else text
    return rest if m and m.end() and re.search(r"\w", rest) and not CHITCHAT.match(rest.casefold()) else text
CHITCHAT = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|howdy|yo|aloha|greetings|good (?:morning|afternoon|evening)|thanks|thank you|thx|ty|"
    r"cheers|"
    r"ok|okay|cool|great|nice|awesome|perfect|lol|haha|bye|goodbye|see you|see ya|how are you(?: doing)?|"
    r"who are you|what are you|what can you do|what do you do|are you a (?:bot|robot|human|person)|"
    r"you(?:'re| are) (?:great|awesome|helpful|funny)|that(?:'s| is) (?:great|helpful|perfect|all)|"
    r"fine|(?:i'?m|i am) (?:fine|good|great|well|ok|okay)|(?:(?:and|how about|what about) )?you(?:rself)?)"
    r"(?: there| again| so much| a lot| today| then)?[\s!.,?]*)+$"
)
SUPPORT = re.compile(
    r"\b(?:(?:do|can|will|does) (?:you|it|they) (?:ship|deliver)|ship (?:to|internationally|abroad|overseas)|"
    r"orders?|ordered|refunds?|refunded|reimburse\w*|return(?:ing|ed)? (?:it|this|my|a|an|the)|returns? policy|"
    r"ship(?:ping|ped|ment)|deliver(?:y|ed|ies)?|package|parcel|track(?:ing)? (?:number|my)|invoices?|receipts?|"
    r"bill(?:ing|ed)?|charged?|charges|payments?|pay(?:ing)? (?:with|by|for)|credit card|debit card|paypal|"
    r"accounts?|passwords?|two[- ]factor|2fa|verification code|security code|login code|log ?in|sign ?in|sign ?up|log ?out|registration|register|subscriptions?|subscribe|"
    r"unsubscribe|newsletter|membership|cancel(?:l?ation|l?ing|l?ed)?|complain(?:t|ts|ing)?|"
    r"(?:speak|talk|chat) (?:to|with) (?:a |an |someone|somebody)?\s*(?:human|person|agent|representative|manager|someone|somebody)|"
    r"human agent|real person|customer (?:service|support|care)|support team|discount code|coupon|promo code|"
    r"shipping address|delivery address|email address|phone number|gift card|voucher|discounts?|free trial|"
    # what the service costs and how it is sold ("is there a family plan", "how much is premium", "upgrade to premium"),
    # not what an item is: "family" here is no genre
    r"(?:family|student|annual|yearly|monthly|premium|basic|free|paid) (?:plans?|tiers?|trials?)|upgrade (?:to|my)|"
    r"(?:how much|price|cost) (?:is|of|does) (?:the |a )?(?:premium|membership|subscription|plan))\b"
)
# a subject of another business than the shop's: off topic, unless it is what the items asked for are about ("a
# cooking movie", "movies about the stock market": intents.off_topic)
OFF_TOPIC = re.compile(
    r"\b(?:weather|forecast|stock|stocks|bitcoin|crypto|recipe|cook|cooking|bake|math|calculate|solve|equation|"
    r"poem|essay|homework|translate|translation|capital of|president|prime minister|election|politics|"
    r"code|python|javascript|program|diagnos\w+|symptoms?|medical|lawyer|legal advice|invest\w*|horoscope|"
    r"lottery|sports? scores?|football score|time is it|what day is)\b"
)
# talk to the assistant about its own instructions: answered like any other off-topic request, never searched for
INSTRUCTIONS = re.compile(
    r"\b(?:(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding)\s+"
    r"(?:instructions?|prompts?|rules|messages?)|system\s+prompt|(?:your|the)\s+(?:instructions|hidden\s+prompt)"
    r"|jailbreak|developer\s+mode)\b"
)
OUT_OF_SCOPE = re.compile(f"{OFF_TOPIC.pattern}|{INSTRUCTIONS.pattern}")
# what the items asked for are called, besides the pack's own noun, and what links one to what it is about ("movies
# about the stock market", "a film set in a kitchen")
ITEM_NOUNS = ("movie", "film", "flick", "documentary", "documentarie", "show", "series", "book", "novel")
ABOUT = r"(?:about|on|involving|featuring|centered on|dealing with|set in)"


def item_nouns(noun: str = "") -> str:
    """An alternation of the names of items (the pack's `noun` too), each taking a plural "s"."""
    return "|".join(re.escape(n) for n in dict.fromkeys((*ITEM_NOUNS, noun.casefold())) if n)


def about_words(text: str, noun: str = "") -> set[str]:
    """The words that stand where what an item is about goes: after the item's noun (or "something", "anything",
    "ones") and "about" or the like, to the clause's end ("movies about the stock market", "a film about a chef who
    loves cooking", "anything set in paris?"), at most six; and a
    subject of another business right before the noun, with the words after it ("stock market films": `OFF_TOPIC`
    words as what an item is about, see intents.off_topic), not "cook for movie night". Other words before the noun
    are left to the word model: most are said of the items, not what they are about ("old", "whole", "style")."""
    nouns = item_nouns(noun)
    found: set[str] = set()
    # the noun, or a word standing for it: "anything set in paris?", "something about space"
    for m in re.finditer(rf"\b(?:(?:{nouns})s?|something|anything|ones?)\s+{ABOUT}\s+([^.!?;,]+)", text):
        found.update(re.findall(r"[\w'-]+", m.group(1))[:6])
    for m in re.finditer(rf"((?:[\w'-]+\s+){{1,3}})(?:{nouns})s?\b", text):
        words = m.group(1).split()
        plain = [i for i, w in enumerate(words) if w in FILLER]
        words = words[plain[-1] + 1 :] if plain else words
        if OFF_TOPIC.search(" ".join(words)):
            found.update(words)
    return found


DOMAIN = re.compile(
    r"\b(?:movies?|films?|flicks?|cinema|watch(?:ing)?|recommend\w*|suggest\w*|genre|actors?|actress|director|"
    r"directed|starring|cast|plot|story|sequel|trilogy|series|books?|novels?|authors?|read(?:ing)?|titles?)\b"
)
REQUEST = re.compile(
    r"\b(?:recommend|suggest|looking for|look for|i want|i'd like|i would like|i need|give me|show me|find me|"
    r"can you find|what should i (?:watch|see|read)|in the mood for|any (?:good )?(?:recommendations|suggestions|ideas))\b"
    r"|\b(?:a|an|some)\s+(?:[\w'-]+\s+){0,4}(?:movie|film|flick|book|novel|show)s?\b"
    r"|^(?:[\w'-]+\s+){0,3}(?:movies|films|books|novels|shows)\b"
)
# a request that says nothing about what is wanted ("recommend me a movie", "something to watch tonight", "any
# suggestions?"): answered with well-liked picks and an invitation to narrow them, not with a greeting
BARE_REQUEST = re.compile(
    r"\b(?:recommend|suggest)\b|\b(?:any|some|your|a few|got|have)\s+(?:good\s+|other\s+|more\s+)?"
    r"(?:recommendations?|suggestions?|ideas|picks)\b"
    r"|\bsomething\s+(?:\w+\s+)?to\s+(?:watch|read|see)\b|\bwhat\s+(?:(?:should|can|could|shall)\s+(?:i|we)\s+|to\s+)(?:watch|see|read)\b"
    r"|\b(?:looking for|look for|i want|i'd like|i would like|i need|give me|show me|find me|in the mood for|"
    r"help me (?:pick|find|choose)|(?:pick|choose) me)\s+(?:a|an|some|something|anything)\b"
    # the "i" dropped, as chat drops it: "evening! need a movie for tonight", "want something funny"
    r"|(?:^|[.!?,;]\s*)(?:need|want|wanna|lookin(?:g)? for)\s+(?:a|an|some|something|anything)\b"
    r"|^(?:a|an|some|any)\s+(?:good\s+|great\s+)?(?:movie|film|flick|book|novel|show|read)s?\b"  # "a good read"
    r"|(?:^|[.!?;]\s*)(?:(?:i need|i want|maybe|just|ok|okay|so|uh|um|hmm|idk|dunno|i dunno)[\s,.]+)*something\s+"
    r"(?:for|good|new|nice|different|to)\b"
    r"|\bwhat(?:'s| is| are)\s+(?:a|some)\s+(?:good|great|fun|nice)\s+(?:movie|film|flick|book|novel|show)s?\b"
    r"|\bwhat(?:'s| is)\s+good(?:\s+(?:on\s+)?(?:here|today|tonight|(?:right\s+)?now))?\s*[?!.]*$"
    r"|\b(?:one|a couple|a few)\s+more\b(?!\s+(?:thing|question|time|minute|day|week)s?\b)"  # "how about one more for my list?"
)
# A question asking for items without naming them, by an open pronoun: "anything set in paris?", "something in
# between?", "any with denzel washington?", "any good ones with dogs?", "got any for a rainy day?" ("any" before a
# noun of its own, as in "any good restaurants nearby?", is not one)
OPEN_ASK = re.compile(
    r"\b(?:anything|something)\b"
    r"|\bany\s+(?:(?:good|other|more|new|old|recent)\s+)?(?:ones?|others?|more|with|that|which|from|in|set|about|"
    r"like|by|starring|featuring|for|where|without)\b"
)
# A statement of taste ("I like comedies", "I'm a big fan of horror", "my favourite genre is sci-fi") describes the
# person, not this request: the genre it names is a soft preference. "I'd love a comedy", "I want a comedy" and
# "a comedy please" are requests: hard filters.
TASTE = re.compile(
    r"\b(?:i|we)\s+(?:really\s+|also\s+|just\s+|usually\s+|generally\s+|mostly\s+|kind of\s+|do\s+)*"
    r"(?:like|love|enjoy|adore|dig|prefer)\b|\b(?:i'm|im|i am|we're|we are)\s+(?:really\s+|also\s+|mostly\s+)*"
    r"(?:into|a (?:big |huge |real )?fan of|fans of)\b"
    r"|\bfavou?rite (?:genres?|kinds?|types?|movies|films|books|shows)(?: of \w+)? (?:is|are)\b"

)
# describing an item says what it is, not what to find: "it was a thrilling action movie", "which was a comedy", "it's
# sci-fi?", and asked the other way round, "is it a western?"; a title named stands where "it" does (`is_taste`'s
# `said`): "Deadpool is funny and good action". Up to four words between, none of them a request's or a date's
# ("any movie that was released in 2018" asks for that year).
_NOT_DESCRIBING = (r"(?:want|need|looking|show|give|find|recommend|suggest|now|tonight|instead|any|some|more|another|"
                   r"like|for|time|mood|too|not|enough|in|from|after|before|since|around|between|during|out|made|"
                   r"released|realized|set)\b")
DESCRIBING = re.compile(
    r"(?:(?<!\bif )\b(?:it|that|this|which|that one|this one)(?:\s+(?:was|is)|'s)"
    r"|\b(?:is|was)\s+(?:it|that|this|that one|this one))"
    rf"\s+(?:(?!{_NOT_DESCRIBING})[\w'-]+\s+){{0,4}}$")
# a kind said of a title named after it: "my favorite action movie is Inception", "the latest comedy I have seen was
# Jumanji" (the title standing as "it", as above)
IS_A_TITLE = re.compile(r"(?:\s+(?:movies?|films?|flicks?|ones?|books?|novels?|shows?))?"
                        r"(?:\s+(?:i|we)(?:\s+have|'ve|\s+had)?(?:\s+ever)?\s+(?:seen|saw|watched|read|liked|loved))?"
                        r"\s+(?:is|was|are|were|would be|has to be)\s+(?:probably\s+|definitely\s+|still\s+)?it\b")
_REQUEST_AFTER_TASTE = re.compile(r"\b(?:a|an|some|want|need|looking|show|give|find|recommend|suggest|tonight|now)\b")


def is_taste(text: str, pos: int, said: str | None = None) -> bool:
    """Whether what is at `pos` of a lower-cased text is named in a statement of taste, or in what is said of an item;
    `said`: the text with the titles it names read as "it" (offsets kept)."""
    clause = clauses.clause_before(text, pos, "taste")
    if DESCRIBING.search(clause) or (said is not None and DESCRIBING.search(clauses.clause_before(said, pos, "taste"))):
        return True
    cue = None
    for cue in TASTE.finditer(clause):
        pass
    return cue is not None and not _REQUEST_AFTER_TASTE.search(clause[cue.end():])


# who the film is for or with: "with my wife", "for my 5 year old" say nothing about the story
# "8 year old", "8-year-olds", and as people type it, "8yo", "8 y/o"
_AGE = r"(?P<age>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]*(?:(?:years?|yrs?)[\s-]*olds?|y/?o)"
# when and where it will be watched or read is not what it is about: "for a rainy sunday", "on a long flight", "movie night"
OCCASION = re.compile(
    r"\b(?:for|on|during|over)\s+(?:a|an|the|this|my|our|tonight'?s)?\s*(?:(?:rainy|lazy|cozy|cosy|quiet|long|cold|snowy|"
    r"sunny|slow|chill|relaxing)\s+)?(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday|day|night|evening|"
    r"afternoon|morning|weekend|flight|plane|train ride|road trip|commute|holiday|vacation|beach)s?\b"
    r"(?:\s+(?:afternoon|night|evening|morning|in))?"
    r"|\b(?:date|movie|film|girls'?|guys'?|family|game)\s+night\b"
)
_RELATIONS = (
    r"(?:wife|husband|partner|spouse|girlfriend|boyfriend|fianc[eé]e?|family|kids|children|sons?|daughters?|friends?|"
    r"mom|mum|dad|father|mother|parents|grandparents|grandma|grandpa|grandson|granddaughter|niece|nephew|brother|sister|"
    r"siblings|roommates?|teens?|teenagers?|date|boss|colleague|coworker)"
)
# an age limit after who it is for: "for kids under 10", "children aged 6 to 9" (an age, not a price or words to search)
AGE_LIMIT = re.compile(
    r"\b(?:" + "|".join(map(re.escape, AUDIENCE)) + r")\s+(?P<limit>(?:under|below|over|aged?|ages|of)\s+"
    r"(?:about\s+)?(?P<age>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
    r"(?:\s*(?:-|to|and)\s*\d{1,2})?(?:[\s-]*(?:years?|yrs?)(?:[\s-]*old)?)?)\b")
# a child by age anywhere in the message: "something my 8 year old would like", "a movie a 10-year-old can watch"
AGED = re.compile(r"\b(?:my|our|his|her|their|a|an)\s+(?:little\s+)?" + _AGE + r"\b")
# an age said of who it is for: "for my mom, she's 70", "my son is 8", "they're 6 and 9"
AGE_SAID = re.compile(
    r"\b(?:(?:he|she)(?:'s|\s+is)|they(?:'re|\s+are)|(?:my|our)\s+(?:little\s+)?" + _RELATIONS + r"\s+(?:is|are))\s+"
    r"(?:(?:about|around|only|just)\s+)?(?P<age>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
    r"(?:\s*(?:-|and|&)\s*\d{1,2})?(?:[\s-]*(?:years?|yrs?)(?:[\s-]*old)?)?(?![\w%$.])")
# grown-ups as the audience: "like toy story but for adults", "an animated film for grown-ups" (not "for adults and kids")
GROWN_UPS = re.compile(r"\b(?:for|aimed at)\s+(?:(?:the\s+)?(?:adults?|grown[- ]?ups?)|mature\s+(?:audiences?|viewers?))\b"
                       r"(?!\s*(?:and|&|or|\+)\s+(?:the\s+)?(?:kids|children|teens))")
COMPANY = re.compile(
    r"\b(?:(?:as\s+)?(?:a\s+)?(?:gift|present)\s+)?(?:with|for|and)\s+(?:my|our|the|a|her|his|their)\s+(?:" + _AGE
    + r"|(?P<little>toddlers?|little ones?)|(?:little\s+|young\s+)?" + _RELATIONS + r")\b(?:\s+who\b)?"
    r"|\bas\s+an?\s+(?:gift|present)\b(?:\s+for\s+(?:someone|somebody|a friend))?"
    r"|\ban?\s+(?:gift|present)\s+for\s+(?:someone|somebody|a friend)\b"
    # whose taste it is, or who else is watching: "my wife loved The Shining", "my kids like Frozen", "my wife and I"
    r"|\b(?:my|our)\s+(?:(?P<young>little\s+|young\s+)?" + _RELATIONS + r"|(?P<little_one>toddlers?|little ones?))"
    r"(?=(?:\s+(?:really|also|both|all|just|absolutely))?\s+(?:(?:love|like|enjoy|adore|hate|prefer)[sd]?|enjoyed|"
    r"adored|(?:is|are|was|were)\s+into|(?:can't|cannot)\s+stand)\b|\s+and\s+(?:i|me)\b)"
)


# asking for what many people liked: "what's popular?", "the best comedies ever", "top rated". Not "classics"
# (old and acclaimed, which is not the same) nor a bare "greatest" (as often a title: The Greatest Showman)
POPULAR = re.compile(
    r"\b(?:what(?:'s| is| are)\s+(?:the\s+)?)?(?:(?:most\s+)?popular|trending|top[- ]rated|highest[- ]rated|best[- ]rated|"
    r"well[- ]liked|crowd[- ]pleasers?|must[- ]sees?|best(?=(?:\s+[\w'-]+){0,2}?\s+(?:ones|movies|films|books|shows)\b)|"
    r"(?<=the )best(?!\s+(?:friends?|man|part|thing|things|way|time|actors?|actress(?:es)?|directors?|one i|of (?:luck|both))\b)|"
    r"(?:best|greatest)(?: ones?)?(?= ever| of all time)|greatest(?=(?:\s+[\w'-]+){0,2}?\s+(?:movies|films|books|shows|ever|of all time)\b)|all[- ]time (?:classics|favou?rites)|everyone(?:'s| is) (?:watching|reading)|"
    r"what(?:'s| is) (?:hot|big)(?: right now)?|of all time|ever made|surprise me)"
    r"(?:\s+(?:right now|these days|at the moment|lately|of all time|ever))?\b"
)


# old and acclaimed, asked for: "a classic", "some classics", "a 90s classic", "classic horror", "timeless ones"; not
# said of a film ("Men in Black (1997) is classic", "it's a classic", "that was another classic", "love the classic",
# "my favorite classic is ...": `asks_for_classics`)
CLASSIC = re.compile(r"\b(?:classics?|timeless|old[- ]school)\b")
_SAID_OF_A_FILM = re.compile(r"(?:\b(?:is|was|were|are|be|its|it's|that's|the|favou?rite)|'s)\s+(?:[\w'-]+\s+){0,2}$")


def asks_for_classics(text: str, m: re.Match[str]) -> bool:
    """Whether a CLASSIC match in `text` asks for old, acclaimed items rather than saying a film is one."""
    return not _SAID_OF_A_FILM.search(text, max(0, m.start() - 40), m.start())

UNPOPULAR = re.compile(
    r"\b(?:(?:nothing|not|no|none|never)\s+(?:too\s+|that\s+|so\s+|very\s+|overly\s+)?(?:popular|mainstream|well[- ]known|"
    r"famous|obvious)|(?:(?:too|so|less|a bit|kinda)\s+)(?:mainstream|obvious)|hidden gems?|underrated|under[- ]the[- ]radar|lesser[- ]known|little[- ]known|obscure|"
    r"off the beaten (?:path|track)|not (?:the )?(?:usual|obvious) (?:ones|picks|suspects))\b"
)


def for_a_child(m: re.Match[str]) -> bool:
    """Whether a COMPANY (or AGED) match is a young child: "for my 5 year old", "with my toddler"."""
    said = m.groupdict()
    if said.get("little") or said.get("little_one") or said.get("young"):
        return True
    age = said.get("age")
    return age is not None and (int(age) if age.isdigit() else NUMBER_WORDS[age]) <= 12


# words that add to what is asked: "comedies too" goes on; "not too gory", "too long" say how much, and add nothing
_ADDS = r"too(?=\s*(?:$|[,.!?;)]|please|pls|then|as well))|as well|also"
ADDS = re.compile(rf"\b(?:{_ADDS})\b")
REFINE = re.compile(
    r"^(?:(?:a\s+)?(?:bit|little|little bit|tad|lot)\s+(?=more|less))?"  # "a bit more romantic" goes on
    r"(?:actually|instead|rather|what about|how about|make it|only|but|and|also|now|no|not|without|except|"
    r"maybe|hmm|ok|okay|well|newer|older|more|less|something else|other|others|different|"
    r"like|similar to|(?:some|any)thing (?:like|similar to))\b"  # "like ex machina", said of the request under way
    r"|\b(?:instead|rather|newer|older|more recent|something else|anything else|other ones|different ones|"
    rf"{_ADDS}|as long as|but only|only if|add|adding|mix in|throw in)\b"
    r"|\bsame\s+(?:\w+[\s,]+)?but\b"  # "same decade but comedy", "same but newer": what was asked for, changed
)
# what a request keeps from the one under way: "same decade but comedy" keeps the years and swaps the genre
KEPT_ASPECT = re.compile(r"\bsame\s+(?P<aspect>decade|era|years?|time(?:\s+period)?|period|director|actors?|cast|people)\b")

_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
# a position by its number: "#3", "number 3", "option 3", "no. 3" (never a title's, a year's or a count's number)
_NUMBER_SAID = r"\b(?:number|numero|num|nr\.?|options?|choice|suggestion|recommendation)\s+"
_NUMBERED = r"(?:#|" + _NUMBER_SAID + r"|\bno\.\s*)(?P<num>\d{1,2})\b"
NUMBERED = re.compile(_NUMBERED)
NUMBER_SAID = re.compile(_NUMBER_SAID + r"\d{1,2}\b")  # "option 3" in words: a place, whatever else is said
_REF = re.compile(
    rf"\b(?:the\s+)?(?P<ord>{_ORD})(?:\s+(?:one|movie|film|book|item|title|pick|suggestion|recommendation))?\b|"
    + _NUMBERED
)
# a position counted from the end, or an edge of the list: "second from the bottom", "the one at the top", "the top
# one" (with a list shown, read as its number: assistant.understanding.described)
FROM_END = re.compile(rf"\b(?:the\s+)?(?P<ord>{_ORD})(?:\s+(?:one|movie|film|book|item))?\s+from\s+the\s+"
                      r"(?:bottom|end|last)\b")
EDGE = re.compile(r"\b(?:the\s+)?(?:one|movie|film|book|item|pick)\s+(?:at|on)\s+the\s+(?P<edge>top|bottom|end)\b"
                  r"|\bat\s+the\s+(?P<edge2>top|bottom)\s+of\s+(?:the|your|this)\s+list\b"
                  r"|\bthe\s+(?P<edge3>top|bottom)(?:most)?\s+(?:one|movie|film|book|item|pick)\b")
PLURAL = re.compile(r"\b(?:those|these|them|all of them|all)\b")
POINTING = re.compile(r"\b(?:they|them|that|this|those|these)\b")  # what a question may point at
COMPARE_ASKED = re.compile(r"\W*(?:(?:can|could) you |please )?compare\b")  # "compare the first two", not a question
COMPARED = re.compile(r"\b(?:which|both|the two|they|them|those|these)\b")  # what a comparison of the shown list says
PRONOUN = re.compile(r"\b(?:it|that one|this one|that movie|this movie|that film|this film|that book|this book)\b")
MORE_LIKE = re.compile(
    r"\b(?:more (?:like|of)|similar to|something like|like|same as|in the vein of|along the lines of|"
    r"(?:i )?(?:liked|loved|enjoyed|really liked|like|love) |thumbs up (?:for |on |to )?)\s*(?:the\s+)?"
    rf"(?:{_ORD}|#\d|number \d|that one|this one|that|this|those|these|them|it)\b"
)
SIMILAR_ALONE = re.compile(r"\b(?:similar|alike|along those lines|in that vein)\b(?!\s+(?:to|as|in)\b)")
DISLIKE_REF = re.compile(
    r"\b(?:didn'?t|did not|don'?t|do not|never) (?:really )?(?:like|love|enjoy)|\bhated?\b|\bdisliked?\b|\bnot a fan of\b"
    r"|\bthumbs down\b"
)
# a verdict on a shown item, read as a dislike only when the item is pointed at ("the second one is boring", "that one
# is not for me"); "it was boring" may be about a film just named
DISMISS_REF = re.compile(
    r"\bnot (?:for me|my (?:thing|type|style|cup of tea))\b"
    r"|\b(?:is|was|are|were|looks?|seems?|sounds?)\s+(?:really\s+|so\s+|too\s+|kinda\s+|kind of\s+|a bit\s+|pretty\s+)?"
    r"(?:boring|lame|awful|terrible|dumb|stupid|bad|meh|overrated|cheesy)\b"
)
# a good word about a shown item, for messages that judge several ("the first looks great, the second is boring")
PRAISE_REF = re.compile(
    r"\b(?:is|was|are|were|looks?|sounds?|seems?)\s+(?:really\s+|very\s+|pretty\s+|so\s+)?"
    r"(?:good|great|interesting|fun|perfect|awesome|cool|amazing|nice|promising|excellent)\b"
)
EXCLUDE_SHOWN = re.compile(
    r"\b(?:something else|anything else|what else|other (?:ones|options|suggestions|movies|films|books|picks)|"
    r"different (?:ones|options|movies|films|books)|show me (?:more|others)|more options|others|"
    r"not (?:those|these|them)|none of (?:those|these|them)|not that|not this|next ones?|surprise me|"
    r"another (?:one|few|batch|set|list|round|suggestion|recommendation|option|pick|idea)s?|^(?:and |ok |okay )?another)\b"
    # "neither, something darker", "nah none, ...": a verdict on the whole list ("neither horror nor comedy" and "none
    # of the kiddie stuff" are not; "none of those" is above)
    r"|^\W*(?:(?:nah|no|nope|hmm|well|ok|okay)\W+)?(?:neither|none)\b(?!\s+of\b)(?!.*\bnor\b)"
    r"|^\W*(?:(?:ok|okay|and|yes|sure),? )?(?:some |any |a few |(?:(?:can|could) (?:you|u) )?(?:give|show) me "
    r"(?:some |a few )?)?more"
    r"(?: (?:please|of them|of those|options|suggestions|recommendations|ideas|picks))?\W*$"
    # "how about one more?", "can you recommend 2 more": others, that many (not "one more thing", "one more like it")
    r"|\b(?:\d{1,2}|" + "|".join(NUMBER_WORDS) + r"|a few|a couple(?: of)?)\s+more\b"
    r"(?!\s+(?:things?|questions?|times?|like|similar)\b)"
)
NOT_THAT_ONE = re.compile(r"\bnot (?:that|this) one\b")
EXCLUDE_REF = re.compile(rf"\b(?:not|no|skip|drop|remove|without|swap|replace|switch out|change|lose|ditch) (?:the )?(?:{_ORD}|#\d|number \d)\b")
_OPENER = r"(?:(?:" + "|".join(map(re.escape, DISCOURSE)) + r")[,!.]*\s+)*"  # "lol ok ", "hmm, ", "and "
SEEN = re.compile(r"\b(?:(?:i'?ve|i have|already|have) (?:already )?(?:seen|watched|read)|seen (?:it|that|those|them) already"
                  rf"|already saw|i saw (?:the )?(?:{_ORD}|number \d|#\d))\b"
                  # the subject left out, as people type: "seen most of those", "hmm watched all of them"
                  r"|^\W*" + _OPENER + r"(?:seen|watched|read)\s+"
                  rf"(?:it|that|those|them|these|em|all|most|both|some|a few|(?:the\s+)?(?:{_ORD})|number \d|#\d)\b")
# "I haven't seen Coco", "never saw Coco": right before a title, a fact about the viewer, not a like
_NOT_SEEN = (r"\b(?:(?:haven'?t|have not|havent|hasn'?t|never|not)\s+(?:yet\s+|ever\s+|even\s+|actually\s+)?(?:seen|watched|read)"
             r"|(?:didn'?t|did not|never)\s+(?:ever\s+|even\s+|actually\s+)?(?:see|watch|saw|read)|yet to (?:see|watch|read))")
UNSEEN_TITLE = re.compile(_NOT_SEEN + r"\s+(?:(?:yet|either|the (?:movie|film|book))\s+)?$")

QUESTIONS: list[tuple[Question, re.Pattern[str]]] = [
    ("compare", re.compile(r"\b(?:differences?|differ|compare|comparison|side by side)\b"
                           r"|\bwhich(?: one| of (?:them|those|these|the \w+))?(?: is| was| would be| should i|'s) (?:the )?(?:better|best"
                           r"|most (?:popular|liked)|(?:highest|top|best)[- ]rated|pick|watch|read|choose|go with)\b"
                           # the assistant asked to choose among them: "which one do you recommend most?", "which
                           # would you pick?", "if you had to choose one" ("your top pick" is the first one shown)
                           r"|\bwhich(?: one| of (?:them|those|these|the \w+))? (?:would|do|should|did|will) you "
                           r"(?:\w+ )?(?:pick|recommend|choose|suggest|go with|prefer|like (?:the )?(?:best|most))\b"
                           r"|\bif you (?:had to|could only|were to) (?:pick|choose|recommend)\b")),
    ("author", re.compile(r"\b(?:who (?:wrote|writes|authored)|author|written by|writer)\b")),
    ("director", re.compile(r"\b(?:who (?:directed|made|filmed)|director|directed by|who(?:'s| is| was) behind)\b")),
    ("cast", re.compile(r"\b(?:who(?:'s| is| was| are)? (?:in|starring|stars|acts|plays)|cast|actors?|actress(?:es)?|starring|stars in)\b")),
    ("year", re.compile(r"\b(?:what year|which year|when (?:was|did|is|does)|how old|release date|come out|came out)\b")),
    ("price", re.compile(r"\bhow much (?:is|does|do|are|for|would)\b|\bwhat(?:'s| is| does) (?:it|that|this|the \w+(?: one)?) "
                         r"(?:cost|price)\b|\b(?:price|cost) of\b|\bhow expensive\b|\b(?:is|are) (?:it|that|this|they|those|these|the \w+)(?: one)? "
                         r"(?:expensive|cheap|pricey|affordable)\b")),
    ("length", re.compile(r"\bhow long\b(?!\s+ago)|\b(?:is|was) (?:it|that|this|the \w+)(?: one)? (?:too )?(?:long|short)\b"
                          r"|\b(?:runtime|run time|running time|how many (?:pages|minutes|hours))\b")),
    ("suitability", re.compile(r"\b(?:suitable|appropriate|ok|okay|safe|good|fine|alright|right"
                               # "too scary for kids", "kinda violent for a 10 year old": a worry about an item
                               r"|(?:too\s+)?(?:scary|violent|gory|intense|mature|graphic|frightening|disturbing))"
                               r"\s+for\s+(?:(?:my|our|the|a|an|his|her|their|young|little|small|\d+)\s+)*"
                               r"(?:kids?|children|child|sons?|daughters?|family|families|teens?|teenagers?"
                               r"|\w+[- ]year[- ]olds?)\b|\b(?:kid|family|child)[- ]friendly\b|\bage (?:rating|limit)\b"
                               r"|\brated (?:r|g|pg|pg-13|nc-17)\b")),
    # "is the 4th one scary?", "is that a comedy": what kind of item it is, answered from its genres
    # ("what kind of movies do you like?" asks the assistant's taste, not what an item is)
    ("genre", re.compile(r"\b(?:what (?:kind|genre|type|sort)(?! of [\w-]+ (?:do|would|will|did|are|r) (?:you|u)\b)"
                         r"|which genre|(?:is|was) (?:it|(?:that|this)(?: one)?|the \w+(?: one)?|#\d{1,2})\s+"
                         r"(?:a |an |really |too |very |kinda |kind of |more of (?:a |an )?)?(?:comedy|horror|drama|"
                         r"thriller|romance|romantic|action|scary|funny|animated|documentary|crime|mystery|sci-?fi|"
                         r"fantasy|musical|western|war movie|sad|creepy|a cartoon))\b")),
    ("about", re.compile(r"\bwhat(?:'s| is| was)\b[^?.!]{0,60}?\babout\b|\b(?:plot|story|synopsis|premise|what happens)\b")),
    # "any good" ends its clause ("is it any good?"); before what is wanted it asks for more ("know any good
    # comedies?"), and "worth watching" said of "anything"/"something" asks for items too
    ("rating", re.compile(r"\b(?:(?:is|was) (?:it|that|this)(?: one)? (?:any |a )?(?:good|great)"
                          r"|are (?:they|those|these) (?:any )?good|is it (?:any )?good"
                          r"|any good(?=\s*(?:at all\b|or not\b|[?.!,;]|$))|rating|rated|reviews?|how good"
                          r"|(?<!anything )(?<!something )(?<!that is )(?<!that's )(?<!what is )(?<!what's )"
                          r"worth (?:it|watching|seeing|reading)|popular|do people like)\b")),
    ("general", re.compile(r"\b(?:tell me (?:more )?about|tell me more\b|more (?:info|information|details) (?:about|on)|what do you know about|describe)\b"
                           # what the assistant makes of it: "what do you think of the dark knight", "thoughts on it?"
                           r"|\bwhat do (?:you|u) think (?:of|about) (?:it|that|this)\b|\b(?:your |any )?thoughts on (?:it|that|this)\b"
                           # "what's your top pick?": the first one shown, described
                           r"|\bwhat(?:'s| is) (?:your|ur) (?:top|first|best) (?:pick|choice|suggestion|recommendation)\b")),
    # any other "is it ...?" said of an item ("is the 3rd one gory?", "was that one dubbed"): a fact no field holds,
    # answered with what the catalog does say, never read as a refinement; only where the message asks it
    ("other", re.compile(r"(?<!how )(?<!what )(?<!who )(?<!where )(?<!when )(?<!why )(?<!which )"
                         r"\b(?:is|was|are|were)\s+(?:it|(?:that|this)(?: one)?|they|those|these|the \w+(?: one)?|#\d{1,2})\s+"
                         r"(?:(?:a|an|really|too|very|kinda|kind of|at all|super|so|that)\s+)?"
                         r"(?!(?:all|it|ok|okay|right|true|possible|the|one|any|so|there|what|which|for|about|like)\b)"
                         r"[a-z][a-z-]+\b")),
]


# "anything from the same era?", "something from the same decade as pulp fiction": the years of the item meant
SAME_YEARS = re.compile(
    r"\b(?:(?:from|of|in|around)\s+(?:the\s+)?same\s+(?P<a>decade|era|years?|time period|period|time)"
    r"|(?:the\s+)?same\s+(?P<b>decade|era|years?|time period|period)\s+as)\b")
ERA_HALF = 5  # "the same era" as a 1994 film: 1989-1999; "the same decade": the 1990s


def same_years(year: int, aspect: str) -> tuple[int, int]:
    """The years "the same decade / era" as an item of `year` means."""
    if aspect == "decade":
        return year - year % 10, year - year % 10 + 9
    return year - ERA_HALF, year + ERA_HALF


# "by the same director", "the same actors as Titanic": a role word (assistant.understanding.lexicon.PEOPLE_ROLES or the
# pack's own) after "same"; the people are those of the item meant
SAME_ROLE = re.compile(r"\b(?:(?:by|from|with|has|have)\s+)?(?:the\s+)?same\s+(?P<role>[a-z]+)\b(?:\s+as\b)?"
                       # "anything else by that director", "what else did that author write", "more from this
                       # director": that item's people, asked for more of
                       r"|(?<!who )\b(?:else|more|others?|another)\b(?:\s+[\w']+){0,3}?\s+(?:(?:by|from|with)\s+)?"
                       r"(?:that|this|the|his|her|their)\s+(?P<that_role>"
                       + "|".join(sorted(PEOPLE_ROLES, key=len, reverse=True)) + r")\b"
                       # "more by her", "anything else by him": the maker of the item meant
                       r"|\b(?:else|more|others?|another)\b(?:\s+[\w']+){0,2}?\s+by\s+(?P<pronoun>him|her|them)\b")


# "which of these is the funniest?", "which one's the newest": a shown item picked by what the catalog says of it
WHICH = re.compile(r"\bwhich(?:\s+(?:one|movie|film|book|title)s?|\s+of\s+(?:them|those|these|the\s+\w+))?"
                   r"\s*(?:\s(?:is|was|are|would be|seems?)|'s)\s+(?:the\s+)?(?P<word>(?:most|least)\s+[a-z-]+|[a-z-]+)")


# Taking a suggestion up: "I'll check it out", "sounds good", "the last one looks great", "I'll go with number 3".
# Only a message that says nothing else is read this way ("sounds good, anything older?" asks for more).
_TAKE_OBJECT = rf"(?:it|that|this|them|those|these|(?:that|this) (?:one|movie|film|book)|(?:the )?(?:{_ORD})(?: one)?|number \d|#\d)"
ACCEPT = re.compile(
    r"\b(?:i'?ll|i will|we'?ll|we will|i'?m going to|i am going to|we'?re going to|gonna|i'?d like to|i want to|i might|"
    r"i may|will|definitely|i think i'?ll)\s+"
    r"(?:definitely\s+|probably\s+|totally\s+|have to\s+|surely\s+|maybe\s+|def\s+)?"
    rf"(?:check\s+{_TAKE_OBJECT}\s+out|check out\s+{_TAKE_OBJECT}|watch\s+{_TAKE_OBJECT}|read\s+{_TAKE_OBJECT}|"
    rf"give\s+{_TAKE_OBJECT}\s+a\s+(?:try|go|shot|watch|look|read)|try\s+{_TAKE_OBJECT}|take\s+{_TAKE_OBJECT}|"
    rf"go (?:with|for)\s+{_TAKE_OBJECT}|pick\s+{_TAKE_OBJECT}|add\s+{_TAKE_OBJECT}\s+to my (?:watch ?|reading )?list)\b"
    r"|\b(?:sounds|looks|seems) (?:really |very |pretty |so )?(?:good|great|interesting|fun|perfect|awesome|cool|amazing|nice|"
    r"promising|like (?:a plan|fun|my kind of (?:movie|film|book)))\b"
    r"|\b(?:added (?:it |that |them )?to my (?:watch ?|reading )?list|that(?:'s| is| will be| would be) (?:the|my) (?:one|pick))\b"
    # "the third one it is", "number 2 it is", "Heat it is" (a title is read here as "it")
    rf"|(?:\bit|\b(?:the )?(?:{_ORD})(?: one)?|\bnumber \d|#\d)\s+it is\b"
)
# What may stand around the acceptance and still leave nothing else said
_ACCEPT_REST = re.compile(
    rf"\b(?:{_ORD}|one|number|\d|ok|okay|oh|yes|yeah|yep|sure|great|cool|nice|awesome|perfect|thanks|thank you|thx|ty|"
    r"cheers|alright|all right|then|really|so|too|very|a|an|the|and|i|i'll|will|definitely|tonight|later|maybe|"
    r"probably|think|for sure|good|idea|wow|hmm|haha|lol|movie|film|book|it|that|this|one|you|me|my|now|soon|"
    r"weekend|this weekend|list|watch ?list|both|all|to|for|us|we|we'll)\b|[\s!.,?;:'\-]+"
)


def accepts(text: str) -> bool:
    """True when the message only takes a suggestion up (see ACCEPT)."""
    m = ACCEPT.search(text)
    return bool(m) and not re.search(r"\w", _ACCEPT_REST.sub(" ", ACCEPT.sub(" ", text)))


# a preference let go: "any decade is fine", "forget the comedy part", "i don't care about the year", "a bit sad is
# fine actually", "gore doesn't matter"; `lifted_phrase` gives what is let go
LIFT = re.compile(
    r"\b(?:(?:i\s+)?(?:don'?t|do not)\s+(?:really\s+)?(?:care|mind)\s+(?:about\s+)?(?P<a>[a-z'-]+(?:\s+[a-z'-]+)?)"
    r"|(?:forget|never ?mind|ignore|scrap|ditch)\s+(?:about\s+)?(?P<b>[a-z'-]+(?:\s+[a-z'-]+){0,2})"
    r"|(?P<c>[a-z'-]+(?:\s+[a-z'-]+){0,3}?)\s+(?:is|are)\s+(?:fine|ok|okay|alright|all right)(?:\s+(?:too|actually|"
    r"after all|with me|by me))?\s*(?:$|[,.!;])"
    r"|(?P<d>[a-z'-]+(?:\s+[a-z'-]+)?)\s+(?:doesn'?t|does not|don'?t|do not)\s+matter)"
)
_LIFT_FILLER = {"the", "a", "an", "any", "bit", "little", "of", "some", "part", "thing", "stuff", "filter",
                "requirement", "one", "whatever", "maybe", "ok", "so", "actually", "then", "and", "but", "that",
                "too", "kinda", "kind", "really", "i", "guess"}
YEAR_WORDS = {"decade", "decades", "year", "years", "era", "date", "release date", "age", "time period", "period"}


def lifted_phrase(m: re.Match[str]) -> str:
    """What a LIFT match lets go, without the words around it ("a bit sad" -> "sad", "the comedy part" -> "comedy")."""
    phrase = next(g for g in m.groups() if g)
    return " ".join(w for w in phrase.split() if w not in _LIFT_FILLER)


WHAT_ABOUT = re.compile(r"\W*(?:(?:and|so|ok|okay|hmm|well),?\s+)?(?:what|how) about\b")
INSTEAD = re.compile(r"\b(?:instead|rather than|in place of|switch to|change (?:it|that) to"
                     r"|(?:swap|switch|trade|change) (?:it|that|this|them|those) (?:out )?(?:for|to|with))\b")


# "the first two", "the last 3": a run of positions from one end of the list
_RUN = re.compile(r"\b(?P<end>first|last|final)\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|[2-9]|10)\b"
                  r"(?!\s*(?:years?|decades?|minutes?|hours?|seasons?|episodes?|\w+ (?:years?|ago)))")


def ordinals_listed(text: str) -> bool:
    """Whether the text names several positions as a list: a run ("the first two") or ordinals joined by "and", "or"
    or a comma ("the first and last", "the 1st, 3rd"), rather than in one phrase ("the second-to-last one")."""
    text = years.WINDOW.sub(lambda m: " " * len(m.group(0)), text)
    if _RUN.search(text):
        return True
    found = [m.span() for m in _REF.finditer(text)]
    return len(found) >= 2 and all(re.search(r"\b(?:and|or|nor)\b|[,&/+]", text[a_end:b_start])
                                   for (_, a_end), (b_start, _) in zip(found, found[1:]))


# an ordinal that counts times, not positions: "last night", "for the 3rd time" (prompts/words.toml)
_TIMES = re.compile(rf"\b(?:{'|'.join(map(re.escape, ORDINALS))}|next)\s+(?:{'|'.join(ORDINAL_TIMES)})\b")
# an ordinal that orders doings, not items: "which should I watch first?", "read it last", "first of all", "at first"
_ORDER = re.compile(r"\b(?:watch|see|read|start|begin|try|play|do|check out)\s+(?:it\s+|that\s+|this\s+|them\s+)?"
                    r"(?:first|last|next)\b(?!\s+(?:one|movie|film|book|item|title|pick))"
                    r"|\b(?:first|last) of all\b|\bat (?:first|last)\b|\bfirst (?:off|up|things first)\b"
                    # "the last movie you saw", "the first film I watched": someone's viewing, not the list's order
                    r"|\b(?:first|last)\s+(?:[\w-]+\s+)?(?:one|movie|film|book|show|thing)s?\s+(?:that\s+)?"
                    r"(?:you|u|i|we)(?:'ve|\s+have|\s+had|\s+ever)?\s+(?:saw|seen|watched|read|liked|loved|enjoyed)\b")


def orders_doings(text: str) -> bool:
    """Whether the text uses an ordinal for the order of doing things ("which should I watch first?")."""
    return _ORDER.search(text) is not None


def ordinal_refs(text: str) -> list[int]:
    """Positions in the shown list the text points at: 'the second one' -> [1], 'the last' -> [-1],
    'the first two' -> [0, 1]."""
    refs = []
    text = years.WINDOW.sub(lambda m: " " * len(m.group(0)), text)  # "the last 10 years" are years, not items
    text = _TIMES.sub(lambda m: " " * len(m.group(0)), text)  # "last night", "for the 3rd time": when, not which
    text = _ORDER.sub(lambda m: " " * len(m.group(0)), text)  # "which should I watch first?": in what order
    for m in _RUN.finditer(text):
        n = int(m.group("n")) if m.group("n").isdigit() else NUMBER_WORDS[m.group("n")]
        refs += list(range(-n, 0)) if m.group("end") in ("last", "final") else list(range(n))
    text = _RUN.sub(" ", text)
    for m in _REF.finditer(text):
        if m.group("ord"):
            # "top" only counts as "the top one", never in "top 10"
            if m.group("ord") == "top" and not re.match(r"top\s+(?:one|pick)", m.group(0)):
                continue
            refs.append(ORDINALS[m.group("ord")])
        elif m.group("num"):
            refs.append(int(m.group("num")) - 1)
    return list(dict.fromkeys(refs))


_WH_WORDS = "what|who|whom|whose|when|where|why|how|which"
# "whats", "whos", "hows": "what's" typed without its apostrophe
_QUESTION_START = re.compile(_OPENER + rf"(?:{_WH_WORDS}|(?:what|who|how|where|when|why)s|is|are|can|could|do|does|"
                             r"will|would|should)\b")


# a question by its word order wherever it stands, as people type without "?": a wh-word, then the verb before its
# subject ("if you had to pick one which would it be", "so who is in it"); "I know what it is" keeps its order
_INVERTED = re.compile(r"\b(?:what|which|who|how|where|when|why)\s+(?:would|is|are|was|were|do|does|did|should|could"
                       r"|can|will)\s+(?:it|that|this|they|you|i|he|she|we|those|these)\b")


def is_question(low: str) -> bool:
    """Whether a (lower-cased) message asks something: it ends with "?", a sentence opens like a question or a
    wh-word comes before its verb and subject."""
    return low.rstrip().endswith("?") or any(_QUESTION_START.match(low, start)
                                             for start, _ in clauses.spans(low, "sentence")) \
        or _INVERTED.search(low) is not None


_WH = re.compile(rf"(?:{_WH_WORDS})\b")
_ONLY_OPENER = re.compile(r"\W*" + _OPENER + r"(?:(?:what|how) about\W*)?\W*$")


def only_openers(text: str) -> bool:
    """Whether a text holds nothing but openers ("ok and", "what about") once what was read is blanked out."""
    return _ONLY_OPENER.match(text) is not None


def is_ellipsis(text: str) -> bool:
    """"ok and the second?", "what about the 3rd one": nothing but a shown item pointed at (and openers), so the
    question just asked, about that item."""
    return bool(_REF.search(text)) and _ONLY_OPENER.match(_REF.sub(" ", text)) is not None


def opens_clause(low: str, at: int) -> bool:
    """Whether the item question found at `at` opens its clause with a question word, as people type it after a
    comma and without a question mark: "the 2nd one sounds good, who directed it"."""
    before = low[clauses.clause_start(low, at, "words") : at]
    return bool(_WH.match(low, at)) and re.fullmatch(r"\s*" + _OPENER, before) is not None


def other_sentences(text: str, at: int) -> str:
    """The text without the sentence around offset `at`."""
    starts = [0] + [b.end for b in clauses.breaks(text, "sentence")]
    ends = starts[1:] + [len(text)]
    return " ".join(text[a:b].strip() for a, b in zip(starts, ends, strict=True) if not a <= at < b)


def same_sentence(text: str, a: int, b: int) -> bool:
    """Whether offsets a and b fall in the same sentence of the text."""
    return clauses.same_clause(text, a, b, "sentence")


def question_kind(text: str) -> Question | None:
    """What a question about an item asks, or None when it is not such a question. "The same author" asks for
    their other items, not who the author is."""
    text = SAME_ROLE.sub(lambda m: " " * len(m.group(0)), text)
    for kind, pattern in QUESTIONS:
        if pattern.search(text):
            return kind
    return None


def question_span(text: str) -> int:
    """Where the first question about an item starts in the text (0 when none does)."""
    text = SAME_ROLE.sub(lambda m: " " * len(m.group(0)), text)
    for _, pattern in QUESTIONS:
        m = pattern.search(text)
        if m:
            return m.start()
    return 0


PASSABLE = re.compile(r"\b(?:is|are|was|looks?|seems?|sounds?)\s+(?:ok|okay|fine|alright|decent|not bad)\b")


def mixed_verdicts(text: str) -> dict[str, list[int]] | None:
    """Shown positions by verdict ("liked", "disliked", "excluded") when a message judges shown items differently,
    clause by clause: "I loved the first one but the second is boring", "more like the first, not the third". None
    unless every clause that points at an item says what of it and at least two verdicts differ ("the first and the
    third are boring" is one verdict on both)."""
    found: dict[str, list[int]] = {"liked": [], "disliked": [], "excluded": [], "kept": []}
    for clause in clauses.split(text, "verdict"):
        refs = ordinal_refs(clause)
        if not refs:
            continue
        if PASSABLE.search(clause):  # "the 3rd is ok": kept on the list, neither taken as a liking nor turned down
            found["kept"] += refs
        elif EXCLUDE_REF.search(clause) or re.match(r"\W*not\b", clause):
            found["excluded"] += refs
        elif DISLIKE_REF.search(clause) or DISMISS_REF.search(clause):
            found["disliked"] += refs
        elif MORE_LIKE.search(clause) or PRAISE_REF.search(clause):
            found["liked"] += refs
        else:
            return None
    return found if sum(bool(v) for v in found.values()) > 1 else None


def action_of(text: str, refs: list[int], has_shown: bool) -> Action | None:
    """The list operation a message asks for, if any."""
    if not has_shown:
        return None
    if SEEN.search(text):
        return "seen_refs"
    if refs and EXCLUDE_REF.search(text):
        return "exclude_refs"
    if (refs or PRONOUN.search(text) or re.search(r"\b(?:that|this|those|these|them)\b", text)) and (
        MORE_LIKE.search(text) or DISLIKE_REF.search(text)
    ):
        return "dislike_refs" if DISLIKE_REF.search(text) else "more_like"
    if (refs or re.search(r"\b(?:that|this) one\b", text)) and DISMISS_REF.search(text):
        return "dislike_refs"
    if NOT_THAT_ONE.search(text):  # "nah not that one": the one in focus, or the top pick
        return "exclude_refs"
    if EXCLUDE_SHOWN.search(text):
        return "exclude_shown"
    return None
