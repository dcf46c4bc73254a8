"""A second pack for the support evals, built from ABCD's agent guidelines (../shared/data/support-abcd, MIT).

Each of the 10 guideline flows (Product Defect, Order Issue, ...) becomes one JSON help document, and each
of its subflows (Initiate Refund, Recover Password, ...) one section: the subflow's instructions and the
text of its actions. Two ways of asking each section come from the guidelines too: the flow's description
("refunds and returns") and the first sentence of the subflow's instructions, which states the customer's
situation ("The customer believes an extra charge has been added to their order."). The catalog is ABCD's 16 products (brand and kind), without interactions.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

from retrieval.docs import slug

MANIFEST = """\
name = "abcd-retail"
title = "AcmeCorp retail support (ABCD agent guidelines)"
license_file = "LICENSE"
item_noun = "product"

[items]
path = "products.csv"
id = "id"
title = "title"
year = ""
genres = "kind"
description = ""
directors = ""
cast = ""

[support]
docs = "support"
"""


def _section(name: str, subflow: dict) -> dict:
    lines = list(subflow.get("instructions", [])[:1])
    for action in subflow.get("actions", []):
        text = action.get("text", "").strip()
        if text and text.lower() not in ("x", "communication"):
            lines.append(text)
        lines += [f"- {s.strip()}" for s in action.get("subtext", []) if s.strip()]
    lines += subflow.get("instructions", [])[1:]
    return {"title": name, "text": "\n".join(lines)}


def build_abcd_pack(source: Path, dest: Path) -> Path:
    """Writes the pack into `dest` and returns it."""
    guidelines = json.loads((Path(source) / "guidelines.json").read_text(encoding="utf-8"))
    ontology = json.loads((Path(source) / "ontology.json").read_text(encoding="utf-8"))
    (dest / "support").mkdir(parents=True, exist_ok=True)
    for flow, spec in guidelines.items():
        sections = []
        for name, sub in spec["subflows"].items():
            section = _section(name, sub)
            # ways of asking it: the flow's description and the guideline's own account of the customer's situation
            situation = re.split(r"(?<=[.!?])\s", (sub.get("instructions") or [""])[0].strip())[0]
            section["questions"] = [q for q in (spec.get("description", ""), situation) if q]
            sections.append(section)
        doc = {"title": flow, "sections": sections}
        (dest / "support" / f"{slug(flow)}.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    with (dest / "products.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "kind"])
        for n, product in enumerate(ontology["values"]["enumerable"]["product"], start=1):
            w.writerow([n, product.title(), product.split()[-1]])
    (dest / "pack.toml").write_text(MANIFEST, encoding="utf-8")
    shutil.copy(Path(source) / "LICENSE", dest / "LICENSE")
    return dest
