"""Bulk, read-only reader of Optuna's RDB schema (SQLite, PostgreSQL, MySQL/MariaDB).

One short read-only transaction runs a handful of ``SELECT``s over whole tables (not one query
per trial), decoding Optuna's encodings exactly: value types FINITE/INF_POS/INF_NEG/NAN, params
as internal float + distribution JSON, attrs as Python-flavoured JSON. SQLite is opened through
a read-only URI (``mode=ro``), so SQLite itself refuses any write; servers get a read-only
transaction. No table is created, no schema is migrated or stamped.

The modules, in the order a read goes through them:

- ``connect``: the reader of a source and its transaction (:func:`read_transaction`);
- ``reader``: the interface every reader offers (:class:`RdbReader`), and one module per
  connection path: ``sqlite`` (ADBC or ``sqlite3``), ``postgresql`` (psycopg2; ADBC or
  ``COPY`` for the bulk tables), ``mysql`` (PyMySQL; connectorx for the bulk tables);
- ``snapshot``: bulk reads on a second connection that see the same moment;
- ``urls``: what each driver is given to connect; ``drivers``: the optional Arrow drivers;
- ``errors``: driver errors in words of our own, by SQLSTATE and error codes;
- ``schema``: which Optuna schema a database holds; ``read``: the tables read and
  ``decode``-d into :class:`~hpo_tui.core.storage.raw.RawTables`; ``optuna_api``: the
  fallback through Optuna for an unknown schema.
"""

from hpo_tui.core.storage.rdb.connect import read_transaction
from hpo_tui.core.storage.rdb.read import read_rdb, read_rdb_tables
from hpo_tui.core.storage.rdb.reader import RdbReader
from hpo_tui.core.storage.rdb.schema import KNOWN_HEADS, SchemaLayout, schema_head

__all__ = [
    "KNOWN_HEADS",
    "RdbReader",
    "SchemaLayout",
    "read_rdb",
    "read_rdb_tables",
    "read_transaction",
    "schema_head",
]
