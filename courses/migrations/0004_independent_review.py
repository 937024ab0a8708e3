"""Course moderation that cannot be skipped (issue 13, item 3).

- Creates the ``IndependentReviewTask`` model (``courses.moderation``).
- Puts one such task (supervising experts review, never their own changes) on the
  "Course approval" workflow in place of the plain group approval task the seed used,
  moving reviews in progress onto it, and assigns the workflow to the course catalogue.
- Removes every group's ``publish_page`` grant: course pages are published only by
  approving the workflow (superusers keep Wagtail's bypass as the break-glass account).

Reversing keeps the publish grants removed (they are not restored automatically) and
puts a plain group approval task back on the workflow.
"""

import django.db.models.deletion
from django.db import migrations, models

WORKFLOW_NAME = "Course approval"
TASK_NAME = "Second expert review"
REVIEWER_GROUP = "supervisor"


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(
        app_label=model._meta.app_label, model=model._meta.model_name
    )
    return content_type


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    IndependentReviewTask = apps.get_model("courses", "IndependentReviewTask")
    CourseCatalogue = apps.get_model("courses", "CourseCatalogue")

    GroupPagePermission.objects.filter(permission__codename="publish_page").delete()

    group, _created = Group.objects.get_or_create(name=REVIEWER_GROUP)
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = IndependentReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = IndependentReviewTask.objects.create(
            name=TASK_NAME,
            active=True,
            content_type=_content_type(apps, IndependentReviewTask),
        )
    task.groups.set([group])
    replaced = list(
        WorkflowTask.objects.filter(workflow=workflow)
        .exclude(task_id=task.pk)
        .values_list("task_id", flat=True)
    )
    # Reviews in progress on the old task continue on the new one, under its rules.
    TaskState.objects.filter(task_id__in=replaced, status="in_progress").update(task_id=task.pk)
    WorkflowTask.objects.filter(workflow=workflow, task_id__in=replaced).delete()
    Task.objects.filter(pk__in=replaced).exclude(workflow_tasks__isnull=False).update(active=False)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for catalogue in CourseCatalogue.objects.all():
        WorkflowPage.objects.update_or_create(page_id=catalogue.pk, defaults={"workflow": workflow})


def backwards(apps, schema_editor):
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    IndependentReviewTask = apps.get_model("courses", "IndependentReviewTask")

    for task in IndependentReviewTask.objects.all():
        plain = GroupApprovalTask.objects.create(
            name=task.name,
            active=task.active,
            content_type=_content_type(apps, GroupApprovalTask),
        )
        plain.groups.set(task.groups.all())
        TaskState.objects.filter(task_id=task.pk).update(task_id=plain.pk)
        for link in WorkflowTask.objects.filter(task_id=task.pk):
            WorkflowTask.objects.create(
                workflow_id=link.workflow_id, task_id=plain.pk, sort_order=link.sort_order
            )
        WorkflowTask.objects.filter(task_id=task.pk).delete()
        task_id = task.pk
        task.delete()
        Task.objects.filter(pk=task_id).delete()


class Migration(migrations.Migration):
    # Step by step: on PostgreSQL, undoing it dropped the new task's table in the
    # transaction that had just moved reviews back ("pending trigger events").
    atomic = False

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("courses", "0003_lesson_quiz_block"),
        ("wagtailcore", "0098_apitoken"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndependentReviewTask",
            fields=[
                (
                    "task_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.task",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        help_text="Pages/snippets at this step in a workflow will be moderated or approved by these groups of users",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
            ],
            options={
                "verbose_name": "independent review task",
                "verbose_name_plural": "independent review tasks",
            },
            bases=("wagtailcore.task",),
        ),
        migrations.RunPython(forwards, backwards),
    ]
