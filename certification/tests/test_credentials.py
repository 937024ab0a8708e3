"""Open Badges 3.0: the credential's shape, its VC-JWT signature, JWKS, the status list."""

import json
from pathlib import Path

import pytest
from joserfc.errors import BadSignatureError, DecodeError

from certification import credentials, services
from certification.models import StatusList
from certification.tests.factories import make_certificate

pytestmark = pytest.mark.django_db

SCHEMA = (
    Path(credentials.__file__).parent
    / "schemas"
    / "ob_v3p0_achievementcredential_essentials.schema.json"
)


@pytest.fixture
def certificate(trainee):
    return make_certificate(trainee)


def validator():
    from jsonschema import Draft201909Validator, FormatChecker

    schema = json.loads(SCHEMA.read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FormatChecker())


def test_credential_validates_against_the_ob3_schema(certificate):
    errors = list(validator().iter_errors(credentials.open_badge_credential(certificate)))
    assert errors == []


def test_schema_rejects_a_credential_without_achievement(certificate):
    credential = credentials.open_badge_credential(certificate)
    del credential["credentialSubject"]["achievement"]
    credential["type"] = ["VerifiableCredential"]
    messages = [error.message for error in validator().iter_errors(credential)]
    assert any("achievement" in message for message in messages)
    assert len(messages) >= 2


def test_credential_names_holder_and_points_to_status_list(certificate):
    credential = credentials.open_badge_credential(certificate)
    assert credential["credentialSubject"]["name"] == certificate.holder_name
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListIndex"] == str(certificate.status_list_index)
    assert status["statusListCredential"].endswith(
        f"/certification/status/{certificate.status_list_id}/"
    )
    assert credential["validUntil"].endswith("Z")


def test_signed_credential_verifies_with_the_published_key(certificate, client):
    from joserfc.jwk import KeySet

    token = credentials.signed_credential(certificate)
    published = client.get("/.well-known/jwks.json").json()
    assert published["keys"][0]["kty"] == "OKP" and "d" not in published["keys"][0]
    claims = credentials.verify(token, KeySet.import_key_set(published))
    assert claims["credentialSubject"]["name"] == certificate.holder_name
    assert claims["jti"] == claims["id"]
    assert claims["iss"] == claims["issuer"]["id"]


def test_altered_credential_fails_verification(certificate):
    import base64

    token = credentials.signed_credential(certificate)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["name"] = "冒名顶替"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises((BadSignatureError, DecodeError)):
        credentials.verify(f"{header}.{forged}.{signature}")


def test_credential_signed_by_another_key_fails(certificate, settings, tmp_path):
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    published = KeySet.import_key_set(credentials.jwks())
    settings.CERT_SIGNING_KEY_FILE = str(tmp_path / "other.pem")
    forged = credentials.signed_credential(certificate)
    with pytest.raises(JoseError):
        credentials.verify(forged, published)


def test_signing_key_comes_from_the_environment_setting(settings):
    from joserfc.jwk import OKPKey

    key = OKPKey.generate_key("Ed25519")
    settings.CERT_SIGNING_KEY = key.as_pem(private=True).decode()
    assert credentials.jwks()["keys"][0]["x"] == key.as_dict(private=False)["x"]


def test_bitstring_encoding_sets_the_left_most_bit_first():
    encoded = credentials.encode_bitstring([0, 9])
    bits = credentials.decode_bitstring(encoded)
    assert len(bits) == 131072 // 8
    assert bits[0] == 0x80 and bits[1] == 0x40
    assert credentials.bit_is_set(bits, 9) and not credentials.bit_is_set(bits, 10)


def test_revocation_flips_the_status_bit(certificate, coordinator, client):
    def bit():
        document = client.get(
            f"/certification/status/{certificate.status_list_id}/?format=json"
        ).json()
        assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        bits = credentials.decode_bitstring(document["credentialSubject"]["encodedList"])
        return credentials.bit_is_set(bits, certificate.status_list_index)

    assert bit() is False
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="x")
    assert bit() is True


def test_status_list_is_published_signed(certificate, client):
    response = client.get(f"/certification/status/{certificate.status_list_id}/")
    assert response["Content-Type"] == "application/vc+jwt"
    claims = credentials.verify(response.content.decode())
    assert claims["credentialSubject"]["type"] == "BitstringStatusList"


def test_each_certificate_gets_its_own_status_bit(trainee, other_trainee):
    first, second = make_certificate(trainee), make_certificate(other_trainee)
    assert (first.status_list_id, first.status_list_index) != (
        second.status_list_id,
        second.status_list_index,
    )
    assert StatusList.objects.count() == 1


def test_issuer_profile_and_achievement_are_published(certificate, client):
    profile = client.get("/certification/issuer/").json()
    assert profile["type"] == ["Profile"]
    achievement = client.get(f"/certification/achievements/{certificate.certification.code}/")
    assert achievement.json()["achievementType"] == "Certificate"
