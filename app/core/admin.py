from app.core.tables import HolidayOverride

ADMIN_TABLES = [HolidayOverride]

from app.core.tables import AttachmentSetting, AttachmentType  # noqa: E402  (attachment limits, app/core/attachments.py)

ADMIN_TABLES += [AttachmentType, AttachmentSetting]
