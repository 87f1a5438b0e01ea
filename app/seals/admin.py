from app.seals.tables import Seal

ADMIN_TABLES = [Seal]
