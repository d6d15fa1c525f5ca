"""The seeded disaggregations, data elements, data sets and validation rules (``datasets.catalogue``), present on
every database, also without setup; the ReportEvent history is append-only on PostgreSQL."""

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

CREATE, DROP = append_only_trigger("datasets_reportevent", ("user_id",))


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.datasets.catalogue import seed_catalogue

    seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("datasets", "0001_initial"), ("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP)),
    ]
