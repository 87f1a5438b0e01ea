"""app/core/fkpatch.py: Piccolo's foreign-key attribute read without a dir() per read, installed for the Piccolo it was
written against, with the same columns, joins and SQL as Piccolo's own method."""
from __future__ import annotations

import piccolo
from piccolo.columns.column_types import ForeignKey

from app.core import fkpatch


def test_the_patch_is_installed_for_the_locked_piccolo():
    assert piccolo.__VERSION__ == fkpatch.FOR_VERSION, "Piccolo changed: compare its ForeignKey.__getattribute__ with app/core/fkpatch.py"
    assert fkpatch.INSTALLED and ForeignKey.__getattribute__ is fkpatch._getattribute


def _sql(query) -> tuple[str, list]:
    return query.querystrings[0].compile_string()


def test_joins_through_foreign_keys_build_the_same_sql_as_piccolos_own_method():
    from app.pipeline.tables import Deal, Receipt

    def build():
        return [
            _sql(Deal.select(Deal.id, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.buyer.name)
                 .where((Deal.buyer == 3) & (Deal.unit.building.name == "1栋")).order_by(Deal.unit.room_no)),
            _sql(Receipt.select(Receipt.id, Receipt.deal.contract_no, Receipt.deal.buyer.mobile).where(Receipt.deal.project == 2)),
            _sql(Deal.select(*Deal.unit.all_columns()).where(Deal.id == 1)),
        ]

    ours = build()
    ForeignKey.__getattribute__ = fkpatch._PICCOLOS
    try:
        theirs = build()
    finally:
        fkpatch.install()
    assert ours == theirs
    assert 'LEFT JOIN "building"' in ours[0][0] and ours[0][1] == [3, "1栋"]


def test_a_chain_carries_its_path_and_the_referenced_tables_columns():
    from app.pipeline.tables import Deal

    col = Deal.unit.building.name
    assert [c._meta.name for c in col._meta.call_chain] == ["unit", "building"]
    assert col._meta.get_full_name(with_alias=False) == '"pl_deal$unit$unit$building"."name"'
    assert {c._meta.name for c in Deal.unit._foreign_key_meta.proxy_columns} >= {"room_no", "building"}
