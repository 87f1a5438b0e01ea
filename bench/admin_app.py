"""The baseline of the ledger target: piccolo-admin's own list API on the contract ledger's table (pl_deal), served by
uvicorn (one worker) on the same database as the portal, for bench/run.py only.

The portal's admin panel does not show pl_deal (customer data is not in the admin: README, security notes), so the
benchmark builds this separate piccolo-admin app with that one table and asks its list endpoint for the ledger's page
size as the admin user (piccolo_api's session cookie `id`, the portal's own sign-in). It is never mounted in the portal.

    uvicorn bench.admin_app:app --host 127.0.0.1 --port 9001
"""
from __future__ import annotations

from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo_admin.endpoints import create_admin

from app.pipeline.tables import Deal

_admin = create_admin(tables=[Deal], production=True, allowed_hosts=[], site_name="bench baseline")


async def app(scope, receive, send) -> None:
    """The admin app, with the engine's pool opened at startup like the portal's lifespan does."""
    if scope["type"] == "lifespan":
        engine = engine_finder()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if isinstance(engine, PostgresEngine):
                    await engine.start_connection_pool(min_size=1, max_size=10)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if isinstance(engine, PostgresEngine):
                    await engine.close_connection_pool()
                await send({"type": "lifespan.shutdown.complete"})
                return
    await _admin(scope, receive, send)
