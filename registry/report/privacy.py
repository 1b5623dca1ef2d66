"""Small-cell suppression: no count of 1 to k-1 in a per-site table leaves the report.

Counts below the threshold (11 by default, the usual rule for registry and claims data, e.g.
the CMS cell-size suppression policy) are shown as "<11"; the cells derived from a
suppressed count in the same row (its percent, rate or interval) are withheld with it.
Zero is shown: it identifies no one. Where a total (a total row or column, the levels of one
characteristic) would give a single suppressed count back, the smallest other count that adds
up to it is withheld too (complementary suppression). Suppression is applied to the tables
once, before any renderer sees them.

Then the whole report is audited (``audit``), as statistical agencies audit linked tables
(tau-argus): a count shown in one table, a total in another, a percent with its
denominator, a rate, an interval, a number in a note are linear facts about the same
patients or events. Every count knows the units it counts (``Counted``), so the facts are
equations over the "atoms" (sets of units that every figure either holds whole or not at
all); a linear program (scipy's HiGHS) finds the least and the greatest value each
suppressed count can take given everything published. A "<k" cell says its count is 1 to
k-1; the rest of the report must leave at least that much room (an interval at least k-2
wide, the width of 1 to k-1). Where it does not, the smallest published figure that bears
on the cell is withheld, and the audit runs again; the report lists what was withheld.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.report.figures import Cell, Table

__all__ = ["DEFAULT_MIN_CELL", "WITHHELD", "Withheld", "audit", "suppress"]

DEFAULT_MIN_CELL = 11
#: What a cell derived from a suppressed count shows.
WITHHELD = "suppressed"
_LEADING_COUNT = re.compile(r"^\s*(\d+)(?:\s|$)")


def _count(value: Cell) -> int | None:
    """The count in a cell: an int, or the leading integer of "n (pct)"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and (m := _LEADING_COUNT.match(value)):
        return int(m.group(1))
    return None


def _hide(table: Table, row: list[Cell], column: str, mark: str) -> None:
    index = table.columns.index
    row[index(column)] = mark
    for derived, source in table.derived.items():
        if source == column:
            row[index(derived)] = WITHHELD


def _complement(table: Table, cells: list[tuple[list[Cell], str]], mark: str) -> bool:
    """If exactly one of ``cells`` (which add up to a shown total) is suppressed, withhold
    the smallest other positive one too (shown as "suppressed", not as a small count: it may
    be large); True if a cell was withheld."""
    index = table.columns.index
    hidden = [c for c in cells if c[0][index(c[1])] in (mark, WITHHELD)]
    shown = [(n, c) for c in cells if (n := _count(c[0][index(c[1])])) is not None and n > 0]
    if len(hidden) != 1 or not shown:
        return False
    _, (row, column) = min(shown, key=lambda x: x[0])
    _hide(table, row, column, WITHHELD)
    return True


def suppress(table: Table, min_cell: int, everywhere: bool = False) -> Table:
    """Suppress the small counts of ``table`` in place (per-site tables, or every table when
    ``everywhere``: a report on one site), then the complementary cells that a total would
    reveal them by. Returns the table."""
    if min_cell <= 1 or not (table.per_site or everywhere):
        return table
    index = table.columns.index
    small = f"<{min_cell}"
    for row in table.rows:
        for column in table.counts:
            n = _count(row[index(column)])
            if n is not None and 0 < n < min_cell:
                _hide(table, row, column, small)
    parts = [c for c in table.counts if c != table.total_column]
    body = [r for r in table.rows if table.total_row is None or r[0] != table.total_row]
    groups = [[table.rows[i] for i in g] for g in table.row_groups]
    if table.total_row is not None:
        groups.append(body)
    changed = True
    while changed:  # a cell hidden for its row may expose its column, and the other way round
        changed = False
        if table.total_column is not None:
            for row in body:
                changed |= _complement(table, [(row, c) for c in parts], small)
        for rows in groups:
            for column in table.counts:
                changed |= _complement(table, [(row, column) for row in rows], small)
    return table


@dataclass(frozen=True)
class _Fact:
    """What one shown figure (or one "<k" cell) says: the number of ``members`` lies in
    [low, high]."""

    table: Table
    row: int | str  # a row index, or "note"
    column: str  # a column, or the note's count
    members: frozenset[str]
    low: int
    high: int


@dataclass(frozen=True)
class Withheld:
    """A figure the audit withheld, and the suppressed count it would have given back."""

    table: str
    row: str
    column: str
    protects: str

    def __str__(self) -> str:
        return f"{self.table}: {self.row} / {self.column} (it gave back {self.protects})"


