"""Rules library: documents, their versions, clauses with stable anchors, and read acknowledgements."""
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable


class RuleDocument(Table, tablename="rule_document"):
    code = Varchar(length=40, unique=True, help_text="稳定编号，用于链接，例如 kf-71p")
    title = Varchar(length=120)
    source = Varchar(length=200, default="", help_text="来源，例如 XX公司客字〔2010〕001号")
    summary = Text(default="")
    requires_ack = Boolean(default=True, help_text="要求全员阅读确认")
    sort = Integer(default=0)
    variant_of = ForeignKey("self", null=True, on_delete=OnDelete.set_null, index=True,
                            help_text="同一规章的另一来源：填写后本文归入该规章之下，规章库只列该规章")

    @classmethod
    def get_readable(cls):
        return readable(cls.title)


class RuleVersion(Table, tablename="rule_version"):
    document = ForeignKey(RuleDocument, on_delete=OnDelete.restrict, index=True)
    version_no = Integer(default=1)
    effective_on = Date()
    change_note = Text(default="")
    is_current = Boolean(default=False, index=True)
    published_at = Timestamptz()
    published_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class RuleClause(Table, tablename="rule_clause"):
    """One paragraph of a version. `anchor` is stable across versions (e.g. "ch2-s2-5.6")."""

    version = ForeignKey(RuleVersion, on_delete=OnDelete.cascade, index=True)
    seq = Integer(default=0)
    anchor = Varchar(length=60, index=True)
    number = Varchar(length=30, default="")
    is_heading = Boolean(default=False)
    text = Text()


class RuleAcknowledgement(Table, tablename="rule_acknowledgement"):
    version = ForeignKey(RuleVersion, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()


class RuleQuizQuestion(Table, tablename="rule_quiz_question"):
    """A question of the short quiz attached to a rule version: 2–4 options and the correct one (1-based)."""

    version = ForeignKey(RuleVersion, on_delete=OnDelete.cascade, index=True)
    seq = Integer(default=1)
    question = Text()
    option_1 = Varchar(length=200)
    option_2 = Varchar(length=200)
    option_3 = Varchar(length=200, default="")
    option_4 = Varchar(length=200, default="")
    correct = Integer(default=1, help_text="正确选项（1–4）")


class RuleQuizAttempt(Table, tablename="rule_quiz_attempt"):
    """One attempt at a version's quiz: the score and which questions (by number) were answered wrongly."""

    version = ForeignKey(RuleVersion, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz()
    correct_count = Integer(default=0)
    total = Integer(default=0)
    score_pct = Integer(default=0)
    passed = Boolean(default=False)
    wrong = Varchar(length=200, default="", help_text="答错的题号，逗号分隔")


class RuleSetting(Table, tablename="rule_setting"):
    key = Varchar(length=40, unique=True)
    label = Varchar(length=120, default="")
    value = Integer(default=0, help_text="数值")
    tag = Varchar(length=10, default="C", help_text="来源：[S] 规章原文 / [L] 法律 / [C] 惯例")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
