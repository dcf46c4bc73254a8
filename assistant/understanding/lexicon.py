"""Words the deterministic parser knows: genre synonyms, moods, numbers, decades, filler."""

from __future__ import annotations

# genre key -> ways people say it; only keys present in the catalog are used
GENRE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sci-fi": ("sci-fi", "sci fi", "scifi", "science fiction", "science-fiction", "sf"),
    "comedy": ("comedy", "comedies", "comedic"),
    "horror": ("horror", "horrors", "slasher", "slashers"),
    "romance": ("romance", "romances", "romantic", "love story", "love stories"),
    "action": ("action",),
    "adventure": ("adventure", "adventures"),
    "animation": ("animation", "animated", "cartoon", "cartoons", "anime"),
    "children": ("children", "children's", "kids", "kid", "family"),
    "documentary": ("documentary", "documentaries", "docs", "docu"),
    "drama": ("drama", "dramas", "dramatic"),
    "thriller": ("thriller", "thrillers", "suspense"),
    "crime": ("crime", "gangster", "gangsters", "mafia", "mob"),
    "mystery": ("mystery", "mysteries", "whodunit", "whodunnit"),
    "fantasy": ("fantasy", "fantasies"),
    "war": ("war", "wartime"),
    "musical": ("musical", "musicals"),
    "western": ("western", "westerns", "cowboy", "cowboys"),
    "film-noir": ("film noir", "film-noir", "noir"),
    "imax": ("imax",),
}
# phrases that mean two genres at once
GENRE_COMBOS: dict[str, tuple[str, ...]] = {
    "rom-com": ("romance", "comedy"),
    "rom-coms": ("romance", "comedy"),
    "rom com": ("romance", "comedy"),
    "romcom": ("romance", "comedy"),
    "romcoms": ("romance", "comedy"),
    "romantic comedy": ("romance", "comedy"),
    "romantic comedies": ("romance", "comedy"),
}
# moods: soft preferences that boost a genre without requiring it (and exclude it when negated)
MOOD_GENRES: dict[str, tuple[str, ...]] = {
    "funny": ("comedy",),
    "hilarious": ("comedy",),
    "lighthearted": ("comedy",),
    "light-hearted": ("comedy",),
    "laugh": ("comedy",),
    "feel-good": ("comedy",),
    "feel good": ("comedy",),
    "scary": ("horror",),
    "creepy": ("horror",),
    "frightening": ("horror",),
    "terrifying": ("horror",),
    "gory": ("horror",),
    "spooky": ("horror",),
    "suspenseful": ("thriller",),
    "thrilling": ("thriller",),
    "tense": ("thriller",),
    "exciting": ("action",),
    "magical": ("fantasy",),
    "romantic": ("romance",),
    "funnier": ("comedy",),
    "scarier": ("horror",),
    "creepier": ("horror",),
    "lighter": ("comedy",),
    "something light": ("comedy",),
    "not so serious": ("comedy",),
    "not too serious": ("comedy",),
    "less serious": ("comedy",),
    "uplifting": ("comedy",),
    "cheerful": ("comedy",),
    "sad": ("drama",),
    "tearjerker": ("drama",),
    "tear-jerker": ("drama",),
    "heartbreaking": ("drama",),
    "make me cry": ("drama",),
    "makes me cry": ("drama",),
    "made me cry": ("drama",),
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "a couple of": 2, "a few": 3}
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
            "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "seventh": 6, "7th": 6, "eighth": 7, "8th": 7,
            "ninth": 8, "9th": 8, "tenth": 9, "10th": 9, "last": -1, "final": -1, "top": 0}
ORDINAL_NAMES = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
DECADE_WORDS = {"twenties": 1920, "thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960,
                "seventies": 1970, "eighties": 1980, "nineties": 1990}

# words that carry no preference: request phrasing, pronouns, discourse markers
FILLER = set(
    """i i'm im i'd id i've ive me my mine we us our you your want wanna would like looking look for a an the some
    something anything movie movies film films flick flicks book books item items show shows recommend
    recommendation recommendations recommended suggest suggestion suggestions suggested please pls can could you give find get watch
    watching to with from in of on at that this these those is are was be been it its it's and or but
    maybe any what which should see really very kind sort type types genre genres one ones there about also just
    so too else more other good great nice cool fun have has had do does did tonight today now let lets let's
    need how some year years era decade decades released release made came out new recent set something's
    thing things stuff watchable please thanks hey hi hello liked likes love loved loves enjoyed enjoy
    adored hated hate disliked similar such fan reminds remind actually instead rather okay ok well hmm yes
    yeah sure perhaps still again only even though already mood feel feeling into all both together
    she he her him his hers they them their theirs will make makes making night evening afternoon weekend got
    idea ideas picks options""".split()
)

# tags that are too generic to be a keyword on their own
GENERIC_TAGS = FILLER | {"movie", "film", "good", "bad", "great", "classic", "boring", "seen", "watched", "dvd",
                         "netflix", "queue", "owned", "imdb top 250", "favorite", "favorites", "overrated",
                         "must see", "to see", "want to see", "bd-r", "based on a book", "remake",
                         "awesome", "interesting", "beautiful", "great ending", "good dialogue", "bad acting",
                         "bad plot", "bad script", "bad writing", "predictable", "plot holes", "stupid ending",
                         "ridiculous", "not seen", "seen more than once", "in netflix queue",
                         "not available from netflix", "remade", "sequel", "soundtrack", "dialogue", "big budget",
                         "cinematography", "long shots", "slick", "unique", "class", "union", "jason", "race",
                         "president", "death", "humor", "humorous", "smart", "clever", "intelligent", "moving",
                         "touching", "emotional", "sweet", "silly", "goofy", "dark", "intense", "artistic", "artsy",
                         "stylish", "stylized", "rasicm", "reciprocal spectator", "audience intelligence underestimated",
                         "heroine in tight suit", "sexy female scientist", "shakespeare sort of", "great performances",
                         "great soundtrack", "good soundtrack", "visually appealing", "visually stunning",
                         "food", "court", "television", "radio", "theater"}
