"""Open Badges 3.0 credentials: the issuer key, VC-JWT signing, JWKS and the status list.

- The issuer signs with one Ed25519 key (JOSE ``alg`` ``EdDSA``). In production the
  settings refuse to start without it and put the PEM in ``settings.CERT_SIGNING_KEY``,
  whether it was given inline (``CERT_SIGNING_KEY``) or as a file
  (``CERT_SIGNING_KEY_FILE``, lms/settings/required.py); elsewhere a key is generated
  once and kept in ``settings.CERT_SIGNING_KEY_FILE`` (outside MEDIA_ROOT, so it is
  never served). The key id (``kid``) is the RFC 7638 thumbprint.
- A certificate's ``OpenBadgeCredential`` follows the VC 2.0 data model and OB 3.0
  (``validFrom``/``validUntil``). It is signed as a VC-JWT as OB 3.0 §8.2 describes:
  the JWT payload is the credential itself plus the registered claims iss, jti,
  nbf, exp and sub.
- ``credentialStatus`` is a ``BitstringStatusListEntry`` pointing to the site's
  Bitstring Status List credential; the bit of a revoked or superseded certificate is 1.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import logging
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
STATUS_LIST_MIN_BITS = 131072  # the W3C Bitstring Status List's minimum (16 KB), for privacy

_key_lock = threading.Lock()


def _key_file() -> Path:
    configured = getattr(settings, "CERT_SIGNING_KEY_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "var" / "cert-signing-key.pem"


@lru_cache(maxsize=4)
def _load_key(pem: str | None, path: str | None) -> OKPKey:
    if pem:
        return OKPKey.import_key(pem.encode() if isinstance(pem, str) else pem)
    key_path = Path(path)
    with _key_lock:
        if not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key = OKPKey.generate_key("Ed25519")
            temporary = key_path.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.as_pem(private=True))
            os.replace(temporary, key_path)
            logger.warning("certification.signing_key.generated", extra={"path": str(key_path)})
        return OKPKey.import_key(key_path.read_bytes())


def signing_key() -> OKPKey:
    """The issuer's private Ed25519 key (from CERT_SIGNING_KEY, or the dev key file)."""
    pem = getattr(settings, "CERT_SIGNING_KEY", "") or os.environ.get("CERT_SIGNING_KEY", "")
    if not pem and getattr(settings, "ENVIRONMENT", "") == "production":
        raise ImproperlyConfigured(
            "Set CERT_SIGNING_KEY (or CERT_SIGNING_KEY_FILE) to the issuer's Ed25519 "
            "private key (PEM)."
        )
    return _load_key(pem or None, None if pem else str(_key_file()))


def key_id(key: OKPKey | None = None) -> str:
    return (key or signing_key()).thumbprint()


def jwks() -> dict:
    """The public JSON Web Key Set published at /.well-known/jwks.json."""
    key = signing_key()
    public = key.as_dict(private=False)
    return {"keys": [{**public, "kid": key_id(key), "alg": ALGORITHM, "use": "sig"}]}


def public_key_set(document: dict | None = None) -> KeySet:
    return KeySet.import_key_set(document or jwks())


def sign(payload: dict, *, typ: str = "JWT") -> str:
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key_id(key), "typ": typ}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags "EdDSA" (RFC 9864); OB 3.0 verifiers use it
        return jwt.encode(header, payload, key, algorithms=[ALGORITHM])


