from django.db import migrations


class Migration(migrations.Migration):
    """Staged roster rows are scratch data (re-created by checking the upload again): no WAL for them. They are
    emptied after a crash and not sent to replicas, which is what scratch data should do."""

    dependencies = [("graduates", "0004_roster_row_plain_graduate_id")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE graduates_rosterrow SET UNLOGGED",
            reverse_sql="ALTER TABLE graduates_rosterrow SET LOGGED",
        )
    ]
