"""The literal cases of every check of the rule catalogue: one TOML file per rule, here.

A case is a change to the valid one-patient submission (``tests/rows.py``): ``change`` sets
fields of a table's row, ``add`` appends rows (fields over that table's valid row),
``copies`` repeats the whole patient under new IDs, the first ``copy_share`` of them with
``copy_change``; ``manifest`` sets keys of the manifest (``schema_version = "1.0"``: sent as
a 1.0 site would); ``finds`` lists the ``[table, field]`` of the rule's findings, empty for
the nearest valid case.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from registry.models import TABLE_NAMES
from tests.rows import PID, VALID, write_submission

__all__ = ["CASES", "build"]

HERE = Path(__file__).parent


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(HERE.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["cases"]:
            out.append((path.stem, case))
    return out


#: (rule, case) of every rule with cases, in file-name order.
CASES = _cases()


def _apply(row: dict[str, str], changes: dict[str, Any]) -> dict[str, str]:
    return {**row, **{k: str(v) for k, v in changes.items()}}


def build(case: dict[str, Any], folder: Path) -> Path:
    """The valid one-patient submission with the case's changes (schema 1.1 unless the
    case's manifest says 1.0)."""
    tables = {name: [dict(VALID[name])] for name in TABLE_NAMES}
    for table, changes in case.get("change", {}).items():
        tables[table][0] = _apply(tables[table][0], changes)
    for table, rows in case.get("add", {}).items():
        tables[table] += [_apply(VALID[table], row) for row in rows]
    if copies := case.get("copies"):
        changed = round(case.get("copy_share", 0) * copies)
        base, tables = tables, {name: [] for name in TABLE_NAMES}
        for i in range(copies):
            pid = f"NYC01-{i:08d}"
            for table, rows in base.items():
                for row in rows:
                    copy = {k: v.replace(PID, pid) for k, v in row.items()}
                    if i < changed:
                        copy = _apply(copy, case.get("copy_change", {}).get(table, {}))
                    tables[table].append(copy)
    return write_submission(folder, tables, case.get("manifest"))
