from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group

from . import roles
from .tasks import queue_email_message


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up can be closed by a setting; mail goes through Celery; new people are trainees."""

    def is_open_for_signup(self, request):
        return settings.ACCOUNT_SIGNUP_OPEN

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        queue_email_message(message)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=roles.TRAINEE)
            user.groups.add(group)
        return user
