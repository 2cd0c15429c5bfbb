"""Chapter 0: broadcasting. One table per language, same keys (see :mod:`chainrule.checks.messages`)."""

EN = {
    # ---- chapter 0: broadcasting ----------------------------------------------
    "missing_axis": ("You subtracted one number, the mean of the whole array; each row needs its own mean. "
                     "Reduce over the feature axis only: axis=1."),
    "wrong_axis": ("You subtracted the mean of each column (axis=0), but each row (each sample) should lose "
                   "its own mean: use axis=1."),
    "missing_keepdims": ("X.mean(axis=1) has shape (N,), and NumPy broadcasts it along the rows, not down the "
                         "columns, so row i got the mean of another row. Keep the axis: "
                         "X.mean(axis=1, keepdims=True) has shape (N, 1)."),
}

ZH = {
    # ---- 第 0 章:广播 ------------------------------------------------------------
    "missing_axis": "你减去的是一个数，即整个数组的均值；每一行应当减去它自己的均值。只沿特征轴归约：axis=1。",
    "wrong_axis": "你减去的是每一列的均值（axis=0），但应当让每一行（每个样本）减去它自己的均值：用 axis=1。",
    "missing_keepdims": ("X.mean(axis=1) 的形状是 (N,)，NumPy 会把它沿行方向广播，而不是沿列方向，"
                         "于是第 i 行减去的是别的行的均值。保留这个轴：X.mean(axis=1, keepdims=True) 的形状是 (N, 1)。"),
}
