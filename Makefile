# Talent Pool LMS — two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test setup system-packages messages messages-update lint serve worker beat clean

# The address written into QR codes, verification links, credential ids and e-mails follows
# PORT unless SITE_URL is given (e.g. SITE_URL=https://lms.example.gov.cn behind a proxy).
RUN_SITE_URL = $(or $(SITE_URL),http://127.0.0.1:$(PORT))

run: setup
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py migrate --noinput
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (links and QR codes use $(RUN_SITE_URL); Ctrl+C to stop)"
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# PYTEST_ARGS narrows or orders the pytest run; tests run in a random order (seed in the
# header), e.g. make test PYTEST_ARGS="-m 'not browser' --randomly-seed=42" (.ci/run does).
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py check --fail-level ERROR
	DJANGO_SETTINGS_MODULE=lms.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_translations.py
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system-packages $(STAMP) messages

system-packages:
	@scripts/system-packages.sh $(SYSTEM_PACKAGES_ARGS)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]" > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	touch $(STAMP)

# Compiled translations are build output: made from locale/*.po when they change.
messages: $(STAMP)
	@if ls locale*/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		$(PY) manage.py compilemessages --ignore=.venv -v0; fi

# After adding or changing user-facing strings: update the catalogues, translate, commit.
messages-update: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l ug --no-location --ignore=.venv --ignore=bench \
		--ignore=tests --ignore="*/tests/*" --ignore=locale_vendor --ignore=staticfiles

lint: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production-like processes (set DATABASE_URL, CELERY_BROKER_URL, ...):
serve: setup
	$(VENV)/bin/gunicorn lms.wsgi --bind 127.0.0.1:$(PORT) --workers 3
worker: setup
	$(VENV)/bin/celery -A lms worker --loglevel INFO
beat: setup
	$(VENV)/bin/celery -A lms beat --loglevel INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
