"""Which pages the service worker keeps on the phone as they are visited.

Only pages people need with no network, and only their own: the forms for drafting
offline (a practicum entry, a delivery report), the lists that lead to them, My learning
and the dashboard. Lessons and course pages are kept only when the person saves their
course ("Save for offline"). Every other page, opened offline, gets the offline page.

Patterns are matched by the worker against the path; ``tests/test_pages.py`` checks each
against the URL its name gives, so a moved URL fails a test instead of silently not
being kept.
"""

# (URL name, a JavaScript regular expression for its path)
KEPT_PAGES = [
    ("home:dashboard", r"^/dashboard/$"),
    ("courses:my_learning", r"^/learn/my/$"),
    ("practicum:my_entries", r"^/practicum/$"),
    ("lecturer_corps:my_sessions", r"^/corps/my-sessions/$"),
    ("lecturer_corps:report_create", r"^/corps/my-sessions/\d+/report/$"),
]

# The lesson page's "Mark as done" form posts here; when the post cannot reach the server,
# the worker queues the completion instead (as the page does when it knows it is offline).
LESSON_COMPLETE_NAME = "courses:complete_lesson"
LESSON_COMPLETE_PATTERN = r"^/learn/lessons/(\d+)/complete/$"
