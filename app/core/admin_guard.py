"""What the admin panel may change, and how: every table handed to piccolo-admin is wrapped here so that each
create, edit and delete is validated (身份证号, phones, 统一社会信用代码, money with two places) and audited.

Customer data (buyers, their ID numbers and phones) is never handed to the admin panel: it is edited only through the
pipeline, where it is masked by default and revealed per record (app/pipeline). `CUSTOMER_TABLES` lists what must
stay out; app/admin_mount.py refuses to start if a domain hands one over."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from piccolo.columns import Numeric, Secret, Varchar
from piccolo.table import Table

from app.core import audit
from app.core.validators import validate_credit_code, validate_phone, validate_resident_id

CUSTOMER_TABLES = {"pl_buyer"}  # tables holding customer personal data (SPEC §G 保密)

ID_COLUMNS = {"id_number", "id_no"}
PHONE_COLUMNS = {"mobile", "phone", "tel"}
CREDIT_COLUMNS = {"credit_code"}
SECRET_MARK = "（已修改，不记录）"  # a password (hash) never goes into the audit log


def _check_value(table: type[Table], name: str, value: Any) -> str | None:
    col = next((c for c in table._meta.columns if c._meta.name == name), None)
    label = (col._meta.help_text or name) if col is not None else name
    if value in (None, ""):
        return None
    if isinstance(col, Varchar) and name in ID_COLUMNS:
        err = validate_resident_id(str(value))
        return f"{label}：{err}" if err else None
    if isinstance(col, Varchar) and name in PHONE_COLUMNS:
        err = validate_phone(str(value))
        return f"{label}：{err}" if err else None
    if isinstance(col, Varchar) and name in CREDIT_COLUMNS:
        err = validate_credit_code(str(value))
        return f"{label}：{err}" if err else None
    if isinstance(col, Numeric):
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return f"{label}：请输入数字"
        if not d.is_finite():
            return f"{label}：请输入数字"
        places = col.digits[1] if col.digits else 2
        if d != d.quantize(Decimal(1).scaleb(-places)):
            return f"{label}：最多 {places} 位小数"
    return None


def _named(values: dict[Any, Any]) -> dict[str, Any]:
    """piccolo-admin hands over values keyed by column objects or names: key them by name."""
    return {(k._meta.name if hasattr(k, "_meta") else str(k)): v for k, v in values.items()}


def validate_values(table: type[Table], values: dict[Any, Any]) -> list[str]:
    return [err for name, value in _named(values).items() if (err := _check_value(table, name, value))]


async def _actor(request) -> SimpleNamespace:
    """Who made the change, as every other audit row names them: the person (姓名), not the login name."""
    from app.core.auth import load_user

    user = getattr(getattr(request, "user", None), "user", None)
    client = getattr(request, "client", None)
    person = await load_user(user.id) if getattr(user, "id", None) else None
    name = person.display_name if person else (getattr(user, "username", "") or "管理后台")
    return SimpleNamespace(user_id=getattr(user, "id", None), display_name=name, ip=client.host if client else "")


def _refuse(errors: list[str]):
    from fastapi import HTTPException

    raise HTTPException(status_code=400, detail="；".join(errors))


def _without_secrets(table: type[Table], values: dict | None) -> dict | None:
    if values is None:
        return None
    secret = {c._meta.name for c in table._meta.columns if c._meta.secret or isinstance(c, Secret)}
    return {k: (SECRET_MARK if k in secret and v not in (None, "") else v) for k, v in dict(values).items()}


def hooks_for(table: type[Table]) -> list:
    from piccolo_api.crud.hooks import Hook, HookType

    tname = table._meta.tablename

    def named() -> str:
        from app.core.audit_names import entity_name

        return entity_name(tname)

    async def pre_save(row, request):
        values = {c._meta.name: getattr(row, c._meta.name, None) for c in table._meta.columns}
        errors = validate_values(table, values)
        if errors:
            _refuse(errors)
        actor = await _actor(request)
        await audit.record(actor=actor, action="admin.create", entity=tname, summary=f"管理后台新增{named()}",
                           after=_without_secrets(table, {k: v for k, v in values.items() if k != "id"}), ip=actor.ip)
        return row

    async def pre_patch(row_id, values, request):
        errors = validate_values(table, values)
        if errors:
            _refuse(errors)
        changed = _named(values)
        cols = [c for c in table._meta.columns if c._meta.name in changed]
        before = await table.select(*cols).where(table._meta.primary_key == row_id).first() if cols else None
        actor = await _actor(request)
        await audit.record(actor=actor, action="admin.update", entity=tname, entity_id=row_id, summary=f"管理后台修改{named()} #{row_id}",
                           before=_without_secrets(table, before), after=_without_secrets(table, changed), ip=actor.ip)
        return values

    async def pre_delete(row_id, request):
        before = await table.select().where(table._meta.primary_key == row_id).first()
        actor = await _actor(request)
        await audit.record(actor=actor, action="admin.delete", entity=tname, entity_id=row_id, summary=f"管理后台删除{named()} #{row_id}",
                           before=_without_secrets(table, before), ip=actor.ip)

    return [Hook(HookType.pre_save, pre_save), Hook(HookType.pre_patch, pre_patch), Hook(HookType.pre_delete, pre_delete)]


def table_configs(tables: list[type[Table]]) -> list:
    from piccolo_admin.endpoints import TableConfig

    leaked = [t._meta.tablename for t in tables if t._meta.tablename in CUSTOMER_TABLES]
    if leaked:
        raise RuntimeError(f"customer data must not be handed to the admin panel: {leaked}")
    return [TableConfig(t, hooks=hooks_for(t)) for t in tables]
