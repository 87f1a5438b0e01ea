from app.pipeline.tables import Buyer

ADMIN_TABLES = [Buyer]
