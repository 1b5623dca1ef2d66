"""Pictures of practice variation (matplotlib, PNG): treatment duration and anticoagulant
class by VTE type, platelet thresholds for reducing and holding, and prophylaxis."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.survey.summary import Summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CHARTS", "CHART_ITEMS", "PALETTE", "pyplot", "render_charts"]

_VTE_TYPES = (("Catheter DVT", "cvc"), ("Pulmonary embolism", "pe"), ("CSVT", "csvt"))
_DURATION_ITEMS = {"cvc": "q13_cvc_duration", "pe": "q19_pe_duration", "csvt": "q23_csvt_duration"}
_AGENT_ITEMS = {
    "cvc": "q12_cvc_first_agent",
    "pe": "q18_pe_first_agent",
    "csvt": "q22_csvt_first_agent",
}
# Colour-blind-safe qualitative palette (Okabe & Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]


def pyplot() -> Any:
    """matplotlib's pyplot, headless, in the house style of the survey and registry charts."""
    import matplotlib

    matplotlib.use("Agg")  # no display here or on servers
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "vte",
            "figure.dpi": 110,
        }
    )
    return plt


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


def _stacked(summary: Summary, items: dict[str, str], title: str) -> Figure:
    """One 100% bar per VTE type, segments per answer, labelled with their percentage."""
    plt = pyplot()
    first = summary.items[next(iter(items.values()))]
    codes = list(first.counts)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    names = [name for name, _ in _VTE_TYPES]
    for row, (_, key) in enumerate(_VTE_TYPES):
        s = summary.items[items[key]]
        left = 0.0
        for k, code in enumerate(codes):
            share = s.percent.get(code, 0.0)
            if share <= 0:
                continue
            ax.barh(
                row,
                share,
                left=left,
                color=PALETTE[k % len(PALETTE)],
                label=first.labels[code] if row == 0 else None,
                edgecolor="white",
            )
            if share >= 6:
                ax.text(
                    left + share / 2,
                    row,
                    f"{share:.0f}%",
                    ha="center",
                    va="center",
                    color=_ink(PALETTE[k % len(PALETTE)]),
                    fontsize=9,
                    fontweight="bold",
                )
            left += share
        ax.text(101, row, f"n={s.answered}", va="center", fontsize=9, color="#52606d")
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=PALETTE[k % len(PALETTE)]) for k in range(len(codes))
    ]
    ax.legend(
        handles,
        [first.labels[c] for c in codes],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=4,
        frameon=False,
        fontsize=9,
    )
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_title(title, loc="left", fontweight="bold")
    fig.tight_layout()
    return fig


def durations(summary: Summary) -> Figure:
    return _stacked(summary, _DURATION_ITEMS, "Usual treatment duration, by VTE type")


def agents(summary: Summary) -> Figure:
    return _stacked(summary, _AGENT_ITEMS, "First-line anticoagulant, by VTE type")


def thresholds(summary: Summary) -> Figure:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, item, title, colour in (
        (axes[0], "q31_plt_reduce_threshold", "Reduce the dose below (x10^9/L)", PALETTE[1]),
        (axes[1], "q32_plt_hold_threshold", "Hold anticoagulation below (x10^9/L)", PALETTE[5]),
    ):
        s = summary.items[item]
        codes = list(s.counts)
        ax.bar(range(len(codes)), [s.percent[c] for c in codes], color=colour)
        ax.set_xticks(range(len(codes)), [s.labels[c] for c in codes], rotation=30, ha="right")
        ax.set_title(f"{title}\nn={s.answered}", loc="left", fontsize=10)
        for x, c in enumerate(codes):  # the bar's own measure: percent, as the axis
            if s.counts[c]:
                ax.text(x, s.percent[c] + 1, f"{s.percent[c]:.0f}%", ha="center", fontsize=8)
    axes[0].set_ylabel("% of those answering")
    fig.suptitle("Platelet thresholds during anticoagulation", x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


def prophylaxis(summary: Summary) -> Figure:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
    panels = (
        ("q38_primary_prophylaxis", "Primary prophylaxis\nin induction"),
        ("q39_prophylaxis_agents", "Agents used for\nprophylaxis (any)"),
        ("q42_secondary_prophylaxis", "Secondary prophylaxis\nafter VTE"),
    )
    for ax, (item, title) in zip(axes, panels, strict=True):
        s = summary.items[item]
        codes = list(s.counts)
        ax.barh(range(len(codes)), [s.percent[c] for c in codes], color=PALETTE[2])
        for y, c in enumerate(codes):
            ax.text(s.percent[c] + 1, y, f"{s.percent[c]:.0f}%", va="center", fontsize=8)
        ax.set_yticks(range(len(codes)), [s.labels[c] for c in codes], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_title(f"{title} (n={s.answered})", loc="left", fontsize=10)
        ax.set_xlabel("% of those answering", fontsize=8)
    fig.suptitle("Thromboprophylaxis practice", x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


#: The items each chart draws (the page says which of them are not calibrated).
CHART_ITEMS: dict[str, tuple[str, ...]] = {
    "duration_by_vte_type": tuple(_DURATION_ITEMS.values()),
    "anticoagulant_by_vte_type": tuple(_AGENT_ITEMS.values()),
    "platelet_thresholds": ("q31_plt_reduce_threshold", "q32_plt_hold_threshold"),
    "prophylaxis": (
        "q38_primary_prophylaxis",
        "q39_prophylaxis_agents",
        "q42_secondary_prophylaxis",
    ),
}

CHARTS: dict[str, Callable] = {
    "duration_by_vte_type": durations,
    "anticoagulant_by_vte_type": agents,
    "platelet_thresholds": thresholds,
    "prophylaxis": prophylaxis,
}


def render_charts(summary: Summary, folder: Path | None = None) -> dict[str, bytes]:
    """PNG bytes per chart; also written to ``folder`` when given."""
    plt = pyplot()
    out = {}
    for name, draw in CHARTS.items():
        fig = draw(summary)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        plt.close(fig)
        out[name] = buffer.getvalue()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.png").write_bytes(out[name])
    return out
