"""One frozen settings object, read from the environment. Nothing else reads os.environ."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    env: str  # "development" | "production" | "test"
    debug: bool
    database_url: str | None  # postgresql://... ; None means SQLite
    sqlite_path: Path
    secret_key: str
    session_hours: int  # idle lifetime, extended while in use
    session_max_days: int  # hard limit
    login_max_failures: int
    login_lock_minutes: int
    timezone: str = "Asia/Shanghai"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url)


def _dev_secret(local_dir: Path) -> str:
    """A development secret generated once and kept in .local/ (never committed)."""
    local_dir.mkdir(parents=True, exist_ok=True)
    path = local_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    e = dict(os.environ if environ is None else environ)
    env = e.get("PORTAL_ENV", "development")
    local_dir = Path(e.get("PORTAL_LOCAL_DIR", BASE_DIR / ".local"))
    secret = e.get("SECRET_KEY", "")
    if not secret:
        if env == "production":
            raise SettingsError("生产模式必须设置环境变量 SECRET_KEY（至少 32 个字符）。")
        secret = _dev_secret(local_dir)
    elif env == "production" and len(secret) < 32:
        raise SettingsError("SECRET_KEY 太短：生产模式至少需要 32 个字符。")
    db_url = e.get("DATABASE_URL") or None
    if db_url and db_url.startswith("postgres://"):
        db_url = "postgresql://" + db_url[len("postgres://"):]
    return Settings(
        env=env,
        debug=e.get("DEBUG", "0").lower() in {"1", "true", "yes"},
        database_url=db_url,
        sqlite_path=Path(e.get("SQLITE_PATH", local_dir / "portal.sqlite")),
        secret_key=secret,
        session_hours=int(e.get("SESSION_HOURS", "8")),
        session_max_days=int(e.get("SESSION_MAX_DAYS", "7")),
        login_max_failures=int(e.get("LOGIN_MAX_FAILURES", "5")),
        login_lock_minutes=int(e.get("LOGIN_LOCK_MINUTES", "15")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
