"""Periodic tasks of reporting (gathered into the beat schedule by lms/celery.py)."""

from celery.schedules import crontab

SCHEDULE = {
    # 06:00 on the 1st of each month (Asia/Shanghai): last month's supervision reports.
    "reports-monthly-supervision-report": {
        "task": "reports.tasks.generate_previous_month_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
}
