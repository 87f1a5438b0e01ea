"""Attachments on a tablet (issue 8 §1, §6): a photo with a GPS position and a PDF attached to an expense claim at
800×1280, kept across a failed validation, listed on the request and its printed 审批单 (one A4 page), and refused
to a colleague who may not see the request. Screenshots of the form, detail and print pages at both sizes."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from playwright.sync_api import expect

from app.core.timeutil import today_local
from seeds.finance import credit_code
from e2e.screens import OUT, shoot
from tests.samples import jpeg_with_gps, pdf, png

TABLET = {"width": 800, "height": 1280}
DESKTOP = {"width": 1366, "height": 900}


def _shoot(page, name: str) -> None:
    shoot(page, name, full_page=True)


def _fill_expense(page, amount: str) -> None:
    page.get_by_test_id("field-reason").fill("客户签约现场物料")
    page.get_by_test_id("inv-number-0").fill("26320000000000000777")
    page.get_by_test_id("inv-date-0").fill((today_local() - timedelta(days=1)).isoformat())
    page.get_by_test_id("inv-seller-0").fill("苏州印务有限公司")
    page.get_by_test_id("inv-buyer-0").fill("锦程房地产开发有限公司")
    page.get_by_test_id("inv-buyer_tax_id-0").fill(credit_code("锦程房地产开发有限公司"))
    page.get_by_test_id("inv-amount-0").fill(amount)


def test_attach_on_a_tablet_then_detail_print_and_refusal(page, login_page, server_url, tmp_path):
    photo, scan = tmp_path / "现场照片.jpg", tmp_path / "报价单.pdf"
    photo.write_bytes(jpeg_with_gps((3000, 2000)))
    scan.write_bytes(pdf("quote"))
    page.set_viewport_size(TABLET)
    login_page.sign_in("data")
    page.goto(server_url + "/workflow/new/expense")  # at 800 px the sidebar is folded away
    _fill_expense(page, "456.785")  # three decimals: the form fails validation
    page.get_by_test_id("attachment-input").set_input_files([str(photo), str(scan)])
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("error-inv_amount_0")).to_be_visible()
    chips = page.get_by_test_id("attachment-chip")
    expect(chips).to_have_count(2)  # the files are kept
    expect(page.get_by_test_id("pending-attachments")).to_contain_text("现场照片.jpg")
    expect(page.get_by_test_id("inv-seller-0")).to_have_value("苏州印务有限公司")
    _shoot(page, "800-attachments-form")
    page.get_by_test_id("inv-amount-0").fill("456.78")
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("request-status")).to_contain_text("审批中")
    card = page.get_by_test_id("attachments-card")
    expect(card.get_by_test_id("attachment-item")).to_have_count(2)
    expect(card).to_contain_text("现场照片.jpg")
    expect(card).to_contain_text("报价单.pdf")
    expect(card).to_contain_text("已去除拍摄信息")
    detail_url = page.url
    # on the request page afterwards (htmx swaps the card in place)
    extra = tmp_path / "补充说明.png"
    extra.write_bytes(png((60, 40)))
    card.get_by_test_id("attachment-input").set_input_files(str(extra))
    card.get_by_test_id("attachment-upload").click()
    expect(page.get_by_test_id("attachment-uploaded")).to_contain_text("已上传 1 个附件")
    expect(page.get_by_test_id("attachments-card").get_by_test_id("attachment-item")).to_have_count(3)
    assert page.url == detail_url
    card = page.get_by_test_id("attachments-card")
    _shoot(page, "800-attachments-detail")

    link = card.get_by_test_id("attachment-link").filter(has_text="现场照片.jpg")
    href = link.get_attribute("href")
    got = page.request.get(server_url + href)
    assert got.status == 200 and got.headers["content-type"].startswith("image/jpeg")
    assert "filename*=UTF-8''" in got.headers["content-disposition"] and got.headers["x-content-type-options"] == "nosniff"
    from PIL import Image

    stored = Image.open(io.BytesIO(got.body()))
    assert max(stored.size) <= 2560 and not stored.getexif().get_ifd(0x8825)  # no GPS position left

    # the printed 审批单: lists the files, one A4 page, nothing of the web page
    page.goto(detail_url + "/print")
    sheet = page.get_by_test_id("print-sheet")
    expect(sheet.get_by_test_id("print-attachments")).to_contain_text("现场照片.jpg")
    expect(sheet.get_by_test_id("print-attachments")).to_contain_text("报价单.pdf")
    expect(sheet.get_by_test_id("print-qr").locator("svg")).to_have_count(1)
    expect(sheet.get_by_test_id("print-time")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    expect(sheet.get_by_test_id("print-company")).to_contain_text("锦程")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("print-button")).to_be_hidden()
    page.emulate_media(media="screen")
    pdf_bytes = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf_bytes))
    assert pages == 1, f"the 审批单 printed on {pages} A4 pages"
    (OUT / "attachments-print.pdf").write_bytes(pdf_bytes)
    page.set_viewport_size({"width": 794, "height": 1123})
    _shoot(page, "794-attachments-print")
    page.set_viewport_size(TABLET)
    _shoot(page, "800-attachments-print")

    page.set_viewport_size(DESKTOP)
    page.goto(detail_url)
    _shoot(page, "1366-attachments-detail")
    page.goto(detail_url + "/print")
    _shoot(page, "1366-attachments-print")
    page.goto(server_url + "/workflow/new/expense")  # at 800 px the sidebar is folded away
    _shoot(page, "1366-attachments-form")

    # a colleague who is not part of the request: the download is refused
    login_page.sign_out()
    login_page.sign_in("legal")
    assert page.request.get(server_url + href).status == 403
    assert page.request.get(detail_url).status == 403


def test_unit_files_on_the_unit_page(page, login_page, server_url, tmp_path):
    """A contract scan on the unit page (pipeline), at both sizes."""
    scan = tmp_path / "购房合同扫描件.pdf"
    scan.write_bytes(pdf("contract"))
    login_page.sign_in("contract")
    page.goto(server_url + "/pipeline?q=")
    page.get_by_test_id("list").locator("a[href^='/pipeline/units/']").first.click()
    card = page.get_by_test_id("attachments-card")
    card.get_by_test_id("attachment-input").set_input_files(str(scan))
    card.get_by_test_id("attachment-upload").click()
    expect(page.get_by_test_id("attachments-card")).to_contain_text("购房合同扫描件.pdf")
    page.get_by_test_id("attachments-card").scroll_into_view_if_needed()
    shoot(page, "1366-attachments-unit")
    page.set_viewport_size(TABLET)
    page.reload()
    page.get_by_test_id("attachments-card").scroll_into_view_if_needed()
    shoot(page, "800-attachments-unit")
