"""Chapter 7: vanishing and exploding gradients. One table per language, same keys (see :mod:`chainrule.checks.messages`)."""

EN = {
    # ---- ch07: vanishing and exploding gradients ------------------------------
    "what_dgamma": "dgamma",
    "what_dbeta": "dbeta",
    "what_total_norm": "total_norm",
    "what_clipped_0": "clipped[0]",
    "what_clipped_1": "clipped[1]",
    "what_clipped_2": "clipped[2]",
    "what_clipped_3": "clipped[3]",
    "what_clipped_4": "clipped[4]",
    "what_scale": "the scale",
    "bn_only_direct_term": ("{name} is only the direct path gamma * dout / sqrt(var + eps). The mean and the "
                            "variance of the batch depend on every x too: add the two paths through them, "
                            "dx = gamma / sqrt(var + eps) * (dout − mean(dout) − x_hat * mean(dout * x_hat)), "
                            "means over the batch axis 0."),
    "bn_missing_var_term": ("dx lacks the path through the variance: you subtracted mean(dout) but not "
                            "x_hat * mean(dout * x_hat). The variance depends on every x_i as well: "
                            "dx = gamma / sqrt(var + eps) * (dout − mean(dout) − x_hat * mean(dout * x_hat))."),
    "bn_missing_mean_term": ("dx lacks the path through the mean: subtract mean(dout) over the batch as well, "
                             "dx = gamma / sqrt(var + eps) * (dout − mean(dout) − x_hat * mean(dout * x_hat))."),
    "bn_missing_gamma": ("dx is the right one divided by gamma: out = gamma * x_hat + beta, so dL/dx_hat = "
                         "gamma * dout. Multiply by gamma."),
    "bn_unbiased_var": ("dx matches the unbiased variance (a division by N − 1 = {n} − 1). Batch norm in "
                        "training mode normalises with the *biased* batch variance, x.var(axis=0) (divide by "
                        "N): use the var of the cache, and 1/N in the backward."),
    "bn_eps_misplaced": ("eps is misplaced: you divided by sqrt(var) + eps. The forward divides by "
                         "sqrt(var + eps) (eps = {eps} inside the root): use exactly that std in the backward."),
    "bn_eps_forgotten": ("eps is missing: you divided by sqrt(var). The forward divides by sqrt(var + eps) with "
                         "eps = {eps}: the backward must use the same std."),
    "bn_param_missing_batch_sum": ("{name} still has the batch axis (one row per sample, N = {n}). gamma and beta "
                                   "are shared by all samples: sum over axis 0."),
    "bn_dgamma_missing_xhat": ("dgamma is dout summed over the batch: that is dbeta. gamma multiplies x_hat, so "
                               "dgamma = (dout * x_hat).sum(axis=0)."),
    "bn_dgamma_uses_x": ("dgamma uses x instead of x_hat: gamma multiplies the *normalised* input, so "
                         "dgamma = (dout * x_hat).sum(axis=0)."),
    "bn_swapped_dgamma_dbeta": ("dbeta is (dout * x_hat).sum(axis=0), the gradient of gamma: dgamma and dbeta "
                                "are swapped. beta is added, so dbeta = dout.sum(axis=0)."),
    "clip_not_a_list": ("Return a list of {n} arrays, one per gradient, in the order of grads; you returned "
                        "{got}."),
    "clip_in_place": ("Your function changed its argument {name} in place: after it returned, {name}{index} was "
                      "{after} instead of {before}. The contract here is to return new arrays and leave grads as it "
                      "was: write g * scale or np.clip(g, ...) (new arrays), not g *= scale or np.clip(..., out=g)."),
    "clip_list_modified": ("Your function changed the list grads itself (its length or its items). Build and "
                           "return a new list: the caller's list must stay as it was."),
    "clip_norm_squared": ("total_norm is the squared norm: take the square root, "
                          "sqrt(sum of all squared elements)."),
    "clip_norm_sum_of_norms": ("total_norm is the sum of the arrays' norms. The global norm treats all the "
                               "arrays as one long vector: sqrt(‖g₁‖² + ‖g₂‖² + …), not ‖g₁‖ + ‖g₂‖ + …."),
    "clip_norm_after_clipping": ("total_norm is the norm *after* clipping (max_norm = {max_norm}). Return the "
                                 "norm before clipping ({total}), as torch.nn.utils.clip_grad_norm_ does: it "
                                 "is what you log to see an explosion."),
    "clip_norm_max_abs": ("total_norm is the largest |element|, the ∞-norm. Here the norm is the L2 norm: "
                          "sqrt of the sum of all squared elements."),
    "clip_norm_first_only": "total_norm is the norm of grads[0] only: include every array of the list.",
    "clip_per_tensor": ("{name} was clipped with its own norm. Clipping by norm uses one global norm over all "
                        "arrays ({total} here) and one common factor max_norm / total_norm, so the direction "
                        "of the whole gradient is kept."),
    "clip_inverted_ratio": ("{name} is scaled by total_norm / max_norm, the inverse of the right factor: "
                            "multiply by max_norm / total_norm (< 1), so that the new norm equals max_norm."),
    "clip_scales_up": ("{name} was rescaled although the total norm {total} is already ≤ max_norm = {max_norm}. "
                       "Clip only when total_norm > max_norm; otherwise return the gradients unchanged "
                       "(never scale up)."),
    "clip_squared_norm": ("{name} was scaled by max_norm / total_norm²: divide by the norm itself, "
                          "factor = max_norm / total_norm."),
    "clip_value_one_sided": ("{name} is clipped on one side only. Clamp into [−{c}, {c}]: "
                             "np.clip(g, -clip_value, clip_value)."),
    "clip_value_abs": ("{name} lost its signs: you clamped |g|. Clamp g itself, "
                       "np.clip(g, -clip_value, clip_value): −5 becomes −{c}, not +{c}."),
    "clip_value_sign_only": ("{name} is ±{c} everywhere: elements already inside [−{c}, {c}] must stay as they "
                             "are. np.clip(g, -clip_value, clip_value)."),
    "clip_value_zeroed": ("{name} has 0 where |g| > {c}: clipping sets those elements to ±{c} (the nearest "
                          "bound), it does not drop them."),
    "clip_value_rescaled": ("{name} was rescaled as a whole. Clipping by value clamps each element on its own, "
                            "np.clip(g, -clip_value, clip_value); rescaling is clipping by norm."),
    "init_variance_not_std": ("You returned a variance ({scheme}). The exercise asks for a standard deviation "
                              "(or the uniform bound sqrt(3)·std): take the square root."),
    "init_xavier_fan_in_only": ("That is sqrt(1 / fan_in), LeCun's scale. Xavier averages the fans: "
                                "std = sqrt(2 / (fan_in + fan_out))."),
    "init_xavier_fan_out_only": ("That uses fan_out only. Xavier averages the fans: "
                                 "std = sqrt(2 / (fan_in + fan_out))."),
    "init_xavier_missing_2": ("The 2 is missing: Xavier's variance is 2 / (fan_in + fan_out), the inverse of the "
                              "*average* of fan_in and fan_out."),
    "init_xavier_used_he": ("That is He's scale sqrt(2 / fan): for scheme \"xavier\" use "
                            "std = sqrt(2 / (fan_in + fan_out))."),
    "init_he_fan_out": ("You used fan_out = {fan_out} where He uses fan_in = {fan_in}: each output sums fan_in "
                        "products, so std = sqrt(2 / fan_in) keeps the forward variance."),
    "init_he_missing_gain": ("The gain √2 of ReLU is missing: ReLU zeroes half of its inputs and halves the second "
                             "moment, so He's variance is 2 / fan_in, std = sqrt(2 / fan_in)."),
    "init_he_gain_squared": ("That is 2 / sqrt(fan_in): the gain √2 multiplies the std (the 2 multiplies the "
                             "variance), std = sqrt(2) / sqrt(fan_in)."),
    "init_he_used_xavier": ("That is Xavier's scale: for scheme \"he\" use std = sqrt(2 / fan_in)."),
    "init_uniform_returned_std": ("For distribution \"uniform\" return the bound a of U(−a, a), not the std. "
                                  "U(−a, a) has variance a²/3, so a = sqrt(3) · std."),
    "init_uniform_factor_3": ("The bound is 3·std; U(−a, a) has variance a²/3, so a = sqrt(3) · std."),
    "init_uniform_sqrt6": ("The bound is sqrt(6)·std, one factor sqrt(2) too many: a = sqrt(3) · std "
                           "(U(−a, a) has variance a²/3)."),
    "init_uniform_sqrt3_over": ("You divided the std by sqrt(3); the bound is larger than the std: "
                                "a = sqrt(3) · std (U(−a, a) has variance a²/3)."),
    "init_normal_returned_bound": ("For distribution \"normal\" return the std itself; sqrt(3)·std is the bound "
                                   "of the uniform version."),
}

