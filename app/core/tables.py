"""Tables of the shared core: audit log, login attempts, working-day calendar overrides."""
from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.indexes import IndexMethod  # noqa: F401  (kept for readers: btree is the default)
from piccolo.apps.user.tables import BaseUser
from piccolo.columns.readable import Readable
from piccolo.table import Table


def readable(column) -> Readable:
    """How piccolo-admin names a row in drop-downs: by one column."""
    return Readable(template="%s", columns=[column])


class AuditLog(Table, tablename="audit_log"):
    """Who did what, when, with the state before and after. Written in the same transaction as the change."""

    at = Timestamptz(index=True)
    actor = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    actor_name = Varchar(length=100, default="")
    action = Varchar(length=60, index=True)  # e.g. "auth.login", "rules.acknowledge", "customer.unmask"
    entity = Varchar(length=60, index=True)  # e.g. "rule_version"
    entity_id = Varchar(length=60, default="", index=True)
    summary = Text(default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    ip = Varchar(length=64, default="")


class LoginAttempt(Table, tablename="login_attempt"):
    """Every sign-in attempt (kept in the DB, shared by all processes). Failures throttle the (IP, user name) pair
    and, beyond a larger count from all IPs, slow the user name for IPs without a recent success (app/core/auth.py)."""

    username = Varchar(length=100, index=True)
    at = Timestamptz(index=True)
    success = Boolean(default=False)
    ip = Varchar(length=64, default="", index=True)
    throttled = Boolean(default=False)  # refused without checking the password (does not count as a failure)
    cleared = Boolean(default=False)  # an administrator lifted the throttle: no longer counted


class HolidayYear(Table, tablename="holiday_year"):
    """A year whose whole official schedule (法定节假日 and 调休上班) the administrator has entered.

    A year is covered when the built-in calendar knows it or it has a row here; otherwise deadlines that cross it
    are computed from weekends only, and the pages say so."""

    year = Integer(unique=True, index=True)
    entered_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    entered_by_name = Varchar(length=100, default="")
    entered_at = Timestamptz()
    source = Varchar(length=300, default="", help_text="依据，例如 国务院办公厅关于2027年部分节假日安排的通知")
    holidays = Integer(default=0)  # how many 法定节假日 days were entered
    workdays = Integer(default=0)  # how many 调休上班 days were entered


class HolidayOverride(Table, tablename="holiday_override"):
    """A day whose working status differs from the built-in calendar: a holiday, or a 调休 make-up workday.

    Overrides always win. For years the built-in calendar does not cover, they are the only source of holidays."""

    day = Date(unique=True, index=True)
    is_workday = Boolean(default=False, help_text="勾选表示当天上班（调休补班）；不勾选表示放假")
    name = Varchar(length=50, default="", help_text="节日名称，例如 春节")
    note = Varchar(length=200, default="")


class Notification(Table, tablename="notification"):
    """An in-portal message (催办, overdue reminders, 抄送, results). Read in the top bar's bell and at /notifications."""

    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(index=True)
    kind = Varchar(length=30, default="info")  # urge | overdue | cc | result | info
    text = Text()
    url = Varchar(length=300, default="")
    read_at = Timestamptz(null=True, default=None)
    # what the notification announces ("task:123", "request:45"); when that is done the notification closes itself
    ref = Varchar(length=60, default="", index=True)
    closed_at = Timestamptz(null=True, default=None)


class Counter(Table, tablename="counter"):
    """Document-number sequences (<PREFIX>-YYYYMMDD-####): one atomic upsert per number, safe across processes."""

    key = Varchar(length=40, unique=True)
    value = Integer(default=0)


class AttachmentType(Table, tablename="attachment_type"):
    """A kind of file that may be attached (decided by the file's content, never its name) and its size limit.
    Seeded from app/core/attachments.py DEFAULT_TYPES; the administrator edits them."""

    kind = Varchar(length=20, unique=True, help_text="类型代码（pdf、jpeg、png、heic、docx、xlsx、pptx、doc、xls）")
    label = Varchar(length=50, default="", help_text="名称")
    allowed = Boolean(default=True, help_text="允许上传")
    max_mb = Integer(default=20, help_text="单个文件最大（MB）")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class AttachmentSetting(Table, tablename="attachment_setting"):
    """The other attachment limits (image size, files per record, how long an unsaved upload is kept)."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=100, default="")
    value = Integer(default=0, help_text="数值")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class Attachment(Table, tablename="attachment"):
    """A file attached to a record of any domain: the owner is (owner_kind, owner_id), declared by the owning domain
    (app/<domain>/attachment_owners.py). An upload not yet bound to a record (a form that failed validation) is
    pending: owner_kind "", owned by its uploader, removed after expires_at. The bytes are in the storage backend
    named by `storage` (default: the database, table attachment_blob), so every process on every host sees them."""

    owner_kind = Varchar(length=30, default="", index=True)
    owner_id = Varchar(length=60, default="", index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    kind = Varchar(length=20)
    size = Integer(default=0)
    sha256 = Varchar(length=64, default="")
    storage = Varchar(length=20, default="db")
    storage_key = Varchar(length=100, default="")
    note = Varchar(length=200, default="")  # what the server did: 已缩放、已去除位置信息、HEIC 已转为 JPEG
    uploaded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    uploaded_by_name = Varchar(length=100, default="")
    uploaded_at = Timestamptz(index=True)
    expires_at = Timestamptz(null=True, default=None)  # pending uploads only


class AttachmentBlob(Table, tablename="attachment_blob"):
    """The database storage backend: one row per stored file."""

    data = Bytea()
class ListPreference(Table, tablename="list_preference"):
    """A user's own settings for one list (app/core/views.py): the columns they hide (kind "columns", one row per user
    and list) and their saved views (kind "view": a name, the filter and sort as a query string, the hidden columns).
    `unique_key` (user|list|kind|name) makes a name unique per user and list in the database, whatever the process."""

    user = ForeignKey(BaseUser, on_delete=OnDelete.cascade, index=True)
    list_key = Varchar(length=120, index=True)  # the list's base URL, e.g. /ledgers/contracts
    kind = Varchar(length=10, default="view")  # columns | view
    name = Varchar(length=30, default="")
    query = Text(default="")  # the saved filter and sort, urlencoded (only the list's own filter names, sort, dir, per_page)
    hidden = JSON(default="[]")  # the column keys not shown
    unique_key = Varchar(length=200, unique=True)
    created_at = Timestamptz()


class IdempotencyKey(Table, tablename="idempotency_key"):
    """One completed (or in-flight) unsafe request of a user, by the idempotency key its form carried
    (app/core/idempotency.py). The row is inserted in the same transaction as the action's writes; `token`
    ("<user id>:<key>") is unique, so two requests with one key record the action once. The response (status,
    a few headers, a small body) is filled in once it is sent, and replayed to a retry with the same key."""

    token = Varchar(length=100, unique=True)
    user_id = Integer(default=0)
    created_at = Timestamptz(index=True)
    method = Varchar(length=10, default="POST")
    path = Varchar(length=300, default="")
    status = Integer(null=True, default=None)  # None: the action committed, the response is not recorded yet
    headers = Text(default="[]")  # JSON list of [name, value]
    body = Text(default="")


class IdempotencySetting(Table, tablename="idempotency_setting"):
    """Limits of the duplicate-submission guard: how long keys are kept, how large a response is replayed."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=100, default="")
    value = Integer(default=0, help_text="数值")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)


class FigureCache(Table, tablename="figure_cache"):
    """Computed figures of the home pages and the KPI board (app/core/figcache.py): a value is served while the data
    version it was computed at is still current and it is younger than the setting's age; otherwise recomputed."""

    key = Varchar(length=80, unique=True)
    value = Text(default="")
    version = BigInt(default=0)
    computed_at = Timestamptz(index=True)


class FigureCacheSetting(Table, tablename="figure_cache_setting"):
    """How long a computed figure may be served (seconds; 0 computes every figure on every page)."""

    key = Varchar(length=40, unique=True)
    label = Varchar(length=100, default="")
    value = Integer(default=0, help_text="数值")

    @classmethod
    def get_readable(cls):
        return readable(cls.label)
