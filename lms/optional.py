"""Mounting the parts each app offers (API routers, URL modules) where they exist."""

import importlib
import importlib.util

from django.apps import apps


def app_module(app_label: str, module: str):
    """``<app_label>.<module>`` if the app is installed and has that module, else None."""
    if not apps.is_installed(app_label):
        return None
    if importlib.util.find_spec(f"{app_label}.{module}") is None:
        return None
    return importlib.import_module(f"{app_label}.{module}")
