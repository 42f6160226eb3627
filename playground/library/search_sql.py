"""SQL for the library's text search index, used by the migration that creates it.

SQLite: an external-content FTS5 trigram table over `library_savedrequest.search_text`,
kept in step by triggers. PostgreSQL: a pg_trgm GIN index on the same column. Any later
migration that makes SQLite rebuild `library_savedrequest` drops the triggers with the old
table: end it with `restore_sqlite_triggers()`.
"""

from django.db import migrations

from playground.recording.search_sql import run_for_vendor

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS library_savedrequest_fts USING fts5("
    "search_text, content='library_savedrequest', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS library_savedrequest_fts_ai AFTER INSERT ON library_savedrequest "
    "BEGIN INSERT INTO library_savedrequest_fts(rowid, search_text) "
    "VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS library_savedrequest_fts_ad AFTER DELETE ON library_savedrequest "
    "BEGIN INSERT INTO library_savedrequest_fts(library_savedrequest_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS library_savedrequest_fts_au AFTER UPDATE OF search_text "
    "ON library_savedrequest BEGIN "
    "INSERT INTO library_savedrequest_fts(library_savedrequest_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO library_savedrequest_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS library_savedrequest_fts_au",
    "DROP TRIGGER IF EXISTS library_savedrequest_fts_ad",
    "DROP TRIGGER IF EXISTS library_savedrequest_fts_ai",
    "DROP TABLE IF EXISTS library_savedrequest_fts",
]
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS lib_search_trgm ON library_savedrequest "
    "USING gin (search_text gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS lib_search_trgm"]


def restore_sqlite_triggers() -> migrations.RunPython:
    rebuild = [
        *SQLITE_FORWARD,
        "INSERT INTO library_savedrequest_fts(library_savedrequest_fts) VALUES ('rebuild')",
    ]
    return migrations.RunPython(run_for_vendor({"sqlite": rebuild}), migrations.RunPython.noop)
