"""Required production settings, read so that every problem is reported on one line.

Settings are read while ``DJANGO_SETTINGS_MODULE`` is imported, before Django (and its
translations) is set up, by ``manage.py``, gunicorn's workers and Celery alike. A
``django-environ`` lookup without a default raises ``ImproperlyConfigured`` with a
traceback, one missing name at a time; gunicorn then respawns the dying worker for ever.
Here each reader records what is wrong and returns an empty value, and
``refuse_if_any`` writes every problem on one line to stderr and exits. The messages are
for the operator's console, so they are not translated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


class RequiredSettings:
    """Reads required settings from the environment and collects what is wrong."""

    def __init__(self, env):
        self.env = env
        self.problems: list[str] = []

    def _raw(self, name: str) -> str:
        return self.env.str(name, default="").strip()

    def text(self, name: str) -> str:
        """A non-empty string (a set but empty value counts as missing)."""
        value = self._raw(name)
        if not value:
            state = "is empty" if name in self.env.ENVIRON else "is not set"
            self.problems.append(f"{name} {state}")
        return value

    def comma_list(self, name: str) -> list[str]:
        value = self.text(name)
        return [item.strip() for item in value.split(",") if item.strip()] if value else []

    def site_url(self, name: str) -> str:
        """The public address, ``https://host`` (``http://`` is accepted for a test stack)."""
        value = self.text(name).rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            self.problems.append(f"{name} must start with https:// (got {value!r})")
        elif value and not value.split("://", 1)[1]:
            self.problems.append(f"{name} has no host name")
        return value

    def database(self, name: str) -> dict:
        value = self.text(name)
        if not value:
            return {}
        config = self.env.db_url_config(value)
        if not config.get("ENGINE"):
            self.problems.append(f"{name} is not a database address")
        return config

    def email(self, name: str) -> dict:
        value = self.text(name)
        if not value:
            return {}
        try:
            return self.env.email_url_config(value)
        except ImproperlyConfigured:
            self.problems.append(f"{name} is not an e-mail server address")
            return {}

    def cache(self, name: str) -> dict:
        value = self.text(name)
        if not value:
            return {}
        try:
            return self.env.cache_url_config(value)
        except ImproperlyConfigured:
            self.problems.append(f"{name} is not a cache address")
            return {}

    def signing_key(self, inline_name: str, file_name: str) -> tuple[str, str]:
        """An Ed25519 private key in PEM, given inline or as a file; returns (pem, path).

        Exactly one of the two must be set; a file must be readable now, by the user the
        process runs as, and hold an Ed25519 private key.
        """
        pem, path = self._raw(inline_name), self._raw(file_name)
        if pem and path:
            self.problems.append(f"set only one of {inline_name} and {file_name}")
            return "", ""
        if not pem and not path:
            self.problems.append(f"{inline_name} or {file_name} is not set")
            return "", ""
        source = inline_name
        if path:
            source = f"{file_name} ({path})"
            try:
                pem = Path(path).read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or "not a PEM text file"
                self.problems.append(f"{file_name} cannot be read: {path}: {reason}")
                return "", path
        if not _is_ed25519_private_pem(pem):
            self.problems.append(f"{source} is not an Ed25519 private key in PEM")
            return "", path
        return pem, path

    def private_folder(self, name: str, *, media_root: Path, optional: bool = False) -> str:
        """A folder for private files: absolute, outside MEDIA_ROOT, not world-writable.

        A folder inside MEDIA_ROOT would be served by whatever serves media; one inside a
        world-writable folder (``/tmp``, ``/var/tmp``, ``/dev/shm``) can be read or
        replaced by anyone on the machine, and systemd's PrivateTmp gives each service a
        different one. The folder itself need not exist yet.
        """
        value = self._raw(name) if optional else self.text(name)
        if not value:
            return value
        path = Path(value)
        if not path.is_absolute():
            self.problems.append(f"{name} must be an absolute path (got {value!r})")
            return value
        resolved, media = _resolve(path), _resolve(Path(media_root))
        if resolved == media or resolved.is_relative_to(media):
            self.problems.append(f"{name} ({value}) lies inside MEDIA_ROOT ({media_root})")
        elif (shared := _world_writable_ancestor(resolved)) is not None:
            self.problems.append(f"{name} ({value}) lies inside world-writable {shared}")
        return value

    def refuse_if_any(self, *, settings_module: str, exit_status: int) -> None:
        """One line on stderr naming every problem, then exit; nothing when all is well."""
        if not self.problems:
            return
        sys.stderr.write(
            f"Refusing to start ({settings_module}): {'; '.join(self.problems)}. "
            "See deploy/lms.env.example.\n"
        )
        sys.stderr.flush()
        raise SystemExit(exit_status)


def _is_ed25519_private_pem(pem: str) -> bool:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        return False
    return isinstance(key, Ed25519PrivateKey)


def _resolve(path: Path) -> Path:
    return path.resolve(strict=False)


def _world_writable_ancestor(path: Path) -> Path | None:
    """The nearest existing folder at or above ``path`` that anyone may write to."""
    import stat

    for folder in (path, *path.parents):
        try:
            mode = folder.stat().st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode) and mode & stat.S_IWOTH:
            return folder
    return None
