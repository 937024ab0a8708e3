"""The words the offline client (static/js/offline/offline.js) shows, through gettext.

Served as JSON per language (``/offline/<lang>/strings.json``) and kept by the service
worker, so they are there with no network. Placeholders are ``%(name)s``, filled by the
client. Plural forms are avoided (a count is shown as a number after a colon), since the
client has no plural rules for Uyghur or Chinese.
"""

from django.utils.translation import gettext_lazy as _

STRINGS = {
    # Saving a course
    "save": _("Save for offline"),
    "save_again": _("Save again"),
    "remove": _("Remove from this phone"),
    "removed": _("Removed from this phone."),
    "saving": _("Saving… %(done)s of %(total)s"),
    "saved": _("Saved on this phone: %(size)s, %(date)s."),
    "saved_with_videos": _("Saved on this phone with its videos: %(size)s, %(date)s."),
    "include_videos": _("Also save the videos (%(size)s)"),
    "no_videos": _("This course has no video files to save."),
    "documents_size": _("Lessons and documents: about %(size)s."),
    "locked_skipped": _(
        "Locked lessons not saved: %(count)s. They open once earlier lessons are done."
    ),
    "save_failed": _(
        "Saving stopped: %(reason)s. What was saved is kept; try again with a better connection."
    ),
    "files_missing": _("Files that could not be saved: %(count)s. Save again later to fetch them."),
    "updated": _("Newer versions of lessons saved: %(count)s."),
    "space": _("This site uses %(used)s on this phone."),
    "not_enrolled": _("Enrol in the course to save it."),
    "unsupported": _("This browser cannot keep pages for offline use."),
    # Marking done and drafts
    "completion_queued": _("Marked as done on this phone. It will be sent when you are online."),
    "completion_sent": _("Sent: the lesson is marked as done."),
    "draft_kept": _("Saved on this phone. It will be sent when you are online."),
    "keep_on_phone": _("Keep on this phone, send later"),
    "drafts_heading": _("On this phone, not sent yet"),
    "waiting": _("Waiting for the network"),
    "sending": _("Sending…"),
    "refused": _("Not accepted: %(reason)s"),
    "log_in_to_send": _("Log in again to send it."),
    "other_account": _("Made by another account on this phone: log in as that person to send it."),
    "entry_sent": _("Sent: your practicum entry is saved."),
    "entry_submit_refused": _(
        "Your entry is saved as a draft, but submitting it was refused: %(reason)s"
    ),
    "report_sent": _("Sent: the delivery report is filed."),
    "open": _("Open it"),
    "open_in_form": _("Open in the form"),
    "delete": _("Delete this draft"),
    "confirm_delete": _("Delete this draft from the phone? It has not been sent."),
    "send_now": _("Send now"),
    "pending_banner": _("Waiting on this phone to be sent: %(count)s"),
    "label_completion": _("Lesson done: %(title)s"),
    "label_entry": _("Practicum entry of %(date)s"),
    "label_report": _("Delivery report: %(title)s"),
    "with_files": _("with its file"),
    "files_dropped": _(
        "The file could not be kept on this phone; attach it once the entry is sent."
    ),
    # Logging out
    "logout_title": _("Drafts not sent yet"),
    "logout_text": _(
        "Not sent yet from this phone: %(count)s. Logging out deletes them from this phone, "
        "with the courses saved for offline."
    ),
    "logout_send": _("Send them now"),
    "logout_anyway": _("Log out and delete them"),
    "logout_stay": _("Stay logged in"),
    "logout_clearing": _("Removing saved courses and drafts from this phone…"),
    "still_unsent": _("Still not sent: %(count)s. Check the network, or log out and delete them."),
    # The offline page
    "nothing_saved": _("No course is saved on this phone."),
    "nothing_waiting": _("Nothing is waiting to be sent."),
}


def strings() -> dict[str, str]:
    return {key: str(value) for key, value in STRINGS.items()}
