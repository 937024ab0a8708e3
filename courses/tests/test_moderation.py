"""Moderation cannot be skipped: authors submit, only a reviewer who is not an author publishes.

Through every admin door that publishes a page: the edit view's publish action, the
workflow approve action (edit view and the workflow action view), bulk publish, copy
with "publish copies", and the dashboard's list of reviews waiting.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page, TaskState, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from accounts import roles
from courses import moderation, seed
from courses.models import CourseCatalogue, Lesson
from tests.factories import PASSWORD, make_user

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def authoring(db):
    """The catalogue with the seed's authoring set-up, a course and a live lesson."""
    catalogue = factories.catalogue()
    seed.ensure_authoring_setup(catalogue)
    course = factories.course(modules=(1,))
    lesson = Lesson.objects.child_of(course.get_children().first()).first()
    factories.publish(lesson)
    return {"catalogue": catalogue, "course": course, "lesson": lesson}


@pytest.fixture
def author(db):
    return make_user(roles.SUPERVISOR, username="t_author")


@pytest.fixture
def reviewer(db):
    return make_user(roles.SUPERVISOR, username="t_reviewer")


def assert_refused(response):
    """Wagtail's admin answers a PermissionDenied with 403, or a redirect to its home."""
    assert response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    ), response.status_code


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def edit_data(client, lesson, *, title, **actions):
    """The lesson's edit form as the logged-in user's browser would post it, with a new
    title and the given action buttons (``{"action-submit": "1"}``…)."""
    response = client.get(edit_url(lesson))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")
    data["title"] = title
    for name, value in actions.items():
        data[name] = value
    return data


def submit(client, author, lesson, title="作者改的一课"):
    """The author edits the lesson and submits it for moderation through the edit view."""
    login(client, author)
    response = client.post(
        edit_url(lesson), edit_data(client, lesson, title=title, **{"action-submit": "1"})
    )
    assert response.status_code == 302, response.content[:500]
    lesson.refresh_from_db()
    return lesson


# --- rights and set-up ---------------------------------------------------------------


def test_no_group_may_publish_pages_directly(authoring):
    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()
    codenames = set(
        GroupPagePermission.objects.filter(group__name=roles.SUPERVISOR).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}


def test_every_course_page_is_under_the_independent_review_workflow(authoring):
    workflow = authoring["lesson"].get_workflow()
    assert workflow is not None and workflow.name == moderation.WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert isinstance(task, moderation.IndependentReviewTask)
    assert list(task.groups.values_list("name", flat=True)) == [roles.SUPERVISOR]


def test_a_new_catalogue_gets_the_workflow_when_created():
    factories.ensure_wagtail_root()
    home = Page.get_first_root_node()
    catalogue = home.add_child(instance=CourseCatalogue(title="目录", slug="learn-new"))
    assert WorkflowPage.objects.get(page=catalogue).workflow.name == moderation.WORKFLOW_NAME


def test_the_migration_left_no_publish_grant_of_wagtails_default_groups():
    # Wagtail's own migrations give "Moderators" publish on the root; ours removed it.
    assert Group.objects.filter(name="Moderators").exists()
    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()


# --- the author ----------------------------------------------------------------------


