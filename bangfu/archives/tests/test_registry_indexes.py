"""The ID registry's blind index: unique, with no LIKE index (migration 0015), and the
migration's way there and back. The rule itself ("one ID, one open archive") is tested in
test_models and the filing tests."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from bangfu.archives.models import IdRegistration
from bangfu.archives.tests.factories import make_household

pytestmark = pytest.mark.django_db

TABLE = IdRegistration._meta.db_table
NAME = "0015_registry_unique_without_like"


def on_id_index() -> dict[str, bool]:
    """{name: unique} of the indexes and constraints on id_index alone."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: info["unique"]
        for name, info in found.items()
        if info["columns"] == ["id_index"] and (info["index"] or info["unique"])
    }


@pytest.mark.postgres
def test_the_blind_index_is_unique_without_a_like_index():
    # then
    assert on_id_index() == {"archives_idregistration_id_index_key": True}


@pytest.mark.postgres
def test_the_migration_goes_back_and_forth():
    # given
    migration = import_module(f"bangfu.archives.migrations.{NAME}")
    apps = MigrationExecutor(connection).loader.project_state(("archives", NAME)).apps
    editor = connection.schema_editor(atomic=False)  # its SQL only; the test's transaction

    # when
    migration.backward(apps, editor)

    # then
    back = on_id_index()
    assert back["archives_idregistration_id_index_key"] is True
    assert sorted(back.values()) == [False, True]  # the LIKE index again

    # when
    migration.forward(apps, editor)

    # then
    assert on_id_index() == {"archives_idregistration_id_index_key": True}


def test_a_blind_index_is_still_registered_once(network, staff):
    # given
    first = make_household(network.station_a, filed_by=staff)
    second = make_household(network.station_b, filed_by=staff)

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        IdRegistration.objects.create(id_index=first.id_index, household=second)
    assert IdRegistration.objects.filter(id_index=first.id_index).get().household == first
    assert IdRegistration.objects.filter(household=second).count() == 1
