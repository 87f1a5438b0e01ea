import pytest


@pytest.fixture(autouse=True)
async def _database(running_app):
    """Every test here uses the migrated, seeded database, even those that drive services without a client."""
    yield
