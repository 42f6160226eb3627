"""The list search index: pg_trgm GIN on PostgreSQL, an FTS5 trigram table on SQLite.

Both make `search_text ILIKE '%term%'` (PostgreSQL) / `MATCH` (SQLite) use an index, so a
substring search over a million exchanges stays fast. The SQLite table is an external-content
FTS5 index kept in step by triggers; on other databases this migration does nothing.
"""

from django.db import migrations

from playground.recording.search_sql import (
    PG_BACKWARD,
    PG_FORWARD,
    SQLITE_BACKWARD,
    SQLITE_FORWARD,
    run_for_vendor,
)


class Migration(migrations.Migration):
    dependencies = [("recording", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
