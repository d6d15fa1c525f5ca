"""The seeded award forms (INTERCHANGE.md ``awards``): present on every database, also without setup."""

from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001, ANN201
    from phongtrao.awards.catalogue import SEEDS

    award_type = apps.get_model("awards", "AwardType")
    have = set(award_type.objects.values_list("code", flat=True))
    award_type.objects.bulk_create([
        award_type(code=s.code, name=s.name, authority=s.authority, authority_level=str(s.level),
                   recipients=str(s.recipients), once_per_person=s.once_per_person,
                   certificate_title=s.certificate_title, order=(i + 1) * 10)
        for i, s in enumerate(SEEDS) if s.code not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
