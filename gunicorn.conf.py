"""gunicorn reads this file from the working directory (the project root) by default.

The master checks the settings before it starts any worker. Without this, a missing
required production setting (``lms/settings/required.py``) is found by each worker as it
loads the app; gunicorn then halts, but when a worker dies while the master is still
spawning the others it halts with its own traceback and exit status 1 instead of 4
(seen on a loaded machine). Checked here, the refusal is one line and status 4, always.
"""


def on_starting(server):
    import os

    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")  # as lms/wsgi.py

    settings.SECRET_KEY  # noqa: B018  (loading the settings runs the required-settings check)
