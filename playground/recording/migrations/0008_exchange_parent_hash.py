"""Exchanges keep the hash of the history they resend, so a parent written after its child
(two server processes) can find and adopt it (see threads.py)."""

from django.db import migrations, models

from playground.recording import search_sql


class Migration(migrations.Migration):

    dependencies = [
        ("recording", "0007_event_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="exchange",
            name="parent_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(
                condition=~models.Q(parent_hash=""), fields=["team", "parent_hash"], name="exch_team_parent_hash"
            ),
        ),
        # SQLite rebuilds the table to add a NOT NULL column, which drops its triggers.
        search_sql.restore_sqlite_triggers(),
    ]
