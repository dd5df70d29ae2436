"""linking_0003 fills the document numbers' table from the persons already stored, as the
incremental linker would have (documents.identity_numbers), on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from interlink.core.auth import Role
from interlink.core.db import Database
from interlink.core.migrate import alembic_config, upgrade
from interlink.linking.documents import identity_numbers
from interlink.linking.models import PersonDocument
from interlink.records.models import Record
from tests.linking.test_patterns import _person, _record
from tests.records.test_records_service import VEHICLE
from tests.support import World


def _migrate(database: Database, target: str, *, down: bool) -> None:
    cfg = alembic_config(database.url)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, target)


def test_the_migration_backfills_the_numbers_of_stored_persons(world: World) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    one = _record(ma, _person("Yassine Tazi", "ma441"))
    two_documents = _person("Karim Bennani", "MA500")
    two_documents["identity_documents"].append(
        {"document_type": "id_card", "number": "id-77", "issuing_country": "MA"}
    )
    two = _record(ma, two_documents)
    _record(ma, _person("Omar Filali"))  # no document: no row
    vehicle = ma.post(
        "/api/v1/records/vehicle",
        json={"data": {**VEHICLE, "registration_number": "MA441"}},
    )
    assert vehicle.status_code == 201, vehicle.text

    _migrate(world.db, "linking@linking_0002", down=True)
    assert "link_person_documents" not in inspect(world.db.engine).get_table_names()
    _migrate(world.db, "heads", down=False)

    with world.db.session() as session:
        rows = {(d.record_id, d.number) for d in session.scalars(select(PersonDocument))}
        linker_would = {
            (record.id, number)
            for record in session.scalars(select(Record).where(Record.kind == "person"))
            for number in identity_numbers(record.data)
        }
    assert rows == linker_would == {(one, "MA441"), (two, "MA500"), (two, "ID77")}
    upgrade(world.db.url, world.db.engine)  # already at the heads: nothing more to do
