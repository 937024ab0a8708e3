from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Supervision and reporting")

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from . import figure_cache, stage_measures

        # Every write to a counted table bumps the figures' data version (figure_cache).
        connection_created.connect(figure_cache.install, dispatch_uid="reports.figure_cache")
        for connection in connections.all(initialized_only=True):
            figure_cache.install(connection)
        # The programme's stages are measured from the report's own figures.
        stage_measures.provide_all()
