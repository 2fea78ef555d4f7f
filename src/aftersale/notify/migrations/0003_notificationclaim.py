"""The NotificationClaim model moves here from the health app; its table stays as it was."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_supplier_squeezed'),
        ('health', '0004_day_band_latest_on_account'),
        ('alerts', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='NotificationClaim',
                    fields=[
                        ('alert', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='notification_claim', serialize=False, to='alerts.alert', verbose_name='alert')),
                        ('worker_id', models.CharField(max_length=64, verbose_name='worker')),
                        ('claimed_at', models.DateTimeField(verbose_name='claimed')),
                        ('attempts', models.PositiveIntegerField(default=1, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                    ],
                    options={
                        'verbose_name': 'notification claim',
                        'verbose_name_plural': 'notification claims',
                        'indexes': [models.Index(fields=['claimed_at'], name='claim_claimed_at')],
                        'db_table': 'health_notificationclaim',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
