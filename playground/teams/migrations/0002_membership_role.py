from django.db import migrations, models


def existing_members_own_their_teams(apps, schema_editor):
    # Before roles, every member could do everything: keep that for them.
    apps.get_model("teams", "Membership").objects.update(role="owner")


class Migration(migrations.Migration):

    dependencies = [
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "Owner"), ("member", "Member"), ("viewer", "Viewer")],
                default="member",
                max_length=10,
            ),
        ),
        migrations.RunPython(existing_members_own_their_teams, migrations.RunPython.noop),
    ]
