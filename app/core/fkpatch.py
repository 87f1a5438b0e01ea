"""Piccolo's `ForeignKey.__getattribute__` without its `dir()` on every attribute read.

Piccolo (1.38) runs `name not in dir(self)` for every attribute read on a foreign-key column that does not start with
"_" — `Deal.unit.building.name`, and the query builder's own reads of `value_type`, `copy`, … while it builds the joins.
`dir()` of a foreign key lists and sorts every proxy column it carries: ~10 µs a call, ~100 calls on a page that
selects through foreign keys (the customer file: ~40 % of its time). The check only matters for a lazy reference
whose proxy columns are not set up yet; the same conditions, tested cheapest first, give the same result: the
`dir()` runs only when the reference is lazy and unresolved. The rest of the method is Piccolo's, unchanged.

Installed once at import (app/core/engine.py imports it) for the Piccolo version it was written against; another
version keeps Piccolo's own method (tests/unit/test_fkpatch.py fails then, so the patch is looked at again).
"""
from __future__ import annotations

from typing import Any

import piccolo
from piccolo.columns.base import Column
from piccolo.columns.column_types import ForeignKey, ForeignKeyMeta
from piccolo.columns.reference import LazyTableReference

FOR_VERSION = "1.38.0"
_PICCOLOS = ForeignKey.__getattribute__


def _getattribute(self: ForeignKey, name: str) -> Any:
    if not name.startswith("_"):
        try:
            _foreign_key_meta = object.__getattribute__(self, "_foreign_key_meta")
        except AttributeError:
            pass
        else:
            if (_foreign_key_meta.proxy_columns == [] and isinstance(_foreign_key_meta.references, LazyTableReference)
                    and name not in dir(self)):
                object.__getattribute__(self, "set_proxy_columns")()

    value = object.__getattribute__(self, name)

    if name.startswith("_"):
        return value

    foreignkey_class: type[ForeignKey] = object.__getattribute__(self, "__class__")

    if isinstance(value, foreignkey_class):  # i.e. a ForeignKey
        new_column = value.copy()
        new_column._meta.call_chain.append(self)
        if len(new_column._meta.call_chain) >= 10:
            raise Exception("Call chain too long!")

        foreign_key_meta: ForeignKeyMeta = object.__getattribute__(new_column, "_foreign_key_meta")
        for proxy_column in foreign_key_meta.proxy_columns:
            try:
                delattr(new_column, proxy_column._meta.name)
            except Exception:
                pass
        foreign_key_meta.proxy_columns = []
        for column in value._foreign_key_meta.resolved_references._meta.columns:
            _column: Column = column.copy()
            _column._meta.call_chain = list(new_column._meta.call_chain)
            setattr(new_column, _column._meta.name, _column)
            foreign_key_meta.proxy_columns.append(_column)
        return new_column
    elif issubclass(type(value), Column):
        new_column = value.copy()
        column_meta = object.__getattribute__(self, "_meta")
        new_column._meta.call_chain = column_meta.call_chain.copy()
        new_column._meta.call_chain.append(self)
        return new_column
    else:
        return value


def install() -> bool:
    """Put the method in place (once); False when this Piccolo is not the version it was written for."""
    if getattr(piccolo, "__VERSION__", None) != FOR_VERSION:
        return False
    if ForeignKey.__getattribute__ is not _getattribute:
        ForeignKey.__getattribute__ = _getattribute  # type: ignore[method-assign]
    return True


INSTALLED = install()
