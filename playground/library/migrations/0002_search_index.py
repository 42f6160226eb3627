"""The library's text search index: an FTS5 trigram table on SQLite, pg_trgm on PostgreSQL."""

from django.db import migrations

from playground.library.search_sql import (
    PG_BACKWARD,
    PG_FORWARD,
    SQLITE_BACKWARD,
    SQLITE_FORWARD,
)
from playground.recording.search_sql import run_for_vendor


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