def _row_name(table: Table, i: int) -> str:
    """The row's first cell, with the next ones while other rows begin the same (a site's
    rows of findings are named by site and rule)."""
    for width in range(1, len(table.columns) + 1):
        names = [" ".join(str(c) for c in row[:width]) for row in table.rows]
        if names.count(names[i]) == 1 or width == 3:
            return names[i]
    return str(table.rows[i][0])


def _label(table: Table, row: int | str, column: str) -> str:
    if row == "note":
        return f"{table.key}: the note's {column}"
    assert isinstance(row, int)
    return f"{table.key}: {_row_name(table, row)} / {column}"


def _facts(tables: Sequence[Table], min_cell: int) -> tuple[list[_Fact], list[_Fact]]:
    """The published facts and the suppressed cells of ``tables``."""
    small = f"<{min_cell}"
    published: list[_Fact] = []
    hidden: list[_Fact] = []
    for table in tables:
        for i, row in enumerate(table.rows):
            for j, column in enumerate(table.columns):
                value = row[j]
                if value is None or value == WITHHELD:
                    continue
                if value == small:
                    if (members := table.members.get((i, column))) is not None:
                        hidden.append(_Fact(table, i, column, members, 1, min_cell - 1))
                    continue
                for members in table.revealed(i, column):
                    n = len(members)
                    published.append(_Fact(table, i, column, members, n, n))
        for name, counted in table.note_counts.items():
            if ("note", name) not in table.withheld:
                n = len(counted.members)
                published.append(_Fact(table, "note", name, counted.members, n, n))
    return published, hidden


