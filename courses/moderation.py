"""Moderation of course pages: authors submit, a reviewer who is not an author publishes.

The rule, and where each part of it is enforced:

- **Nobody publishes course pages directly.** No group holds Wagtail's ``publish_page``
  right (``courses/migrations/0004_independent_review.py`` removed every grant, the
  seed grants only ``add`` and ``change``). Every admin door that publishes (the edit
  view's *Publish*, bulk publish, copy with *publish copies*, revert and publish, the
  scheduled publisher that only acts on approved go-live times) asks ``can_publish``,
  so authors can only *submit for moderation*. Superusers keep Wagtail's bypass as the
  break-glass account; Wagtail's page history records what they do.
- **The workflow is always there.** ``ensure_course_workflow`` assigns the "Course
  approval" workflow to the catalogue (so to every programme, course, module and lesson
  below it); the migration does it for existing sites, the seed and a ``post_save``
  receiver for a catalogue created later.
- **An author never approves their own change.** The workflow's one task is an
  ``IndependentReviewTask``: members of its groups may approve or request changes,
  except the *authors of the pending changes* (``pending_authors``: whoever submitted
  the workflow and whoever saved a revision since the page was last published). The
  task offers them no action (``get_actions``, which Wagtail's edit view and workflow
  action view both check before acting) and refuses them again in ``on_action``, after
  an edit-and-approve form has saved the reviewer's own revision.
- **The approval publishes.** Reviewers hold no publish right either (they author too),
  so ``courses.workflow_finish.publish_approved_revision``
  (``WAGTAIL_FINISH_WORKFLOW_ACTION``) publishes the
  approved revision on the workflow's authority.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import AbstractGroupApprovalTask, Revision, WorkflowState

WORKFLOW_NAME = "Course approval"
TASK_NAME = "Second expert review"


def pending_authors(obj) -> set[int]:
    """Ids of the users whose changes an approval of ``obj`` now would publish.

    Those who saved a revision since the live one (every revision if the page was never
    published or is unpublished) and whoever submitted the workflow in progress.
    """
    revisions = Revision.objects.for_instance(obj).exclude(user=None)
    live_revision = getattr(obj, "live_revision", None)
    if live_revision is not None:
        revisions = revisions.filter(created_at__gt=live_revision.created_at)
    authors = set(revisions.values_list("user_id", flat=True))
    state = (
        WorkflowState.objects.for_instance(obj)
        .filter(status__in=(WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES))
        .values_list("requested_by_id", flat=True)
        .first()
    )
    if state is not None:
        authors.add(state)
    return authors


class IndependentReviewTask(AbstractGroupApprovalTask):
    """A group approval that the authors of the changes under review cannot give."""

    def is_author(self, obj, user) -> bool:
        return getattr(user, "pk", None) in pending_authors(obj)

    def get_actions(self, obj, user):
        if self.is_author(obj, user):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        """Refuses an author even when the action came through a door that did not ask
        ``get_actions`` first, or after the same request saved the user's own revision."""
        obj = task_state.workflow_state.content_object
        if hasattr(obj, "specific"):
            obj = obj.specific
        if self.is_author(obj, user):
            raise PermissionDenied(
                _("You wrote changes in this revision; another reviewer must approve it.")
            )
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        """The reviews waiting for ``user``, without those they submitted or wrote in.

        (The dashboard's list; the rule itself is ``get_actions`` and ``on_action``.)
        """
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        own_revision = Revision.objects.filter(
            base_content_type_id=OuterRef("workflow_state__base_content_type_id"),
            object_id=OuterRef("workflow_state__object_id"),
            user=user,
            created_at__gte=OuterRef("workflow_state__created_at"),
        )
        return states.exclude(workflow_state__requested_by=user).exclude(Exists(own_revision))

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve, except whoever submitted or wrote the changes"
        )

    class Meta:
        verbose_name = gettext_lazy("independent review task")
        verbose_name_plural = gettext_lazy("independent review tasks")


def ensure_course_workflow(catalogue):
    """The "Course approval" workflow, active, with one independent review by supervising
    experts, assigned to ``catalogue``. Idempotent; used by the seed and on creation."""
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow, WorkflowPage, WorkflowTask

    from accounts import roles

    group, _created = Group.objects.get_or_create(name=roles.SUPERVISOR)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = IndependentReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = IndependentReviewTask.objects.create(name=TASK_NAME)
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.set([group])
    # Any other task on this workflow (e.g. a plain group approval from before) goes.
    WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
    return workflow
