"""The seeded national scorecards (``classification.rules.SEEDED_CARDS``: QĐ 510/QĐ-BCA-V05, paraphrased, 100 points
each), present on every database, also without setup; the classification history is append-only on PostgreSQL."""

from django.db import migrations

from phongtrao.audit.history import append_only_trigger, run_on_postgresql

EVENT_CREATE, EVENT_DROP = append_only_trigger("classification_classificationevent", ("user_id",))


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.classification.rules import seed_cards

    seed_cards(apps)


class Migration(migrations.Migration):
    dependencies = [("classification", "0001_initial"), ("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(run_on_postgresql(EVENT_CREATE), run_on_postgresql(EVENT_DROP)),
    ]
