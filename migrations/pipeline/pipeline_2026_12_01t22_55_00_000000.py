"""Receipts for what was received before receipts existed: each instalment with an amount received gets one receipt
(dated its received date), so that an instalment's `received` is the sum of its receipts and the daily report's
collections (now summed from receipts) keep their past figures. Does nothing on a fresh database."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "receipts for amounts received before receipts existed"

BACKFILL = """
INSERT INTO pl_receipt (deal, instalment, kind, amount, received_on, method, voucher_no, refund_request, note, recorded_by, created_at)
SELECT i.deal, i.id, i.kind, i.received, COALESCE(i.received_on, i.due_on),
       CASE WHEN i.kind = '贷款' THEN '按揭放款' ELSE '转账' END,
       'MIG-' || CAST(i.id AS VARCHAR(20)), NULL, '收款登记上线前已收', NULL, CURRENT_TIMESTAMP
FROM pl_instalment i
WHERE i.received > 0 AND NOT EXISTS (SELECT 1 FROM pl_receipt r WHERE r.instalment = i.id)
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def backfill():
        await engine_finder().run_ddl(BACKFILL)

    manager.add_raw(backfill)
    return manager
