"""Chapter 0: broadcasting. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- chapter 0: broadcasting ----------------------------------------------
    "missing_axis": ("You subtracted one number, the mean of the whole array; each row needs its own mean. "
                     "Reduce over the feature axis only: axis=1."),
    "wrong_axis": ("You subtracted the mean of each column (axis=0), but each row (each sample) should lose "
                   "its own mean: use axis=1."),
    "missing_keepdims": ("X.mean(axis=1) has shape (N,), and NumPy broadcasts it as a row, not as a column, so "
                         "X[i, j] lost the mean of row j instead of row i. Keep the axis: "
                         "X.mean(axis=1, keepdims=True) has shape (N, 1)."),
    "center_reversed": ("Every value has the wrong sign: you computed (row mean − X). Subtract the mean from the "
                        "row, X − mean, so that entries above their row's mean stay positive."),
    "center_mean_only": ("You returned the row means themselves (stretched to the shape of X), not X with the "
                         "means subtracted."),
}

ZH = {
    # ---- 第 0 章:广播 ------------------------------------------------------------
    "missing_axis": "你减去的是一个数，即整个数组的均值；每一行应当减去它自己的均值。只沿特征轴归约：axis=1。",
    "wrong_axis": "你减去的是每一列的均值（axis=0），但应当让每一行（每个样本）减去它自己的均值：用 axis=1。",
    "missing_keepdims": ("X.mean(axis=1) 的形状是 (N,)，NumPy 会把它当作一行来广播，而不是一列，"
                         "于是 X[i, j] 减去的是第 j 行的均值，而不是第 i 行的。保留这个轴：X.mean(axis=1, keepdims=True) 的形状是 (N, 1)。"),
    "center_reversed": "所有数值的符号都反了：你算的是（行均值 − X）。应当从这一行里减去均值，即 X − 均值，这样比行均值大的元素仍为正。",
    "center_mean_only": "你返回的是各行均值本身（拉伸成 X 的形状），而不是减去均值之后的 X。",
}
