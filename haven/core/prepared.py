"""Queries built and compiled once per process, then run with new values.

Most of a Haven page's time in the ORM is not the database: it is building a queryset (``filter``,
``select_related``, ``annotate``) and compiling it to SQL, on every request, for queries whose shape
never changes. A ``Prepared`` query does that once per process and database, with stand-in values, and
afterwards only puts the request's values in and runs the SQL; the rows become model instances exactly
as the queryset's own would (``select_related`` objects, annotations, ``values_list`` tuples,
``prefetch_related``).

    staff_member = Prepared(
        lambda user_id: StaffMember.objects.select_related("practice").filter(user_id=user_id)[:1],
        int,
    )
    members = staff_member(request.user.pk)  # a list

What may vary is named by the arguments and their kinds (``int``, ``str``, ``datetime``, ``date``); each must reach
the SQL as a plain parameter compared for equality, range or order (not inside ``__in`` lists, ``LIKE``
patterns or slices). Anything else the builder reads is fixed at the first run: a builder must not read
the clock, settings or the request. A builder whose argument does not reach the SQL unchanged is refused
the first time it runs, so a mistake shows in the first test that uses it; ``check`` compares a prepared
query's rows with its queryset's for given values (used by the tests).

On SQLite the SQL runs on the connection's own DB-API cursor, its ``?`` placeholders worked out once: Django's
cursor wrapper would rewrite the placeholders and pass through its wrappers on every run, which costs more than
the database's own work for a page's small queries. Whenever Django would watch the query (``DEBUG``, a test
counting queries, an ``execute_wrapper``) it runs through Django's cursor as usual, so it is seen and counted.
"""

from __future__ import annotations

import datetime
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import Count, QuerySet
from django.db.models.query import ModelIterable, _get_from_db, get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.constants import MULTI

#: Stand-in values, one per argument position: unlike any value a query would hold. The integers stay within
#: a 32-bit column's range: Django compiles a comparison with an out-of-range value to "matches nothing".
_INT_BASE = 2_146_019_000
_TEXT = "\x1fhaven-prepared-{}\x1f"
_MOMENT = datetime.datetime(1903, 4, 5, 6, 7, 8, 900_000, tzinfo=datetime.UTC)
_DAY = datetime.date(1902, 3, 4)


class PreparedQueryError(Exception):
    """A builder that cannot be prepared: an argument did not reach the SQL as a parameter."""


def _stand_in(kind: type, position: int) -> Any:
    if kind is int:
        return _INT_BASE + position
    if kind is str:
        return _TEXT.format(position)
    if kind is datetime.datetime:
        return _MOMENT + datetime.timedelta(microseconds=position)
    if kind is datetime.date:
        return _DAY + datetime.timedelta(days=position)
    raise PreparedQueryError(f"a prepared query's argument is an int, a str, a datetime or a date, not {kind.__name__}")


def _adapt(connection: Any, kind: type, value: Any) -> Any:
    """A datetime or a date as this database takes it as a parameter; anything else as it is."""
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is datetime.date:
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: SQLCompiler
    converters: dict[int, Any]  # the columns' conversions from database values, as the compiler found them
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (parameter index, argument position)
    adapted: tuple[tuple[int, type], ...]  # argument positions holding datetimes or dates, adapted per database
    qmark_sql: str | None  # on SQLite: the SQL as its DB-API cursor takes it (``?`` placeholders)
    trim: int | None  # the columns a row keeps when the select has extra columns (as Django trims them)
    layout: _RowLayout | None  # for a query of model instances: how a row becomes one (``_PreparedModels``)


@dataclass(frozen=True)
class _RowLayout:
    """What Django's ``ModelIterable`` works out from the compiled query before it makes each row's instance
    (the model's columns, its ``select_related`` populators, the annotations' columns): the same on every run of a
    prepared query, so worked out once. A populator keeps no state from one row to the next when peers are not
    tracked (Django's default fetch mode), which is the only case a layout is made for."""

    model_fields_start: int
    model_fields_end: int
    init_list: tuple[str, ...]
    from_db: Callable[..., Any]
    related_populators: tuple[Any, ...]
    annotation_col_map: dict[str, int]

    @classmethod
    def of(cls, queryset: QuerySet[Any], compiler: SQLCompiler, alias: str) -> _RowLayout | None:
        fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
        known = queryset._known_related_objects  # type: ignore[attr-defined]
        if queryset._iterable_class is not ModelIterable or known or fetch_mode.track_peers:
            return None
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return cls(
            model_fields_start=start,
            model_fields_end=end,
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            from_db=_get_from_db(model, fetch_mode),
            related_populators=tuple(get_related_populators(klass_info, select, alias, fetch_mode)),
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )


