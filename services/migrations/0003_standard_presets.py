"""The presets qinghai, mohrss and jilin (services/presets.py); the installation's province gets its default active
(Qinghai: qinghai). Idempotent: a preset already present is left as the province edited it."""

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from services.presets import load_presets

    load_presets(
        apps.get_model("services", "ServiceStandard"),
        apps.get_model("services", "StandardRule"),
        settings.PROVINCE_CODE,
    )


class Migration(migrations.Migration):
    dependencies = [("services", "0002_service_standards")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
