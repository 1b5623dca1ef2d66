"""Copying the valid rows of a staged table into the registry table (within the load's
transaction, ``loading.py``).

Rows go to the driver's ``executemany`` as tuples, through each column's own bind processor
(how SQLAlchemy stores a date on SQLite, say): Core's insert with a dict per row took most
of a load's time at 100,000 patients (issue 11). From a DuckDB staging database the rows
come as Arrow batches, and SQLite's dates and booleans are converted column by column there
rather than value by value. Rows go in primary-key order, where a B-tree index takes them
fastest (vte_events excepted: an event before the events that recur from it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Boolean, Connection, Date, Float, select

from registry.models import table_spec
from registry.models.base import VERSION_COLUMN

__all__ = ["copy_table"]

#: Rows per executemany.
_BATCH_ROWS = 20_000


def _query(name: str, staged: Any) -> Any:
    spec = table_spec(name)
    table = staged[name]
    order = [table.c[spec.id_field]]
    if name == "vte_events":  # an event before the events that recur from it (FK per row)
        order = [table.c.recurrence_of_event_id.isnot(None), table.c.diagnosis_date, table.c._row]
    return (
        select(*[table.c[f] for f in spec.fields]).where(table.c._valid.is_(True)).order_by(*order)
    )


def _arrow_batches(source: Connection, query: Any) -> Iterator[Any]:
    sql = str(query.compile(dialect=source.dialect, compile_kwargs={"literal_binds": True}))
    driver = source.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    relation = driver.sql(sql)
    # DuckDB 2.x: to_arrow_reader; 1.x: fetch_arrow_reader
    reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    yield from reader(_BATCH_ROWS)


def _convert(
    rows: list[tuple[Any, ...]], processors: dict[int, Callable[[Any], Any]]
) -> list[tuple[Any, ...]]:
    if not processors:
        return rows
    return [
        tuple(processors[i](v) if i in processors else v for i, v in enumerate(row)) for row in rows
    ]


def _from_arrow(
    batch: Any,
    columns: list[Any],
    processors: dict[int, Callable[[Any], Any]],
    target: str,
    schema_version: str,
) -> list[tuple[Any, ...]]:
    """A batch's rows as tuples for the target; on SQLite, dates become ISO text and
    booleans 0/1 in Arrow (what SQLAlchemy's processors make of them, value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    remaining = dict(processors)
    values: list[list[Any]] = []
    for i, array in enumerate(batch.columns):
        sql_type = columns[i].type
        if target == "sqlite" and isinstance(sql_type, Date) and pa.types.is_date32(array.type):
            array = pc.cast(array, pa.string())  # YYYY-MM-DD, SQLAlchemy's SQLite DATE
            remaining.pop(i, None)
        elif target == "sqlite" and isinstance(sql_type, Boolean):
            array = pc.cast(array, pa.int64())
            remaining.pop(i, None)
        elif isinstance(sql_type, Float) and pa.types.is_float64(array.type):
            remaining.pop(i, None)  # its processor makes a float of a Decimal; these are floats
        values.append(array.to_pylist())
    values.append([schema_version] * batch.num_rows)
    return _convert(list(zip(*values, strict=True)), remaining)


def copy_table(
    source: Connection, target: Connection, name: str, staged: Any, schema_version: str
) -> int:
    """Insert the conformant rows of a staged table into the registry table; returns how
    many."""
    spec = table_spec(name)
    target_table = spec.sql_table
    names = [*spec.fields, VERSION_COLUMN]
    dialect = target.dialect
    processors: dict[int, Callable[[Any], Any]] = {
        i: processor
        for i, column in enumerate(names)
        if (processor := target_table.c[column].type.dialect_impl(dialect).bind_processor(dialect))
    }
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    insert = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(target_table)} "
        f"({', '.join(quote(c) for c in names)}) VALUES ({', '.join([mark] * len(names))})"
    )
    query = _query(name, staged)
    columns = [target_table.c[n] for n in names]
    batches: Iterator[list[tuple[Any, ...]]]
    if source.dialect.name == "duckdb":
        batches = (
            _from_arrow(batch, columns, processors, dialect.name, schema_version)
            for batch in _arrow_batches(source, query)
        )
    else:
        batches = (
            _convert([(*row, schema_version) for row in rows], processors)
            for rows in source.execute(query).partitions(_BATCH_ROWS)
        )
    written = 0
    for rows in batches:
        if rows:
            target.exec_driver_sql(insert, rows)
            written += len(rows)
    return written
