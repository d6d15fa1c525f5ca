"""The national initiators and common fields (the same rows ``phongtrao setup`` keeps seeded)."""

from django.db import migrations

from phongtrao.lib.vntext import fold, sort_key


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.models_registry.catalogue import FIELDS, INITIATORS

    for model_name, rows in (("Initiator", INITIATORS), ("Field", FIELDS)):
        model = apps.get_model("models_registry", model_name)
        have = set(model.objects.filter(province__isnull=True).values_list("code", flat=True))
        model.objects.bulk_create([
            model(code=code, name=name, position=position, search_name=fold(name), sort_key=sort_key(name))
            for position, (code, name) in enumerate(rows, start=1) if code not in have
        ])


class Migration(migrations.Migration):
    dependencies = [("models_registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
