"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

WRITTEN_BY_THE_SYSTEM = "written by the audit log from a model's own fields, never typed"

EXEMPT = {
    "AuditLog.actor_repr": WRITTEN_BY_THE_SYSTEM,
    "AuditLog.action": WRITTEN_BY_THE_SYSTEM,
    "AuditLog.object_type": WRITTEN_BY_THE_SYSTEM,
    "AuditLog.object_id": WRITTEN_BY_THE_SYSTEM,
    "AuditLog.object_repr": WRITTEN_BY_THE_SYSTEM,
    "AuditLog.changes": "field names and counts of what changed; typed text is never copied in",
    "AuditLog.user_agent": "the browser's User-Agent header, cut to its length",
}