class _PreparedModels(ModelIterable):
    """Django's ``ModelIterable`` for a prepared query: each row made into its instance as Django does, by the
    query's ``_RowLayout`` rather than one worked out again for each run."""

    def __iter__(self) -> Any:
        queryset = self.queryset
        layout: _RowLayout = queryset._haven_layout  # type: ignore[attr-defined]
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        start, end, init_list = layout.model_fields_start, layout.model_fields_end, list(layout.init_list)
        for row in compiler.results_iter(results):
            obj = layout.from_db(db, init_list, row[start:end])
            for populator in layout.related_populators:
                populator.populate(row, obj)
            for name, position in layout.annotation_col_map.items():
                setattr(obj, name, row[position])
            yield obj


def forget_prepared() -> None:
    """Have every prepared query built and compiled again at its next run.

    For tests that change a rule a builder asks (``monkeypatch``): a query prepared before the change would
    otherwise keep the rule as it was.
    """
    for prepared in list(_EVERY):
        with prepared._lock:
            prepared._compiled.clear()
            prepared._unbound = None


class Prepared[T]:
    """A queryset built by ``build(*values)``, compiled once per database alias; calling it returns the rows."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._unbound: QuerySet[Any] | None = None  # built with the stand-ins, for the router's choice
        _EVERY.add(self)

    def __call__(self, *values: Any) -> list[T]:
        if len(values) != len(self._kinds):
            raise TypeError(f"this prepared query takes {len(self._kinds)} values, not {len(values)}")
        template = self._template()
        alias = template.db  # the router's choice now: the primary or, for a read, a replica
        compiled = self._compiled.get(alias) or self._compile(alias)
        connection = connections[alias]
        params = list(compiled.params)
        given = list(values)
        for position, kind in compiled.adapted:
            given[position] = _adapt(connection, kind, given[position])
        for index, position in compiled.slots:
            params[index] = given[position]
        # A copy of the compiler as set up at the first run (its select list, related and annotation
        # columns, converters), on this thread's connection, answering with the SQL and these values;
        # and a queryset whose query hands it out: Django's own iterables then make the rows.
        compiler = _shallow_copy(compiled.compiler)
        compiler.connection = connection
        sql, converters = compiled.sql, compiled.converters
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        compiler.get_converters = lambda expressions: converters
        if compiled.qmark_sql is not None and not connection.queries_logged and not connection.execute_wrappers:
            compiler.execute_sql = _direct(compiler, connection, compiled, params)
        query = _shallow_copy(compiled.queryset.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        queryset = _shallow_copy(compiled.queryset)
        queryset._query = query
        queryset._db = alias
        queryset._result_cache = None
        queryset._prefetch_done = False
        if compiled.layout is not None:
            queryset._haven_layout = compiled.layout
            queryset._iterable_class = _PreparedModels
        return list(queryset)

    def queryset(self, *values: Any) -> QuerySet[Any]:
        """The queryset itself, built and compiled as usual (for comparisons and ``explain``)."""
        return self._build(*values)

    def check(self, *values: Any) -> None:
        """Raise AssertionError if the prepared rows differ from the queryset's for these values."""
        prepared = [_row(item) for item in self(*values)]
        plain = [_row(item) for item in self.queryset(*values)]
        if prepared != plain:
            raise AssertionError(f"prepared rows {prepared!r} differ from the queryset's {plain!r}")

    def _template(self) -> QuerySet[Any]:
        if self._unbound is None:
            self._unbound = self._build(*(_stand_in(kind, position) for position, kind in enumerate(self._kinds)))
        return self._unbound

    def _compile(self, alias: str) -> _Compiled:
        with self._lock:
            found = self._compiled.get(alias)
            if found is not None:
                return found
            stand_ins = [_stand_in(kind, position) for position, kind in enumerate(self._kinds)]
            queryset = self._template().using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            connection = connections[alias]
            expected = {}
            for position, (kind, value) in enumerate(zip(self._kinds, stand_ins, strict=True)):
                expected[position] = _adapt(connection, kind, value)
            slots = []
            for index, param in enumerate(params):
                for position, adapted in expected.items():
                    if type(param) is type(adapted) and param == adapted:
                        slots.append((index, position))
            missing = set(expected) - {position for _index, position in slots}
            if missing:
                raise PreparedQueryError(
                    f"argument(s) {sorted(missing)} of a prepared query did not reach its SQL as parameters: {sql}"
                )
            leaked = [str(value) for value in expected.values() if str(value) in sql]
            if leaked:
                raise PreparedQueryError(f"a prepared query's argument was written into its SQL: {sql}")
            fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
            compiled = _Compiled(
                queryset=queryset,
                compiler=compiler,
                converters=compiler.get_converters(fields),
                sql=sql,
                params=tuple(params),
                slots=tuple(slots),
                adapted=tuple(
                    (p, kind) for p, kind in enumerate(self._kinds) if kind in (datetime.datetime, datetime.date)
                ),
                qmark_sql=FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
                if connection.vendor == "sqlite"
                else None,
                trim=compiler.col_count if compiler.has_extra_select else None,
                layout=_RowLayout.of(queryset, compiler, alias),
            )
            self._compiled[alias] = compiled
            return compiled


