"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

EXEMPT = {
    "MonthlyReport.figures": "counts computed by the report, never typed",
}
