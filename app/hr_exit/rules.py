"""The rules of 离职 (SPEC §E5) and 辞退 (§E8), pure (no I/O): the notice period of a resignation, the legal grounds of
a dismissal with their text, and what each ground requires (notice or pay in lieu, severance)."""
from __future__ import annotations

from datetime import date, timedelta

ART_37 = "《劳动合同法》第三十七条"
ART_39 = "《劳动合同法》第三十九条"
ART_40 = "《劳动合同法》第四十条"
ART_41 = "《劳动合同法》第四十一条"
ART_43 = "《劳动合同法》第四十三条"
ART_46 = "《劳动合同法》第四十六条"
ART_47 = "《劳动合同法》第四十七条"
ART_50 = "《劳动合同法》第五十条"

ART_37_TEXT = "劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。劳动者在试用期内提前三日通知用人单位，可以解除劳动合同。"

GROUNDS: dict[str, tuple[str, str]] = {
    "39": ("第三十九条（过失性辞退）", "劳动者有下列情形之一的，用人单位可以解除劳动合同：（一）在试用期间被证明不符合录用条件的；（二）严重违反用人单位的规章制度的；"
           "（三）严重失职，营私舞弊，给用人单位造成重大损害的；（四）劳动者同时与其他用人单位建立劳动关系，对完成本单位的工作任务造成严重影响，或者经用人单位提出，拒不改正的；"
           "（五）因本法第二十六条第一款第一项规定的情形致使劳动合同无效的；（六）被依法追究刑事责任的。"),
    "40": ("第四十条（无过失性辞退）", "有下列情形之一的，用人单位提前三十日以书面形式通知劳动者本人或者额外支付劳动者一个月工资后，可以解除劳动合同：（一）劳动者患病或者非因工负伤，"
           "在规定的医疗期满后不能从事原工作，也不能从事由用人单位另行安排的工作的；（二）劳动者不能胜任工作，经过培训或者调整工作岗位，仍不能胜任工作的；"
           "（三）劳动合同订立时所依据的客观情况发生重大变化，致使劳动合同无法履行，经用人单位与劳动者协商，未能就变更劳动合同内容达成协议的。"),
    "41": ("第四十一条（经济性裁员）", "有下列情形之一，需要裁减人员二十人以上或者裁减不足二十人但占企业职工总数百分之十以上的，用人单位提前三十日向工会或者全体职工说明情况，"
           "听取工会或者职工的意见后，裁减人员方案经向劳动行政部门报告，可以裁减人员：（一）依照企业破产法规定进行重整的；（二）生产经营发生严重困难的；"
           "（三）企业转产、重大技术革新或者经营方式调整，经变更劳动合同后，仍需裁减人员的；（四）其他因劳动合同订立时所依据的客观情况发生重大变化，致使劳动合同无法履行的。"),
}
ITEMS = {"39": 6, "40": 3, "41": 4}
NOTICE_HOW = ("书面送达本人", "邮寄送达", "电子邮件", "公告送达")
ART_43_TEXT = "用人单位单方解除劳动合同，应当事先将理由通知工会。"


def notice_days_needed(in_probation: bool, days: int, probation_days: int) -> int:
    """[L 劳动合同法 art. 37] 30 days' written notice; 3 days in probation (both settings)."""
    return probation_days if in_probation else days


def check_notice(notice_on: date, last_day: date, in_probation: bool, days: int = 30, probation_days: int = 3) -> str:
    """The last day may be no earlier than the notice date plus the notice period (the contract ends on that day):
    notice on 1 March with 30 days → the last day is 31 March at the earliest. '' when it is fine."""
    if last_day < notice_on:
        return "最后工作日不能早于提出日期"
    need = notice_days_needed(in_probation, days, probation_days)
    earliest = notice_on + timedelta(days=need)
    if last_day < earliest:
        band = f"试用期内应提前 {need} 日通知" if in_probation else f"应提前 {need} 日以书面形式通知"
        return f"{band}，最后工作日最早为 {earliest:%Y-%m-%d}（{ART_37}）"
    return ""


def earliest_last_day(notice_on: date, in_probation: bool, days: int = 30, probation_days: int = 3) -> date:
    return notice_on + timedelta(days=notice_days_needed(in_probation, days, probation_days))


def check_dismissal(ground: str, notice_on: date, last_day: date, in_lieu: bool, notice_days: int = 30) -> str:
    """Art. 39: no notice, no severance; art. 40: 30 days' written notice or one month's pay in lieu; art. 41: 30 days'
    notice to the union or all staff (the last day no earlier than 30 days after)."""
    if ground not in GROUNDS:
        return "请选择法定解除事由"
    if last_day < notice_on:
        return "最后工作日不能早于通知日期"
    if ground == "39":
        return "" if not in_lieu else f"过失性辞退（{ART_39}）无需提前通知，也不支付代通知金"
    if ground == "40" and in_lieu:
        return ""
    earliest = notice_on + timedelta(days=notice_days)
    if last_day < earliest:
        art = ART_40 if ground == "40" else ART_41
        extra = "，或选择额外支付一个月工资代替提前通知" if ground == "40" else ""
        return f"应提前 {notice_days} 日书面通知，最后工作日最早为 {earliest:%Y-%m-%d}{extra}（{art}）"
    return ""


def severance_due(ground: str) -> bool:
    """[L art. 46 (三)(四)] art. 40 and 41 owe the economic compensation; art. 39 none."""
    return ground in ("40", "41")
