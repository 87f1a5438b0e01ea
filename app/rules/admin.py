from app.core.admin_zh import AdminTable
from app.rules.tables import RuleDocument, RuleSetting, RuleVersion

ADMIN_TABLES = [
    AdminTable(RuleDocument, "规章", "规章制度", {
        "id": "编号", "code": "规章编号", "title": "标题", "source": "来源", "summary": "摘要",
        "requires_ack": "需阅读确认", "sort": "排序", "variant_of": "同一规章的主文档",
    }),
    AdminTable(RuleVersion, "规章版本", "规章制度", {
        "id": "编号", "document": "规章", "version_no": "版本号", "effective_on": "生效日期",
        "change_note": "修订说明", "is_current": "现行版本", "published_at": "发布时间", "published_by": "发布人",
    }),
    AdminTable(RuleSetting, "规章设置", "规章制度", {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
