"""SQL for the list search index, shared by the migrations that create or restore it.

Any later migration that makes SQLite rebuild `recording_exchange` (adding a NOT NULL
column, altering a field) drops the FTS triggers with the old table: end it with
`restore_sqlite_triggers()`.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS recording_exchange_fts USING fts5("
    "search_text, content='recording_exchange', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS recording_exchange_fts_ai AFTER INSERT ON recording_exchange "
    "BEGIN INSERT INTO recording_exchange_fts(rowid, search_text) "
    "VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS recording_exchange_fts_ad AFTER DELETE ON recording_exchange "
    "BEGIN INSERT INTO recording_exchange_fts(recording_exchange_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS recording_exchange_fts_au AFTER UPDATE OF search_text "
    "ON recording_exchange BEGIN "
    "INSERT INTO recording_exchange_fts(recording_exchange_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO recording_exchange_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS recording_exchange_fts_au",
    "DROP TRIGGER IF EXISTS recording_exchange_fts_ad",
    "DROP TRIGGER IF EXISTS recording_exchange_fts_ai",
    "DROP TABLE IF EXISTS recording_exchange_fts",
]
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS exch_search_trgm ON recording_exchange "
    "USING gin (search_text gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS exch_search_trgm"]


def run_for_vendor(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def restore_sqlite_triggers() -> migrations.RunPython:
    # Rebuild the index content too: rows inserted between the rebuild and now are missing.
    rebuild = [*SQLITE_FORWARD, "INSERT INTO recording_exchange_fts(recording_exchange_fts) VALUES ('rebuild')"]
    return migrations.RunPython(run_for_vendor({"sqlite": rebuild}), migrations.RunPython.noop)
