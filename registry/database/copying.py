"""A staged table's conformant rows, as the load reads and writes them (``writing.py``): a
table the staging handed over as Arrow while it went on staging the next tables
(``ArrowRows``: DuckDB staging), or the finished staging database (``StagedRows``).

The rows go to the driver's ``executemany`` as tuples, through each column's own bind
processor (how SQLAlchemy stores a date on SQLite, say): Core's insert with a dict per row
took most of a load's time at 100,000 patients. From DuckDB the rows come as Arrow batches,
and SQLite's dates and booleans are converted column by column rather than value by value,
in a thread of their own: the next batch is read and converted while SQLite inserts the last
one (its inserts let go of the GIL). Rows go in primary-key order, where a B-tree index takes
them fastest (vte_events excepted: an event before the events that recur from it).

A site that has records already gets its rows as upserts (``ON CONFLICT`` on the primary
key, the same text in SQLite and PostgreSQL): its old rows stay until the end of the load,
so a parent table can be written before its children have been compared. A record ID
starts with its patient ID, which starts with the site ID, so a conflict is always a
record of the same site.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Float, func, select

from registry.models import table_spec
from registry.models.base import VERSION_COLUMN
from registry.validation.staging import copy_query

__all__ = ["ArrowRows", "StagedRows", "copy_query"]

#: Rows per executemany.
_BATCH_ROWS = 20_000

#: Batches read ahead of the inserts (each about 20,000 rows of Python tuples).
_READ_AHEAD = 2

_DONE = object()


def _read_ahead(batches: Iterator[Any]) -> Iterator[Any]:
    """``batches``, produced in a thread ``_READ_AHEAD`` batches ahead of the consumer. The
    producer's error is raised here; leaving early stops and joins the thread."""
    ready: queue.Queue[Any] = queue.Queue(_READ_AHEAD)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    thread = threading.Thread(target=produce, name="vte-registry-copy", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _convert(
    rows: list[tuple[Any, ...]], processors: dict[int, Callable[[Any], Any]]
) -> list[tuple[Any, ...]]:
    if not processors:
        return rows
    return [
        tuple(processors[i](v) if i in processors else v for i, v in enumerate(row)) for row in rows
    ]


class _Target:
    """The INSERT (or upsert) of one registry table, and its columns' bind processors."""

    def __init__(
        self,
        target: Connection,
        name: str,
        upsert: bool,
        not_collected: frozenset[str] = frozenset(),
    ) -> None:
        spec = table_spec(name)
        table = spec.sql_table
        self.names = [*spec.fields, VERSION_COLUMN]
        self.columns = [table.c[n] for n in self.names]
        self.connection = target
        dialect = self.dialect = target.dialect
        self.processors: dict[int, Callable[[Any], Any]] = {
            i: processor
            for i, column in enumerate(self.columns)
            if (processor := column.type.dialect_impl(dialect).bind_processor(dialect))
        }
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(c) for c in self.names)}) "
            f"VALUES ({', '.join([mark] * len(self.names))})"
        )
        if upsert:
            # a field the submission does not collect keeps the value the registry holds
            kept = {spec.id_field, *not_collected}
            updates = ", ".join(
                f"{quote(c)} = excluded.{quote(c)}" for c in self.names if c not in kept
            )
            self.sql += f" ON CONFLICT ({quote(spec.id_field)}) DO UPDATE SET {updates}"

    def write(self, batches: Iterable[list[tuple[Any, ...]]]) -> int:
        written = 0
        for rows in batches:
            if rows:
                self.connection.exec_driver_sql(self.sql, rows)
                written += len(rows)
        return written

    def from_arrow(self, batch: Any, schema_version: str) -> list[tuple[Any, ...]]:
        """A batch's rows as tuples; on SQLite, dates become ISO text and booleans 0/1 in
        Arrow (what SQLAlchemy's processors make of them, value by value)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        remaining = dict(self.processors)
        on_sqlite = self.dialect.name == "sqlite"
        values: list[list[Any]] = []
        for i, array in enumerate(batch.columns):
            sql_type = self.columns[i].type
            if on_sqlite and isinstance(sql_type, Date) and pa.types.is_date32(array.type):
                array = pc.cast(array, pa.string())  # YYYY-MM-DD, SQLAlchemy's SQLite DATE
                remaining.pop(i, None)
            elif on_sqlite and isinstance(sql_type, Boolean):
                array = pc.cast(array, pa.int64())
                remaining.pop(i, None)
            elif isinstance(sql_type, Float) and pa.types.is_float64(array.type):
                remaining.pop(i, None)  # its processor makes floats of Decimals: these are floats
            values.append(array.to_pylist())
        values.append([schema_version] * batch.num_rows)
        return _convert(list(zip(*values, strict=True)), remaining)


class ArrowRows:
    """A staged table's conformant rows in memory (Arrow), in the order they are written."""

    def __init__(self, name: str, table: Any) -> None:
        self.name = name
        self.table = table
        self.count = table.num_rows

    def foreign(self, site_id: str) -> int:
        """How many rows belong to a patient of another site."""
        import pyarrow.compute as pc

        ours = pc.starts_with(self.table.column("patient_id"), f"{site_id}-")
        return self.count - int(pc.sum(ours).as_py() or 0)

    def rows(self) -> Iterator[Sequence[Any]]:
        """The ID first, then the other fields (``TableSpec.id_first``)."""
        ordered = self.table.select(table_spec(self.name).id_first)
        for batch in ordered.to_batches(_BATCH_ROWS):
            yield from zip(*(c.to_pylist() for c in batch.columns), strict=True)

    def copy(
        self,
        target: Connection,
        schema_version: str,
        upsert: bool,
        not_collected: frozenset[str] = frozenset(),
    ) -> int:
        writer = _Target(target, self.name, upsert, not_collected)
        batches = self.table.to_batches(_BATCH_ROWS)
        return writer.write(writer.from_arrow(b, schema_version) for b in batches)


