"""The schedule table takes the jobs app's name, and queued tasks follow their move.

Tasks queued before the upgrade name their function by its old module path
(``aftersale.health.tasks``); the queue looks functions up by that path, so
they are renamed to ``aftersale.jobs.tasks`` (and back on a reverse migration).
"""

from django.db import migrations

OLD, NEW = "aftersale.health.tasks.", "aftersale.jobs.tasks."


def rename_paths(apps, schema_editor, old=OLD, new=NEW):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for result in DBTaskResult.objects.filter(task_path__startswith=old).only("pk", "task_path"):
        DBTaskResult.objects.filter(pk=result.pk).update(task_path=new + result.task_path[len(old):])


def restore_paths(apps, schema_editor):
    rename_paths(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
        ('health', '0005_schedule_and_claims_moved'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='schedule',
            table=None,
        ),
        migrations.RunPython(rename_paths, restore_paths),
    ]
