from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class LabourContract(Table, tablename="hr_contract"):
    pass


ID = "2026-12-03T09:40:50:000001"
VERSION = "1.38.0"
DESCRIPTION = "Labour contracts: one number (seq) per employee and contract"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_contract", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await LabourContract.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_contract_employee_seq ON hr_contract ("employee", "seq")')

    manager.add_raw(unique_keys)
    return manager