ZH = {
    # ---- ch07：梯度消失与梯度爆炸 ------------------------------------------------
    "what_dgamma": "dgamma",
    "what_dbeta": "dbeta",
    "what_total_norm": "total_norm",
    "what_clipped_0": "clipped[0]",
    "what_clipped_1": "clipped[1]",
    "what_clipped_2": "clipped[2]",
    "what_clipped_3": "clipped[3]",
    "what_clipped_4": "clipped[4]",
    "what_scale": "尺度",
    "bn_only_direct_term": ("{name} 只有直接路径 gamma * dout / sqrt(var + eps)。批次的均值和方差也依赖于每个 x："
                            "还要加上经过它们的两条路径，dx = gamma / sqrt(var + eps) * (dout − mean(dout) − "
                            "x_hat * mean(dout * x_hat))，均值沿批次轴 0 计算。"),
    "bn_missing_var_term": ("dx 缺少经过方差的路径：你减去了 mean(dout)，却没有减去 x_hat * mean(dout * x_hat)。"
                            "方差同样依赖于每个 x_i：dx = gamma / sqrt(var + eps) * (dout − mean(dout) − "
                            "x_hat * mean(dout * x_hat))。"),
    "bn_missing_mean_term": ("dx 缺少经过均值的路径：还要减去沿批次的 mean(dout)，dx = gamma / sqrt(var + eps) * "
                             "(dout − mean(dout) − x_hat * mean(dout * x_hat))。"),
    "bn_missing_gamma": ("dx 是正确值除以 gamma：out = gamma * x_hat + beta，所以 dL/dx_hat = gamma * dout。"
                         "要乘上 gamma。"),
    "bn_unbiased_var": ("dx 对应的是无偏方差（除以 N − 1 = {n} − 1）。训练模式下的批量归一化用的是*有偏*的批方差 "
                        "x.var(axis=0)（除以 N）：用缓存里的 var，反向计算里也用 1/N。"),
    "bn_eps_misplaced": ("eps 放错了位置：你除以的是 sqrt(var) + eps。前向计算除以的是 sqrt(var + eps)"
                         "（eps = {eps} 在根号里面）：反向计算要用完全相同的标准差。"),
    "bn_eps_forgotten": ("漏掉了 eps：你除以的是 sqrt(var)。前向计算除以的是 sqrt(var + eps)，eps = {eps}："
                         "反向计算必须用同一个标准差。"),
    "bn_param_missing_batch_sum": ("{name} 还带着批次轴（每个样本一行，N = {n}）。gamma 和 beta 由所有样本共享："
                                   "要沿轴 0 求和。"),
    "bn_dgamma_missing_xhat": ("dgamma 是 dout 沿批次的和：那是 dbeta。gamma 乘的是 x_hat，所以 "
                               "dgamma = (dout * x_hat).sum(axis=0)。"),
    "bn_dgamma_uses_x": ("dgamma 用的是 x 而不是 x_hat：gamma 乘的是*归一化之后*的输入，所以 "
                         "dgamma = (dout * x_hat).sum(axis=0)。"),
    "bn_swapped_dgamma_dbeta": ("dbeta 是 (dout * x_hat).sum(axis=0)，那是 gamma 的梯度：dgamma 和 dbeta 弄反了。"
                                "beta 是加上去的，所以 dbeta = dout.sum(axis=0)。"),
    "clip_not_a_list": "应当返回一个含 {n} 个数组的列表，每个梯度一个，顺序与 grads 相同；你返回的是 {got}。",
    "clip_in_place": ("你的函数原地改动了参数 {name}：返回之后 {name}{index} 是 {after}，原本是 {before}。"
                      "这里的约定是返回新数组、保持 grads 不变：写 g * scale 或 np.clip(g, ...)（得到新数组），"
                      "而不是 g *= scale 或 np.clip(..., out=g)。"),
    "clip_list_modified": ("你的函数改动了列表 grads 本身（长度或其中的元素）。请新建一个列表并返回它："
                           "调用者的列表必须保持原样。"),
    "clip_norm_squared": "total_norm 是范数的平方：还要开平方根，范数是所有元素平方和的平方根。",
    "clip_norm_sum_of_norms": ("total_norm 是各数组范数之和。全局范数把所有数组当作一个长向量："
                               "sqrt(‖g₁‖² + ‖g₂‖² + …)，而不是 ‖g₁‖ + ‖g₂‖ + …。"),
    "clip_norm_after_clipping": ("total_norm 是裁剪*之后*的范数（max_norm = {max_norm}）。应返回裁剪之前的范数"
                                 "（这里是 {total}），与 torch.nn.utils.clip_grad_norm_ 相同：记录它才能看出梯度爆炸。"),
    "clip_norm_max_abs": "total_norm 是最大的 |元素|，即 ∞-范数。这里要的是 L2 范数：所有元素平方和的平方根。",
    "clip_norm_first_only": "total_norm 只是 grads[0] 的范数：列表里的每个数组都要算进去。",
    "clip_per_tensor": ("{name} 是按它自己的范数裁剪的。按范数裁剪用的是所有数组共同的一个全局范数（这里是 {total}）"
                        "和同一个系数 max_norm / total_norm，这样整个梯度的方向保持不变。"),
    "clip_inverted_ratio": ("{name} 乘的是 total_norm / max_norm，正好是正确系数的倒数：应乘以 "
                            "max_norm / total_norm（小于 1），使新的范数等于 max_norm。"),
    "clip_scales_up": ("总范数 {total} 已经 ≤ max_norm = {max_norm}，{name} 却仍被缩放了。只有 "
                       "total_norm > max_norm 时才裁剪；否则原样返回梯度（绝不放大）。"),
    "clip_squared_norm": "{name} 乘的是 max_norm / total_norm²：应除以范数本身，系数为 max_norm / total_norm。",
    "clip_value_one_sided": "{name} 只裁剪了一侧。应把元素限制在 [−{c}, {c}] 内：np.clip(g, -clip_value, clip_value)。",
    "clip_value_abs": ("{name} 丢了符号：你裁剪的是 |g|。应裁剪 g 本身，np.clip(g, -clip_value, clip_value)："
                       "−5 应变成 −{c}，而不是 +{c}。"),
    "clip_value_sign_only": ("{name} 处处都是 ±{c}：已经在 [−{c}, {c}] 之内的元素应保持不变。"
                             "np.clip(g, -clip_value, clip_value)。"),
    "clip_value_zeroed": ("{name} 在 |g| > {c} 的地方是 0：裁剪是把这些元素设为 ±{c}（最近的边界），而不是丢掉它们。"),
    "clip_value_rescaled": ("{name} 被整体缩放了。按值裁剪是逐个元素地截断，np.clip(g, -clip_value, clip_value)；"
                            "整体缩放是按范数裁剪。"),
    "init_variance_not_std": ("你返回的是方差（{scheme}）。这道题要的是标准差（或均匀分布的边界 sqrt(3)·std）："
                              "要开平方根。"),
    "init_xavier_fan_in_only": ("这是 sqrt(1 / fan_in)，即 LeCun 的尺度。Xavier 取 fan_in 与 fan_out 的平均："
                                "std = sqrt(2 / (fan_in + fan_out))。"),
    "init_xavier_fan_out_only": "这里只用了 fan_out。Xavier 取两者的平均：std = sqrt(2 / (fan_in + fan_out))。",
    "init_xavier_missing_2": ("少了因子 2：Xavier 的方差是 2 / (fan_in + fan_out)，即 fan_in 与 fan_out 的*平均值*"
                              "的倒数。"),
    "init_xavier_used_he": "这是 He 的尺度 sqrt(2 / fan)：scheme 为 \"xavier\" 时用 std = sqrt(2 / (fan_in + fan_out))。",
    "init_he_fan_out": ("你用了 fan_out = {fan_out}，而 He 用的是 fan_in = {fan_in}：每个输出是 fan_in 个乘积之和，"
                        "所以 std = sqrt(2 / fan_in) 才能保持前向的方差。"),
    "init_he_missing_gain": ("少了 ReLU 的增益 √2：ReLU 把一半输入置零，二阶矩减半，所以 He 的方差是 2 / fan_in，"
                             "std = sqrt(2 / fan_in)。"),
    "init_he_gain_squared": ("这是 2 / sqrt(fan_in)：增益 √2 乘的是标准差（2 乘的是方差），"
                             "std = sqrt(2) / sqrt(fan_in)。"),
    "init_he_used_xavier": "这是 Xavier 的尺度：scheme 为 \"he\" 时用 std = sqrt(2 / fan_in)。",
    "init_uniform_returned_std": ("distribution 为 \"uniform\" 时应返回 U(−a, a) 的边界 a，而不是标准差。"
                                  "U(−a, a) 的方差是 a²/3，所以 a = sqrt(3) · std。"),
    "init_uniform_factor_3": "边界取成了 3·std；U(−a, a) 的方差是 a²/3，所以 a = sqrt(3) · std。",
    "init_uniform_sqrt6": ("边界取成了 sqrt(6)·std，多了一个因子 sqrt(2)：a = sqrt(3) · std"
                           "（U(−a, a) 的方差是 a²/3）。"),
    "init_uniform_sqrt3_over": ("你把标准差除以了 sqrt(3)；边界比标准差大：a = sqrt(3) · std"
                                "（U(−a, a) 的方差是 a²/3）。"),
    "init_normal_returned_bound": ("distribution 为 \"normal\" 时直接返回标准差；sqrt(3)·std 是均匀分布版本的边界。"),
}
