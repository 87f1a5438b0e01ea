import importlib
import os
from pathlib import Path

from piccolo.conf.apps import AppConfig
from piccolo.table import Table

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _tables() -> list[type[Table]]:
    """Every table of app/pipeline/tables.py and of each step's own app/pipeline/tables_<step>.py, in file order."""
    names = ["tables"] + sorted(p.stem for p in Path(__file__).parent.glob("tables_*.py"))
    out: list[type[Table]] = []
    for name in names:
        mod = importlib.import_module(f"app.pipeline.{name}")
        out += [v for v in vars(mod).values() if isinstance(v, type) and issubclass(v, Table) and v.__module__ == mod.__name__]
    return out


APP_CONFIG = AppConfig(
    app_name="pipeline",
    migrations_folder_path=os.path.join(BASE, "migrations", "pipeline"),
    table_classes=_tables(),
    migration_dependencies=["app.estate.piccolo_app", "app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
