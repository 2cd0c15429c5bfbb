"""Chapter 3: backprop in an MLP. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- ch03: backprop in an MLP ------------------------------------------------
    "what_out": "out",
    "what_dx": "dx",
    "what_dw": "dw",
    "what_db": "db",
    "what_loss": "loss",
    "what_dlogits": "dlogits",
    "what_dpred": "dpred",
    "what_grad_W1": "grads['W1']",
    "what_grad_b1": "grads['b1']",
    "what_grad_W2": "grads['W2']",
    "what_grad_b2": "grads['b2']",
    "bad_return": ("Your function should return a tuple {expected}, but it returned {got}. "
                   "Return all of them, in this order, e.g. `return dx, dw, db`."),
    "grads_not_dict": ("The second value you returned should be a dict of gradients with the keys "
                       "'W1', 'b1', 'W2', 'b2', but it is {got}."),
    "missing_grad_key": ("grads has no key {missing!r} (its keys: {keys}). Return one gradient per parameter, "
                         "under the same key as in params."),
    "modified_argument": ("Your function changed its argument {name} in place: after it returned, "
                          "{name}{index} was {after} instead of {before}. A backward pass must not overwrite "
                          "its inputs (the upstream gradient may be needed elsewhere): work on a copy, "
                          "e.g. `dx = dout.copy()` before masking."),
    "affine_layout": ("Your function raised {etype}: {emsg}. The shapes do not fit a matrix product. In this "
                      "course w has PyTorch's layout (out_features, in_features): x is (N, D), w (M, D), b (M,), "
                      "out and dout (N, M). A product (A, B) @ (B, C) gives (A, C): write the shapes of both "
                      "factors next to the shape the result must have, and transpose what does not fit."),
    "missing_bias": "The bias is missing: out = x @ w.T + b, with b broadcast over the rows (one per sample).",
    "dw_transposed": ("{name} is the transpose of the expected one: a gradient always has the shape of its "
                      "parameter. With w of shape (out, in), dw = dout.T @ x, not x.T @ dout."),
    "grad_missing_batch_sum": ("{name} still has the batch axis: you returned one gradient per sample (N = {n}). "
                               "A weight is shared by all samples, so its gradient is the sum of the samples' "
                               "contributions: dout.T @ x does that sum for you."),
    "db_missing_batch_sum": ("{name} still has the batch axis (one row per sample, N = {n}): the bias is added "
                             "to every sample, so its gradient sums the upstream gradient over the batch: "
                             "`dout.sum(axis=0)`."),
    "db_wrong_axis": ("{name} was summed over the wrong axis: axis 1 adds up the outputs of one sample. Sum "
                      "over the samples instead: `dout.sum(axis=0)`, one value per output unit."),
    "grad_divided_by_n": ("{name} is the expected gradient divided by the batch size N = {n}. The 1/N of the "
                          "mean loss is already in the upstream gradient (it was applied once, in the loss's "
                          "gradient); a layer only sums over the batch. Dividing again divides by N twice."),
    "ce_grad_not_divided": ("{name} is N = {n} times the expected gradient: the loss is the *mean* over the "
                            "batch, so its gradient carries a 1/N. Divide the gradient of the scores by N once: "
                            "dscores = (p − onehot) / N."),
    "grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). Check the order of a "
                  "subtraction: p − onehot and pred − target, not the other way round."),
    "affine_out_sign": ("out has the right size but the wrong sign (got ≈ −expected): the layer computes "
                        "+(x Wᵀ + b); no minus sign belongs in the forward pass."),
    "affine_bias_twice": "The bias was added twice: each output gets b_m once.",
    "affine_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). The affine layer is a "
                         "sum of products with plus signs: its local derivatives (a weight, an input, a 1) carry "
                         "no minus, so {name} has the sign of dout times them. Look for a stray minus or a "
                         "subtraction in the line that computes {name}."),
    "affine_dx_wT": ("dx was computed with w transposed. out_nm = Σ_d x_nd W_md: for a fixed d, x_nd meets the "
                     "column W[:, d], so the sum over m pairs dout[n, m] with W[m, d]. (With a square w the "
                     "shapes cannot tell the two apart; the index form can.)"),
    "grad_doubled": ("{name} is twice the expected gradient. Each path from the loss to a variable is counted "
                     "once in the chain rule: look for a term added twice or a factor 2 that no local "
                     "derivative produces."),
    "grad_halved": ("{name} is half the expected gradient: a factor ½ crept in (a mean of two terms, or a "
                    "derivative taken of ½·(…)²). The chain rule here multiplies dout by the local derivative "
                    "once, with no extra factor."),
    "sigmoid_sign": ("dx has the wrong sign (got ≈ −expected). The sigmoid is increasing, so its derivative is "
                     "positive everywhere and dx has the sign of dout: check the order in the factor (1 − …)."),
    "tanh_sign": ("dx has the wrong sign (got ≈ −expected). tanh is increasing, so its derivative is positive "
                  "everywhere and dx has the sign of dout: check the order of the subtraction in your "
                  "derivative (is it out² − 1?)."),
    "relu_sign": ("dx has the wrong sign (got ≈ −expected). Where ReLU lets its input through it is the "
                  "identity, slope +1: there dx is dout itself, not −dout."),
    "ce_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). Raising the score of the "
                     "true class must *lower* the loss, so dlogits is negative at y and positive elsewhere: "
                     "check the order of the subtraction between the probabilities and the one-hot labels."),
    "mse_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). A prediction above its "
                      "target must get a positive gradient (moving it down lowers the loss): check the order "
                      "of pred and target in the difference."),
    "mse_grad_doubled": ("{name} is twice the expected gradient: the derivative of a square brings one factor 2, "
                         "and it was applied twice."),
    "net_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). The layers only pass "
                      "signs on: if every gradient is flipped, the sign comes from the top, the gradient of the "
                      "loss with respect to the scores (the first gradient of the backward pass); if only "
                      "{name} is, look at the line that puts it into grads."),
    "missing_upstream": ("You returned the local derivative only. The chain rule multiplies it by the upstream "
                         "gradient: dx = dout * (local derivative)."),
    "sigmoid_derivative_s": ("You used σ(x) itself as its derivative. The derivative of the sigmoid is "
                             "σ(x)·(1 − σ(x)) = out * (1 − out); then multiply by dout."),
    "sigmoid_derivative_form": ("That is not the derivative of the sigmoid: σ'(x) = σ(x)·(1 − σ(x)), so "
                                "dx = dout * out * (1 − out). (1 − out² is the derivative of tanh.)"),
    "tanh_derivative_form": ("That is not the derivative of tanh: tanh'(x) = 1 − tanh²(x), so "
                             "dx = dout * (1 − out**2)."),
    "cache_is_output": ("You applied the function to its cache again. The cache here is the forward *output* "
                        "out = f(x), not x: use it as it is, e.g. σ'(x) = out * (1 − out)."),
    "relu_mask_dout": ("Your ReLU mask looks at dout (dout > 0), not at the forward input x. ReLU passes the "
                       "gradient where its *input* was positive: dx = dout * (x > 0)."),
    "relu_mask_inverted": ("The mask is inverted: the gradient flows where x > 0 (where ReLU let its input "
                           "through) and is 0 where x ≤ 0."),
    "relu_times_x": ("You multiplied dout by max(x, 0). The derivative of ReLU is 1 where x > 0 and 0 "
                     "elsewhere, not x: dx = dout * (x > 0)."),
    "relu_forward_returned": "You returned the forward pass max(x, 0). The backward pass returns dx = dout * (x > 0).",
    "relu_mask_missing": ("{exercise}: the gradient of W1 and b1 is wrong as if the ReLU were not there: on the "
                          "way back, multiply by the ReLU mask of the hidden pre-activation (h_pre > 0)."),
    "softmax_overflow": ("{what} contains NaN or inf on logits with large values: exp(1000) overflows to inf, "
                         "and inf / inf is NaN. Subtract each row's maximum before exp: softmax(z) = "
                         "softmax(z − max(z)), and the largest exponent becomes exp(0) = 1."),
    "loss_sign": "The loss has the wrong sign: cross-entropy is −log p[y], which is ≥ 0.",
    "loss_sum_not_mean": ("The loss is N = {n} times the expected one: you summed over the samples. The loss is "
                          "the mean over the batch: divide by N."),
    "ce_mean_over_classes": ("The loss is the expected one divided by the number of classes C = {c}: you "
                             "averaged over all N·C entries (e.g. np.mean(onehot * log p)). Sum over the classes, "
                             "then average over the N samples."),
    "ce_log_missing": "The log is missing: cross-entropy is the mean of −log p[y], not of −p[y] or 1 − p[y].",
    "ce_missing_onehot": ("dlogits is p / N (or p): the −1 at the true class is missing. The gradient of "
                          "softmax + cross-entropy is (p − onehot(y)) / N: subtract 1 at y in every row."),
    "ce_grad_over_classes": ("dlogits is the expected one divided by C = {c}: divide by the batch size N only, "
                             "not by N·C."),
    "ce_grad_softmax_jacobian": ("Your dlogits is nonzero only at the true class. Every logit changes every "
                                 "probability through the softmax's sum: the gradient is (p − onehot(y)) / N, "
                                 "nonzero in every column."),
    "mse_half_convention": ("The loss is half the expected one: you used ½·mean(...). That convention exists, but "
                            "here mse_loss is mean((pred − target)²), as in chainrule.functional.mse_loss."),
    "mse_mean_over_batch_only": ("The loss is the sum over the features averaged over the N = {n} samples only. "
                                 "Here the mean runs over all {size} elements: np.mean((pred − target)**2)."),
    "mse_rmse": "That is the root of the mean squared error (RMSE): do not take the square root.",
    "mse_no_square": "The difference must be squared: mean((pred − target)²).",
    "mse_missing_2": ("dpred is half the expected gradient: the derivative of (pred − target)² is "
                      "2·(pred − target). dpred = 2 * (pred − target) / pred.size."),
    "mse_grad_not_divided": ("dpred is not divided by the number of elements ({size}): the loss is a mean, so "
                             "its gradient is 2 * (pred − target) / pred.size."),
    "mse_grad_divided_twice": "dpred is divided by the number of elements ({size}) twice: divide once.",
    "mse_grad_batch_only": ("dpred is divided by the batch size N = {n} only; the loss averages over all "
                            "{size} elements, so divide by pred.size."),
    # ---- ch03, the tensor engine: vector–Jacobian products --------------------------
    "what_ga": "ga",
    "what_gb": "gb",
    "vjp_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). A VJP only multiplies the "
                 "upstream gradient g by the local derivatives; none of this primitive's is negative as a "
                 "whole: look for a stray minus or a subtraction in the wrong order."),
    "unbroadcast_nothing_summed": ("You returned g as it is, of shape {got_shape}: the gradient of an operand "
                                   "must have the operand's shape {shape}. Sum g over the axes that "
                                   "broadcasting added or stretched."),
    "unbroadcast_mean": ("You averaged over the broadcast axes where a sum is needed. Broadcasting copies one "
                         "element of the operand to many places of the result; each copy sends its gradient "
                         "back, and the chain rule adds them up."),
    "unbroadcast_lead_only": ("You summed over the leading axes that broadcasting added, but not over the axes "
                              "where the operand has size 1 ({shape}): those were stretched too, so they must "
                              "be summed as well, keeping them as size 1 (keepdims=True)."),
    "unbroadcast_ones_dropped": ("The values are right but the size-1 axes of {shape} are gone: sum over them "
                                 "with keepdims=True, so that the result has exactly the operand's shape."),
    "unbroadcast_first_slice": ("You returned one slice of g (index 0 along the broadcast axes), not the sum "
                                "over them: every copy of an operand element contributed to the loss."),
    "unbroadcast_summed_all": ("You summed g over every axis. Only the axes broadcasting created or stretched "
                               "are summed; the others keep their elements apart."),
    "matmul_vjp_shapes": ("Your function raised {etype}: {emsg}. For c = a @ b write the forward in index form, "
                          "c_ij = Σ_k a_ik b_kj, and ask for each gradient which index it keeps and which it "
                          "sums over: ga has the shape of a (N, K), gb that of b (K, M)."),
    "matmul_swapped": ("{name} holds the other operand's gradient: return (ga, gb) in the order of the "
                       "arguments, ga for a and gb for b."),
    "matmul_ga_no_transpose": ("ga multiplies g by b without transposing it. In c_ij = Σ_k a_ik b_kj the element "
                               "a_ik meets b_kj for every j: the sum over j pairs g_ij with b_kj, that is with "
                               "row k of b."),
    "matmul_gb_no_transpose": ("gb multiplies a by g without transposing a. The element b_kj meets a_ik for "
                               "every sample i: the sum over i pairs a_ik with g_ij."),
    "matmul_transposed": ("{name} is the transpose of the expected one: a gradient has the shape of its "
                          "operand. Swap the factors' order and transposes so that the result has that shape."),
    "sum_vjp_expand": ("Your function raised {etype}: {emsg}. Without keepdims the sum removed the summed axes; "
                       "put them back as size 1 (np.expand_dims) before broadcasting g to the input's shape, "
                       "or it lines up with the wrong axes."),
    "sum_vjp_mean": ("{name} is the expected gradient divided by {count}, the number of elements each output "
                     "sums: that is the VJP of a mean. Each input element enters its sum with weight 1."),
    "sum_vjp_wrong_axis": ("{name} broadcast g along the wrong axes: without keepdims NumPy lines g up with the "
                           "*trailing* axes of the input. Reinsert the summed axes as size 1 first."),
    "lsm_missing_softmax_term": ("You returned g unchanged: that is the path through the a_j term only. Every "
                                 "a_k also enters out_j through the log-sum-exp, with ∂/∂a_k log Σ e^a = "
                                 "softmax_k; that path must be added for every j."),
    "lsm_used_log": ("You used out (the log-probabilities) where the derivative of log Σ e^a needs the "
                     "probabilities themselves: softmax = exp(out)."),
    "lsm_sum_wrong_axis": ("The sum of g runs over the wrong axis: each row is its own softmax, so sum g over "
                           "the classes of that row (the last axis), keeping the axis for broadcasting."),
    "lsm_diagonal_only": ("You multiplied the softmax by g element-wise, as if out_j depended only on a_j. "
                          "The log-sum-exp couples a row: out_j depends on every a_k, so ga_k collects "
                          "softmax_k times the *sum* of g over the row."),
    "lsm_softmax_vjp": ("That is the VJP of softmax, not of log-softmax: here the forward output is "
                        "log p, and ∂ log p_j / ∂a_k = [j = k] − p_k."),
    "lsm_terms_swapped": ("The two terms are swapped: the identity part passes g through, the log-sum-exp part "
                          "subtracts softmax times the row sum of g."),
}

ZH = {
    # ---- ch03:多层感知机中的反向传播 ------------------------------------------------
    "what_out": "out",
    "what_dx": "dx",
    "what_dw": "dw",
    "what_db": "db",
    "what_loss": "loss",
    "what_dlogits": "dlogits",
    "what_dpred": "dpred",
    "what_grad_W1": "grads['W1']",
    "what_grad_b1": "grads['b1']",
    "what_grad_W2": "grads['W2']",
    "what_grad_b2": "grads['b2']",
    "bad_return": "你的函数应当返回元组 {expected}，实际返回的是 {got}。请按这个顺序全部返回，例如 `return dx, dw, db`。",
    "grads_not_dict": "返回的第二个值应当是以 'W1'、'b1'、'W2'、'b2' 为键的梯度字典，实际是 {got}。",
    "missing_grad_key": "grads 里没有键 {missing!r}（现有的键：{keys}）。每个参数返回一个梯度，键与 params 中的相同。",
    "modified_argument": ("你的函数原地改动了参数 {name}：返回之后 {name}{index} 是 {after}，原本是 {before}。"
                          "反向传递不能覆盖自己的输入（上游梯度可能还要在别处使用）：请在副本上操作，"
                          "例如先写 `dx = dout.copy()` 再做掩码。"),
    "affine_layout": ("你的函数抛出了 {etype}：{emsg}。这些形状做不了矩阵乘法。本课程中 w 采用 PyTorch 的布局 "
                      "(out_features, in_features)：x 是 (N, D)，w 是 (M, D)，b 是 (M,)，out 和 dout 是 (N, M)。"
                      "乘积 (A, B) @ (B, C) 得到 (A, C)：把两个因子的形状和结果应有的形状写在一起，哪个对不上就转置哪个。"),
    "missing_bias": "漏掉了偏置：out = x @ w.T + b，b 按行广播，每个样本都加上。",
    "dw_transposed": ("{name} 是期望结果的转置：梯度的形状总是与它对应的参数相同。w 的形状是 (out, in) 时，"
                      "dw = dout.T @ x，而不是 x.T @ dout。"),
    "grad_missing_batch_sum": ("{name} 还带着批次这一轴：你为每个样本各返回了一个梯度（N = {n}）。"
                               "权重由所有样本共享，它的梯度是各样本贡献之和：dout.T @ x 已经替你求了这个和。"),
    "db_missing_batch_sum": ("{name} 还带着批次这一轴（每个样本一行，N = {n}）：偏置加到了每个样本上，"
                             "所以它的梯度要把上游梯度沿批次求和：`dout.sum(axis=0)`。"),
    "db_wrong_axis": ("{name} 求和的轴不对：沿 axis 1 求和是把一个样本的各个输出加在一起。应当对样本求和："
                      "`dout.sum(axis=0)`，每个输出单元得到一个值。"),
    "grad_divided_by_n": ("{name} 是期望梯度除以批大小 N = {n}。平均损失的 1/N 已经包含在上游梯度里"
                          "（在损失的梯度中乘过一次）；层本身只沿批次求和。再除一次就等于除了两次 N。"),
    "ce_grad_not_divided": ("{name} 是期望梯度的 N = {n} 倍：损失是对批次取的*平均*，所以它的梯度带有 1/N。"
                            "对得分的梯度除以一次 N：dscores = (p − onehot) / N。"),
    "grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。检查减法的顺序：应是 p − onehot 和 "
                  "pred − target，而不是反过来。"),
    "affine_out_sign": "out 的大小对，符号反了（实际 ≈ −期望）：这一层计算的是 +(x Wᵀ + b)；前向计算里没有负号。",
    "affine_bias_twice": "偏置加了两次：每个输出只加一次 b_m。",
    "affine_grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。仿射层是一些乘积之和，全是加号：它的局部导数"
                         "（一个权重、一个输入、一个 1）都不带负号，所以 {name} 的符号就是 dout 乘以它们的符号。"
                         "检查计算 {name} 的那一行里是否多了一个负号或一次减法。"),
    "affine_dx_wT": ("dx 用了转置的 w。out_nm = Σ_d x_nd W_md：固定 d 时，x_nd 遇到的是 W 的第 d 列 W[:, d]，"
                     "所以对 m 求和时，dout[n, m] 要与 W[m, d] 配对。（w 是方阵时，形状分辨不出两者；下标写法可以。）"),
    "grad_doubled": ("{name} 是期望梯度的两倍。链式法则中，从损失到一个变量的每条路径只算一次：检查是否有一项"
                     "被加了两次，或者多出一个任何局部导数都不会产生的因子 2。"),
    "grad_halved": ("{name} 是期望梯度的一半：多出了一个因子 ½（两项取了平均，或者对 ½·(…)² 求了导）。"
                    "这里的链式法则只是把 dout 乘以局部导数一次，没有别的因子。"),
    "sigmoid_sign": ("dx 的符号反了（实际 ≈ −期望）。sigmoid 是增函数，导数处处为正，所以 dx 与 dout 同号："
                     "检查因子 (1 − …) 里减法的顺序。"),
    "tanh_sign": ("dx 的符号反了（实际 ≈ −期望）。tanh 是增函数，导数处处为正，所以 dx 与 dout 同号："
                  "检查你写的导数里减法的顺序（是不是写成了 out² − 1？）。"),
    "relu_sign": "dx 的符号反了（实际 ≈ −期望）。ReLU 让输入通过的地方就是恒等映射，斜率为 +1：那里的 dx 就是 dout 本身，而不是 −dout。",
    "ce_grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。提高真实类别的得分必须*降低*损失，所以 dlogits 在 y 处"
                     "为负、在其他位置为正：检查概率与独热标签相减的顺序。"),
    "mse_grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。预测值高于目标值时梯度必须为正（把它往下调会降低损失）："
                      "检查差值中 pred 与 target 的顺序。"),
    "mse_grad_doubled": "{name} 是期望梯度的两倍：平方的导数带来一个因子 2，而你把它乘了两次。",
    "net_grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。各层只是把符号往下传：如果所有梯度的符号都反了，"
                      "问题出在最上面，也就是损失对得分的梯度（反向传递的第一个梯度）；如果只有 {name} 反了，"
                      "就检查把它放进 grads 的那一行。"),
    "missing_upstream": "你只返回了局部导数。链式法则要把它乘以上游梯度：dx = dout * （局部导数）。",
    "sigmoid_derivative_s": ("你把 σ(x) 本身当成了它的导数。sigmoid 的导数是 σ(x)·(1 − σ(x)) = out * (1 − out)，"
                             "再乘以 dout。"),
    "sigmoid_derivative_form": ("这不是 sigmoid 的导数：σ'(x) = σ(x)·(1 − σ(x))，所以 dx = dout * out * (1 − out)。"
                                "（1 − out² 是 tanh 的导数。）"),
    "tanh_derivative_form": "这不是 tanh 的导数：tanh'(x) = 1 − tanh²(x)，所以 dx = dout * (1 − out**2)。",
    "cache_is_output": ("你又对缓存套用了一次函数。这里的缓存是前向的*输出* out = f(x)，不是 x：直接使用它，"
                        "例如 σ'(x) = out * (1 − out)。"),
    "relu_mask_dout": ("你的 ReLU 掩码看的是 dout（dout > 0），而不是前向的输入 x。ReLU 在*输入*为正的位置"
                       "让梯度通过：dx = dout * (x > 0)。"),
    "relu_mask_inverted": "掩码反了：梯度在 x > 0 处通过（ReLU 让输入通过的地方），在 x ≤ 0 处为 0。",
    "relu_times_x": "你把 dout 乘以了 max(x, 0)。ReLU 的导数在 x > 0 处是 1，其他地方是 0，而不是 x：dx = dout * (x > 0)。",
    "relu_forward_returned": "你返回的是前向计算 max(x, 0)。反向传递要返回 dx = dout * (x > 0)。",
    "relu_mask_missing": ("{exercise}：W1 和 b1 的梯度错得就像没有 ReLU 一样：反向经过隐藏层时，要乘以"
                          "隐藏层预激活值的 ReLU 掩码 (h_pre > 0)。"),
    "softmax_overflow": ("logits 的值很大时，{what} 中出现了 NaN 或 inf：exp(1000) 上溢为 inf，inf / inf 得到 NaN。"
                         "求 exp 之前先减去每一行的最大值：softmax(z) = softmax(z − max(z))，"
                         "这样最大的指数就是 exp(0) = 1。"),
    "loss_sign": "损失的符号反了：交叉熵是 −log p[y]，它总是 ≥ 0。",
    "loss_sum_not_mean": "损失是期望值的 N = {n} 倍：你对样本求了和。损失是对批次取平均：要除以 N。",
    "ce_mean_over_classes": ("损失是期望值除以类别数 C = {c}：你对全部 N·C 个元素取了平均"
                             "（例如 np.mean(onehot * log p)）。应当先对类别求和，再对 N 个样本取平均。"),
    "ce_log_missing": "漏掉了 log：交叉熵是 −log p[y] 的平均，而不是 −p[y] 或 1 − p[y] 的平均。",
    "ce_missing_onehot": ("dlogits 等于 p / N（或 p）：漏掉了真实类别处的 −1。softmax 加交叉熵的梯度是 "
                          "(p − onehot(y)) / N：每一行都要在 y 处减去 1。"),
    "ce_grad_over_classes": "dlogits 是期望值除以 C = {c}：只除以批大小 N，不要除以 N·C。",
    "ce_grad_softmax_jacobian": ("你的 dlogits 只在真实类别处不为零。通过 softmax 分母中的求和，每个 logit 都会"
                                 "影响每个概率：梯度是 (p − onehot(y)) / N，每一列都不为零。"),
    "mse_half_convention": ("损失是期望值的一半：你用的是 ½·mean(...)。确实有这种约定，但这里的 mse_loss 是 "
                            "mean((pred − target)²)，与 chainrule.functional.mse_loss 相同。"),
    "mse_mean_over_batch_only": ("损失是对特征求和、只对 N = {n} 个样本取了平均。这里要对全部 {size} 个元素取平均："
                                 "np.mean((pred − target)**2)。"),
    "mse_rmse": "这是均方误差的平方根（RMSE）：不要开平方。",
    "mse_no_square": "差要平方：mean((pred − target)²)。",
    "mse_missing_2": ("dpred 是期望梯度的一半：(pred − target)² 的导数是 2·(pred − target)。"
                      "dpred = 2 * (pred − target) / pred.size。"),
    "mse_grad_not_divided": ("dpred 没有除以元素个数（{size}）：损失是平均值，所以它的梯度是 "
                             "2 * (pred − target) / pred.size。"),
    "mse_grad_divided_twice": "dpred 除了两次元素个数（{size}）：只除一次。",
    "mse_grad_batch_only": "dpred 只除以了批大小 N = {n}；损失对全部 {size} 个元素取平均，所以要除以 pred.size。",
    # ---- ch03，张量引擎：向量-雅可比积 ------------------------------------------------
    "what_ga": "ga",
    "what_gb": "gb",
    "vjp_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。VJP 只是把上游梯度 g 乘以局部导数；这个原语的局部导数"
                 "整体上都不是负的：检查是否多了一个负号，或者减法的顺序反了。"),
    "unbroadcast_nothing_summed": "你原样返回了形状为 {got_shape} 的 g：操作数的梯度必须与操作数同形 {shape}。请沿广播新增或拉伸过的轴对 g 求和。",
    "unbroadcast_mean": ("你在广播的轴上取了平均，而这里应当求和。广播把操作数的一个元素复制到结果的许多位置；"
                         "每个副本都把自己的梯度传回来，链式法则把它们加起来。"),
    "unbroadcast_lead_only": ("你对广播新增的前导轴求了和，但没有对操作数中大小为 1 的轴（{shape}）求和："
                              "这些轴也被拉伸过，同样要求和，并保留为大小 1（keepdims=True）。"),
    "unbroadcast_ones_dropped": "数值对了，但 {shape} 中大小为 1 的轴不见了：对它们求和时加上 keepdims=True，让结果的形状与操作数完全相同。",
    "unbroadcast_first_slice": "你返回的是 g 的一个切片（沿广播轴取下标 0），而不是沿这些轴的和：操作数元素的每个副本都对损失有贡献。",
    "unbroadcast_summed_all": "你对 g 的所有轴都求了和。只有广播新增或拉伸过的轴才求和；其他轴上的元素要各自分开。",
    "matmul_vjp_shapes": ("你的函数抛出了 {etype}：{emsg}。对 c = a @ b，先用下标写出前向计算 c_ij = Σ_k a_ik b_kj，"
                          "再对每个梯度问一问：它保留哪个下标、对哪个下标求和。ga 与 a 同形 (N, K)，gb 与 b 同形 (K, M)。"),
    "matmul_swapped": "{name} 里放的是另一个操作数的梯度：按参数的顺序返回 (ga, gb)，ga 对应 a，gb 对应 b。",
    "matmul_ga_no_transpose": ("ga 用 g 乘了没有转置的 b。在 c_ij = Σ_k a_ik b_kj 中，元素 a_ik 对每个 j 都与 b_kj 相乘："
                               "对 j 求和时，g_ij 与 b_kj 配对，也就是与 b 的第 k 行配对。"),
    "matmul_gb_no_transpose": "gb 用没有转置的 a 乘了 g。元素 b_kj 对每个样本 i 都与 a_ik 相乘：对 i 求和时，a_ik 与 g_ij 配对。",
    "matmul_transposed": "{name} 是期望结果的转置：梯度与它的操作数同形。调整因子的顺序和转置，让结果得到这个形状。",
    "sum_vjp_expand": ("你的函数抛出了 {etype}：{emsg}。不加 keepdims 时，求和去掉了被求和的轴；先把它们以大小 1 "
                       "插回去（np.expand_dims），再把 g 广播到输入的形状，否则 g 会和错误的轴对齐。"),
    "sum_vjp_mean": "{name} 是期望梯度除以 {count}（每个输出求和的元素个数）：那是平均值的 VJP。求和时每个输入元素的权重都是 1。",
    "sum_vjp_wrong_axis": "{name} 把 g 沿错误的轴广播了：不加 keepdims 时，NumPy 把 g 与输入的*末尾*几个轴对齐。先把被求和的轴以大小 1 插回去。",
    "lsm_missing_softmax_term": ("你原样返回了 g：这只是经过 a_j 那一项的路径。每个 a_k 还通过 log-sum-exp 进入 out_j，"
                                 "且 ∂/∂a_k log Σ e^a = softmax_k；对每个 j 都要加上这条路径。"),
    "lsm_used_log": "你用了 out（对数概率），而 log Σ e^a 的导数需要的是概率本身：softmax = exp(out)。",
    "lsm_sum_wrong_axis": "g 的求和轴不对：每一行是各自的 softmax，所以要在这一行的各个类别上（最后一个轴）对 g 求和，并保留这个轴以便广播。",
    "lsm_diagonal_only": ("你把 softmax 与 g 逐元素相乘，好像 out_j 只依赖于 a_j。log-sum-exp 把一整行耦合在一起："
                          "out_j 依赖于每个 a_k，所以 ga_k 收集的是 softmax_k 乘以 g 在这一行上的*和*。"),
    "lsm_softmax_vjp": "这是 softmax 的 VJP，不是 log-softmax 的：这里前向输出的是 log p，而 ∂ log p_j / ∂a_k = [j = k] − p_k。",
    "lsm_terms_swapped": "两项弄反了：恒等部分把 g 原样传过去，log-sum-exp 部分减去 softmax 乘以 g 的行和。",
}
