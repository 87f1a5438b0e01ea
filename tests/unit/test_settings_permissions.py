import pytest

from app.core.nav import NAV, nav_for
from app.core.permissions import ROLE_PERMISSIONS, ROLES, Perm, permissions_for
from app.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(SettingsError):
        load_settings({"PORTAL_ENV": "production", "PORTAL_LOCAL_DIR": str(tmp_path)})
    with pytest.raises(SettingsError):
        load_settings({"PORTAL_ENV": "production", "SECRET_KEY": "short", "PORTAL_LOCAL_DIR": str(tmp_path)})
    good = "kT9-qZ2vR7xLw4bN_8mYc3Hs6JfD1pGa"  # 32 characters, 32 distinct
    s = load_settings({"PORTAL_ENV": "production", "SECRET_KEY": good, "PORTAL_LOCAL_DIR": str(tmp_path)})
    assert s.production and s.secret_key == good


@pytest.mark.parametrize("weak", ["a" * 32, "x" * 40, "ab" * 20, "0123456789" * 4, "password" * 5])
def test_production_refuses_a_low_entropy_secret(tmp_path, weak):
    with pytest.raises(SettingsError, match="过于简单"):
        load_settings({"PORTAL_ENV": "production", "SECRET_KEY": weak, "PORTAL_LOCAL_DIR": str(tmp_path)})


def test_a_generated_secret_passes_in_production(tmp_path):
    import secrets

    for _ in range(20):
        key = secrets.token_urlsafe(32)
        assert load_settings({"PORTAL_ENV": "production", "SECRET_KEY": key, "PORTAL_LOCAL_DIR": str(tmp_path)}).secret_key == key


def test_development_secret_is_generated_once_and_kept(tmp_path):
    a = load_settings({"PORTAL_LOCAL_DIR": str(tmp_path)})
    b = load_settings({"PORTAL_LOCAL_DIR": str(tmp_path)})
    assert a.secret_key == b.secret_key and len(a.secret_key) >= 32
    assert (tmp_path / "secret_key").exists()
    assert a.database_url is None and a.sqlite_path == tmp_path / "portal.sqlite"


def test_database_url_selects_postgres(tmp_path):
    s = load_settings({"PORTAL_LOCAL_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h/db"})
    assert s.is_postgres and s.database_url == "postgresql://u@h/db"


def test_every_role_has_permissions_and_a_name():
    assert set(ROLES) == set(ROLE_PERMISSIONS)
    for role, perms in ROLE_PERMISSIONS.items():
        assert Perm.HOME in perms, role


class _U:
    def __init__(self, role, admin=False):
        self.role = role
        self.permissions = permissions_for(role, is_admin_user=admin)

    def can(self, p):
        return p in self.permissions


def _labels(role, admin=False):
    return [i.label for g in nav_for(_U(role, admin)) for i in g.items]


def test_navigation_differs_by_role():
    contract = _labels("contract")
    head = _labels("dept_head")
    guard = _labels("guard")
    admin = _labels("sysadmin", admin=True)
    assert "阅读确认情况" in head and "阅读确认情况" not in contract
    assert "审计日志" in head and "审计日志" not in contract
    assert "员工通讯录" in contract and "员工通讯录" not in guard
    assert "管理后台" in admin and "管理后台" not in head
    assert len({tuple(contract), tuple(head), tuple(guard), tuple(admin)}) == 4
    assert all(i.testid for g in NAV for i in g.items)
