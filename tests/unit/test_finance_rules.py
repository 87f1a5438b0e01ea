"""Invoice identity and the buyer check (SPEC E13) as pure rules."""
import pytest

from app.finance.rules import buyer_tax_id_error, invoice_identity_errors, invoice_key
from seeds.finance import credit_code

pytestmark = pytest.mark.unit

CODE_A = credit_code("锦程房地产开发有限公司")


def test_invoice_identity_legacy_needs_code_and_20_digit_has_none():
    assert invoice_identity_errors("普票", "032001900104", "12345678") == {}
    assert invoice_identity_errors("专票", "3200194130", "12345678") == {}
    assert invoice_identity_errors("普票", "", "12345678") == {"code": "8 位号码的纸质发票须填写发票代码"}
    assert invoice_identity_errors("普票", "12345", "12345678") == {"code": "发票代码应为 10 位或 12 位数字"}
    assert invoice_identity_errors("数电票", "", "2" * 20) == {}
    assert "没有发票代码" in invoice_identity_errors("数电票", "032001900104", "2" * 20)["code"]
    assert invoice_identity_errors("数电票", "", "12345678") == {"number": "数电票号码应为 20 位数字"}
    assert invoice_identity_errors("专票", "", "") == {"number": "请填写发票号码"}


def test_invoice_key_is_code_plus_number():
    assert invoice_key("032001900104", "12345678") != invoice_key("032001900105", "12345678")
    assert invoice_key("", "2" * 20) == ("", "2" * 20)


def test_buyer_tax_id_must_be_the_company_code():
    assert buyer_tax_id_error(CODE_A, CODE_A) is None
    other = credit_code("锦程置业（无锡）有限公司")
    assert "不是本公司的统一社会信用代码" in buyer_tax_id_error(other, CODE_A)
    assert "校验位不正确" in buyer_tax_id_error(CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1"), CODE_A)
    assert buyer_tax_id_error("", CODE_A) == "请填写购买方纳税人识别号"
    assert "尚未在管理后台登记" in buyer_tax_id_error(CODE_A, "")
