"""Chapter 5: backprop in convolutional networks. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- ch05: backprop in convolutional networks ---------------------------------
    "conv_kernel_flipped": ("{name} is what a *flipped* kernel gives (true convolution, w[:, :, ::-1, ::-1]). "
                            "Deep learning's conv2d is a cross-correlation: out[n, f, i, j] = sum over c, p, q of "
                            "xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q], with the kernel as it is."),
    "conv_missing_bias": ("The bias is missing: add b[f] to every pixel of output channel f, e.g. "
                          "out += b[None, :, None, None]."),
    "conv_padding_ignored": ("Your output is what padding = 0 gives, but this case has padding = {padding}: pad x "
                             "with {padding} zeros on every side of both spatial axes first, e.g. np.pad(x, "
                             "((0, 0), (0, 0), (P, P), (P, P)))."),
    "conv_padding_one_side": ("You padded only the top and left (or only one side) of x: padding = {padding} "
                              "adds {padding} zeros on *every* side, ((P, P), (P, P)) in np.pad."),
    "conv_stride_ignored": ("Your output is what stride 1 gives, but this case has stride = {stride}: output pixel "
                            "(i, j) reads the window that starts at (i*stride, j*stride), and there are only "
                            "Ho = (H + 2*padding − kh) // stride + 1 = {ho} rows."),
    "conv_out_sign": ("{name} has the wrong sign (got ≈ −expected), or its sum of products has: out[n, f, i, j] "
                      "= b[f] + the sum over c, p, q of xpad · w, all added, nothing subtracted."),
    "conv_out_factor": ("{name} is {factor} × the expected output. Each output pixel is one sum of products over "
                        "its window, plus b[f] once: look for a term added twice or a stray factor."),
    "conv_nhwc": ("Your output has the channel axis last (N, Ho, Wo, F). This course uses PyTorch's NCHW "
                  "layout: out has shape (N, F, Ho, Wo); move the axis, e.g. with .transpose(0, 3, 1, 2)."),
    "conv_output_size": ("The output size is off by one. With H = {h}, kernel {kh}, padding {padding} and stride "
                         "{stride}: Ho = (H + 2*padding − kh) // stride + 1 = {ho} (and Wo = {wo}). The last "
                         "window must fit entirely inside the padded input; range(Ho) then visits every start."),
    "conv_dx_kernel_not_flipped": ("{name} is the full correlation of dout with the *unflipped* kernel. dx is a "
                                   "full convolution of dout with the kernel flipped in both spatial axes "
                                   "(w[:, :, ::-1, ::-1]). The safest way is the scatter form: for every output "
                                   "pixel, add dout[n, f, i, j] * w[f] onto the window of xpad it came from."),
    "conv_dx_padding_not_removed": ("{name} still contains the padding: its shape is that of the padded input. "
                                    "The zeros added around x are not inputs; compute the gradient of the padded "
                                    "input, then cut the border off: dx = dxpad[:, :, P:P+H, P:P+W] with "
                                    "P = {padding}."),
    "conv_stride_ignored_backward": ("{name} is what stride 1 would give, but this case has stride = {stride}. "
                                     "In the backward pass as in the forward one, output pixel (i, j) belongs to "
                                     "the window starting at (i*stride, j*stride): send its gradient there."),
    "conv_channels_swapped": ("{name} is what you get with the channel axes of w swapped. w has shape "
                              "(F, C, kh, kw) = (out_channels, in_channels, kh, kw): F filters, each with C "
                              "channels. Sum over F for dx, over C for out."),
    "conv_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). A backward pass "
                       "multiplies and adds the upstream gradient; no minus sign appears anywhere."),
    "conv_overwrite": ("{name} is what the loops give with `=` where `+=` belongs: each window (or image, or "
                       "filter) *replaced* what the one before had written. A shared weight collects one "
                       "contribution per position and image, an input pixel one per window that covers it and "
                       "per filter, and b[f] one per output pixel: accumulate them all with +=, starting from "
                       "zeros."),
    "conv_grad_factor": ("{name} is {factor} × the expected gradient. Each term xpad · w sends dout times its "
                         "other factor once to each of its two factors, and b[f] gets dout once: nothing in this "
                         "backward pass doubles or halves. Look for a contribution added twice, or a stray "
                         "factor."),
    "conv_dx_missing_filter_sum": ("{name} has one gradient per filter, shape (N, F, C, H, W). Every filter read "
                                   "the same input pixels, so their contributions add up: sum over f too, "
                                   "giving dx the shape of x, (N, C, H, W)."),
    "conv_dw_missing_batch_sum": ("{name} still has the batch axis: you returned one gradient per image "
                                  "(N = {n}). The kernel is shared by all images (and all positions), so its "
                                  "gradient adds up every contribution: sum over n as well."),
    "conv_dw_flipped": ("{name} is flipped in both spatial axes. dw[f, c, p, q] is the correlation of the input "
                        "with dout: the sum over n, i, j of xpad[n, c, i*stride + p, j*stride + q] * "
                        "dout[n, f, i, j], with no flip."),
    "conv_dw_channels_swapped": ("{name} has its first two axes swapped: dw must have the shape of w, "
                                 "(F, C, kh, kw) = ({f}, {c}, {kh}, {kw})."),
    "conv_grad_divided_by_n": ("{name} is the expected gradient divided by the batch size N = {n}. If the loss "
                               "is a mean, its 1/N is already in dout; a layer only sums."),
    "conv_db_not_summed": ("{name} is not fully summed. b[f] is added to every pixel of every image of channel f, "
                           "so db[f] sums dout over the batch *and* the spatial axes: "
                           "db = dout.sum(axis=(0, 2, 3)), shape (F,)."),
    "conv_db_mean": ("{name} is a mean where a sum is expected: db = dout.sum(axis=(0, 2, 3)). Each of the "
                     "N·Ho·Wo positions where b[f] was added contributes its full gradient."),
    "conv_shape_error": ("Your function raised {etype}: {emsg}. Two arrays with clashing shapes met. The layouts "
                         "are x (N, C, H, W), w (F, C, kh, kw), b (F,), out and dout (N, F, Ho, Wo): a window "
                         "xpad[n, :, rows, cols] has shape (C, kh, kw), like one filter w[f]. Print the shapes "
                         "at the failing line."),
    "pool_shape_error": ("Your function raised {etype}: {emsg}. Two arrays with clashing shapes met. x is "
                         "(N, C, H, W) and dout (N, C, Ho, Wo); the window of output (i, j) is "
                         "x[:, :, i*stride : i*stride + kh, j*stride : j*stride + kw]. A window that runs past the "
                         "edge of x (and so comes out smaller) usually means the stride was ignored."),
    "pool_bad_return": "Your function should return dx alone (an array of x's shape), but it returned {got}.",
    "maxpool_spread": ("{name} spreads each window's gradient over the whole window. Only the maximum of a "
                       "window reached the output; the other elements had no effect, so their gradient is 0. "
                       "Send dout[n, c, i, j] to the position of the maximum only (np.argmax over the window)."),
    "maxpool_min": "{name} sends the gradient to each window's minimum: it belongs to the maximum (argmax).",
    "maxpool_times_x": ("{name} is multiplied by x. The max passes its input through unchanged, so its local "
                        "gradient is 1 at the maximum (0 elsewhere): dx = dout at the max position."),
    "pool_missing_upstream": ("You returned the local gradient only (a mask or the window weights). Multiply it "
                              "by the upstream gradient: dout[n, c, i, j] goes to the window of output (i, j)."),
    "pool_overlap_overwrite": ("{name} is right except where windows overlap (stride {stride} is smaller than "
                               "the {kh}×{kw} window): you *assigned* (=) each window's gradient, so a later window "
                               "overwrote an earlier one. An input in two windows gets both gradients: use +=."),
    "pool_stride_ignored": ("{name} is what stride {wrong} gives, but this case has stride = {stride}: the "
                            "window of output (i, j) starts at (i*stride, j*stride)."),
    "avgpool_not_divided": ("{name} is {k} times too large: the average divides by the window size kh·kw = {k}, "
                            "so each of its elements gets dout / {k}."),
    "avgpool_divided_twice": "{name} is divided by the window size {k} twice: divide once, dx += dout / (kh·kw).",
    "avgpool_wrong_divisor": ("{name} is divided by the wrong number: the window has kh·kw = {kh}·{kw} = {k} "
                              "elements, and each gets dout / {k}."),
    "avgpool_routed_to_max": ("{name} sends the gradient to the maximum only, as max pooling does. Every element "
                              "of an average counts equally: each gets dout / (kh·kw)."),
}

ZH = {
    # ---- ch05：卷积网络中的反向传播 -----------------------------------------------
    "conv_kernel_flipped": ("{name} 是把卷积核*翻转*之后（数学上的卷积，w[:, :, ::-1, ::-1]）得到的结果。"
                            "深度学习中的 conv2d 其实是互相关：out[n, f, i, j] = 对 c、p、q 求和 "
                            "xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q]，卷积核保持原样。"),
    "conv_missing_bias": "漏掉了偏置：输出通道 f 的每个像素都要加上 b[f]，例如 out += b[None, :, None, None]。",
    "conv_padding_ignored": ("你的输出是 padding = 0 时的结果，而这个用例的 padding = {padding}：先在 x 的两个空间轴"
                             "的每一侧补 {padding} 个零，例如 np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))。"),
    "conv_padding_one_side": ("你只在 x 的上方和左方（或只在一侧）做了填充：padding = {padding} 要在*每一侧*"
                              "都补 {padding} 个零，即 np.pad 中的 ((P, P), (P, P))。"),
    "conv_stride_ignored": ("你的输出是步幅为 1 时的结果，而这个用例的 stride = {stride}：输出像素 (i, j) 读取的"
                            "窗口从 (i*stride, j*stride) 开始，输出只有 Ho = (H + 2*padding − kh) // stride + 1 = "
                            "{ho} 行。"),
    "conv_out_sign": ("{name} 的符号反了（实际 ≈ −期望），或者乘积之和的符号反了：out[n, f, i, j] = b[f] 加上对 c、p、q "
                      "求和的 xpad · w，全部相加，没有相减。"),
    "conv_out_factor": "{name} 是期望输出的 {factor} 倍。每个输出像素是它的窗口上的一个乘积之和，再加一次 b[f]：找一找是不是某一项加了两次，或者多出了一个因子。",
    "conv_nhwc": ("你的输出把通道轴放在了最后 (N, Ho, Wo, F)。本课程使用 PyTorch 的 NCHW 布局：out 的形状是 "
                  "(N, F, Ho, Wo)；请移动这个轴，例如用 .transpose(0, 3, 1, 2)。"),
    "conv_output_size": ("输出尺寸差了 1。H = {h}、卷积核 {kh}、padding {padding}、stride {stride} 时："
                         "Ho = (H + 2*padding − kh) // stride + 1 = {ho}（Wo = {wo}）。最后一个窗口必须完全落在"
                         "填充后的输入之内；这样 range(Ho) 正好访问每一个起点。"),
    "conv_dx_kernel_not_flipped": ("{name} 是 dout 与*未翻转*的卷积核做全互相关的结果。dx 是 dout 与在两个空间轴上"
                                   "都翻转过的卷积核（w[:, :, ::-1, ::-1]）做的全卷积。最稳妥的是“散射”写法："
                                   "对每个输出像素，把 dout[n, f, i, j] * w[f] 加回到它所来自的 xpad 窗口上。"),
    "conv_dx_padding_not_removed": ("{name} 里还带着填充：它的形状是填充后输入的形状。补在 x 周围的零不是输入；"
                                    "先求对填充后输入的梯度，再把边框切掉：dx = dxpad[:, :, P:P+H, P:P+W]，"
                                    "其中 P = {padding}。"),
    "conv_stride_ignored_backward": ("{name} 是步幅为 1 时的结果，而这个用例的 stride = {stride}。反向传递和前向"
                                     "一样，输出像素 (i, j) 属于从 (i*stride, j*stride) 开始的窗口：把它的梯度"
                                     "送回那里。"),
    "conv_channels_swapped": ("{name} 是把 w 的两个通道轴互换之后的结果。w 的形状是 (F, C, kh, kw) = "
                              "(out_channels, in_channels, kh, kw)：F 个卷积核，每个有 C 个通道。求 dx 时对 F "
                              "求和，求 out 时对 C 求和。"),
    "conv_grad_sign": "{name} 的大小对，符号反了（实际 ≈ −期望）。反向传递只是把上游梯度相乘、相加，任何地方都不会出现负号。",
    "conv_overwrite": ("{name} 正是循环里在该用 `+=` 的地方用了 `=` 的结果：每个窗口（或图像、滤波器）都把前一个"
                       "写进去的值*替换*掉了。共享的权重在每个位置、每张图像各收到一份贡献，一个输入像素从覆盖它的"
                       "每个窗口、每个滤波器各收到一份，b[f] 从每个输出像素收到一份：从零开始，全部用 += 累加。"),
    "conv_grad_factor": ("{name} 是期望梯度的 {factor} 倍。每一项 xpad · w 都把 dout 乘以另一个因子，给它的两个"
                         "因子各送一次；b[f] 得到的 dout 也只有一次：这个反向传递里没有任何地方会翻倍或减半。"
                         "找一找是不是某份贡献加了两次，或者多出了一个因子。"),
    "conv_dx_missing_filter_sum": ("{name} 为每个滤波器各给了一个梯度，形状是 (N, F, C, H, W)。每个滤波器读的是同一批"
                                   "输入像素，所以它们的贡献要相加：对 f 也求和，dx 才与 x 同形，即 (N, C, H, W)。"),
    "conv_dw_missing_batch_sum": ("{name} 还带着批次这一轴：你为每张图像各返回了一个梯度（N = {n}）。卷积核由"
                                  "所有图像（以及所有位置）共享，它的梯度要把所有贡献加起来：对 n 也要求和。"),
    "conv_dw_flipped": ("{name} 在两个空间轴上被翻转了。dw[f, c, p, q] 是输入与 dout 的互相关：对 n、i、j 求和 "
                        "xpad[n, c, i*stride + p, j*stride + q] * dout[n, f, i, j]，不需要翻转。"),
    "conv_dw_channels_swapped": "{name} 的前两个轴互换了：dw 必须与 w 同形，即 (F, C, kh, kw) = ({f}, {c}, {kh}, {kw})。",
    "conv_grad_divided_by_n": "{name} 是期望梯度除以批大小 N = {n}。如果损失是平均值，它的 1/N 已经包含在 dout 里；层本身只求和。",
    "conv_db_not_summed": ("{name} 没有求和完全。b[f] 加到了通道 f 每张图像的每个像素上，所以 db[f] 要把 dout "
                           "沿批次轴*和*两个空间轴都加起来：db = dout.sum(axis=(0, 2, 3))，形状为 (F,)。"),
    "conv_db_mean": ("{name} 在应当求和的地方取了平均：db = dout.sum(axis=(0, 2, 3))。b[f] 被加到的 N·Ho·Wo "
                     "个位置，每一个都贡献完整的梯度。"),
    "conv_shape_error": ("你的函数抛出了 {etype}：{emsg}。两个形状不匹配的数组碰到了一起。各数组的布局是 "
                         "x (N, C, H, W)、w (F, C, kh, kw)、b (F,)、out 和 dout (N, F, Ho, Wo)：一个窗口 "
                         "xpad[n, :, rows, cols] 的形状是 (C, kh, kw)，与一个卷积核 w[f] 相同。在出错的那一行"
                         "把形状打印出来。"),
    "pool_shape_error": ("你的函数抛出了 {etype}：{emsg}。两个形状不匹配的数组碰到了一起。x 是 (N, C, H, W)，"
                         "dout 是 (N, C, Ho, Wo)；输出 (i, j) 的窗口是 "
                         "x[:, :, i*stride : i*stride + kh, j*stride : j*stride + kw]。窗口越过了 x 的边缘"
                         "（于是切出来的比窗口小），通常说明忽略了步幅。"),
    "pool_bad_return": "你的函数应当只返回 dx（与 x 同形的数组），实际返回的是 {got}。",
    "maxpool_spread": ("{name} 把每个窗口的梯度分给了整个窗口。只有窗口中的最大值到达了输出，其他元素对输出没有"
                       "影响，它们的梯度是 0。只把 dout[n, c, i, j] 送到最大值所在的位置（对窗口取 np.argmax）。"),
    "maxpool_min": "{name} 把梯度送到了每个窗口的最小值处：它应当送到最大值处（argmax）。",
    "maxpool_times_x": ("{name} 被乘上了 x。max 把它的输入原样传出，所以局部梯度在最大值处是 1（其他地方是 0）："
                        "最大值位置上 dx = dout。"),
    "pool_missing_upstream": ("你只返回了局部梯度（一个掩码或窗口权重）。要乘以上游梯度：dout[n, c, i, j] "
                              "送到输出 (i, j) 对应的窗口。"),
    "pool_overlap_overwrite": ("{name} 只在窗口重叠的地方出错（步幅 {stride} 小于 {kh}×{kw} 的窗口）：你对每个"
                               "窗口的梯度用的是*赋值*（=），于是后一个窗口覆盖了前一个。落在两个窗口里的输入要得到"
                               "两份梯度：用 +=。"),
    "pool_stride_ignored": ("{name} 是步幅为 {wrong} 时的结果，而这个用例的 stride = {stride}：输出 (i, j) 的窗口"
                            "从 (i*stride, j*stride) 开始。"),
    "avgpool_not_divided": "{name} 大了 {k} 倍：平均要除以窗口大小 kh·kw = {k}，所以窗口中每个元素得到 dout / {k}。",
    "avgpool_divided_twice": "{name} 除了两次窗口大小 {k}：只除一次，dx += dout / (kh·kw)。",
    "avgpool_wrong_divisor": "{name} 除以的数不对：窗口有 kh·kw = {kh}·{kw} = {k} 个元素，每个得到 dout / {k}。",
    "avgpool_routed_to_max": ("{name} 像最大池化那样只把梯度送给了最大值。平均值中每个元素的地位相同："
                              "每个都得到 dout / (kh·kw)。"),
}
