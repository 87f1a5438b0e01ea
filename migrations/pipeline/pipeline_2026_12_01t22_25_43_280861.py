from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T22:25:43:280861"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pipeline", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Deal",
        tablename="pl_deal",
        column_name="first_home",
        db_column_name="first_home",
        schema=None,
    )

    manager.drop_column(
        table_class_name="DeedTaxBand",
        tablename="pl_deed_tax_band",
        column_name="first_home",
        db_column_name="first_home",
        schema=None,
    )

    return manager
