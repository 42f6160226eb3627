"""The built-in simulator's row, so the admin lists it from the first start."""

from __future__ import annotations

from django.db import migrations


def create_simulator(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    Provider.objects.get_or_create(
        name="simulator",
        defaults={
            "base_url": "http://simulator.local",
            "auth_style": "none",
            "model_patterns": "sim*",
            "builtin": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [migrations.RunPython(create_simulator, migrations.RunPython.noop)]
