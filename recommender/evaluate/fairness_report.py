"""The ``lotse audit fairness`` report: one self-contained HTML page made to be read by a works council.

Why its own page (not the model report's): a fairness audit is read by people who decide whether
to ask questions, not by data scientists; it states its date, data source, the audited model and
how many people volunteered a self-report, shows *every* module (not the most shown ones), draws
each group's 95 % interval, and keeps need-based eligibility apart from the model's ranking.
Plots are PNGs embedded as base64; nothing is loaded from anywhere.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#7f7f7f")


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def exposure_chart(attribute: str, result: dict[str, Any], labels: dict[str, str]) -> bytes | None:
    """Horizontal bars per module and group with 95 % interval whiskers; PNG (None if no metric).

    Used by this page and by the model report (``recommender.evaluate.model_report``).
    """
    metrics = result.get("metrics", {})
    kind = "exposure_if_eligible" if any(k.startswith("exposure_if_eligible:") for k in metrics) else "exposure"
    names = sorted((k for k in metrics if k.startswith(f"{kind}:")), key=lambda k: labels.get(k.split(":")[1], k))
    if not names:
        return None
    groups = list(result["groups"])
    height = 0.8 / max(len(groups), 1)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(names) * max(len(groups), 2) / 2 + 1.5))
    y = np.arange(len(names))
    for g, group in enumerate(groups):
        mid = np.array([(metrics[k]["by_group"].get(group) or 0) * 100 for k in names])
        ci = [metrics[k]["ci"].get(group) or [None, None] for k in names]
        low = np.array([mid[i] - (c[0] or 0) * 100 if c[0] is not None else 0 for i, c in enumerate(ci)])
        high = np.array([(c[1] or 0) * 100 - mid[i] if c[1] is not None else 0 for i, c in enumerate(ci)])
        ax.barh(y + g * height, mid, height=height, color=COLOURS[g % len(COLOURS)], label=group,
                xerr=np.vstack([np.maximum(low, 0), np.maximum(high, 0)]), error_kw={"elinewidth": 0.8, "capsize": 2})
    for i, k in enumerate(names):
        if all(v is None for v in metrics[k]["by_group"].values()):
            ax.text(0.5, y[i] + height * (len(groups) - 1) / 2, "nobody eligible", va="center", fontsize=7,
                    color="#555555")
    module_labels = [labels.get(k.split(":", 1)[1], k.split(":", 1)[1]) + (" (funded)" if metrics[k].get("funded")
                                                                         else "") for k in names]
    ax.set_yticks(y + height * (len(groups) - 1) / 2, module_labels, fontsize=8)
    ax.invert_yaxis()
    what = "in the model's top 5, among people eligible" if kind == "exposure_if_eligible" else "shown"
    ax.set_xlabel(f"share of the group ({what}), %, with 95% interval")
    ax.set_title(f"Advice by {attribute.replace('_', ' ')}", pad=28)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(groups), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _alert_rows(alerts: list[dict[str, Any]], labels: dict[str, str]) -> str:
    rows = []
    for a in alerts:
        kind, _, module = a["metric"].partition(":")
        what = labels.get(module, module) if module else kind.replace("_", " ")
        value = a.get("ratio", a.get("difference"))
        ci = a.get("ratio_ci") or ["", ""]
        rows.append(f"<tr><td>{html.escape(a['attribute'].replace('_', ' '))}</td><td>{html.escape(what)}</td>"
                    f"<td>{html.escape(kind.replace('_', ' '))}</td><td>{value:.2f}</td>"
                    f"<td>{'' if ci[0] is None or ci[0] == '' else f'{ci[0]:.2f} - {ci[1]:.2f}'}</td>"
                    f"<td>{html.escape(str(a.get('lowest_group', '')))}</td>"
                    f"<td>{'yes' if a.get('funded') else ''}</td></tr>")
    return "".join(rows) or "<tr><td colspan=7>none</td></tr>"


def render_fairness_html(result: dict[str, Any], *, generated_at: datetime, data_source: str, model: str | None,
                         labels: dict[str, str]) -> str:
    """The whole page: header facts, alerts table, then one chart and group table per attribute."""
    sections = []
    for attribute, r in result["attributes"].items():
        chart = exposure_chart(attribute, r, labels)
        groups = ", ".join(f"{html.escape(g)} ({n:,})" for g, n in r["groups"].items())
        suppressed = ", ".join(r.get("suppressed", [])) or "none"
        image = (f'<img alt="advice by {html.escape(attribute)} with 95% intervals" src="data:image/png;base64,'
                 f'{base64.b64encode(chart).decode()}">' if chart
                 else "<p>Fewer than two groups large enough to compare.</p>")
        sections.append(f"<h2>{html.escape(attribute.replace('_', ' ').capitalize())}</h2>"
                        f"<p>Groups: {groups}. Suppressed (fewer than {result['min_group_size']}): "
                        f"{html.escape(suppressed)}.</p>{image}")
    simulated = data_source != "real log"
    banner = ("<p class=banner>SIMULATED: this audit describes simulated people from <code>lotse simulate log</code>, "
              "not real job-seekers.</p>" if simulated else "")
    ranked = (f"the rankings of model <code>{html.escape(model)}</code> (its top {result.get('top_k')} among the "
              "modules the rules allow)" if model else "the advice the log shows")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotse fairness audit {generated_at:%Y-%m-%d}</title>
<style>body{{font-family:sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.45}}
.banner{{background:#fff3cd;padding:.5rem 1rem;border-left:4px solid #b38600}}
table{{border-collapse:collapse;margin:.5rem 0}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}}
img{{max-width:100%}}dt{{font-weight:bold}}</style></head>
<body><h1>Fairness audit</h1>{banner}
<dl><dt>Date</dt><dd>{generated_at:%Y-%m-%d %H:%M} UTC</dd>
<dt>Data</dt><dd>{html.escape(data_source)} log; exposure from {ranked}</dd>
<dt>People</dt><dd>{result['people_with_report']:,} of {result['people']:,} people volunteered a self-report
(only they are compared)</dd>
<dt>Intervals</dt><dd>95% bootstrap intervals, {result['n_boot']} resamples</dd></dl>
<p>Differences in <em>eligibility</em> follow the rules (a German course is only offered below level C1) and are
need-based; alerts are raised only where the model ranks a module differently for eligible people of different
groups. An alert (ratio below {result['alert_ratio']}) asks for a human review; it is not a verdict.</p>
<h2>Alerts</h2>
<table><tr><th>attribute</th><th>module / metric</th><th>kind</th><th>ratio</th><th>95% interval</th>
<th>lowest group</th><th>funded</th></tr>{_alert_rows(result['alerts'], labels)}</table>
{''.join(sections)}
</body></html>
"""
