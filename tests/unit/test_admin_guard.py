"""The admin panel's validation of what it edits (issue 7 §2): ID numbers, phones, credit codes, money places."""
import pytest

from app.core.admin_guard import CUSTOMER_TABLES, table_configs, validate_values
from app.org.tables import Company, Employee
from app.estate.tables import Unit
from app.pipeline.tables import Buyer, PipelineSetting

pytestmark = pytest.mark.unit


def test_phone_and_credit_code_are_checked():
    assert validate_values(Employee, {"mobile": "12345"})
    assert not validate_values(Employee, {"mobile": "13912345678"})
    assert not validate_values(Employee, {"mobile": ""})
    assert validate_values(Company, {"credit_code": "91320000ABCDEFGH12"})


def test_numbers_keep_their_column_places():
    assert validate_values(Unit, {"total_price": "1.234"})  # money: two places
    assert not validate_values(Unit, {"total_price": "1.23"})
    assert validate_values(Unit, {"total_price": "abc"})
    assert not validate_values(PipelineSetting, {"value": "0.0150"})  # a rate: four places


def test_customer_tables_are_refused():
    assert Buyer._meta.tablename in CUSTOMER_TABLES
    with pytest.raises(RuntimeError):
        table_configs([Buyer])
