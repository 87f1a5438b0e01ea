"""Reference data edited in piccolo-admin: vehicles and drivers. Stock items are not here: their quantities move
only through purchases, requisitions and returns, each with a ledger row."""
from app.office.tables import Driver, Vehicle

ADMIN_TABLES = [Vehicle, Driver]
