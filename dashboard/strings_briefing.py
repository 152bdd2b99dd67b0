"""Every user-facing string of the Briefing page, in zh-CN and en — merged into the shared
table of ``dashboard.i18n`` at import (the documents' own strings are in
``briefing/strings.py``)."""

from __future__ import annotations

from briefing import strings as _document_strings  # noqa: F401  (merges the document's)
from dashboard.i18n import STRINGS

BRIEFING_PAGE_STRINGS: dict[str, tuple[str, str]] = {
    "page.briefing": ("月度简报", "Monthly briefing"),
    "brp.intro": ("选择月份和辖区，生成该月的信访工作简报（PDF、Word 或 Excel）。简报中的指标与总览"
                  "页、"
                  "kpi 命令为同一计算；只含所选辖区的数据，不含任何信访人个人信息；每次生成都记入审"
                  "计日志。",
                  "Pick a month and a jurisdiction to generate its petition briefing (PDF, Word "
                  "or Excel). Its figures are computed by the same function as the Overview "
                  "page and the kpi command; it holds the chosen jurisdiction's data only and "
                  "no personal data of any petitioner; every generation is recorded in the "
                  "audit log."),
    "brp.controls": ("简报设置", "Briefing settings"),
    "brp.month": ("月份", "Month"),
    "brp.unit": ("辖区", "Jurisdiction"),
    "brp.format": ("格式", "Format"),
    "brp.lang": ("语言", "Language"),
    "brp.lang.zh": ("中文", "Chinese"),
    "brp.lang.en": ("英文", "English"),
    "brp.fmt.pdf": ("PDF（打印、报送）", "PDF (print, send upward)"),
    "brp.fmt.docx": ("Word（可编辑）", "Word (editable)"),
    "brp.fmt.xlsx": ("Excel（数据）", "Excel (data)"),
    "brp.generate": ("生成并下载", "Generate and download"),
    "brp.progress": ("生成进度", "Progress"),
    "brp.step.idle": ("尚未生成。", "Nothing generated yet."),
    "brp.step.queued": ("排队等候：另一份简报正在生成…",
                        "Queued: another briefing is being made…"),
    "brp.step.collect": ("正在读取数据（{done}/{total}）…",
                         "Reading the data ({done} of {total})…"),
    "brp.step.render": ("正在绘制地图和图表、生成文件…",
                        "Drawing the map and charts, writing the file…"),
    "brp.step.done": ("已生成 {name}（{size}，用时 {seconds} 秒），下载已开始。",
                      "Made {name} ({size}, {seconds} s); the download has started."),
    "brp.step.failed": ("生成失败：{message}", "Generation failed: {message}"),
    "brp.step.lost": ("找不到该生成任务（可能已过期），请重新生成。",
                      "The job is gone (it may have expired); please generate again."),
    "brp.error.refused": ("无权生成该辖区的简报：{detail}",
                          "You may not generate a briefing for that unit: {detail}"),
    "brp.error.input": ("设置无效：{detail}", "Invalid settings: {detail}"),
    "brp.error.internal": ("内部错误，请稍后重试或联系管理员。",
                           "Internal error; try again later or ask an administrator."),
    "brp.no_unit": ("您的账户没有可生成简报的行政辖区（按部门授权的账户不能生成辖区简报）。",
                    "Your account has no administrative jurisdiction to make a briefing of "
                    "(accounts scoped to departments cannot)."),
    "brp.contents": ("简报内容", "What the briefing holds"),
    "brp.contents.list": ("标题、统计期与辖区；《设计说明》§4 全部指标及上月、去年同月对比；辖区分"
                          "级设色地图（含项目片区）；"
                          "各月信访件趋势、问题类别、重复与越级访率图；热点村（社区）；按责任单位的超期与积案；"
                          "领导包案进展与包案缺口；交办件销号；当月敏感期情况；口径说明。",
                          "Title, period and jurisdiction; every indicator of DESIGN §4 with "
                          "last month and the same month last year; a choropleth map of the "
                          "jurisdiction with project zones; monthly submissions, categories, "
                          "repeat and cross-level rates; hot-spot villages; overdue and backlog "
                          "by responsible unit; leader packages and package gaps; assignment "
                          "close-out; sensitive periods of the month; notes on method."),
    "brp.cli": ("每月批量生成：flask --app app briefing --month YYYY-MM --all-units 目录",
                "Monthly batch: flask --app app briefing --month YYYY-MM --all-units DIR"),
}

STRINGS.update(BRIEFING_PAGE_STRINGS)
