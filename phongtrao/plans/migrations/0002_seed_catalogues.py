"""The seeded catalogues (``plans.catalogue``: the kinds of plan and the national participating organisations),
present on every database, also without setup; the event histories of plans and tasks are append-only on
PostgreSQL."""

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

PLAN_CREATE, PLAN_DROP = append_only_trigger("plans_planevent", ("user_id",))
TASK_CREATE, TASK_DROP = append_only_trigger("plans_taskevent", ("user_id",))


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.plans.catalogue import seed_catalogues

    seed_catalogues(apps.get_model("plans", "PlanKind"), apps.get_model("plans", "Organisation"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial"), ("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(run_on_postgresql(PLAN_CREATE), run_on_postgresql(PLAN_DROP)),
        migrations.RunPython(run_on_postgresql(TASK_CREATE), run_on_postgresql(TASK_DROP)),
    ]
