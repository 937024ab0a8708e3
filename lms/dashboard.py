"""The dashboard's panels: each app says what its people should do next.

The dashboard (``home.views.dashboard``) knows no app's data. Each app registers its
panels here from its ``AppConfig.ready()`` (``<app>/panels.py``, a ``register()``
function), as the children's-data guard registers its check with ``lms.textinput``;
this module imports no app, so an app of any layer can register and the dependencies
keep pointing one way.

A panel belongs to one role's section of the dashboard (``role``, a role code such as
``"trainee"``), or stands above the sections for everyone (``role=None``; the
safeguarding panel). Its ``build(user)`` returns the template's context, or ``None``
when it has nothing to show (the panel is then left out). ``build`` reads through the
app's selectors with a fixed number of queries: the dashboard's query count per role is
pinned in ``tests/test_dashboard.py``.

    # courses/panels.py
    def learning_panel(user):
        rows = selectors.my_learning(user)
        return {"title": _("Continue learning"), "rows": rows, "count": len(rows)}

    def register():
        register_panel(
            "courses.learning", role="trainee", template="courses/panels/learning.html"
        )(learning_panel)

    # courses/apps.py: CoursesConfig.ready()
    from . import panels
    panels.register()

A role panel's context carries ``title`` (its heading) and may carry ``count`` (how many
things wait) and ``urgent`` (something is late or close to its deadline): the dashboard
shows them beside the heading. The template gets the context as ``p``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

PanelBuilder = Callable[[object], "dict | None"]


@dataclass(frozen=True)
class Panel:
    """One registered panel."""

    name: str
    role: str | None
    template: str
    build: PanelBuilder
    order: int = 100


@dataclass
class ShownPanel:
    """A panel with the context it built for one person."""

    panel: Panel
    context: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.panel.name

    @property
    def template(self) -> str:
        return self.panel.template

    @property
    def dom_id(self) -> str:
        return "panel-" + self.panel.name.replace(".", "-").replace("_", "-")


_panels: dict[str, Panel] = {}


def register_panel(
    name: str, *, role: str | None, template: str, order: int = 100
) -> Callable[[PanelBuilder], PanelBuilder]:
    """Decorator: show ``template`` with ``build(user)``'s context on the dashboard.

    Call it at import time of an app's ``panels.py``, imported from ``AppConfig.ready``.
    Registering a name again replaces the earlier panel (an app reloaded in a test).
    Panels of a section are shown by ``order``, then by name.
    """

    def decorator(build: PanelBuilder) -> PanelBuilder:
        _panels[name] = Panel(name=name, role=role, template=template, build=build, order=order)
        return build

    return decorator


def unregister_panel(name: str) -> None:
    """Remove a panel (tests that register one of their own)."""
    _panels.pop(name, None)


def registered_panels() -> tuple[Panel, ...]:
    return tuple(sorted(_panels.values(), key=lambda panel: (panel.order, panel.name)))


def panels_for(user, role_codes: Iterable[str]) -> dict[str | None, list[ShownPanel]]:
    """The panels ``user`` sees, keyed by role (``None``: above the role sections).

    Only panels of the user's roles are built; a panel whose ``build`` returns ``None``
    is left out.
    """
    codes = set(role_codes)
    shown: dict[str | None, list[ShownPanel]] = {}
    for panel in registered_panels():
        if panel.role is not None and panel.role not in codes:
            continue
        context = panel.build(user)
        if context is None:
            continue
        shown.setdefault(panel.role, []).append(ShownPanel(panel=panel, context=context))
    return shown
