"""The frame of every report, the generic mistakes, the environment check and coursekit.check(). One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- the frame of a report -------------------------------------------------
    "pass": "✓ {exercise}: all {n} checks passed.",
    "pass_hidden": "✓ {exercise}: all {n} hidden tests passed.",
    "hidden_elsewhere": ("– {exercise}: the hidden tests run only when your notebook is graded; this "
                         "installation has the visible checks, not the answer key."),
    "key_needed": ("this case could not be checked in your notebook: its expected value depends on your own "
                   "results, and only the grader holds the answer key that computes it. Your code ran without "
                   "error up to here; grading will check this case."),
    "fail_header": "✗ {exercise}: case {case} of {total} failed: {desc}",
    "detail_scalar": "  {what}: expected {expected}, got {got} (relative error {rel}).",
    "detail_array": ("  {what}, shape {shape}: {nbad} of {size} elements are wrong; the worst is at index "
                     "{index}: expected {expected}, got {got} (relative error {rel})."),
    "detail_shape": "  {what}: expected shape {expected_shape}, got shape {got_shape}.",
    "what_output": "your return value",
    "what_input": "the input x after your function returned",
    "hint": "  Hint: {text}",
    # ---- generic mistakes ------------------------------------------------------
    "tool_not_allowed": ("`{name}` comes from `{module}`, which {exercise} does not allow: the point here is to "
                         "derive the gradient yourself, with NumPy and the standard library only. In grading, "
                         "`{module}` is not available to this exercise."),
    "not_implemented": ("{exercise} still raises NotImplementedError. Replace the line "
                        "`raise NotImplementedError()` with your code, run that cell, then run this one again."),
    "exception": ("Your function raised {etype}: {emsg}. The traceback above this message shows "
                  "the line; to reproduce it, call your function by hand on the inputs of this case."),
    "broadcast_error": ("Your function raised {etype}: {emsg}. Two arrays whose shapes do not broadcast met "
                        "in an operation: print the shapes. A reduction such as .sum(axis=1) or .mean(axis=1) "
                        "drops that axis; keepdims=True keeps it so that the result broadcasts against the input."),
    "none_returned": "Your function returned None: did you forget the `return` statement?",
    "bad_type": "Your function returned a {gtype}, which is not a number or a NumPy array.",
    "shape": ("The result has shape {got_shape} but should have shape {expected_shape}. "
              "Check which axes your operations keep or drop."),
    "not_scalar": ("The result should be a single number but has shape {got_shape}. "
                   "Reduce it, e.g. with np.max or np.sum, and return a float."),
    "nan": ("The result contains NaN or inf at index {index}. Look for a division by zero "
            "(0/0 gives NaN), or the log or square root of a negative number."),
    "sign": ("Every value has the right size but the wrong sign (your result ≈ −expected). A minus sign is "
             "lost or added somewhere: the order of a subtraction, or a local derivative with the wrong sign."),
    "factor_2": ("Your result is twice the expected value (got ≈ 2 × expected): a factor 1/2 is missing "
                 "somewhere, or a term is counted twice."),
    "factor_half": ("Your result is half the expected value (got ≈ expected / 2): there is an extra factor 1/2 "
                    "somewhere, or one of two equal terms is missing."),
    "transpose": "Your result is the transpose of the expected one (got ≈ expected.T): check the order of the axes.",
    "missing_batch_sum": ("Your result still has the batch axis (axis {axis}, size {n}); summed over it, it is right. "
                          "A gradient with respect to a parameter shared by all samples adds up the samples' "
                          "contributions: sum over axis {axis}."),
    "batch_mean": ("Your result is the expected one divided by the batch size {n}: you averaged over the batch "
                   "axis where a sum is expected."),
    "missing_batch_mean": ("Your result is {n} times the expected one, where {n} is the batch size: a division by "
                           "the batch size (a mean over the batch axis) is missing."),
    "wrong_values": ("The values are wrong and the mistake does not match a common pattern. Work through the "
                     "first failing case by hand (the inputs are shown above) and compare each step."),
    "modified_input": ("Your function changed its input x: after it returned, x{index} was {after} instead of "
                       "{before}. Restore every element you perturb (save the old value and put it back), "
                       "or work on a copy (x.copy())."),
    "input_changed": ("Your function changed its argument {position} (counting from 1) in place: after it "
                      "returned, it held {after} at {index} instead of {before}. Leave the inputs as they "
                      "were and work on a copy (a = a.copy())."),
    # ---- the environment check -------------------------------------------------
    "env_ok": "Environment OK: Python {python}, chainrule {chainrule}, NumPy {numpy}, matplotlib {matplotlib}{font}.",
    "env_font": ", Chinese font {family} ({source})",
    "env_problems": "The environment needs attention:",
    "env_python": ("Python {version} is too old: the course needs Python 3.10 or newer. Install a newer Python "
                   "and run `make lab` again (it creates .venv with the first `python3` on your PATH)."),
    "env_numpy": ("NumPy {version} is too old (or missing): the course needs NumPy 1.23 or newer. "
                  "In the repository run `pip install -e .` (or `make lab`)."),
    "env_matplotlib": ("matplotlib is not installed, so the plots will not draw. In the repository run "
                       "`pip install -e \".[plot]\"` (or `make lab`), then restart the kernel."),
    "env_chainrule": ("This chainrule ({version}, from {path}) is not the installed course package. "
                      "In the repository run `pip install -e .` (or `make lab`), then restart the kernel."),
    "env_cjk_font": ("No Chinese font found: Chinese plot labels would show as boxes. Run "
                     "`pip install noto-cjk-sans-otc` (`make lab` and Binder install it) and restart the "
                     "kernel. Or install a system font: on Debian/Ubuntu `apt-get install fonts-noto-cjk` (on macOS: "
                     "`brew install --cask font-noto-sans-cjk-sc`), then rebuild matplotlib's font cache with "
                     "`python -c \"import matplotlib.font_manager as f; f._load_fontmanager(try_read_cache=False)\"` "
                     "and restart the kernel."),
    "env_language": "Unknown language {lang!r}: use \"en\" or \"zh\".",
    # ---- coursekit.check(): the expected score of the open notebook --------------
    "nbcheck_title": "coursekit.check: {notebook} (visible checks only)",
    "nbcheck_not_implemented": "not implemented yet (the function still raises NotImplementedError)",
    "nbcheck_missing": "{name} is not defined: run the cell that defines it, then check again.",
    "nbcheck_no_call": ("its tests cell is missing or differs from the one you received, so it is not run "
                        "(grading gives it 0 points). Download a fresh copy of the notebook and move your "
                        "answers into it."),
    "nbcheck_unknown": "this chainrule does not know the exercise: update chainrule and restart the kernel.",
    "nbcheck_error": "the check itself raised {etype}: {emsg}",
    "nbcheck_total": ("Expected score: {earned} / {total} points ({passed} of {n} exercises pass their "
                      "visible checks)."),
    "nbcheck_hidden": ("Hidden tests may still fail: the grader also runs hidden cases with other inputs, "
                       "so this is an upper estimate."),
    "nbcheck_save": ("Before you submit: save the notebook, run Kernel > Restart Kernel and Run All Cells, "
                     "and check again: the grader takes your functions from the saved file, not from this session."),
    "nbcheck_repr": "<coursekit.check: {earned} / {total} points expected, {passed} of {n} exercises pass>",
    "nbcheck_no_path": ("check() cannot tell which notebook is open here. Pass its path, e.g. "
                        "coursekit.check(path=\"ch01_derivatives.ipynb\"), the file name shown in "
                        "Jupyter's file browser."),
    "nbcheck_not_found": ("{path}: no such notebook file. Pass the path of your notebook, e.g. "
                          "coursekit.check(path=\"ch01_derivatives.ipynb\")."),
    "nbcheck_unreadable": "{path} could not be read as a notebook ({error}).",
    "nbcheck_no_exercises": ("{path} has no graded exercises (no tests cells with nbgrader metadata): "
                             "is it a course notebook?"),
}

ZH = {
    # ---- 报告的框架 -------------------------------------------------------------
    "pass": "✓ {exercise}：{n} 项检查全部通过。",
    "pass_hidden": "✓ {exercise}：{n} 项隐藏测试全部通过。",
    "hidden_elsewhere": "– {exercise}：隐藏测试只在评分时运行；这里安装的只有公开检查，没有参考答案。",
    "key_needed": ("这个用例无法在你的笔记本里检查：它的期望值取决于你自己前面的结果，而计算它所需的参考答案只在评分程序那里。"
                   "到这里为止你的代码运行没有出错；评分时会检查这个用例。"),
    "fail_header": "✗ {exercise}：第 {case} 个用例（共 {total} 个）未通过：{desc}",
    "detail_scalar": "  {what}：期望 {expected}，实际得到 {got}（相对误差 {rel}）。",
    "detail_array": ("  {what}，形状 {shape}：{size} 个元素中有 {nbad} 个不对；误差最大的在索引 {index}："
                     "期望 {expected}，实际得到 {got}（相对误差 {rel}）。"),
    "detail_shape": "  {what}：期望形状 {expected_shape}，实际形状 {got_shape}。",
    "what_output": "你的返回值",
    "what_input": "函数返回之后的输入 x",
    "hint": "  提示：{text}",
    # ---- 通用错误 ---------------------------------------------------------------
    "tool_not_allowed": ("`{name}` 来自 `{module}`，而 {exercise} 不允许使用它：这里要你自己推导梯度，"
                         "只用 NumPy 和 Python 标准库。评分时本练习无法使用 `{module}`。"),
    "not_implemented": ("{exercise} 仍然抛出 NotImplementedError。把 `raise NotImplementedError()` 这一行"
                        "换成你的代码，先运行那个单元格，再重新运行本单元格。"),
    "exception": ("你的函数抛出了 {etype}：{emsg}。这条消息上方的回溯（traceback）指出了出错的那一行；"
                  "用本用例的输入手动调用你的函数，就能复现这个错误。"),
    "broadcast_error": ("你的函数抛出了 {etype}：{emsg}。某个运算里两个数组的形状无法广播：先把形状打印出来。"
                        ".sum(axis=1)、.mean(axis=1) 这类归约会去掉该轴；加上 keepdims=True 可以保留它，"
                        "结果才能和输入正确广播。"),
    "none_returned": "你的函数返回了 None：是不是忘了写 `return`？",
    "bad_type": "你的函数返回了 {gtype}，它既不是数，也不是 NumPy 数组。",
    "shape": "结果的形状是 {got_shape}，应当是 {expected_shape}。检查一下每步运算保留或去掉了哪些轴。",
    "not_scalar": "结果应当是一个数，却是形状为 {got_shape} 的数组。用 np.max 或 np.sum 等把它归约，返回一个 float。",
    "nan": "结果在索引 {index} 处含有 NaN 或 inf。检查是否除以了零（0/0 得 NaN），或对负数取了对数、开了平方。",
    "sign": "数值大小都对，符号却全反了（你的结果 ≈ −期望值）：某处丢了或多了一个负号，比如减法的顺序写反了，或者某个局部导数的符号不对。",
    "factor_2": "结果恰好是期望值的 2 倍：某处少了一个因子 1/2，或者有一项被算了两次。",
    "factor_half": "结果恰好是期望值的一半：某处多了一个因子 1/2，或者两个相等的项漏掉了一个。",
    "transpose": "结果是期望值的转置（你的结果 ≈ 期望值.T）：检查轴的顺序。",
    "missing_batch_sum": ("结果还保留着批次轴（第 {axis} 轴，大小 {n}）；沿这个轴求和之后就对了。"
                          "所有样本共享的参数，其梯度是各样本贡献之和：沿第 {axis} 轴求和。"),
    "batch_mean": "结果等于期望值除以批大小 {n}：在应当求和的地方你对批次轴取了平均。",
    "missing_batch_mean": "结果是期望值的 {n} 倍（{n} 是批大小）：少了除以批大小（即沿批次轴取平均）这一步。",
    "wrong_values": "数值不对，而且不像任何一种常见错误。请用上面列出的输入手算第一个失败的用例，逐步对照。",
    "modified_input": ("你的函数改动了输入 x：返回之后 x{index} 是 {after}，原本是 {before}。"
                       "每个被扰动的元素都要恢复原值（先保存旧值，再放回去），或者在副本（x.copy()）上操作。"),
    "input_changed": ("你的函数原地改动了它的参数 {position}（从 1 开始数）：返回之后，它在 {index} 处是 {after}，"
                      "原本是 {before}。请保持输入不变，在副本上操作（a = a.copy()）。"),
    # ---- 环境检查 -----------------------------------------------------------------
    "env_ok": "环境正常：Python {python}，chainrule {chainrule}，NumPy {numpy}，matplotlib {matplotlib}{font}。",
    "env_font": "，中文字体 {family}（{source}）",
    "env_problems": "环境需要处理以下问题：",
    "env_python": ("Python {version} 版本太旧：本课程需要 Python 3.10 或更高版本。请安装新版 Python，"
                   "再运行一次 `make lab`（它会用 PATH 上的第一个 `python3` 创建 .venv）。"),
    "env_numpy": "NumPy {version} 版本太旧（或未安装）：本课程需要 NumPy 1.23 或更高版本。在仓库目录下运行 `pip install -e .`（或 `make lab`）。",
    "env_matplotlib": ("没有安装 matplotlib，图画不出来。在仓库目录下运行 `pip install -e \".[plot]\"`（或 `make lab`），"
                       "然后重启内核。"),
    "env_chainrule": ("当前的 chainrule（{version}，来自 {path}）不是安装好的课程包。在仓库目录下运行 `pip install -e .`"
                      "（或 `make lab`），然后重启内核。"),
    "env_cjk_font": ("没有找到中文字体：图中的中文会显示成方框。请运行 `pip install noto-cjk-sans-otc`"
                     "（`make lab` 和 Binder 都会安装它），然后重启内核。也可以安装系统字体："
                     "Debian/Ubuntu 上运行 `apt-get install fonts-noto-cjk`（macOS 上："
                     "`brew install --cask font-noto-sans-cjk-sc`），然后重建 matplotlib 的字体缓存："
                     "`python -c \"import matplotlib.font_manager as f; f._load_fontmanager(try_read_cache=False)\"`，"
                     "再重启内核。"),
    "env_language": "未知的语言 {lang!r}：请用 \"en\" 或 \"zh\"。",
    # ---- coursekit.check()：当前笔记本的预计得分 ---------------------------------
    "nbcheck_title": "coursekit.check：{notebook}（只运行公开检查）",
    "nbcheck_not_implemented": "尚未实现（函数仍然抛出 NotImplementedError）",
    "nbcheck_missing": "{name} 还没有定义：先运行定义它的单元格，再检查一次。",
    "nbcheck_no_call": "它的测试单元格不见了，或者与你收到的不一样，所以没有运行（评分时这道练习得 0 分）。请下载一份新的笔记本，把你的答案移过去。",
    "nbcheck_unknown": "当前的 chainrule 不认识这个练习：请更新 chainrule 并重启内核。",
    "nbcheck_error": "检查本身抛出了 {etype}：{emsg}",
    "nbcheck_total": "预计得分：{earned} / {total} 分（{n} 个练习中有 {passed} 个通过了公开检查）。",
    "nbcheck_hidden": "隐藏测试仍可能不通过：评分程序还会用别的输入运行隐藏用例，所以这只是一个上限估计。",
    "nbcheck_save": ("提交之前：保存笔记本，运行“内核 > 重启内核并运行所有单元格”，再检查一次：评分程序使用的是"
                     "保存下来的文件里的函数，而不是当前会话中的。"),
    "nbcheck_repr": "<coursekit.check：预计 {earned} / {total} 分，{n} 个练习中有 {passed} 个通过>",
    "nbcheck_no_path": ("check() 无法确定这里打开的是哪个笔记本。请传入它的路径，例如 "
                        "coursekit.check(path=\"ch01_derivatives.ipynb\")，即 Jupyter 文件浏览器里显示的文件名。"),
    "nbcheck_not_found": ("{path}：找不到这个笔记本文件。请传入你的笔记本的路径，例如 "
                          "coursekit.check(path=\"ch01_derivatives.ipynb\")。"),
    "nbcheck_unreadable": "{path} 无法作为笔记本读取（{error}）。",
    "nbcheck_no_exercises": "{path} 里没有计分的练习（没有带 nbgrader 元数据的测试单元格）：这是课程的笔记本吗？",
}
