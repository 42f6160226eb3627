"""Seed the editable price table from playground/contract/prices.json."""

from django.db import migrations


def seed(apps, schema_editor):
    from playground.recording.prices import seed_prices

    seed_prices(apps.get_model("recording", "Price"))


class Migration(migrations.Migration):
    dependencies = [("recording", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