def test_author_sees_no_publish_button(client, authoring, author):
    login(client, author)
    response = client.get(edit_url(authoring["lesson"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="action-publish"' not in content
    assert 'name="action-submit"' in content


def test_author_posting_publish_only_saves_a_draft(client, authoring, author):
    lesson = authoring["lesson"]
    login(client, author)
    response = client.post(
        edit_url(lesson), edit_data(client, lesson, title="作者直接发布", **{"action-publish": "1"})
    )
    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    assert lesson.title != "作者直接发布"  # the live page did not change
    assert lesson.has_unpublished_changes
    assert lesson.get_latest_revision().as_object().title == "作者直接发布"


def test_author_cannot_bulk_publish(client, authoring, author):
    lesson = authoring["lesson"]
    lesson.unpublish()
    login(client, author)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={lesson.pk}", {})
    lesson.refresh_from_db()
    assert not lesson.live
    assert response.status_code in (200, 302, 403)


def test_author_cannot_copy_with_publish(client, authoring, author):
    lesson = authoring["lesson"]
    module = lesson.get_parent()
    login(client, author)
    client.post(
        reverse("wagtailadmin_pages:copy", args=[lesson.pk]),
        {
            "new_title": "复制的一课",
            "new_slug": "copied-lesson",
            "new_parent_page": module.pk,
            "publish_copies": "on",
        },
    )
    copy = Lesson.objects.filter(slug="copied-lesson").first()
    assert copy is None or not copy.live


def test_author_submits_to_the_workflow(client, authoring, author):
    lesson = submit(client, author, authoring["lesson"])
    state = WorkflowState.objects.for_instance(lesson).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == author
    assert lesson.title != "作者改的一课"


def test_author_is_offered_no_action_on_their_own_submission(client, authoring, author):
    lesson = submit(client, author, authoring["lesson"])
    task = lesson.current_workflow_task
    assert task.get_actions(lesson, author) == []
    assert not task.get_task_states_user_can_moderate(author).exists()


def test_author_cannot_approve_their_own_submission_in_the_edit_view(client, authoring, author):
    lesson = submit(client, author, authoring["lesson"])
    client.post(
        edit_url(lesson),
        edit_data(
            client,
            lesson,
            title="作者改的一课",
            **{"action-workflow-action": "1", "workflow-action-name": "approve"},
        ),
    )
    lesson.refresh_from_db()
    assert lesson.title != "作者改的一课"
    assert TaskState.objects.for_instance(lesson).get().status == TaskState.STATUS_IN_PROGRESS


def test_author_cannot_approve_through_the_workflow_action_view(client, authoring, author):
    lesson = submit(client, author, authoring["lesson"])
    task_state = lesson.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk]),
        {},
    )
    assert_refused(response)
    lesson.refresh_from_db()
    assert lesson.title != "作者改的一课"


def test_task_refuses_an_author_even_when_asked_directly(client, authoring, author):
    lesson = submit(client, author, authoring["lesson"])
    with pytest.raises(PermissionDenied):
        lesson.current_workflow_task.on_action(
            lesson.current_workflow_task_state, author, "approve"
        )
    assert WorkflowState.objects.for_instance(lesson).get().status == "in_progress"


def test_someone_who_wrote_an_earlier_unpublished_revision_cannot_approve(
    client, authoring, author, reviewer
):
    lesson = authoring["lesson"]
    login(client, reviewer)
    client.post(edit_url(lesson), edit_data(client, lesson, title="审核人先写的草稿"))  # a draft
    lesson = submit(client, author, lesson)
    assert lesson.current_workflow_task.get_actions(lesson, reviewer) == []


# --- another reviewer ----------------------------------------------------------------


def test_another_reviewer_approves_and_the_page_goes_live(client, authoring, author, reviewer):
    lesson = submit(client, author, authoring["lesson"])
    assert lesson.current_workflow_task.get_actions(lesson, reviewer)
    assert lesson.current_workflow_task.get_task_states_user_can_moderate(reviewer).exists()
    login(client, reviewer)
    task_state = lesson.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk]),
        {},
    )
    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    assert lesson.title == "作者改的一课" and lesson.live
    state = WorkflowState.objects.for_instance(lesson).get()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_reviewer_who_edits_while_approving_is_refused(client, authoring, author, reviewer):
    lesson = submit(client, author, authoring["lesson"])
    login(client, reviewer)
    response = client.post(
        edit_url(lesson),
        edit_data(
            client,
            lesson,
            title="审核人自己改后批准",
            **{"action-workflow-action": "1", "workflow-action-name": "approve"},
        ),
    )
    assert_refused(response)
    lesson.refresh_from_db()
    assert lesson.title not in ("审核人自己改后批准", "作者改的一课")
    assert TaskState.objects.for_instance(lesson).get().status == TaskState.STATUS_IN_PROGRESS


def test_trainee_cannot_reach_the_page_editor(client, authoring, trainee):
    login(client, trainee)
    response = client.get(edit_url(authoring["lesson"]))
    assert response.status_code in (302, 403)
