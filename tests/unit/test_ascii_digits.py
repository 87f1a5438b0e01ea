"""Numbers typed into forms and URLs: str.isdigit() accepts "²" and "①" (int() refuses them) and int() refuses a string
of more than 4,300 digits — neither may reach int() (a 500)."""
from app.core.fields import ascii_digits, parse_id
from app.permits.rules import parse_days


def test_ascii_digits():
    assert ascii_digits("123") and not ascii_digits("²") and not ascii_digits("①") and not ascii_digits("") and not ascii_digits(None)
    assert not ascii_digits("１２")  # full-width digits are refused too (int() would take them)


def test_parse_id_bounds():
    assert parse_id("12") == 12 and parse_id(" 7 ") == 7
    for bad in ("0", "-1", "²", "9" * 5000, "2147483648", "1e3", "", None):
        assert parse_id(bad) is None


def test_reminder_days_ignore_lookalike_digits():
    assert parse_days("90，60、²,9999999,30") == (90, 60, 30)
