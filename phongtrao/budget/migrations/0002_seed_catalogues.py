"""The seeded categories, sources and caps (``budget.rules``), present on every database, also without setup."""

from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.budget.rules import seed_catalogues

    seed_catalogues(apps)


class Migration(migrations.Migration):
    dependencies = [("budget", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
