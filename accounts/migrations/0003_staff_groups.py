from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    from accounts.groups import groups_sync

    # Permissions are normally created after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    groups_sync(
        apps.get_model("auth", "Group"),
        apps.get_model("auth", "Permission"),
        schema_editor.connection.alias,
    )


def delete_groups(apps, schema_editor):
    from accounts.groups import MANAGER, REVIEWER

    apps.get_model("auth", "Group").objects.filter(name__in=[REVIEWER, MANAGER]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_creator_decision_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