class _Space:
    """The unknowns of the audit: for each table, its units grouped by the figures of that
    table that hold them (its cells, their denominators, its note's counts, and the totals of
    its rows and columns, which a reader can always form). A reader knows how a table's own
    figures combine, not how the units of one table fall into the cells of another (how the
    girls are spread over the months of diagnosis): tables meet only where two figures count
    the same units, which the ``links`` say. Built once for the whole audit (withholding a
    figure only removes a constraint)."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self.sizes: list[int] = []
        self._of_unit: dict[int, dict[str, int]] = {}
        self._cache: dict[tuple[int, frozenset[str]], frozenset[int]] = {}
        where: dict[frozenset[str], list[int]] = defaultdict(list)
        for t, table in enumerate(tables):
            sets = _structure(table)
            holding: dict[str, list[int]] = defaultdict(list)
            for f, members in enumerate(sets):
                for unit in members:
                    holding[unit].append(f)
            local: dict[tuple[int, ...], int] = {}
            of_unit = {}
            for unit, held in holding.items():
                atom = local.get(tuple(held))
                if atom is None:
                    atom = local[tuple(held)] = len(self.sizes)
                    self.sizes.append(0)
                self.sizes[atom] += 1
                of_unit[unit] = atom
            self._of_unit[id(table)] = of_unit
            for members in set(sets):
                if members:
                    where[members].append(t)
        self.units = {u for of_unit in self._of_unit.values() for u in of_unit}
        self.links: list[tuple[frozenset[int], frozenset[int]]] = []
        for members, held_by in where.items():
            first = tables[held_by[0]]
            for other in held_by[1:]:
                self.links.append((self(first, members), self(tables[other], members)))

    def __call__(self, table: Table, members: frozenset[str]) -> frozenset[int]:
        key = (id(table), members)
        found = self._cache.get(key)
        if found is None:
            of_unit = self._of_unit[id(table)]
            found = self._cache[key] = frozenset(of_unit[u] for u in members)
        return found


def _structure(table: Table) -> list[frozenset[str]]:
    """The sets of units a table's figures count, whether shown or not, with the totals of
    its rows and columns."""
    sets = list(table.members.values())
    sets += [b.members for b in table.of.values() if not isinstance(b, str)]
    sets += [c.members for c in table.note_counts.values()]
    columns: dict[str, set[str]] = defaultdict(set)
    rows: dict[int, set[str]] = defaultdict(set)
    for (i, column), members in table.members.items():
        if column in table.counts:
            columns[column] |= members
            rows[i] |= members
    sets += [frozenset(m) for m in (*columns.values(), *rows.values())]
    return sets


def _ranges(
    equal: list[tuple[frozenset[int], int]],
    bands: list[tuple[frozenset[int], int, int]],
    judge: int,
    truth: Any,
    need: float,
    links: Sequence[tuple[frozenset[int], frozenset[int]]] = (),
) -> list[tuple[float, float, set[int]]]:
    """For each of the first ``judge`` banded sets of atoms, the least and greatest size the
    other facts allow (its own band left out), by linear programming over every fact of the
    report linked to it: ``equal`` sets have their size published, ``bands`` are the
    suppressed cells (size in [low, high]); and the published sets that bind it (nonzero
    dual values: withholding one of them is what widens it).

    Every solution is a possible registry: a cell whose values over those seen so far (the
    true counts, ``truth``, first) already span ``need`` is wide enough without programs of
    its own, and is returned with that span."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, vstack
    from scipy.sparse.csgraph import connected_components

    sets = [m for m, _, _ in bands] + [m for m, _ in equal]
    rows = [f for f, atoms in enumerate(sets) for _ in atoms]
    cols = [a for atoms in sets for a in atoms]
    values = [1.0] * len(rows)
    for k, (same, other) in enumerate(links):  # the same units in two tables: one count
        for atoms, sign in ((same, 1.0), (other, -1.0)):
            rows += [len(sets) + k] * len(atoms)
            cols += list(atoms)
            values += [sign] * len(atoms)
    n_sets = len(sets) + len(links)
    n_atoms = len(truth)
    matrix = csr_matrix((values, (rows, cols)), shape=(n_sets, n_atoms))
    band_rows = matrix[: len(bands)]
    band_low = np.array([float(lo) for _, lo, _ in bands])
    band_high = np.array([float(hi) for _, _, hi in bands])
    seen_low = np.full(len(bands), np.inf)
    seen_high = np.full(len(bands), -np.inf)

    def learn(point: Any) -> None:
        """Widen the spans seen with a point that keeps every band (or all but one: then it
        is a possible registry for that cell's own program only)."""
        values = band_rows @ point
        broken = np.flatnonzero((values < band_low - 1e-6) | (values > band_high + 1e-6))
        if len(broken) > 1:
            return
        usable = (
            np.ones(len(bands), dtype=bool)
            if len(broken) == 0
            else np.zeros(len(bands), dtype=bool)
        )
        if len(broken) == 1:
            usable[broken[0]] = True
        np.minimum(seen_low, np.where(usable, values, np.inf), out=seen_low)
        np.maximum(seen_high, np.where(usable, values, -np.inf), out=seen_high)

    learn(np.asarray(truth, dtype=float))
    # sets linked through shared atoms: one program per group that holds the cell
    graph = csr_matrix(
        (np.abs(values), (rows, [n_sets + c for c in cols])),
        shape=(n_sets + n_atoms, n_sets + n_atoms),
    )
    _, label = connected_components(graph, directed=False)
    sizes = np.array([0.0] * len(bands) + [float(n) for _, n in equal] + [0.0] * len(links))
    published_end = len(bands) + len(equal)
    out: list[tuple[float, float, set[int]]] = []
    for h in range(judge):
        if seen_high[h] - seen_low[h] >= need - 1e-6:
            out.append((float(seen_low[h]), float(seen_high[h]), set()))
            continue
        group = np.flatnonzero(label[:n_sets] == label[h])
        variables = np.flatnonzero(label[n_sets:] == label[h])
        sub = matrix[:, variables]
        equals = [int(f) for f in group if f >= len(bands)]
        banded = [int(f) for f in group if f < len(bands) and f != h]
        a_ub = b_ub = a_eq = b_eq = None
        if banded:
            a_ub = vstack([sub[banded], -sub[banded]])
            b_ub = np.array([bands[f][2] for f in banded] + [-bands[f][1] for f in banded])
        if equals:
            a_eq, b_eq = sub[equals], sizes[equals]
        objective = sub[h].toarray().ravel()
        found = []
        binding: set[int] = set()
        for sign in (1, -1):
            result = linprog(  # type: ignore[call-overload]  # HiGHS takes sparse
                sign * objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=(0, None),
                method="highs",
            )
            if result.status == 3:  # unbounded: nothing published holds it from above
                found.append(float("inf"))
            elif result.status != 0:  # the facts are the true counts: always feasible
                raise RuntimeError(f"privacy audit: {result.message}")
            else:
                found.append(sign * float(result.fun or 0.0))
                point = np.asarray(truth, dtype=float).copy()
                point[variables] = result.x
                learn(point)
                if equals:
                    duals = np.asarray(result.eqlin.marginals)
                    binding.update(
                        equals[j] - len(bands)
                        for j in np.flatnonzero(np.abs(duals) > 1e-9)
                        if equals[j] < published_end
                    )
        out.append((found[0], found[1], binding))
    return out


