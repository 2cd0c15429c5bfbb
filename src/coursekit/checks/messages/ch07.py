"""Chapter 7: vanishing and exploding gradients. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

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
    "what_stage": "grads['{stage}']",
    "bn_sign": ("{name} has the right size and the wrong sign (got ≈ −expected). In batch norm a sign comes from "
                "the subtractions x − mu and from the derivative of 1/std: check those two stages."),
    "clip_sign": ("{name} has the right size and the wrong sign (got ≈ −expected): clipping only scales or "
                  "clamps, it never flips a gradient's direction."),
    "bn_staged_not_a_dict": ("Return a dict with the gradient of every stage, keys {keys}; you returned {got}."),
    "bn_staged_missing_key": "Your dict has no key '{stage}'. Return the gradient of every stage, keys {keys}.",
    "bn_staged_summed": ("{name} was summed over the batch: x_hat has one value per sample and feature, so its "
                         "gradient keeps the shape (N, D); only gamma and beta, shared by the samples, sum."),
    "bn_staged_inv_uses_xhat": ("{name} multiplies by x_hat: inv multiplies xc in x_hat = xc * inv, so the local "
                                "derivative of x_hat with respect to inv is xc."),
    "bn_staged_reciprocal_sign": ("{name} lacks the minus sign of the derivative of 1/std: d(1/s)/ds = −1/s²."),
    "bn_staged_reciprocal_power": ("{name} divides by std once: the derivative of 1/s is −1/s², with the square."),
    "bn_staged_sqrt_half": ("{name} has the wrong derivative of the square root: d sqrt(v + eps)/dv = "
                            "1 / (2 sqrt(v + eps)) = 1 / (2 std), eps = {eps} included."),
    "bn_staged_xc_one_path": ("{name} has only one of its two paths: xc is used twice, by x_hat = xc * inv and by "
                              "var = mean(xc²). Its gradient is the sum of both (+=, not =)."),
    "bn_staged_var_mean": ("{name}: the path through var is off by a constant. var = (1/N) Σ xc², so "
                           "d var / d xc_i = 2 xc_i / N, with N = {n}."),
    "bn_staged_mu_sign": ("{name} has the wrong sign: xc = x − mu, so mu enters every xc_i with a minus; sum the "
                          "gradient of xc over the batch and negate it."),
    "bn_staged_x_one_path": ("{name} has only one of its two paths: x is used by xc = x − mu and by the mean mu. "
                             "Add both (+=, not =)."),
    "bn_staged_mean_missing_n": ("{name}: the path through the mean lacks 1/N: mu = (1/N) Σ x_i, so each x_i "
                                 "receives 1/N of mu's gradient (N = {n})."),
    "ln_batch_axis": ("{name} was computed with batch norm's axis: layer norm normalises each sample over its "
                      "D = {d} features, so the sums of the mean and variance paths run over axis 1 "
                      "(keepdims=True), not over the batch."),
    "ln_only_direct_term": ("{name} is only the direct path gamma * dout / std. Each sample's mean and variance "
                            "depend on all of its features: add the paths through them."),
    "ln_missing_var_term": ("{name} lacks the path through the sample's variance: var depends on every feature "
                            "of the sample as well."),
    "ln_missing_mean_term": ("{name} lacks the path through the sample's mean: every feature of a sample moves "
                             "its mean, which all of its x_hat use."),
    "ln_param_feature_sum": ("{name} was summed over the features (axis 1). gamma and beta have one value per "
                             "feature, shared by the N = {n} samples: sum over the batch, axis 0."),
    "ln_sign": ("{name} has the right size and the wrong sign (got ≈ −expected): check the subtraction of the "
                "mean and the derivative of 1/std."),
    "drop_missing_scale": ("dx lacks the scale 1/(1 − p) = 1/{keep}: the forward multiplies the kept units by "
                           "1/(1 − p), and the backward must multiply their gradients by the same factor."),
    "drop_scaled_by_p": ("dx is divided by p = {p}, the probability of dropping. The forward scales by "
                         "1/(1 − p), the inverse of the probability of keeping."),
    "drop_multiplied_keep": ("dx is multiplied by 1 − p = {keep}: the forward *divides* by 1 − p, so the local "
                             "derivative of a kept unit is 1/(1 − p)."),
    "drop_missing_mask": ("Dropped units got a gradient: where mask is 0 the output does not depend on x at all, "
                          "so dx must be 0 there."),
    "drop_inverted_mask": ("dx is non-zero exactly where units were dropped: mask is 1 for a *kept* unit; those "
                           "receive the gradient."),
    "drop_missing_upstream": ("You returned the local derivative only: multiply it by the upstream gradient dout."),
    "drop_sign": ("dx has the right size and the wrong sign (got ≈ −expected): dropout only masks and scales."),
    "bn_only_direct_term": ("{name} is only the direct path gamma * dout / sqrt(var + eps). The mean and the "
                            "variance of the batch depend on every x_i too: add the paths through them (each sums "
                            "over the batch). Your staged backward pass has all three."),
    "bn_missing_var_term": ("dx lacks the path through the variance: you kept the direct path and the one "
                            "through the mean. The variance depends on every x_i as well; collapse the var and "
                            "std stages of your staged pass into one term."),
    "bn_missing_mean_term": ("dx lacks the path through the mean: every x_i moves the batch mean, which every "
                             "x_hat_j uses. Collapse the mu stage of your staged pass into one term."),
    "bn_missing_gamma": ("{name} lacks the factor gamma: out = gamma * x_hat + beta, so the gradient that "
                         "reaches x_hat is gamma times dout."),
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
    "what_stage": "grads['{stage}']",
    "bn_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。批量归一化里的符号来自减法 x − mu 和 1/std 的导数："
                "检查这两个阶段。"),
    "clip_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）：裁剪只会缩放或截断，从不翻转梯度的方向。"),
    "bn_staged_not_a_dict": "应当返回一个字典，包含每个阶段的梯度，键为 {keys}；你返回的是 {got}。",
    "bn_staged_missing_key": "你的字典里没有键 '{stage}'。要返回每个阶段的梯度，键为 {keys}。",
    "bn_staged_summed": ("{name} 沿批次求了和：x_hat 每个样本、每个特征各有一个值，所以它的梯度保持形状 (N, D)；"
                         "只有各样本共享的 gamma 和 beta 才需要求和。"),
    "bn_staged_inv_uses_xhat": ("{name} 乘的是 x_hat：在 x_hat = xc * inv 中 inv 乘的是 xc，所以 x_hat 对 inv 的"
                                "局部导数是 xc。"),
    "bn_staged_reciprocal_sign": "{name} 漏掉了 1/std 导数中的负号：d(1/s)/ds = −1/s²。",
    "bn_staged_reciprocal_power": "{name} 只除了一次 std：1/s 的导数是 −1/s²，带平方。",
    "bn_staged_sqrt_half": ("{name} 的平方根求导错了：d sqrt(v + eps)/dv = 1 / (2 sqrt(v + eps)) = 1 / (2 std)，"
                            "其中包含 eps = {eps}。"),
    "bn_staged_xc_one_path": ("{name} 只有两条路径中的一条：xc 被用了两次，一次在 x_hat = xc * inv 中，一次在 "
                              "var = mean(xc²) 中。它的梯度是两条路径之和（用 +=，而不是 =）。"),
    "bn_staged_var_mean": ("{name}：经过 var 的那条路径差了一个常数因子。var = (1/N) Σ xc²，所以 "
                           "d var / d xc_i = 2 xc_i / N，这里 N = {n}。"),
    "bn_staged_mu_sign": ("{name} 的符号反了：xc = x − mu，mu 以负号进入每个 xc_i；把 xc 的梯度沿批次求和，再取负。"),
    "bn_staged_x_one_path": ("{name} 只有两条路径中的一条：x 既用在 xc = x − mu 中，也用在均值 mu 中。"
                             "两条都要加上（用 +=，而不是 =）。"),
    "bn_staged_mean_missing_n": ("{name}：经过均值的路径少了 1/N：mu = (1/N) Σ x_i，所以每个 x_i 分到 mu 的梯度的 "
                                 "1/N（N = {n}）。"),
    "ln_batch_axis": ("{name} 用的是批量归一化的轴：层归一化对每个样本在它的 D = {d} 个特征上归一化，所以均值和"
                      "方差两条路径的求和沿轴 1 进行（keepdims=True），而不是沿批次。"),
    "ln_only_direct_term": ("{name} 只有直接路径 gamma * dout / std。每个样本的均值和方差依赖于它的全部特征："
                            "还要加上经过它们的路径。"),
    "ln_missing_var_term": "{name} 缺少经过样本方差的路径：方差同样依赖于该样本的每个特征。",
    "ln_missing_mean_term": "{name} 缺少经过样本均值的路径：样本的每个特征都会改变它的均值，而它所有的 x_hat 都用到这个均值。",
    "ln_param_feature_sum": ("{name} 是沿特征（轴 1）求和的。gamma 和 beta 每个特征一个值，由 N = {n} 个样本共享："
                             "要沿批次（轴 0）求和。"),
    "ln_sign": "{name} 的大小对，符号反了（实际 ≈ −期望）：检查减去均值的那一步和 1/std 的导数。",
    "drop_missing_scale": ("dx 少了缩放因子 1/(1 − p) = 1/{keep}：前向计算把保留下来的单元乘以 1/(1 − p)，"
                           "反向计算也要把它们的梯度乘以同一个因子。"),
    "drop_scaled_by_p": "dx 除以的是丢弃概率 p = {p}。前向计算乘的是 1/(1 − p)，即保留概率的倒数。",
    "drop_multiplied_keep": ("dx 乘的是 1 − p = {keep}：前向计算是*除以* 1 − p，所以保留单元的局部导数是 1/(1 − p)。"),
    "drop_missing_mask": "被丢弃的单元也得到了梯度：mask 为 0 的地方，输出根本不依赖于 x，所以那里的 dx 必须为 0。",
    "drop_inverted_mask": "dx 恰好在被丢弃的单元上不为零：mask 为 1 表示该单元被*保留*，梯度应当流向这些单元。",
    "drop_missing_upstream": "你只返回了局部导数：还要乘以上游梯度 dout。",
    "drop_sign": "dx 的大小对，符号反了（实际 ≈ −期望）：dropout 只做遮盖和缩放。",
    "bn_only_direct_term": ("{name} 只有直接路径 gamma * dout / sqrt(var + eps)。批次的均值和方差也依赖于每个 x_i："
                            "还要加上经过它们的路径（每条都要沿批次求和）。你的分阶段反向传递里三条路径都有。"),
    "bn_missing_var_term": ("dx 缺少经过方差的路径：你只保留了直接路径和经过均值的路径。方差同样依赖于每个 x_i："
                            "把分阶段反向传递里 var 和 std 两个阶段合并成一项。"),
    "bn_missing_mean_term": ("dx 缺少经过均值的路径：每个 x_i 都会改变批次均值，而每个 x_hat_j 都用到这个均值。"
                             "把分阶段反向传递里 mu 那个阶段合并成一项。"),
    "bn_missing_gamma": ("{name} 少了因子 gamma：out = gamma * x_hat + beta，所以到达 x_hat 的梯度是 gamma 乘以 dout。"),
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
