from app.permits.tables import ReminderRule

ADMIN_TABLES = [ReminderRule]
