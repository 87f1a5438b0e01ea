from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:21:21:944806"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="estate", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Unit",
        tablename="unit",
        column_name="pricing_basis",
        db_column_name="pricing_basis",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 10,
            "default": "建筑面积",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "PricingBasis",
                {"build": "建筑面积", "inner": "套内面积", "whole": "按套"},
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
