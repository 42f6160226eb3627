"""The list search index: pg_trgm GIN on PostgreSQL, an FTS5 trigram table on SQLite.

Both make `search_text ILIKE '%term%'` (PostgreSQL) / `MATCH` (SQLite) use an index, so a
substring search over a million exchanges stays fast. The SQLite table is an external-content
FTS5 index kept in step by triggers; on other databases this migration does nothing.
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


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("recording", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
