import pytest
from django.db import IntegrityError, connection, transaction

from bangfu.archives.models import Household, IdRegistration
from bangfu.archives.tests.factories import make_household, make_id_number, make_member
from bangfu.core.idnumber import parse_id_number

pytestmark = pytest.mark.django_db


def test_a_household_stores_its_id_encrypted_and_finds_it_by_blind_index(network, staff):
    id_number = make_id_number()
    household = make_household(network.station_a, filed_by=staff, id_number=id_number)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM archives_household WHERE id = %s", [household.pk])
        stored = cursor.fetchone()[0]
    assert id_number not in stored
    assert Household.objects.get(id_index=household.id_index).id_number == id_number
    assert household.centre == network.township


def test_generated_ids_are_valid():
    for _ in range(20):
        value = make_id_number()
        assert parse_id_number(value).value == value


def test_the_database_refuses_a_second_open_archive_with_the_same_id(network, staff):
    shared = make_id_number()
    first = make_household(network.station_a, filed_by=staff)
    make_member(first, id_number=shared)
    second = make_household(network.station_b, filed_by=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        IdRegistration.objects.create(id_index=first.members.get().id_index, household=second)

    assert IdRegistration.objects.filter(household=second).count() == 1
