"""PostgreSQL: compress version states with lz4 rather than pglz.

A saved version is written once and read whole; pglz spent about half of a 5 MB save
compressing it (bench/bench_library.py, target 200 ms). Servers built without lz4, or
older than 14, keep their default.
"""

from django.db import migrations

from playground.recording.search_sql import run_for_vendor

FORWARD = [
    "DO $$ BEGIN "
    "ALTER TABLE library_version ALTER COLUMN state_json SET COMPRESSION lz4; "
    "EXCEPTION WHEN others THEN NULL; END $$"
]
BACKWARD = [
    "DO $$ BEGIN "
    "ALTER TABLE library_version ALTER COLUMN state_json SET COMPRESSION default; "
    "EXCEPTION WHEN others THEN NULL; END $$"
]


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"postgresql": FORWARD}), run_for_vendor({"postgresql": BACKWARD})
        )
    ]
