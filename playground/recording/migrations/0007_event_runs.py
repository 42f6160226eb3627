"""Events move from one row each to runs of consecutive events (see EventRun)."""

import django.db.models.deletion
from django.db import migrations, models

RUN_SIZE = 1000


def to_runs(apps, schema_editor):
    ExchangeEvent = apps.get_model("recording", "ExchangeEvent")
    EventRun = apps.get_model("recording", "EventRun")
    exchange_ids = ExchangeEvent.objects.values_list("exchange_id", flat=True).distinct()
    for exchange_id in list(exchange_ids):
        rows = (
            ExchangeEvent.objects.filter(exchange_id=exchange_id)
            .order_by("seq")
            .values_list("seq", "offset_ms", "event", "raw", "raw_bytes", "terminated")
        )
        batch, runs = [], []
        for seq, offset_ms, event, raw, raw_bytes, terminated in rows.iterator(chunk_size=2000):
            data = bytes(raw_bytes) if raw_bytes is not None else raw.encode("utf-8")
            batch.append((seq, offset_ms, event, data, terminated))
            if len(batch) == RUN_SIZE:
                runs.append(_run(EventRun, exchange_id, batch))
                batch = []
        if batch:
            runs.append(_run(EventRun, exchange_id, batch))
        EventRun.objects.bulk_create(runs, batch_size=50)


def _run(EventRun, exchange_id, batch):
    first = batch[0][0]
    return EventRun(
        exchange_id=exchange_id,
        first_seq=first,
        end_seq=first + len(batch),
        raw=b"".join(b[3] for b in batch),
        index=[[b[1], b[2], len(b[3])] for b in batch],
        last_unterminated=not batch[-1][4],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('recording', '0006_response_raw'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_seq', models.IntegerField()),
                ('end_seq', models.IntegerField()),
                ('raw', models.BinaryField()),
                ('index', models.JSONField()),
                ('last_unterminated', models.BooleanField(default=False)),
                ('exchange', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='event_runs', to='recording.exchange')),
            ],
        ),
        migrations.RunPython(to_runs, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ExchangeEvent',
        ),
        migrations.AddConstraint(
            model_name='eventrun',
            constraint=models.UniqueConstraint(fields=('exchange', 'first_seq'), name='unique_event_run'),
        ),
    ]