class StagedRows:
    """A table of the finished staging database (DuckDB or SQLite)."""

    def __init__(self, source: Connection, staged: Any, name: str) -> None:
        self.source = source
        self.name = name
        self.staged = staged[name]
        self.query = copy_query(name, staged)
        valid = self.staged.c._valid.is_(True)
        counted = source.execute(select(func.count()).select_from(self.staged).where(valid))
        self.count = int(counted.scalar_one())

    def foreign(self, site_id: str) -> int:
        table = self.staged
        outside = ~table.c.patient_id.like(f"{site_id}-%")
        found = self.source.execute(select(func.count()).select_from(table).where(outside))
        return int(found.scalar_one())

    def rows(self) -> Iterator[Sequence[Any]]:
        table = self.staged
        yield from self.source.execute(
            select(*[table.c[c] for c in table_spec(self.name).id_first]).where(
                table.c._valid.is_(True)
            )
        )

    def copy(
        self,
        target: Connection,
        schema_version: str,
        upsert: bool,
        not_collected: frozenset[str] = frozenset(),
    ) -> int:
        writer = _Target(target, self.name, upsert, not_collected)
        source = self.source
        if source.dialect.name == "duckdb":
            return writer.write(
                _read_ahead(
                    writer.from_arrow(batch, schema_version) for batch in self._arrow_batches()
                )
            )
        return writer.write(
            _convert([(*row, schema_version) for row in rows], writer.processors)
            for rows in source.execute(self.query).partitions(_BATCH_ROWS)
        )

    def _arrow_batches(self) -> Iterator[Any]:
        source = self.source
        literal = {"literal_binds": True}
        sql = str(self.query.compile(dialect=source.dialect, compile_kwargs=literal))
        driver = source.connection.driver_connection
        assert driver is not None  # an open connection has its driver's
        relation = driver.sql(sql)
        # DuckDB 2.x: to_arrow_reader; 1.x: fetch_arrow_reader
        reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
        yield from reader(_BATCH_ROWS)
