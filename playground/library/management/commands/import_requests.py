"""`manage.py import_requests FILE --team NAME [--user NAME]`: read back a requests file."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from playground.library import files
from playground.library.management.commands.export_requests import team_named


class Command(BaseCommand):
    help = "Import saved requests from a requests file ('-' for stdin); all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--team", help="team to import into (needed when there is more than one)")
        parser.add_argument("--user", help="user name recorded as the importer and default author")

    def handle(self, *args, **options) -> None:
        team = team_named(options["team"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
        try:
            if options["file"] == "-":
                text = sys.stdin.buffer.read()
            else:
                with open(options["file"], "rb") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from None
        try:
            result = files.import_document(team, user, text)
        except files.ImportProblems as exc:
            raise CommandError(
                f"nothing imported: {len(exc.problems)} problem(s)\n{exc}"
            ) from None
        self.stdout.write(
            f"imported {len(result.requests)} saved requests ({result.versions} versions) into {team.name}"
        )
