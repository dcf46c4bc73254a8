"""Trains the learned readers whose shipped copy is stale (or every one, `--all`) and writes them to prompts/trained/,
where state folders take each from while its examples, settings and sentence model are those it was trained on
(assistant.understanding.learned, `SHIPPED`).

Run after changing a reader's examples (prompts/*.toml) or settings; the suite fails while a shipped reader is stale
(tests/test_learned_reader.py). Only the stale ones are trained (`--all`: every one), each in seconds from its
examples alone (no pack, no benchmark), on one thread: torch's sums, and so the weights, depend on the thread count.
    make readers        (or .venv/bin/python prompts/make_readers.py [--all])
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from assistant.support.person import person_model  # noqa: E402
from assistant.understanding import learned  # noqa: E402
from assistant.understanding.genre_stances import genre_stance_model  # noqa: E402
from assistant.understanding.item_words import item_words_model  # noqa: E402
from assistant.understanding.learned import intent_model  # noqa: E402
from assistant.understanding.listing import list_model  # noqa: E402
from assistant.understanding.moods import mood_model  # noqa: E402
from assistant.understanding.person_names import person_names_model  # noqa: E402
from assistant.understanding.references import ref_model  # noqa: E402
from assistant.understanding.stances import stance_model  # noqa: E402

# every learned reader a state folder keeps under models/ (engine.prepare builds each of them)
READERS = (intent_model, list_model, ref_model, stance_model, genre_stance_model, mood_model, item_words_model,
           person_names_model, person_model)


def main(every: bool = False) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    from tqdm import tqdm

    from retrieval.embed import shared_embedder

    os.environ.pop(learned.READER_CACHE_ENV, None)
    learned._TRAINED.clear()
    embedder = shared_embedder()
    out = HERE / learned.SHIPPED
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as state:
        for make in tqdm(READERS, desc="readers", unit="reader"):
            learned.USE_SHIPPED = True
            if not every and make(embedder, Path(state) / "check", build=False) is not None:
                continue  # shipped, and current
            learned.USE_SHIPPED = False
            t = time.perf_counter()
            before = set((Path(state) / "models").glob("*.pt"))
            model = make(embedder, state)
            written = sorted(set((Path(state) / "models").glob("*.pt")) - before)
            assert model is not None and len(written) == 1, (make.__name__, written)
            shutil.copy(written[0], out / written[0].name)
            tqdm.write(f"{written[0].name}: {model.meta.get('n_examples', '?')} examples, "
                       f"{time.perf_counter() - t:.1f} s, data hash {model.data_hash}")


if __name__ == "__main__":
    main(every="--all" in sys.argv[1:])
