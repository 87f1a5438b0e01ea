"""The regulations text importer lives in app.rules.parser (the portal also uses it to publish new versions)."""
from app.rules.parser import *  # noqa: F401,F403
from app.rules.parser import (  # noqa: F401
    CONVERSION_FIXES,
    POSITION_DUTIES,
    Clause,
    Document,
    default_path,
    duties_text,
    fix_conversion_errors,
    load_regulations,
    parse_regulations,
)
