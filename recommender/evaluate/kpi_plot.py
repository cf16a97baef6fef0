"""One benchlearning indicator as a small server-rendered SVG bar chart (no JavaScript needed).

Texts arrive translated and numbers formatted for the reader's locale; the chart only draws.
A suppressed cell gets no bar and the caller's word for it, so a gap is never read as zero.

matplotlib is imported on the first chart, not with the module: the benchlearning page's router
is part of every serving worker, and matplotlib with its font and image stack costs each worker
about 29 MB it would otherwise hold for a page a few team leads open (issue 16). The first chart
in a process pays the import once (see the README's Performance section).
"""

from __future__ import annotations

import io

OWN = "#1f4e79"
OTHER = "#6b6b6b"


def bar_chart_svg(*, title: str, labels: list[str], lengths: list[float | None], texts: list[str],
                  own: list[bool]) -> str:
    """Horizontal bars, our Jobcenter in blue; *texts* are printed beside each bar.

    *title* goes into the SVG's metadata only: the page's heading already names the indicator.
    """
    import matplotlib  # lazy: see the module docstring

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.hashsalt": "lotse-kpi", "font.size": 9}):  # stable ids: same figures, same bytes
        fig, ax = plt.subplots(figsize=(6.0, 0.9 + 0.38 * len(labels)))
        bars = [length or 0.0 for length in lengths]
        ax.barh(range(len(labels)), bars, color=[OWN if o else OTHER for o in own])
        ax.set_yticks(range(len(labels)), labels=labels)
        ax.invert_yaxis()
        top = max(bars, default=0.0) or 1.0
        for n, (length, text) in enumerate(zip(bars, texts, strict=True)):
            ax.text(length + top * 0.01, n, text, va="center")
        ax.set_xlim(0, top * 1.3)
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Title": title})
        plt.close(fig)
    return buffer.getvalue()
