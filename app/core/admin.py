from app.core.tables import HolidayOverride

ADMIN_TABLES = [HolidayOverride]
