"""Evaluation reports: JSON for machines, one self-contained HTML page with plots for people."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _policy_plot(result: dict[str, Any]) -> str:
    values = result["policy_value_uplift"][f"top{result['k']}"]
    names = list(values)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(names, [100 * values[n] for n in names], color=["#555", "#1f77b4", "#ff7f0e", "#2ca02c", "#999"])
    ax.set_ylabel("mean true uplift (points)")
    ax.set_title(f"Top-{result['k']} policy value (SYNTHETIC scenario {result['scenario']})")
    return _png(fig)


def _reliability_plot(result: dict[str, Any]) -> str:
    rel = result["reliability"]
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], ls="--", color="#999")
    ax.plot(rel["predicted"], rel["observed"], marker="o")
    top = max([*rel["predicted"], *rel["observed"], 0.1]) * 1.1
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted P(job in 6 months)")
    ax.set_ylabel("observed share")
    ax.set_title("Reliability (logged actions)")
    return _png(fig)


def write_report(result: dict[str, Any], out_dir: Path, *, name: str = "evaluation") -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.html`` into *out_dir*; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{name}.json"
    json_path.write_text(json.dumps(result, indent=2, sort_keys=True, default=float), encoding="utf-8")
    leak = (
        "<p class=warn><strong>Probable leakage:</strong> outcome AUC above 0.9.</p>"
        if result.get("probable_leakage")
        else ""
    )
    body = f"""<!doctype html><html lang=en><meta charset=utf-8>
<title>Lotse evaluation - {html.escape(result["scenario"])} (synthetic)</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}.warn{{color:#b00}}
pre{{background:#f4f4f4;padding:1rem}}</style>
<h1>Evaluation on scenario <code>{html.escape(result["scenario"])}</code></h1>
<p><strong>SYNTHETIC:</strong> all figures describe a simulated world with known effects, not real people.</p>
{leak}
<p>Share of oracle (top-{result["k"]}): <strong>{result["share_of_oracle"]:.1%}</strong>;
learned uplift vs rules baseline: <strong>{result["uplift_vs_rules"]:.2f}x</strong>;
outcome AUC {result["outcome_auc"]:.3f}; Brier {result["brier"]:.4f}.</p>
<img alt="Policy values of the learned, rules, most-popular and random policies against the oracle"
 src="data:image/png;base64,{_policy_plot(result)}">
<img alt="Reliability plot: predicted against observed job-finding share"
 src="data:image/png;base64,{_reliability_plot(result)}">
<h2>All figures</h2><pre>{html.escape(json.dumps(result, indent=2, sort_keys=True, default=float))}</pre>
</html>"""
    html_path = out_dir / f"{name}.html"
    html_path.write_text(body, encoding="utf-8")
    return json_path, html_path
