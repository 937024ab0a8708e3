"""What the classes app tells the apps below it, by their extension points.

Classes sit above certification (a class may name a certification requirement), so
certification cannot import them: the "face-to-face class hours" requirement reads the
hours attended through the counter provided here when the app is ready
(``certification.signals.provide_class_hours``).
"""


def connect() -> None:
    from certification import signals as certification_signals

    from .selectors import attended_hours

    certification_signals.provide_class_hours(attended_hours)
