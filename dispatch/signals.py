"""What dispatch plugs into the apps below it (from ``DispatchConfig.ready``).

- ``lecturer_corps.eligibility.provide_prior_qualifications``: matching (candidates,
  auto-assign, the check before every proposal, the alerts about coming sessions)
  counts an approved qualification from elsewhere as the certificate and the course of
  the topics it covers, on the days it is valid.
- ``lecturer_corps.notifications.register_kind``: dispatch's notifications are shown and
  e-mailed by the corps' notification pages and tasks, in the reader's language.
"""


def connect() -> None:
    from lecturer_corps import eligibility
    from lecturer_corps import notifications as corps_notifications

    from .notifications import RENDERERS
    from .selectors import prior_qualification_rows

    eligibility.provide_prior_qualifications(prior_qualification_rows)
    for kind, renderer in RENDERERS.items():
        corps_notifications.register_kind(kind, renderer)
