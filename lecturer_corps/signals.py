"""What the lecturer corps hears from the apps below it.

- ``certification.signals.certificate_changed``: a holder's certificate was revoked,
  expired or replaced; their coming sessions are re-checked by a task queued in the
  outbox, in the transaction of the change.
- It provides certification with the count of verified sessions each lecturer
  delivered (renewal counts them), through ``provide_delivered_sessions``.
"""


def _on_certificate_changed(sender, holder_id, **kwargs) -> None:
    from outbox.services import enqueue

    from .tasks import certificate_changed

    enqueue(certificate_changed, holder_id)


def connect() -> None:
    from certification import signals as certification_signals

    from .selectors import verified_sessions_by_lecturer

    certification_signals.certificate_changed.connect(
        _on_certificate_changed, dispatch_uid="lecturer_corps.certificate_changed"
    )
    certification_signals.provide_delivered_sessions(verified_sessions_by_lecturer)
