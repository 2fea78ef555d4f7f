"""Schedule moved to the jobs app and NotificationClaim to notify (state only: the tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('health', '0004_day_band_latest_on_account'),
        ('jobs', '0001_initial'),
        ('notify', '0003_notificationclaim'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Schedule'),
                migrations.DeleteModel(name='NotificationClaim'),
            ],
            database_operations=[],
        ),
    ]
