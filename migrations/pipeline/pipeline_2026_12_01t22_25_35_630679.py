from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:25:35:630679"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pipeline", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Deal",
        tablename="pl_deal",
        column_name="home_count",
        db_column_name="home_count",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "首套",
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
        table_class_name="DeedTaxBand",
        tablename="pl_deed_tax_band",
        column_name="homes",
        db_column_name="homes",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "首套",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "HomeCount",
                {"first": "首套", "second": "二套", "third": "三套及以上"},
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
