from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class DutySetting(Table, tablename="duty_setting"):
    pass

ID = "2026-12-02T03:41:15:161419"
VERSION = "1.38.0"
DESCRIPTION = "Duty settings, handover month and receipt note, unique (day, shift, employee)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="duty", description=DESCRIPTION
    )

    manager.add_table(
        class_name="DutySetting",
        tablename="duty_setting",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="DutySetting",
        tablename="duty_setting",
        column_name="key",
        db_column_name="key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DutySetting",
        tablename="duty_setting",
        column_name="label",
        db_column_name="label",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 120,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DutySetting",
        tablename="duty_setting",
        column_name="value",
        db_column_name="value",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DutySetting",
        tablename="duty_setting",
        column_name="tag",
        db_column_name="tag",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DutyHandover",
        tablename="duty_handover",
        column_name="month",
        db_column_name="month",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 7,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="DutyHandover",
        tablename="duty_handover",
        column_name="received_note",
        db_column_name="received_note",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    # one person once per day and shift, across processes (Piccolo has no composite unique column): SQLite and PostgreSQL
    async def unique_slot():
        await DutySetting.raw(
            'CREATE UNIQUE INDEX IF NOT EXISTS duty_shift_slot ON duty_shift ("day", "shift", "employee")')

    manager.add_raw(unique_slot)

    return manager
