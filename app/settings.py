"""One frozen settings object, read from the environment. Nothing else reads os.environ."""
from __future__ import annotations

import math
import os
import secrets
from collections import Counter
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
    login_max_failures: int  # failures from one IP against one user name before that pair is throttled
    login_lock_minutes: int  # the longest delay a throttled pair (or user name) waits
    login_user_max_failures: int = 20  # failures against one user name from all IPs before it is slowed
    login_window_hours: int = 24  # failures older than this are forgotten
    login_base_delay_minutes: int = 1  # first delay; doubles with each further failure
    timezone: str = "Asia/Shanghai"
    sql_count: bool = False  # PORTAL_SQL_COUNT=1: every response carries X-SQL-Count (the benchmark reads it)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url)


MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 16
MIN_SECRET_BITS_PER_CHAR = 3.5  # Shannon entropy of the key's characters; token_urlsafe(48) gives about 5.5


def secret_weakness(secret: str) -> str | None:
    """Why `secret` is not good enough for production (Chinese), or None."""
    if len(secret) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY 太短：生产模式至少需要 {MIN_SECRET_LENGTH} 个字符。"
    counts = Counter(secret)
    entropy = -sum(c / len(secret) * math.log2(c / len(secret)) for c in counts.values())
    if len(counts) < MIN_SECRET_DISTINCT or entropy < MIN_SECRET_BITS_PER_CHAR:
        return ("SECRET_KEY 过于简单（重复字符太多）：请用随机生成的密钥，例如 "
                "python -c \"import secrets; print(secrets.token_urlsafe(48))\"。")
    return None


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
    elif env == "production" and (weakness := secret_weakness(secret)):
        raise SettingsError(weakness)
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
        login_user_max_failures=int(e.get("LOGIN_USER_MAX_FAILURES", "20")),
        login_window_hours=int(e.get("LOGIN_WINDOW_HOURS", "24")),
        login_base_delay_minutes=int(e.get("LOGIN_BASE_DELAY_MINUTES", "1")),
        sql_count=e.get("PORTAL_SQL_COUNT", "0").lower() in {"1", "true", "yes"},
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
