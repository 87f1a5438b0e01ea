"""The gate logs' form rules, pure: the ID check for non-customers, the mobile, and a plate that must agree with the
vehicle type (8 characters are a new-energy plate)."""
import pytest

from app.site_logs.services import Counts, parse_vehicle, parse_visitor

pytestmark = pytest.mark.unit


def test_customers_need_no_host_and_no_id():
    clean, errors = parse_visitor({"name": "王先生", "mobile": "13800001111", "purpose": "看房"})
    assert not errors and clean["id_checked"] is False and clean["host"] == ""


@pytest.mark.parametrize("purpose", ["办事", "施工", "供应商", "政府"])
def test_non_customers_show_id_and_name_a_host(purpose):
    _, errors = parse_visitor({"name": "赵工", "mobile": "13800001111", "purpose": purpose})
    assert "须出示证件" in errors["id_checked"] and errors["host"] == "请填写被访人"
    _, errors = parse_visitor({"name": "赵工", "mobile": "13800001111", "purpose": purpose, "host": "工程部", "id_checked": "1"})
    assert not errors


def test_visitor_field_messages():
    _, errors = parse_visitor({"name": "", "mobile": "12345", "purpose": "参观"})
    assert errors == {"name": "请填写姓名", "mobile": "手机号应为 11 位数字，以 13–19 开头", "purpose": "来访事由的选项无效"}
    _, errors = parse_visitor({"name": "名" * 31, "mobile": "", "purpose": ""})
    assert errors["name"] == "姓名最多 30 个字" and errors["mobile"] == "请填写手机号" and errors["purpose"] == "请选择来访事由"


@pytest.mark.parametrize("plate, kind, field", [
    ("川A12345", "小型车", None),
    ("川ad12345", "新能源", None),
    ("川A12345D", "大型车", None),  # a large new-energy bus
    ("川A12345", "新能源", "plate"),  # a new-energy vehicle has 8
    ("川AD12345", "小型车", "kind"),  # 8 characters: choose 新能源
    ("川AO1234", "小型车", "plate"),
])
def test_plate_and_type_agree(plate, kind, field):
    clean, errors = parse_vehicle({"plate": plate, "kind": kind, "party": "访客"})
    assert list(errors) == ([field] if field else [])
    if not field:
        assert clean["plate"] == plate.upper()


def test_counts_inside_is_in_minus_out():
    assert Counts(entered=5, left=2).inside == 3
