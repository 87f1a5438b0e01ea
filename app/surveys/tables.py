"""Surveys: a questionnaire's questions, its schedule (after signing, 3 months after handover, 1 year after move-in),
one invitation per customer and deal with a personal link (only the token's hash is stored), and the answers."""
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Project
from app.org.tables import Employee
from app.pipeline.tables import Buyer, Deal


class Questionnaire(Table, tablename="sv_questionnaire"):
    title = Varchar(length=100)
    intro = Text(default="")
    trigger = Varchar(length=20, default="manual", index=True)  # after_signing | after_handover | after_move_in | manual
    offset_days = Integer(default=0)  # days after the trigger date when the invitation is due (e.g. 90 after handover)
    reminder_days = Integer(default=7)  # remind non-responders this many days after sending
    status = Varchar(length=10, default="草稿", index=True)  # 草稿 | 已发布 | 已停用
    created_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls):
        return readable(cls.title)


class Question(Table, tablename="sv_question"):
    questionnaire = ForeignKey(Questionnaire, on_delete=OnDelete.cascade, index=True)
    sort = Integer(default=0)
    kind = Varchar(length=10)  # single | multiple | scale | text
    text = Varchar(length=200)
    options = Text(default="")  # one option per line (single / multiple)
    required = Boolean(default=True)


class Invitation(Table, tablename="sv_invitation"):
    questionnaire = ForeignKey(Questionnaire, on_delete=OnDelete.restrict, index=True)
    buyer = ForeignKey(Buyer, on_delete=OnDelete.restrict, index=True)
    deal = ForeignKey(Deal, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    key = Varchar(length=80, unique=True)  # f"{questionnaire}:{deal or buyer}": one invitation per schedule and deal
    token_hash = Varchar(length=64, unique=True)  # sha256 of the personal link's token
    due_on = Date(index=True)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    sent_via = Varchar(length=10, default="")  # 微信 | 短信
    sent_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    reminders = Integer(default=0)
    reminded_at = Timestamptz(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None, index=True)


class Answer(Table, tablename="sv_answer"):
    invitation = ForeignKey(Invitation, on_delete=OnDelete.cascade, index=True)
    question = ForeignKey(Question, on_delete=OnDelete.cascade, index=True)
    value = Text(default="")  # the chosen option(s) joined by "\n", or the text
    score = Integer(null=True, default=None)  # 1–5 for a scale question
