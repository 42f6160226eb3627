"""`manage.py prune_exchanges --older-than 30d` / `--max-size 2GB`: retention."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from playground.recording import retention


class Command(BaseCommand):
    help = "Delete recorded exchanges older than an age and/or beyond a total stored size."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", help="e.g. 30d, 12h, 90m, 2w")
        parser.add_argument("--max-size", help="e.g. 2GB, 500MB: oldest go first")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, **options) -> None:
        if not options["older_than"] and not options["max_size"]:
            raise CommandError("give --older-than and/or --max-size")
        try:
            age = retention.parse_duration(options["older_than"]) if options["older_than"] else None
            size = retention.parse_size(options["max_size"]) if options["max_size"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        verb = "would delete" if options["dry_run"] else "deleted"
        if age is not None:
            n = retention.prune_older_than(age, dry_run=options["dry_run"])
            self.stdout.write(f"{verb} {n} exchanges older than {options['older_than']}")
        if size is not None:
            n = retention.prune_to_size(size, dry_run=options["dry_run"])
            self.stdout.write(f"{verb} {n} exchanges to fit in {options['max_size']}")
        self.stdout.write(f"stored now: {retention.total_size()} bytes")
