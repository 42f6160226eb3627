"""PostgreSQL: store blob bytes uncompressed (media is already compressed; trying pglz on a
20 MB PDF costs seconds per write). A no-op on other databases."""

from django.db import migrations

from playground.recording.search_sql import run_for_vendor

FORWARD = ["ALTER TABLE recording_blob ALTER COLUMN data SET STORAGE EXTERNAL"]
BACKWARD = ["ALTER TABLE recording_blob ALTER COLUMN data SET STORAGE EXTENDED"]


class Migration(migrations.Migration):
    dependencies = [("recording", "0004_stored_bytes")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"postgresql": FORWARD}), run_for_vendor({"postgresql": BACKWARD})
        )
    ]
