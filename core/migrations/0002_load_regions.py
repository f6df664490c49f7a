"""Data migration: load the GB/T 2260 region tree (see core/regions.py) with the historical Region model."""

from django.db import migrations


def load(apps, schema_editor):
    # Imported here, not at module level; core.regions never imports the live model on this path.
    from core.regions import load_regions

    load_regions(region_model=apps.get_model("core", "Region"))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