def verify(token: str, key_set: KeySet | None = None) -> dict:
    """The claims of a VC-JWT signed by the issuer; raises joserfc errors if it does not verify."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decoded = jwt.decode(token, key_set or public_key_set(), algorithms=[ALGORITHM])
    return decoded.claims


# --- URLs -------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def issuer_id() -> str:
    return absolute(reverse("certification:issuer_profile"))


def achievement_id(certification) -> str:
    return absolute(reverse("certification:achievement", args=[certification.code]))


def status_list_url(status_list_id: int) -> str:
    return absolute(reverse("certification:status_list", args=[status_list_id]))


def credential_id(certificate) -> str:
    return absolute(reverse("certification:credential_json", args=[certificate.verification_code]))


def _timestamp(day: datetime.date, end_of_day: bool = False) -> str:
    moment = datetime.datetime.combine(
        day, datetime.time(23, 59, 59) if end_of_day else datetime.time(0, 0)
    )
    aware = timezone.make_aware(moment, timezone.get_default_timezone())
    return aware.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile() -> dict:
    authority = _authority()
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": authority,
        "url": settings.SITE_URL + "/",
    }


def _authority() -> str:
    from .models import CertificationType

    first = CertificationType.objects.order_by("sort_order").first()
    if first is None:
        return settings.WAGTAIL_SITE_NAME
    return f"{first.issuing_authority} / {first.issuing_authority_en}"


def achievement(certification) -> dict:
    return {
        "id": achievement_id(certification),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"{certification.name} / {certification.name_en}",
        "description": certification.description
        or f"{certification.name_en} certified by {certification.issuing_authority_en}.",
        "criteria": {
            "narrative": "; ".join(
                str(requirement) for requirement in certification.requirements.all()
            )
            or certification.name_en
        },
        "inLanguage": "zh-CN",
    }


def open_badge_credential(certificate) -> dict:
    """The certificate as an OB 3.0 ``OpenBadgeCredential`` (unsigned JSON)."""
    certification = certificate.certification
    issuer = {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": f"{certification.issuing_authority} / {certification.issuing_authority_en}",
    }
    subject_id = absolute(reverse("certification:verify", args=[certificate.verification_code]))
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certification.name} / {certification.name_en}",
        "issuer": issuer,
        "validFrom": _timestamp(certificate.valid_from),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.display_serial,
                    "identityType": "identifier",
                    "hashed": False,
                }
            ],
            "achievement": achievement(certification),
        },
        "credentialStatus": {
            "id": f"{status_list_url(certificate.status_list_id)}#{certificate.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_index),
            "statusListCredential": status_list_url(certificate.status_list_id),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if certificate.expires_on:
        credential["validUntil"] = _timestamp(certificate.expires_on, end_of_day=True)
    return credential


def _registered_claims(credential: dict) -> dict:
    def epoch(stamp: str) -> int:
        return int(
            datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
            .replace(tzinfo=datetime.UTC)
            .timestamp()
        )

    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": epoch(credential["validFrom"]),
    }
    if "validUntil" in credential:
        claims["exp"] = epoch(credential["validUntil"])
    return claims


def signed_credential(certificate) -> str:
    """The certificate's OpenBadgeCredential as a compact VC-JWT."""
    credential = open_badge_credential(certificate)
    return sign({**credential, **_registered_claims(credential)})


# --- Bitstring Status List ---------------------------------------------------


def encode_bitstring(set_indexes, size: int = STATUS_LIST_MIN_BITS) -> str:
    """Multibase base64url (prefix ``u``) of the GZIP-compressed bitstring.

    Index 0 is the left-most (most significant) bit of the first byte, as the
    W3C Bitstring Status List specifies.
    """
    bits = bytearray(max(size, STATUS_LIST_MIN_BITS) // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("Not a multibase base64url string.")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(status_list) -> dict:
    """The published status list: one bit per certificate, 1 = revoked or superseded."""
    from .models import Certificate, CertificateStatus

    revoked = (
        Certificate.objects.filter(status_list=status_list)
        .exclude(status=CertificateStatus.ACTIVE)
        .values_list("status_list_index", flat=True)
    )
    url = status_list_url(status_list.pk)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": encode_bitstring(revoked, status_list.size),
        },
    }


def signed_status_list(status_list) -> str:
    credential = status_list_credential(status_list)
    return sign({**credential, "iss": credential["issuer"], "jti": credential["id"]})
