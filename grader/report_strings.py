"""Every sentence of the instructor's report, once per language (STRINGS, keyed by the same ids in
both tables), and a short label per mistake category (LABELS, else the first sentence of the checks'
own hint for it, from :mod:`coursekit.checks.messages`). Terms follow /work/shared/glossary.md."""
from __future__ import annotations

import re

STRINGS = {
    "en": {
        "title": "Class report: what to re-teach",
        "sep": ": ",
        "anon_student": "[student]",
        "summary": "{subs} submission(s) from {students} student(s).",
        "duration": "The batch took {dur} with {jobs} parallel job(s), from {start} to {end}.",
        "duration_sum": "Grading time summed over the submissions: {dur} (mean {mean} per submission).",
        "nav_reteach": "Re-teach first", "nav_chapters": "Chapters", "nav_exercises": "Exercises",
        "nav_students": "Students", "nav_problems": "Needs a look",
        "reteach_intro": "Exercises ranked by the number of students who lost points; the first line is what to "
                         "re-teach on Monday.",
        "rank": "#", "chapter": "Chapter", "exercise": "Exercise", "lost": "Students who lost points",
        "top_mistake": "Most frequent mistake", "submissions": "Submissions", "mean": "Mean", "median": "Median",
        "full": "Full points", "partial": "Partial", "zero": "Zero", "points": "Points", "score": "Score", "max": "Max",
        "histogram": "Points: students", "languages": "Language of the notebooks",
        "not_graded": "Not graded", "mistake": "Mistake (diagnosed by the checks)", "students": "Students",
        "share": "Share of submissions", "example": "Example of the feedback (anonymised)",
        "show_example": "show",
        "undiagnosed": "{n} student(s) lost points without a diagnosed mistake (exercise missing, time-out, "
                       "crash, or a failure the checks did not classify).",
        "no_mistakes": "No diagnosed mistakes.",
        "no_data": "No graded submission yet.",
        "sort_hint": "Click a column header to sort.",
        "student": "Student", "total": "Total", "file": "File", "status": "Status", "detail": "Detail",
        "none": "None.",
        "not_counted": "Not counted (the same student handed in this chapter more than once; the best graded "
                       "submission counts):",
        "method": "How this is counted: the mistakes are the diagnoses the checks made while grading, stored with "
                  "each result, not guesses made afterwards. A student counts once per exercise and mistake. "
                  "Statistics use the graded submissions; the others are listed under “Needs a look”. Examples "
                  "are cut to about 300 characters, with student ids and e-mail addresses removed.",
        "plot_overview": "Points per exercise (most lost first)", "plot_share": "share of students",
        "plot_mistakes": "Most frequent mistakes", "plot_students": "students",
        "plot_hist": "{chapter}: distribution of scores", "plot_score": "score (of {max} points)",
        "status_graded": "graded", "status_flagged": "flagged (possible tampering)", "status_timeout": "time-out",
        "status_crashed": "crashed", "status_unreadable": "unreadable", "status_unknown_chapter": "unknown chapter",
        "status_error": "grading error", "status_too_large": "too large (not graded)",
        "status_not_notebook": "not a notebook (not graded)",
        "min": "{m} min {s} s", "sec": "{s} s", "list_sep": ", ",
    },
    "zh": {
        "title": "班级报告：哪些内容需要重讲",
        "sep": "：",
        "anon_student": "[学生]",
        "summary": "共 {students} 名学生的 {subs} 份提交。",
        "duration": "本批评分用时 {dur}，{jobs} 个任务并行，从 {start} 到 {end}。",
        "duration_sum": "各份提交的评分时间合计 {dur}（平均每份 {mean}）。",
        "nav_reteach": "优先重讲", "nav_chapters": "各章概况", "nav_exercises": "各练习与错误",
        "nav_students": "学生成绩", "nav_problems": "需要查看的提交",
        "reteach_intro": "按失分学生人数给练习排序；第一行就是下周一最需要重讲的内容。",
        "rank": "排名", "chapter": "章节", "exercise": "练习", "lost": "失分学生",
        "top_mistake": "最常见的错误", "submissions": "提交数", "mean": "平均分", "median": "中位数",
        "full": "满分", "partial": "部分得分", "zero": "零分", "points": "分值", "score": "得分", "max": "满分值",
        "histogram": "得分：人数", "languages": "笔记本语言",
        "not_graded": "未评分", "mistake": "错误类型（检查程序的诊断）", "students": "学生数",
        "share": "占提交比例", "example": "反馈示例（已匿名）",
        "show_example": "查看",
        "undiagnosed": "另有 {n} 名学生失分，但没有诊断出错误类型（练习缺失、超时、崩溃，或检查程序未能归类的错误）。",
        "no_mistakes": "没有诊断出错误。",
        "no_data": "还没有已评分的提交。",
        "sort_hint": "点击表头即可排序。",
        "student": "学生", "total": "总分", "file": "文件", "status": "状态", "detail": "详情",
        "none": "没有。",
        "not_counted": "未计入（同一名学生多次提交了这一章，只计入得分最高的已评分提交）：",
        "method": "统计方法：错误类型是检查程序在评分时作出并随结果保存的诊断，而不是事后根据文字猜测的。"
                  "每名学生在每个练习的每种错误上只计一次。统计数据只使用已评分的提交，其余提交列在"
                  "“需要查看的提交”中。示例截取约 300 个字符，并去掉了学号和电子邮件地址。",
        "plot_overview": "各练习得分情况（失分最多的在前）", "plot_share": "学生比例",
        "plot_mistakes": "最常见的错误", "plot_students": "学生数",
        "plot_hist": "{chapter}：得分分布", "plot_score": "得分（满分 {max} 分）",
        "status_graded": "已评分", "status_flagged": "已标记（疑似篡改）", "status_timeout": "超时",
        "status_crashed": "崩溃", "status_unreadable": "无法读取", "status_unknown_chapter": "未知章节",
        "status_error": "评分出错", "status_too_large": "文件太大（未评分）",
        "status_not_notebook": "不是笔记本（未评分）",
        "min": "{m} 分 {s} 秒", "sec": "{s} 秒", "list_sep": "，",
    },
}

