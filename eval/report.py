"""How a benchmark run is shown: a table next to the published systems, a self-contained HTML report, and
the figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.benchmark import KS, PUBLISHED


def print_comparison(result: dict) -> None:
    """Our figures next to the published ones for this benchmark (when known)."""
    published = PUBLISHED.get(result["benchmark"], {})
    cols = ["recall@1", "recall@5", "recall@10", "recall@20", "recall@50", "ndcg@10", "mrr"]
    print(f"{'system':<28}" + "".join(f"{c:>11}" for c in cols))
    ours = f"ours ({result['backend']})"
    print(f"{ours:<28}" + "".join(f"{result.get(c, float('nan')):>11.3f}" for c in cols))
    excl = "ours, excl. mentioned"
    print(f"{excl:<28}" + "".join(f"{result.get(c + '_excl_mentioned', float('nan')):>11.3f}" for c in cols))
    base = result.get("baseline_dense", {})
    if base:
        print(f"{'dense baseline (same run)':<28}" + "".join(f"{base.get(c, float('nan')):>11.3f}" for c in cols))
        print(f"{'dense baseline, excl. ment.':<28}" + "".join(
            f"{base.get(c + '_excl_mentioned', float('nan')):>11.3f}" for c in cols))
    for name, figures in published.items():
        print(f"{name:<28}" + "".join(f"{figures[c]:>11.3f}" if c in figures else f"{'–':>11}" for c in cols))
    note = f"{result['n_samples']} samples from {result['n_cases']} of {result['n_cases_total']} cases"
    if result["sampled"]:
        note += f"; seeded sample, recall@10 95% CI ± {result['recall@10_ci95']:.3f}"
    print(f"({note}; turn latency p50 {result['latency_p50_ms']} ms, p95 {result['latency_p95_ms']} ms)")
    if "borrowed" in result:
        b = result["borrowed"]
        print(f"models borrowed from {b['from']} ({b['matched']:,} of {b['items']:,} items matched by title)" if b
              else "no models borrowed: the catalog's own content")
    if result.get("dropped"):
        print("fields dropped (items that lost each): " + ", ".join(f"{k} {v:,}" for k, v in result["dropped"].items()))
    out = result.get("targets_ruled_out")
    if out:
        why = ", ".join(f"{k} {v}" for k, v in out["by_reason"].items()) or "none"
        print(f"targets ruled out by a constraint: {out['ruled_out']} of {out['targets']} ({out['share']:.1%}; {why})")
    odd = {k: result.get(k) for k in ("targets_not_in_catalog", "mentions_not_in_catalog", "cases_without_user_turn")}
    if any(odd.values()) or result.get("cases_skipped"):
        print("cases: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in odd.items())
              + f", lines skipped {len(result.get('cases_skipped', []))}")
    print("beyond accuracy: " + ", ".join(f"{k} {result[k]}" for k in (
        "catalog_coverage@10", "intra_list_diversity@10", "novelty@10_bits", "popularity_gini@10",
        "long_tail_share@10", "constraint_violation_rate", "explanation_faithfulness")))


def _bars(title: str, labels: list[str], values: list[float], fmt: str = "{:.3f}", width: int = 560) -> str:
    """A horizontal bar chart as inline SVG (labels escaped)."""
    import html as h

    row, label_w = 18, 150
    top = max(values + [1e-9])
    bars = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 24 + i * row
        w = (width - label_w - 60) * v / top
        bars.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{h.escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 4}" fill="#1971c2"/>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + 12}">{fmt.format(v)}</text>')
    height = 30 + len(labels) * row
    return (f'<h2>{h.escape(title)}</h2><svg width="{width}" height="{height}" role="img" '
            f'aria-label="{h.escape(title)}">{"".join(bars)}</svg>')


def html_report(result: dict, path: Path, previous: dict | None = None) -> None:
    """One self-contained HTML file (inline SVG, no script): recall@k against published systems, the dense
    baseline and a previous run; the turn-latency histogram; catalog coverage by genre; every figure."""
    import html as h

    published = PUBLISHED.get(result["benchmark"], {})
    series = {f"ours ({result['backend']})": {k: result[f"recall@{k}"] for k in KS},
              "ours, excl. mentioned": {k: result[f"recall@{k}_excl_mentioned"] for k in KS}}
    if previous:
        series[f"previous run ({h.escape(str(previous.get('backend', '?')))})"] = {
            k: previous[f"recall@{k}"] for k in KS if f"recall@{k}" in previous}
    if result.get("baseline_dense"):
        series["dense baseline (same run)"] = {k: result["baseline_dense"][f"recall@{k}"] for k in KS}
    for name, fig in published.items():
        series[name] = {k: fig[f"recall@{k}"] for k in KS if f"recall@{k}" in fig}
    w, hgt, pad = 560, 320, 48
    top = max([v for s in series.values() for v in s.values()] + [0.05]) * 1.1
    xs = {k: pad + i * (w - 2 * pad) / (len(KS) - 1) for i, k in enumerate(KS)}
    y = lambda v: hgt - pad - v / top * (hgt - 2 * pad)  # noqa: E731
    colors = ["#d9480f", "#f08c00", "#343a40", "#e64980", "#1971c2", "#2f9e44", "#7048e8", "#868e96", "#15aabf"]
    lines = []
    for s, color in zip(series.values(), colors, strict=False):
        pts = " ".join(f"{xs[k]:.1f},{y(v):.1f}" for k, v in sorted(s.items()))
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        lines += [f'<circle cx="{xs[k]:.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>' for k, v in s.items()]
    axes = "".join(f'<text x="{xs[k]:.1f}" y="{hgt - pad + 18}" text-anchor="middle">@{k}</text>' for k in KS)
    ticks = "".join(f'<text x="{pad - 6}" y="{y(t):.1f}" text-anchor="end">{t:.2f}</text>'
                    for t in np.linspace(0, top, 5))
    legend = "".join(f'<li style="color:{c}">{h.escape(n)}</li>' for n, c in zip(series, colors, strict=False))
    hist = result.get("latency_histogram_ms") or {}
    latency = ""
    if hist.get("counts"):
        fmt = lambda v: f"{v:.1f}" if v < 10 else f"{v:.0f}"  # noqa: E731
        labels = [f"{fmt(a)}–{fmt(b)} ms" for a, b in zip(hist["edges"], hist["edges"][1:], strict=False)]
        latency = _bars("Turn latency (turns per bin)", labels, [float(c) for c in hist["counts"]], "{:.0f}")
    genres = result.get("coverage_by_genre@10") or {}
    coverage = _bars("Catalog coverage by genre (share of its items in any top-10)", list(genres),
                     list(genres.values())) if genres else ""
    compare = ""
    if previous:
        keys = [k for k in ("recall@1", "recall@10", "recall@50", "ndcg@10", "mrr", "recall@10_excl_mentioned",
                            "latency_p50_ms", "catalog_coverage@10") if k in result and k in previous]
        compare = "<h2>Against the previous run</h2><table><tr><th></th><th>this run</th><th>previous</th></tr>" + "".join(
            f"<tr><td>{h.escape(k)}</td><td>{h.escape(str(result[k]))}</td><td>{h.escape(str(previous[k]))}</td></tr>"
            for k in keys) + "</table>"
    rows = "".join(f"<tr><td>{h.escape(k)}</td><td>{h.escape(str(v))}</td></tr>" for k, v in result.items()
                   if not isinstance(v, dict))
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Benchmark: {h.escape(result['benchmark'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:900px}}td{{padding:2px 10px}}
svg text{{font-size:12px}}</style></head><body>
<h1>Benchmark replay: {h.escape(result['benchmark'])}</h1>
<p>Recall@k per (case, target) sample; backend <b>{h.escape(result['backend'])}</b>;
{result['n_samples']} samples from {result['n_cases']} cases.</p>
<h2>Recall@k</h2>
<svg width="{w}" height="{hgt}" role="img" aria-label="recall at k">
<line x1="{pad}" y1="{hgt - pad}" x2="{w - pad}" y2="{hgt - pad}" stroke="#999"/>
<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{hgt - pad}" stroke="#999"/>{axes}{ticks}{''.join(lines)}</svg>
<ul>{legend}</ul>{compare}{latency}{coverage}<h2>All figures</h2><table>{rows}</table></body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def write_json(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
