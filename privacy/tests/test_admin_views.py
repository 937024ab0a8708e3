"""The administrators' personal-data pages in the Wagtail admin."""

import io
import json
import zipfile

import pytest

from privacy.services import is_anonymised

PEOPLE = "/cms/privacy/"


def person_url(person, action=""):
    return f"/cms/privacy/{person.pk}/{action}"


def test_administrator_finds_a_person(client, administrator, person):
    client.force_login(administrator)
    response = client.get(PEOPLE, {"q": "t_subj"})
    assert response.status_code == 200
    assert [found.pk for found in response.context["found"]] == [person.pk]


def test_person_page_lists_what_is_held(
    client, administrator, person, django_assert_max_num_queries
):
    client.force_login(administrator)
    # One count per model that holds personal data (privacy.export), whatever the person
    # holds: the bound grows only with the models (82 with classes, dispatch, offline).
    with django_assert_max_num_queries(84):
        response = client.get(person_url(person))
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts["certification.Certificate"] == 1
    assert counts["practicum.EntryAttachment"] == 1


def test_administrator_downloads_the_export(client, administrator, person):
    client.force_login(administrator)
    response = client.post(person_url(person, "export/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("person.json"))
    assert document["person"]["id"] == person.pk


def test_export_is_post_only(client, administrator, person):
    client.force_login(administrator)
    assert client.get(person_url(person, "export/")).status_code == 405


def test_anonymise_needs_the_username_typed(client, administrator, person):
    client.force_login(administrator)
    response = client.post(person_url(person, "anonymise/"), {"confirm_username": "someone"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not is_anonymised(person)


def test_administrator_anonymises_with_confirmation(client, administrator, person):
    client.force_login(administrator)
    response = client.post(person_url(person, "anonymise/"), {"confirm_username": "t_subject"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert is_anonymised(person)
    page = client.get(person_url(person)).content.decode()
    assert "This person has been anonymised." in page
    assert "Anonymise this person" not in page


@pytest.mark.parametrize("role", ["coordinator", "district_coordinator", "supervisor"])
def test_other_staff_get_403(client, person, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(PEOPLE).status_code == 403
    assert client.get(person_url(person)).status_code == 403
    assert client.post(person_url(person, "export/")).status_code == 403
    response = client.post(person_url(person, "anonymise/"), {"confirm_username": "t_subject"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert not is_anonymised(person)


@pytest.mark.parametrize("role", ["trainee", "lecturer"])
def test_people_without_admin_access_cannot_reach_it(client, person, role, request):
    client.force_login(request.getfixturevalue(role))
    for response in (
        client.get(person_url(person)),
        client.post(person_url(person, "export/")),
        client.post(person_url(person, "anonymise/"), {"confirm_username": "t_subject"}),
    ):
        assert response.status_code in (302, 403)
        assert response.get("Content-Type") != "application/zip"
    person.refresh_from_db()
    assert not is_anonymised(person)


def test_anonymous_is_sent_to_log_in(client, person):
    response = client.get(person_url(person))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_administrator_without_two_factor_is_sent_to_set_it_up(client, person):
    from accounts import roles
    from tests.factories import make_user

    admin = make_user(
        roles.ADMINISTRATOR, username="t_admin_no2fa", is_staff=True, two_factor=False
    )
    client.force_login(admin)
    response = client.post(person_url(person, "export/"))
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/zip"


def test_menu_item_only_for_administrators(client, administrator, coordinator):
    client.force_login(coordinator)
    assert PEOPLE not in client.get("/cms/").content.decode()
    client.force_login(administrator)
    assert PEOPLE in client.get("/cms/").content.decode()
