"""The sales office's settings (售楼处设置, table site_setting): each part declares its keys with label, default and
source tag ({key: (label, default, tag)}); `seed` adds the missing rows, `read` returns the admin's values."""
from __future__ import annotations

from app.core import keyvalues
from app.site.tables import SiteSetting

Defaults = dict[str, tuple[str, int, str]]


async def read(defaults: Defaults) -> dict[str, int]:
    """Every key's value as set in the admin (0 allowed), else its default."""
    return await keyvalues.read(SiteSetting, defaults, minimum=0)


async def seed(defaults: Defaults) -> int:
    """Add the keys that have no row yet (the admin's edits are kept), each with its source tag."""
    return await keyvalues.seed(SiteSetting, defaults)
