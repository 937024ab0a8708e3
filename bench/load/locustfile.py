"""The load test's users (locust): trainees reading lessons and answering quizzes,
supervisors reviewing practicum entries, coordinators assigning lecturers — and, run on
its own, a user who asks for the bare baseline view.

Driven by bench/load/run.py, which prepares the database and writes the accounts file
(``LOAD_ACCOUNTS``, JSON): one session cookie per account, made in the database as a
log-in with password and TOTP would make it (log-in itself is rate-limited per address by
design, so a hundred users from one address cannot all log in through the form). Each
simulated user takes an account of its own, so no two users act on the same rows.

A response counts as an error if its status is not the expected one or if the page
carries an error message (``class="message error"``): a refused action is an error too.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
SESSION_COOKIE = ACCOUNTS["session_cookie"]
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "3"))
)
_next_account = {kind: itertools.count() for kind in ("trainees", "supervisors", "coordinators")}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUEUE_ROW = re.compile(r'data-testid="queue-row-(\d+)"')
CANDIDATE = re.compile(r'data-testid="candidate-(\d+)"')
ERROR_MESSAGE = 'class="message error"'
# Answer inputs on a quiz page: radio/checkbox (name, value) and free-text fields.
CHOICE = re.compile(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"')
TEXT = re.compile(r'<(?:input type="text"|textarea)[^>]* name="([^"]+)"')
SELECT = re.compile(r'<select id="[^"]*" name="(q[^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
NUMBER = re.compile(r'<input type="text" inputmode="decimal" id="[^"]*" name="([^"]+)"')
NEXT_PAGE = 'name="action" value="next"'


def take(kind: str) -> dict:
    accounts = ACCOUNTS[kind]
    index = next(_next_account[kind])
    if index >= len(accounts):
        raise RuntimeError(f"More simulated {kind} than accounts ({len(accounts)})")
    return accounts[index]


class SiteUser(HttpUser):
    abstract = True
    wait_time = WAIT
    kind = ""

    def on_start(self):
        self.account = take(self.kind)
        self.client.cookies.set(SESSION_COOKIE, self.account["session"])
        self.client.cookies.set("django_language", "zh-hans")

    def page(self, path: str, name: str | None = None) -> str:
        """GET a page that must answer 200 without an error message; returns its HTML."""
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
                return ""
            if ERROR_MESSAGE in response.text:
                response.failure(f"error message on {path}")
            return response.text

    def post(
        self, path: str, data: dict, html: str, name: str, expect: str = "", url_ends=""
    ) -> str:
        """POST a form (CSRF token from ``html``); redirects are followed and the final
        page must contain ``expect``, end at ``url_ends`` and carry no error message."""
        token = CSRF.search(html)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post(path, data=data, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on POST {path}")
            elif ERROR_MESSAGE in response.text:
                response.failure(f"error message after POST {path}")
            elif expect not in response.text:
                response.failure(f"{expect!r} missing after POST {path}")
            elif not response.url.endswith(url_ends):
                response.failure(f"POST {path} ended at {response.url}")
            return response.text


class Trainee(SiteUser):
    """Reads lessons (most of the time), answers a quiz now and then."""

    weight = 14
    kind = "trainees"

    @task(6)
    def read_a_lesson(self):
        self.page("/learn/my/")
        self.page(random.choice(self.account["lessons"]), name="/learn/[lesson]/")

    @task(1)
    def browse_the_catalogue(self):
        self.page("/learn/")

    @task(1)
    def look_at_the_dashboard(self):
        self.page("/dashboard/")

    @task(2)
    def answer_a_quiz(self):
        quiz = self.account["quiz"]
        html = self.page(f"/quizzes/{quiz}/", name="/quizzes/[quiz]/")
        if not html:
            return
        html = self.post(
            f"/quizzes/{quiz}/start/", {}, html, "/quizzes/[quiz]/start/", expect='name="page"'
        )
        for _page in range(20):  # one POST per page of questions
            match = re.search(
                r'<form method="post" id="quiz-form" action="(/quizzes/attempts/\d+/)"', html
            )
            page_number = re.search(r'name="page" value="(\d+)"', html)
            if not (match and page_number):
                return
            answers = {"page": page_number.group(1)}
            for field, value in CHOICE.findall(html):
                answers.setdefault(field, value)
            for field in NUMBER.findall(html):
                answers.setdefault(field, "3")
            for field in TEXT.findall(html):
                answers.setdefault(field, "命名")
            for field, options in SELECT.findall(html):
                chosen = OPTION.search(options)
                if chosen:
                    answers.setdefault(field, chosen.group(1))
            last = NEXT_PAGE not in html
            answers["action"] = "submit" if last else "next"
            html = self.post(
                match.group(1),
                answers,
                html,
                "/quizzes/attempts/[attempt]/ " + answers["action"],
                expect="" if last else 'name="page"',
                url_ends="/review/" if last else "",
            )
            if last:
                return


class Supervisor(SiteUser):
    """Works through the review queue: opens an entry, approves it."""

    weight = 3
    kind = "supervisors"

    @task
    def review_an_entry(self):
        queue = self.page("/practicum/review/")
        waiting = QUEUE_ROW.findall(queue)
        if not waiting:
            return
        pk = random.choice(waiting)
        entry = self.page(f"/practicum/entries/{pk}/", name="/practicum/entries/[entry]/")
        if 'data-testid="review-form"' not in entry:
            return
        self.post(
            f"/practicum/entries/{pk}/review/",
            {"action": "approve", "comment": ""},
            entry,
            "/practicum/entries/[entry]/review/",
            expect='class="message success"',
        )


class Coordinator(SiteUser):
    """Opens the request list, an open request with its ranked candidates, and assigns the
    best candidate."""

    weight = 3
    kind = "coordinators"

    def on_start(self):
        super().on_start()
        self.open_requests = list(self.account["requests"])

    @task
    def assign_a_lecturer(self):
        self.page("/corps/requests/")
        if not self.open_requests:
            return
        pk = self.open_requests.pop()
        detail = self.page(f"/corps/requests/{pk}/", name="/corps/requests/[request]/")
        candidates = CANDIDATE.findall(detail)
        if not candidates:
            return
        self.post(
            f"/corps/requests/{pk}/assign/",
            {"lecturer": candidates[0], "whole_series": "1"},
            detail,
            "/corps/requests/[request]/assign/",
            expect='class="message success"',
        )


class BareViewUser(HttpUser):
    """The baseline: one ``SELECT 1`` through the same middleware, same think time."""

    wait_time = WAIT
    weight = 1

    @task
    def bare(self):
        with self.client.get("/bench/bare", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