# a short label per mistake category; categories not listed here use the first sentence of their hint
LABELS = {
    "en": {
        "sign": "flipped sign", "factor_2": "twice the expected value", "factor_half": "half the expected value",
        "transpose": "transposed result", "missing_batch_sum": "missing sum over the batch",
        "batch_mean": "averaged over the batch instead of summing",
        "missing_batch_mean": "missing division by the batch size", "shape": "wrong shape",
        "not_scalar": "an array where a number is expected", "nan": "NaN or inf in the result",
        "wrong_values": "wrong values, no common pattern", "not_implemented": "left blank (NotImplementedError)",
        "exception": "raised an exception", "broadcast_error": "shapes that do not broadcast",
        "none_returned": "returned None", "bad_type": "returned the wrong type",
        "modified_input": "changed its input in place", "modified_argument": "changed an argument in place",
        "bad_return": "wrong return values", "dw_transposed": "weight gradient transposed",
        "grad_missing_batch_sum": "weight gradient not summed over the batch",
        "db_missing_batch_sum": "bias gradient not summed over the batch",
        "db_wrong_axis": "bias gradient summed over the wrong axis",
        "grad_divided_by_n": "divided by the batch size twice",
        "ce_grad_not_divided": "cross-entropy gradient not divided by N",
        "grad_sign": "gradient with a flipped sign", "missing_upstream": "upstream gradient not multiplied in",
        "relu_mask_dout": "ReLU mask on dout instead of x",
        "softmax_overflow": "softmax overflows (row maximum not subtracted)",
        "forward_difference_used": "forward instead of central difference",
        "grad_overwritten": "gradient assigned instead of accumulated",
        "conv_dw_missing_batch_sum": "kernel gradient not summed over the batch",
        "rnn_not_accumulated": "shared weights' gradient not summed over time",
        "update_sign": "update goes uphill (+ instead of −)",
    },
    "zh": {
        "sign": "符号相反", "factor_2": "结果是期望值的 2 倍", "factor_half": "结果是期望值的一半",
        "transpose": "结果被转置", "missing_batch_sum": "缺少沿批次轴的求和",
        "batch_mean": "在批次轴上取了平均而不是求和",
        "missing_batch_mean": "缺少除以批大小", "shape": "形状不对",
        "not_scalar": "应返回一个数却返回了数组", "nan": "结果含 NaN 或 inf",
        "wrong_values": "数值错误，不属于常见模式", "not_implemented": "未作答（NotImplementedError）",
        "exception": "抛出了异常", "broadcast_error": "形状无法广播",
        "none_returned": "返回了 None", "bad_type": "返回值类型不对",
        "modified_input": "原地修改了输入", "modified_argument": "原地修改了参数",
        "bad_return": "返回值不对", "dw_transposed": "权重梯度被转置",
        "grad_missing_batch_sum": "权重梯度没有沿批次求和",
        "db_missing_batch_sum": "偏置梯度没有沿批次求和",
        "db_wrong_axis": "偏置梯度沿错误的轴求和",
        "grad_divided_by_n": "重复除以批大小",
        "ce_grad_not_divided": "交叉熵梯度没有除以 N",
        "grad_sign": "梯度符号相反", "missing_upstream": "没有乘上游梯度",
        "relu_mask_dout": "ReLU 掩码用了 dout 而不是 x",
        "softmax_overflow": "softmax 溢出（没有减去每行最大值）",
        "forward_difference_used": "用了前向差分而不是中心差分",
        "grad_overwritten": "梯度被覆盖而不是累加",
        "conv_dw_missing_batch_sum": "卷积核梯度没有沿批次求和",
        "rnn_not_accumulated": "共享权重的梯度没有沿时间步累加",
        "update_sign": "更新方向反了（加而不是减）",
    },
}

_FIELD = re.compile(r"\{[A-Za-z_][\w.\[\]]*(![rsa])?(:[^{}]*)?\}")


def category_label(category: str, lang: str) -> str:
    """A short human label for a mistake category in ``lang``: LABELS, else the first sentence of the
    checks' hint for it (fields shown as …), else the id itself."""
    if category in LABELS[lang]:
        return LABELS[lang][category]
    try:
        from coursekit.checks.messages import MESSAGES
        text = MESSAGES[lang].get(category) or ""
    except Exception:
        text = ""
    if not text:
        return category
    text = text.replace("{{", "\x00").replace("}}", "\x01")
    text = _FIELD.sub("…", text).replace("\x00", "{").replace("\x01", "}").strip()
    least = 6 if lang == "zh" else 14
    cuts = [m.start() + (1 if m.group() in "。" else 0)
            for m in re.finditer(r"\. |; |: |。|；|：", text) if m.start() >= least]
    if cuts:
        text = text[:cuts[0]]
    return text if len(text) <= 90 else text[:88].rstrip() + "…"
