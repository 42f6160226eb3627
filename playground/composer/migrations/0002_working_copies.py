"""Drafts become working copies: many per user and team. Every existing draft is kept as
a working copy titled "Draft", its state moved to JSON text (jsonb reorders keys)."""

import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import playground.recording.models


def _json_text(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate only an ASCII escape can carry
        text = json.dumps(value, separators=(",", ":"))
    return text


def name_existing_drafts(apps, schema_editor):
    WorkingCopy = apps.get_model("composer", "WorkingCopy")
    for copy in WorkingCopy.objects.filter(public_id__isnull=True).only("pk", "state"):
        WorkingCopy.objects.filter(pk=copy.pk).update(
            public_id=playground.recording.models.new_public_id(),
            title="Draft",
            state_json=_json_text(copy.state),
        )


class Migration(migrations.Migration):

    dependencies = [
        ("composer", "0001_initial"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="draft", name="unique_draft_per_user_team"),
        migrations.RenameModel(old_name="Draft", new_name="WorkingCopy"),
        migrations.AlterField(
            model_name="workingcopy",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="working_copies", to="teams.team"
            ),
        ),
        migrations.AlterField(
            model_name="workingcopy",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="working_copies",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="public_id",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="title",
            field=models.CharField(default="Untitled", max_length=200),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="saved_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        # Existing drafts were never saved anywhere else: they count as unsaved.
        migrations.AddField(
            model_name="workingcopy",
            name="unsaved",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name="workingcopy",
            name="unsaved",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="created",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="opened",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="workingcopy",
            name="state_json",
            field=models.TextField(default="{}"),
        ),
        migrations.RunPython(name_existing_drafts, migrations.RunPython.noop),
        migrations.RemoveField(model_name="workingcopy", name="state"),
        migrations.AlterField(
            model_name="workingcopy",
            name="public_id",
            field=models.CharField(
                default=playground.recording.models.new_public_id, max_length=32, unique=True
            ),
        ),
        migrations.AddIndex(
            model_name="workingcopy",
            index=models.Index(fields=["team", "user", "-opened"], name="copy_team_user_opened"),
        ),
    ]