def _qmark(sql: str) -> str:
    """The SQL with ``?`` placeholders, as Django's SQLite cursor rewrites it before each run."""
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _direct(compiler: SQLCompiler, connection: Any, compiled: _Compiled, params: list[Any]) -> Callable[..., Any]:
    """The compiler's ``execute_sql`` for an iterable's read of all rows, on the DB-API cursor (SQLite)."""
    fallback: Callable[..., Any] = compiler.execute_sql

    def execute_sql(result_type: str = MULTI, chunked_fetch: bool = False, chunk_size: int = 100) -> Any:
        if result_type != MULTI:
            return fallback(result_type, chunked_fetch, chunk_size)
        rows = _fetch_direct(connection, str(compiled.qmark_sql), params)
        if compiled.trim is not None:
            rows = [row[: compiled.trim] for row in rows]
        return [rows]  # one chunk of every row, as Django returns a read that is not chunked

    return execute_sql


def _fetch_direct(connection: Any, qmark_sql: str, params: Sequence[Any]) -> list[Any]:
    """Every row of one statement (none for one that returns none), run on the connection's DB-API cursor."""
    # What Django's cursor does before it runs a statement: the connection opened (and its health checked once a
    # request), and never a statement in a transaction that has failed.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(qmark_sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


_QMARKS: dict[str, str] = {}  # a fixed statement's SQL as SQLite's cursor takes it, worked out once per process
_QMARKS_KEPT = 256


def run_statement(connection: Any, sql: str, params: Sequence[Any]) -> list[Any]:
    """The rows of one fixed statement (``sql`` with ``%s`` placeholders; none for one that returns none).

    As a prepared query runs: on SQLite, when Django does not watch (no ``DEBUG``, no test counting queries, no
    ``execute_wrapper``), on the DB-API cursor with its placeholders worked out once per statement; otherwise
    through Django's cursor, so it is seen and counted. For statements a hot path runs on every request (the
    audit chain's), whose SQL text never varies.
    """
    if connection.vendor == "sqlite" and not connection.queries_logged and not connection.execute_wrappers:
        qmark = _QMARKS.get(sql)
        if qmark is None:
            qmark = _qmark(sql)
            if len(_QMARKS) < _QMARKS_KEPT:
                _QMARKS[sql] = qmark
        return _fetch_direct(connection, qmark, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def counting(queryset: QuerySet[Any], by: str) -> QuerySet[Any]:
    """How many rows the queryset has, as a query a ``Prepared`` can hold (``count()`` runs at once): grouped by
    ``by``, a column all its rows share (its one filtered value), so one row, or none when nothing matches."""
    return queryset.order_by().values(by).annotate(rows=Count("pk")).values_list("rows", flat=True)


def _shallow_copy(original: Any) -> Any:
    """A new object of the same class sharing the original's attributes (quicker than ``copy.copy``)."""
    made = object.__new__(type(original))
    made.__dict__.update(original.__dict__)
    return made


_EVERY: weakref.WeakSet[Prepared[Any]] = weakref.WeakSet()


def _row(item: Any, seen: frozenset[tuple[type, Any]] = frozenset()) -> Any:
    """What a row is, to compare: a model's fields and the related objects loaded with it; a tuple as is."""
    if not hasattr(item, "_meta"):
        return item
    key = (type(item), item.pk)
    state = {name: value for name, value in vars(item).items() if not name.startswith("_")}
    if key in seen:
        return key
    cached = getattr(item._state, "fields_cache", {})
    related = {name: _row(value, seen | {key}) for name, value in cached.items()}
    return (type(item), state, related)
