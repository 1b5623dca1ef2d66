"""The survey's answers beside the registry's figures (``report --survey SUMMARY.json``, the
JSON written by ``vte-registry survey summarize --format json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.report.context import Context

__all__ = ["SurveyError", "read_summary", "survey_note", "survey_percent"]


class SurveyError(ValueError):
    """The --survey file is not a survey summary (the message says why)."""


def read_summary(path: Path) -> dict[str, Any]:
    """The survey summary JSON, checked for the shape the report reads."""
    try:
        if path.stat().st_size > 50_000_000:
            raise SurveyError(f"{path}: larger than 50 MB, not a survey summary")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SurveyError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SurveyError(f"{path}: not a JSON survey summary ({exc})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("percent"), dict) for v in items.values()
    ):
        raise SurveyError(
            f"{path}: not a survey summary (no 'items' with 'percent'); write one with "
            "`vte-registry survey summarize EXPORT --format json --output FILE`"
        )
    return data


def survey_percent(ctx: Context, item: str, code: str) -> float | None:
    """Percent of the providers answering ``item`` who chose ``code``; None without a survey."""
    if ctx.survey is None:
        return None
    answers = ctx.survey["items"].get(item)
    if answers is None:
        return None
    value = answers["percent"].get(code, 0.0)
    return float(value) if isinstance(value, int | float) else None


def survey_note(ctx: Context, *items: str) -> str:
    """What the survey columns are, and whether their answers are calibrated."""
    if ctx.survey is None:
        return ""
    answered = [
        f"{i}: {ctx.survey['items'][i].get('answered', '?')} answering"
        for i in items
        if i in ctx.survey["items"]
    ]
    text = f" Survey: % of providers ({'; '.join(answered)})."
    if any(ctx.survey["items"].get(i, {}).get("calibrated") is False for i in items):
        text += " These survey answers are synthetic and not calibrated to a published figure."
    return text
