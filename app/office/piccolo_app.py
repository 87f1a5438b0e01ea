import os

from piccolo.conf.apps import AppConfig

from app.office.tables import (
    Driver,
    DurableHolding,
    Issue,
    IssueLine,
    Purchase,
    PurchaseLine,
    StockEntry,
    StockItem,
    SuppliesBudget,
    TripLog,
    Vehicle,
    VehicleBooking,
)

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="office",
    migrations_folder_path=os.path.join(BASE, "migrations", "office"),
    table_classes=[SuppliesBudget, StockItem, StockEntry, DurableHolding, Purchase, PurchaseLine, Issue, IssueLine, Vehicle, Driver, VehicleBooking, TripLog],
    migration_dependencies=["app.workflow.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
