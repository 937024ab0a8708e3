"""An existing site gets the moderation rule from the migration (courses 0004)."""

import os

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("courses", "0003_lesson_quiz_block")]
AFTER = [("courses", "0004_independent_review")]


@pytest.fixture
def latest_schema_afterwards():
    """The database is migrated forward again after the test, even when it fails half-way.

    Otherwise a failure left the schema at 0003 and every later test met missing tables.
    """
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason=(
        "on PostgreSQL, migrating back and forth inside the suite leaves content-type rows "
        "that the serialized restore of later transactional tests collides with; the "
        "migration runs for real in every PostgreSQL set-up, and this test runs on SQLite"
    ),
)
@pytest.mark.django_db(transaction=True)
def test_migration_removes_publish_rights_and_replaces_the_plain_review_task(
    latest_schema_afterwards,
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Revision = apps.get_model("wagtailcore", "Revision")

    # The old set-up: supervisors publish, and a plain group approval with a review running.
    supervisors, _created = Group.objects.get_or_create(name="supervisor")
    root = Page.objects.get(depth=1)
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.create(group=supervisors, page=root, permission=publish)
    old_task = GroupApprovalTask.objects.create(
        name="Second expert review",
        content_type=ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )[0],
    )
    old_task.groups.set([supervisors])
    # (Reversing 0004 for this test left the workflow itself in place.)
    workflow, _created = Workflow.objects.get_or_create(name="Course approval")
    WorkflowTask.objects.create(workflow=workflow, task=old_task, sort_order=0)
    page_type = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")[0]
    state = WorkflowState.objects.create(
        base_content_type=page_type,
        content_type=page_type,
        object_id=str(root.pk),
        workflow=workflow,
        status="in_progress",
    )
    revision = Revision.objects.create(
        base_content_type=page_type,
        content_type=page_type,
        object_id=str(root.pk),
        content={"title": "Root"},
        object_str="Root",
        created_at=timezone.now(),
    )
    running = TaskState.objects.create(
        workflow_state=state,
        revision=revision,
        task=old_task,
        status="in_progress",
        content_type=ContentType.objects.get_or_create(app_label="wagtailcore", model="taskstate")[
            0
        ],
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Task = apps.get_model("wagtailcore", "Task")
    IndependentReviewTask = apps.get_model("courses", "IndependentReviewTask")

    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()
    new_task = IndependentReviewTask.objects.get()
    assert list(new_task.groups.values_list("name", flat=True)) == ["supervisor"]
    assert list(
        WorkflowTask.objects.filter(workflow_id=workflow.pk).values_list("task_id", flat=True)
    ) == [new_task.pk]
    assert TaskState.objects.get(pk=running.pk).task_id == new_task.pk
    assert not Task.objects.get(pk=old_task.pk).active
