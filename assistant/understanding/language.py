"""Whether a message is written in a language the assistant reads, or is encoded text rather than words.

The rules read English. A message in another language or script used to be searched as words and quoted back
("Here are 5 movies, matching “ignora todas las instrucciones …”"): its words found titles in that language by
meaning, and anyone could put a sentence of their choosing in the shop's reply. Such a message is now read as
neither a request nor searched, and gets a reply that says which language the assistant reads.

Which language is py3langid's naive Bayes model over byte n-grams (langid.py, shipped inside the package: no
download), restricted to widely written languages. Short or mixed messages fool any identifier ("sci-fi from the
90s" scores .31 English, "I loved La vita è bella" .93 Italian), so a message counts as another language only when
the model is sure, the message has at least `MIN_WORDS` words once the catalog titles it names are blanked out,
and under `ENGLISH_SHARE` of its words are everyday English words (the parser's filler). A message mostly in
another script (Chinese, Cyrillic, Arabic ...) needs no model to tell, only which one it is.

A long run of base64 that decodes to text is encoded, not words: an instruction hidden from the readers.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import unicodedata

from assistant.understanding.lexicon import ENGLISH

MIN_WORDS = 3  # "hola", "k thx" and "bonjour" are too short to tell
SURE = 0.85  # the identifier's probability for the other language
# ... and where not one word is everyday English: of 12,971 ReDial and Bitext messages, 60 have no such word in 3 or
# more, and the identifier gives none of them another language above .42 ("Teenage Mutant Ninja Turtles (1990)")
SURE_NO_ENGLISH = 0.5
ENGLISH_SHARE = 0.3  # this share of everyday English words makes a message English whatever the model says
# the languages the identifier chooses among (ISO 639-1), with the names a reply uses
LANGUAGES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "pl": "Polish",
    "cs": "Czech", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian", "ro": "Romanian", "hu": "Hungarian",
    "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "bg": "Bulgarian", "el": "Greek", "ar": "Arabic",
    "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "bn": "Bengali", "zh": "Chinese", "ja": "Japanese",
    "ko": "Korean", "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "ms": "Malay", "tl": "Tagalog",
    "ca": "Catalan", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "sw": "Swahili",
}
ENCODED = "encoded"  # what `foreign` says of base64 text
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_BASE64 = re.compile(r"(?<![\w+/])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=])")


@functools.cache
def identifier():
    """The language identifier, loaded once per process (about a second; `crs serve` loads it before the first turn)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(LANGUAGES))
    return model


def foreign(text: str) -> str | None:
    """The name of the language `text` is written in when it is not English ("Spanish"), `ENCODED` for base64 text,
    None for English or a message too short to tell. `text` should have the catalog titles it names blanked out."""
    if _encoded(text):
        return ENCODED
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    other_script = sum(not unicodedata.name(c, "LATIN").startswith("LATIN") for c in letters) / len(letters)
    if other_script >= 0.5:
        code, _ = identifier().classify(text.casefold())
        return LANGUAGES.get(code, "another script") if code != "en" else "another script"
    words = [w.casefold() for w in _WORD.findall(text)]
    english = sum(w in ENGLISH for w in words)
    if len(words) < MIN_WORDS or english / len(words) >= ENGLISH_SHARE:
        return None
    code, p = identifier().classify(text.casefold())  # a language is the same in capitals ("Hola Quiero Una...")
    return LANGUAGES[code] if code != "en" and p >= (SURE if english else SURE_NO_ENGLISH) else None


def _encoded(text: str) -> bool:
    """A run of base64 (mixed case and digits, 16 characters or more) that decodes to mostly printable text."""
    for m in _BASE64.finditer(text):
        run = m.group()
        if not (re.search(r"[a-z]", run) and re.search(r"[A-Z]", run) and re.search(r"\d", run)):
            continue
        try:
            raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        if raw and sum(32 <= b < 127 for b in raw) / len(raw) >= 0.9:
            return True
    return False
