"""Charts of the center report (matplotlib, inline SVG), drawn from the rows of their table
after suppression: a suppressed cell is drawn as no bar but marked with its "<k" or
"suppressed" where the bar would be, never as a zero."""

from __future__ import annotations

import io
import math
from typing import Any

from registry.report.figures import Cell, Table
from registry.survey.charts import PALETTE, pyplot

__all__ = ["render_chart"]


def _plt() -> Any:
    plt = pyplot()  # the survey charts' style, with text kept as text in the SVG
    plt.rcParams.update({"font.size": 9, "svg.fonttype": "none"})
    return plt


def _number(value: Cell) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return math.nan
    return float(value)


def _bars(table: Table, horizontal: bool) -> Any:
    plt = _plt()
    chart = table.chart
    assert chart is not None
    keep = [
        i
        for i, row in enumerate(table.rows)
        if table.total_row is None or row[0] != table.total_row
    ]
    labels = [str(table.column(chart.x)[i]) for i in keep]
    series = [(name, [_number(table.column(name)[i]) for i in keep]) for name in chart.y]
    n, k = len(labels), max(1, len(series))
    rows_high = 1 if chart.stacked else 1 + 0.35 * (k - 1)
    size = (7.5, max(1.6, 0.28 * n * rows_high + 0.8)) if horizontal else (7.5, 3.4)
    fig, ax = plt.subplots(figsize=size)
    width = 0.8 if chart.stacked else 0.8 / k
    below = [0.0] * n
    for j, (name, values) in enumerate(series):
        heights = [0 if math.isnan(v) else v for v in values]
        if chart.stacked:
            positions = [float(i) for i in range(n)]
        else:
            positions = [i + (j - (k - 1) / 2) * width for i in range(n)]
        colour = PALETTE[j % len(PALETTE)]
        if horizontal:
            ax.barh(
                positions,
                heights,
                height=width,
                left=below if chart.stacked else None,
                color=colour,
                label=name,
            )
        else:
            ax.bar(
                positions,
                heights,
                width=width,
                bottom=below if chart.stacked else None,
                color=colour,
                label=name,
            )
        # a suppressed or withheld value is not a zero: it is marked where its bar would be
        cells = [table.column(name)[i] for i in keep]
        for position, base, cell in zip(positions, below, cells, strict=True):
            if isinstance(cell, str) and cell:
                where = base if chart.stacked else 0
                ax.text(
                    *((where, position) if horizontal else (position, where)),
                    f" {cell}",
                    rotation=0 if horizontal else 90,
                    va="center" if horizontal else "bottom",
                    ha="left" if horizontal else "center",
                    fontsize=6,
                    color="#52606d",
                )
        if chart.stacked:
            below = [b + h for b, h in zip(below, heights, strict=True)]
    if horizontal:
        ax.set_yticks(range(n), labels)
        ax.invert_yaxis()
        ax.set_xlabel(chart.ylabel)
    else:
        step = max(1, n // 24)  # at most about 24 tick labels
        ax.set_xticks(range(0, n, step), labels[::step], rotation=90 if n > 12 else 0)
        ax.set_ylabel(chart.ylabel)
    if k > 1:
        ax.legend(frameon=False, fontsize=8)
    return fig


def _steps(table: Table) -> Any:
    plt = _plt()
    chart = table.chart
    assert chart is not None
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    for j, (name, points) in enumerate(chart.series.items()):
        colour = PALETTE[j % len(PALETTE)]
        t = [p[0] for p in points]
        ax.step(t, [p[1] for p in points], where="post", color=colour, label=name)
        ax.fill_between(
            t,
            [p[2] for p in points],
            [p[3] for p in points],
            step="post",
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
    ax.set_xlabel(chart.x)
    ax.set_ylabel(chart.ylabel)
    ax.set_ylim(bottom=0)
    if chart.series:
        ax.legend(frameon=False, fontsize=8)
    return fig


def render_chart(table: Table) -> str | None:
    """The table's chart as an SVG document, or None when it has no chart or nothing to
    draw."""
    chart = table.chart
    if chart is None or not table.rows:
        return None
    if chart.kind == "step" and not chart.series:
        return None
    if chart.kind != "step" and all(
        _number(v) == 0 or v is None for name in chart.y for v in table.column(name)
    ):
        return None  # nothing to draw: every value is zero or missing
    fig = _steps(table) if chart.kind == "step" else _bars(table, chart.kind == "barh")
    plt = _plt()
    try:
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # the element only, for inline use
