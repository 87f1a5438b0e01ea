from app.estate.tables import Building, Project, Unit

ADMIN_TABLES = [Project, Building, Unit]
