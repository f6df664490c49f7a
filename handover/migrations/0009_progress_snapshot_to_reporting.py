"""The progress snapshot moved to the reporting app (reporting/0002 takes it over with its rows): only the
migration state forgets it here; the table is left for reporting to rename."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("handover", "0008_progress_snapshot")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ProgressSnapshot")], database_operations=[]
        )
    ]
