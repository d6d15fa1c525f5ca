"""The seeded size rules (``forces.rules.SEEDED_RULES``), present on every database, also without setup; the
event histories of teams and rating sheets are append-only on PostgreSQL."""

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

TEAM_CREATE, TEAM_DROP = append_only_trigger("forces_teamevent", ("user_id",))
SHEET_CREATE, SHEET_DROP = append_only_trigger("forces_sheetevent", ("user_id",))


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.forces.rules import seed_rules

    seed_rules(apps)


class Migration(migrations.Migration):
    dependencies = [("forces", "0001_initial"), ("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(run_on_postgresql(TEAM_CREATE), run_on_postgresql(TEAM_DROP)),
        migrations.RunPython(run_on_postgresql(SHEET_CREATE), run_on_postgresql(SHEET_DROP)),
    ]
