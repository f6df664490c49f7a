from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("graduates", "0017_encrypt_roster_files"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="graduate",
            index=models.Index(
                fields=["cohort", "responsible_office"],
                include=(
                    "id",
                    "created_at",
                    "state",
                    "education",
                    "destination",
                    "major",
                    "hardship",
                    "service_needs",
                ),
                name="graduate_statistics_idx",
            ),
        ),
    ]
