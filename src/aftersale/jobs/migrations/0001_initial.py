"""The Schedule model moves here from the health app; its table stays as it was."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('health', '0004_day_band_latest_on_account'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Schedule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=20, unique=True, verbose_name='name')),
                        ('next_run_at', models.DateTimeField(blank=True, null=True, verbose_name='next run')),
                        ('task_id', models.CharField(blank=True, max_length=64, verbose_name='queued task')),
                    ],
                    options={
                        'verbose_name': 'schedule',
                        'verbose_name_plural': 'schedules',
                        'db_table': 'health_schedule',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