def _where(fact: _Fact) -> tuple[Table, int | str, str]:
    return fact.table, fact.row, fact.column


def _withhold(table: Table, row: int | str, column: str) -> None:
    if row == "note":
        table.withheld.append(("note", column))
        table.render_note()
        return
    assert isinstance(row, int)
    _hide(table, table.rows[row], column, WITHHELD)
    table.withheld.append((row, column))


def audit(tables: Sequence[Table], min_cell: int) -> list[Withheld]:
    """Withhold published figures until no suppressed count of ``tables`` can be narrowed
    below the width of "<k" by the rest; returns what was withheld."""
    if min_cell <= 2:
        return []  # "<2" is 1: a band with no width to keep
    need = min_cell - 2
    withheld: list[Withheld] = []
    Key = tuple[str, frozenset[str]]  # a figure's table and units: one unknown per table
    safe: set[Key] = set()  # withholding only widens: a safe cell stays safe
    space = _Space(tables)
    kinds: dict[str, set[str]] = defaultdict(set)
    for unit in space.units:
        kinds[unit.split(":", 1)[0]].add(unit)
    everyone = {frozenset(units) for units in kinds.values()}
    for _ in range(10_000):  # each round withholds figures: bounded by their number
        published, hidden = _facts(tables, min_cell)
        shown: dict[Key, list[_Fact]] = defaultdict(list)
        for fact in published:
            shown[(fact.table.key, fact.members)].append(fact)
        cells = {(h.table.key, h.members): h for h in hidden}
        keys = list(cells)
        check = [i for i, key in enumerate(keys) if key not in safe]
        if not check:
            return withheld
        # the cells to judge first, the others as bands only
        order = check + [i for i in range(len(keys)) if i not in set(check)]
        published_keys = list(shown)
        equal = [(space(shown[k][0].table, k[1]), len(k[1])) for k in published_keys]
        banded = [(space(cells[k].table, k[1]), cells[k].low, cells[k].high) for k in keys]
        ranges = _ranges(
            equal, [banded[i] for i in order], len(check), space.sizes, need, space.links
        )
        narrow = [
            i for i, (low, high, _) in zip(check, ranges, strict=True) if high - low < need - 1e-6
        ]
        safe.update(keys[i] for i in check if i not in narrow)
        # the "<k" marks alone narrow a cell among other small ones (1 event in three
        # small cells): published figures must not narrow it further than they do
        order = narrow + [i for i in range(len(keys)) if i not in set(narrow)]
        alone = _ranges([], [banded[i] for i in order], len(narrow), space.sizes, need, space.links)
        width = dict(zip(narrow, (high - low for low, high, _ in alone), strict=True))
        chosen: dict[Key, _Fact] = {}
        for i, (low, high, binding) in zip(check, ranges, strict=True):
            key = keys[i]
            if i not in width or high - low >= min(need, width[i]) - 1e-6:
                safe.add(key)
                continue
            # the published figures that pin it (the binding constraints of its programs),
            # never the report's whole population of a kind (all patients, all events): if
            # only that binds, the smallest figure that touches the cell goes instead
            members = key[1]
            near = [published_keys[j] for j in sorted(binding)]
            near = [k for k in near if k[1] not in everyone or k[1] == members]
            if any(k in chosen for k in near):
                continue  # a figure withheld for another cell this round bears on it too
            if not near:
                near = [
                    k for k in shown if k[1] & members and (k[1] not in everyone or k[1] == members)
                ]
            if not near:  # nothing published that may go pins it: the marks alone narrow it
                safe.add(key)
                continue
            # the same units first, then a figure of the cell's own table, then one that
            # shares units with it (dual values can name a figure that only ties), smallest
            pick = min(
                near,
                key=lambda k: (
                    k[1] != members,
                    k[0] != key[0],
                    not k[1] & members,
                    len(k[1]),
                    _label(*_where(shown[k][0])),
                ),
            )
            chosen[pick] = cells[key]
        if not chosen:
            return withheld
        for key, cell in chosen.items():
            for fact in shown[key]:
                row = fact.row if isinstance(fact.row, str) else _row_name(fact.table, fact.row)
                _withhold(fact.table, fact.row, fact.column)
                withheld.append(
                    Withheld(
                        fact.table.key, row, fact.column, _label(cell.table, cell.row, cell.column)
                    )
                )
    raise RuntimeError("privacy audit: did not settle")
