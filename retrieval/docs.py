"""Support documents: an operator's help pages, FAQ and policies, read into citable passages.

A pack's support folder may hold:

- Markdown (`.md`): `# Document title`, then one passage per `## Section`. A line right under
  a section heading that starts with `*Also asked:` lists other ways people ask it (`;`-separated).
- JSON (`.json`): `{"title": .., "sections": [{"title": .., "text": .., "questions": [..]}]}`,
  or a list of `{"question": .., "answer": ..}` entries (a FAQ).
- CSV (`.csv`): columns `question` and `answer`, optional `section` and `document`.

Each passage is cited as "Document title › Section" and has a stable id `doc#section-slug`.
Broken files are reported with their reason and skipped; they never stop the others.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.injection import is_injection, strip_injections
from retrieval.manifest import RowIssue

SUFFIXES = (".md", ".markdown", ".json", ".csv")
MAX_FILE_BYTES = 2_000_000
MAX_PASSAGE_CHARS = 4000
_ALSO = re.compile(r"^\s*[*_]?\s*also asked\s*:\s*(?P<list>.*?)\s*[*_]?\s*$", re.I)


@dataclass(frozen=True)
class Passage:
    """One citable section of a support document."""

    id: str
    doc: str
    doc_title: str
    section: str
    text: str
    questions: tuple[str, ...] = field(default=())

    @property
    def citation(self) -> str:
        return f"{self.doc_title} › {self.section}"

    @property
    def body(self) -> str:
        """What gets embedded and searched as the passage's content."""
        return f"{self.section}. {self.text}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "section"


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks dropped; the words stay."""
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _split(value: str) -> tuple[str, ...]:
    return tuple(q.strip() for q in value.split(";") if q.strip())


def _passage(doc: str, doc_title: str, section: str, text: str, questions: tuple[str, ...], seen: set[str]) -> Passage:
    base = f"{doc}#{slug(section)}"
    pid, n = base, 2
    while pid in seen:
        pid, n = f"{base}-{n}", n + 1
    seen.add(pid)
    return Passage(pid, doc, doc_title, section.strip(), text.strip()[:MAX_PASSAGE_CHARS], questions)


def parse_markdown(doc: str, source: str) -> list[Passage]:
    title, intro, sections = doc, [], []
    current: list | None = None
    for line in source.splitlines():
        if line.startswith("# ") and current is None and not sections:
            title = _plain(line[2:])
        elif line.startswith("## "):
            current = [_plain(line[3:]), [], ()]
            sections.append(current)
        elif current is not None and not current[1] and not current[2] and _ALSO.match(line):
            current[2] = _split(_ALSO.match(line)["list"])
        elif current is not None:
            current[1].append(line)
        else:
            intro.append(line)
    seen: set[str] = set()
    out = []
    if not sections and "\n".join(intro).strip():
        sections = [[title, intro, ()]]
    for name, lines, questions in sections:
        text = _plain("\n".join(lines))
        if text:
            out.append(_passage(doc, title, name, text, questions, seen))
    return out


def parse_json(doc: str, data: object) -> list[Passage]:
    seen: set[str] = set()
    if isinstance(data, dict):
        title = str(data.get("title") or doc)
        sections = data.get("sections")
        if not isinstance(sections, list):
            raise ValueError('a JSON document needs a "sections" list')
        out = []
        for s in sections:
            if not isinstance(s, dict) or not isinstance(s.get("title"), str) or not isinstance(s.get("text"), str):
                raise ValueError('each section needs "title" and "text" strings')
            questions = s.get("questions") or []
            if not isinstance(questions, list):
                raise ValueError('"questions" must be a list of strings')
            out.append(_passage(doc, title, s["title"], s["text"], tuple(str(q) for q in questions), seen))
        return out
    if isinstance(data, list):
        out = []
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("question"), str) \
                    or not isinstance(entry.get("answer"), str):
                raise ValueError('each FAQ entry needs "question" and "answer" strings')
            out.append(_passage(doc, doc, entry["question"], entry["answer"], (), seen))
        return out
    raise ValueError("a JSON object or list was expected")


def parse_csv(doc: str, source: str) -> list[Passage]:
    reader = csv.DictReader(source.splitlines())
    if not reader.fieldnames or not {"question", "answer"} <= set(reader.fieldnames):
        raise ValueError('a support CSV needs "question" and "answer" columns')
    seen: set[str] = set()
    out = []
    for row in reader:
        question, answer = (row.get("question") or "").strip(), (row.get("answer") or "").strip()
        if question and answer:
            out.append(_passage(doc, (row.get("document") or doc).strip(), row.get("section") or question, answer,
                                (question,) if row.get("section") else (), seen))
    return out


def load_docs(folder: str | Path) -> tuple[list[Passage], list[RowIssue]]:
    """Every passage of every support document under `folder`, and the files that could not be read."""
    folder = Path(folder)
    passages: list[Passage] = []
    issues: list[RowIssue] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
        name = str(path.relative_to(folder))
        doc = slug(str(path.relative_to(folder).with_suffix("")))
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB")
            source = path.read_text(encoding="utf-8")
            suffix = path.suffix.lower()
            if suffix == ".json":
                found = parse_json(doc, json.loads(source))
            elif suffix == ".csv":
                found = parse_csv(doc, source)
            else:
                found = parse_markdown(doc, source)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, csv.Error) as e:
            issues.append(RowIssue(file=name, line=0, reason=f"skipped: {e}"))
            continue
        if not found:
            issues.append(RowIssue(file=name, line=0, reason="skipped: no sections with text"))
        for p in found:
            clean, note = _without_injections(p)
            if note:
                issues.append(RowIssue(file=name, line=0, reason=f"section {p.section!r}: {note}"))
            if clean is not None:
                passages.append(clean)
    return passages, issues


def _without_injections(p: Passage) -> tuple[Passage | None, str]:
    """The passage without text addressed to the assistant (retrieval/injection.py), and what was dropped."""
    if is_injection(p.section) or is_injection(p.doc_title):
        return None, "skipped: its title is text addressed to the assistant (possible prompt injection)"
    text, n = strip_injections(p.text)
    questions = tuple(q for q in p.questions if not is_injection(q))
    if not n and len(questions) == len(p.questions):
        return p, ""
    note = (f"kept, without {n} sentence(s) and {len(p.questions) - len(questions)} question(s) addressed to the "
            "assistant (possible prompt injection)")
    if not text.strip():
        return None, note.replace("kept, without", "skipped: nothing left but")
    return replace(p, text=text, questions=questions), note


def docs_hash(passages: list[Passage]) -> str:
    h = hashlib.sha256()
    for p in passages:
        h.update(json.dumps([p.id, p.doc_title, p.section, p.text, p.questions]).encode())
    return h.hexdigest()[:16]
