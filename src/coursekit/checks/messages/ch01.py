"""Chapter 1: finite differences and relative error. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- chapter 1: finite differences -----------------------------------------
    "forward_difference_used": ("This is the forward difference (f(x + h) − f(x)) / h: its error shrinks "
                                "only like h. The central difference (f(x + h) − f(x − h)) / (2h) uses one point "
                                "on each side and its error shrinks like h²."),
    "central_difference_used": ("This is the central difference (f(x + h) − f(x − h)) / (2h). It is more "
                                "accurate, but this exercise asks for the forward difference "
                                "(f(x + h) − f(x)) / h: it is the one whose error we study next."),
    "backward_difference_used": ("This is the backward difference (f(x) − f(x − h)) / h. The forward "
                                 "difference steps forward: (f(x + h) − f(x)) / h."),
    "missing_division_by_h": ("You computed the change in f but did not divide by the step: a slope is "
                              "(change in f) / (change in x)."),
    "operator_precedence": ("`... / 2 * h` divides by 2 and then multiplies by h: Python evaluates / and * "
                            "from left to right. Write `/ (2 * h)`."),
    "ignores_h": ("Your result matches a difference quotient with a step other than the h passed in "
                  "(h = {h}). Use the argument h instead of a fixed number."),
    "forward_difference_evaluations": ("Your function evaluated f {calls} times for {n} inputs, i.e. n + 1 "
                                       "times: a forward difference. Use central differences: f(x + h·eᵢ) "
                                       "and f(x − h·eᵢ) for each i, 2n evaluations."),
    "difference_reversed": ("Your difference is the wrong way round: the slope is the change of f when x "
                            "*grows*, {right}, divided by the step; you subtracted in the other order."),
    "divided_by_h_only": ("Your result is twice the derivative: the two points x − h and x + h are 2h apart, "
                          "so the difference is divided by 2h, not by h. Write `/ (2 * h)`."),
    "step_too_small": ("The error looks like round-off: your step h is probably too small (below about 1e-8 "
                       "the subtraction f(x + h) − f(x − h) loses most of its digits). Use h ≈ 1e-5."),
    "step_too_large": ("The error looks like truncation: your step h is probably too large. With h ≈ 1e-5 a "
                       "central difference is accurate to about 1e-10."),
    # ---- chapter 1: relative error ---------------------------------------------
    "sum_denominator": ("You divided by |a| + |b|. That is another common convention, but this exercise uses "
                        "max(|a|, |b|, 1e-12) in the denominator."),
    "one_sided_denominator": ("You divided by |a| or |b| only. Use max(|a|, |b|, 1e-12): then the relative "
                              "error of (a, b) equals that of (b, a)."),
    "no_abs": "Take the absolute value of the difference: |a − b|, so that the error is never negative.",
    "mean_not_max": ("You averaged the element-wise relative errors. Return the largest one (np.max): one bad "
                     "element is enough to show a bug."),
    "whole_array_ratio": ("You divided a norm or maximum of the whole difference by a norm or maximum of the "
                          "whole arrays. Divide element by element first, then take the maximum."),
}

ZH = {
    # ---- 第 1 章:有限差分 --------------------------------------------------------
    "forward_difference_used": ("这是前向差分 (f(x + h) − f(x)) / h，误差只按 h 的一次方减小。"
                                "中心差分 (f(x + h) − f(x − h)) / (2h) 在两侧各取一点，误差按 h² 减小。"),
    "central_difference_used": ("这是中心差分 (f(x + h) − f(x − h)) / (2h)。它更准确，但本练习要的是前向差分 "
                                "(f(x + h) − f(x)) / h，接下来要研究的正是它的误差。"),
    "backward_difference_used": "这是后向差分 (f(x) − f(x − h)) / h。前向差分是向前走一步：(f(x + h) − f(x)) / h。",
    "missing_division_by_h": "你算出了 f 的变化量，却没有除以步长：斜率 = f 的变化量 / x 的变化量。",
    "operator_precedence": "`... / 2 * h` 是先除以 2、再乘以 h：Python 对 / 和 * 从左到右计算。应写成 `/ (2 * h)`。",
    "ignores_h": "你的结果对应的步长不是传入的 h（h = {h}）。请使用参数 h，而不是写死一个数。",
    "forward_difference_evaluations": ("对 {n} 个输入，你的函数调用了 f {calls} 次，即 n + 1 次：这是前向差分。"
                                       "请用中心差分：对每个 i 计算 f(x + h·eᵢ) 和 f(x − h·eᵢ)，共 2n 次。"),
    "difference_reversed": "你的差分方向反了：斜率是 x *增大*时 f 的变化量 {right} 除以步长；你把减法的顺序写反了。",
    "divided_by_h_only": "你的结果是导数的 2 倍：x − h 和 x + h 两点相距 2h，所以差要除以 2h，而不是 h。应写成 `/ (2 * h)`。",
    "step_too_small": ("误差像是舍入误差：步长 h 可能太小了（小于约 1e-8 时，f(x + h) − f(x − h) 这个减法"
                       "会丢掉大部分有效数字）。用 h ≈ 1e-5。"),
    "step_too_large": "误差像是截断误差：步长 h 可能太大了。取 h ≈ 1e-5 时，中心差分的误差约为 1e-10。",
    # ---- 第 1 章:相对误差 --------------------------------------------------------
    "sum_denominator": "你除以的是 |a| + |b|。这也是一种常见约定，但本练习的分母是 max(|a|, |b|, 1e-12)。",
    "one_sided_denominator": "你只除以了 |a| 或 |b|。请用 max(|a|, |b|, 1e-12)，这样 (a, b) 和 (b, a) 的相对误差相同。",
    "no_abs": "差要取绝对值：|a − b|，相对误差不会是负数。",
    "mean_not_max": "你对逐元素的相对误差取了平均。应当返回其中最大的一个（np.max）：只要有一个元素出错，就说明有 bug。",
    "whole_array_ratio": "你把整个差的范数（或最大值）除以了整个数组的范数（或最大值）。应当先逐元素相除，再取最大值。",
}
