from app.rules.tables import RuleDocument, RuleVersion

ADMIN_TABLES = [RuleDocument, RuleVersion]
