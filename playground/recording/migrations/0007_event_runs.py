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
            if batch and seq != batch[-1][0] + 1:
                # A run holds consecutive seqs: a gap (events the old writer dropped)
                # starts a new one, so every event keeps its seq.
                runs.append(_run(EventRun, exchange_id, batch))
                batch = []
            data = bytes(raw_bytes) if raw_bytes is not None else raw.encode("utf-8")
            batch.append((seq, offset_ms, event, data, terminated))
            if len(batch) == RUN_SIZE:
                runs.append(_run(EventRun, exchange_id, batch))
                batch = []
        if batch:
            runs.append(_run(EventRun, exchange_id, batch))
        EventRun.objects.bulk_create(runs, batch_size=50)


def to_rows(apps, schema_editor):
    """Back to one row per event (the text form as the old recorder stored it)."""
    ExchangeEvent = apps.get_model("recording", "ExchangeEvent")
    EventRun = apps.get_model("recording", "EventRun")
    rows = []
    for run in EventRun.objects.order_by("exchange_id", "first_seq").iterator(chunk_size=20):
        raw, pos = bytes(run.raw), 0
        for i, (offset_ms, event, length) in enumerate(run.index):
            data = raw[pos : pos + length]
            pos += length
            text = data.decode("utf-8", "replace").replace("\x00", "\ufffd")
            exact = text.encode("utf-8") == data
            seq = run.first_seq + i
            rows.append(ExchangeEvent(
                exchange_id=run.exchange_id, seq=seq, offset_ms=offset_ms, event=event, raw=text,
                raw_bytes=None if exact else data, non_utf8=not _is_utf8(data),
                terminated=not (run.last_unterminated and seq == run.end_seq - 1),
            ))
            if len(rows) >= 2000:
                ExchangeEvent.objects.bulk_create(rows)
                rows = []
    ExchangeEvent.objects.bulk_create(rows)


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
        migrations.RunPython(to_runs, to_rows),
        migrations.DeleteModel(
            name='ExchangeEvent',
        ),
        migrations.AddConstraint(
            model_name='eventrun',
            constraint=models.UniqueConstraint(fields=('exchange', 'first_seq'), name='unique_event_run'),
        ),
    ]
