"""Chapter 6: recurrent networks and BPTT. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- ch06: recurrent networks and BPTT -----------------------------------------
    "what_rnn_dx": "dx",
    "what_rnn_dh_prev": "dh_prev",
    "what_rnn_dc_prev": "dc_prev",
    "what_rnn_dh0": "dh0",
    "what_rnn_dWx": "dWx",
    "what_rnn_dWh": "dWh",
    "what_rnn_db": "db",
    "rnn_tanh_preactivation": ("{name}: you used 1 − z² with the pre-activation z = x @ Wx + h_prev @ Wh + b. "
                               "tanh'(z) = 1 − tanh²(z) = 1 − h², with the step's *output* h (the last item "
                               "of the cache): dz = dh * (1 − h**2)."),
    "rnn_tanh_applied_twice": ("{name}: you applied tanh to the cached h again (1 − tanh(h)²). h is already "
                               "tanh(z), the step's output: tanh'(z) = 1 − h**2."),
    "rnn_missing_tanh_grad": ("{name}: the derivative of tanh is missing, as if the step were linear. Go "
                              "through tanh first: dz = dh * (1 − h**2), then dx = dz @ Wx.T, and so on."),
    "rnn_tanh_form": "{name}: that is not tanh's derivative: tanh'(z) = 1 − tanh²(z), so dz = dh * (1 − h**2).",
    "rnn_wh_not_transposed": ("{name}: you multiplied by Wh where Wh.T is needed. In the forward pass "
                              "h_prev (N, H) is multiplied by Wh on the right, so backward dh_prev = dz @ Wh.T. "
                              "Wh is square, so dz @ Wh has the right shape and the wrong values."),
    "rnn_db_missing_batch_sum": ("{name} still has the batch axis (one row per sample, N = {n}): b is added to "
                                 "every sample, so db sums over the batch: dz.sum(axis=0) (da.sum(axis=0) in the LSTM)."),
    "rnn_dw_transposed": ("{name} is the transpose of the expected one: a gradient has the shape of its "
                          "parameter. With x @ Wx, Wx (D, H), the gradient is x.T @ dz, (D, H); likewise "
                          "dWh = h_prev.T @ dz."),
    "rnn_not_accumulated": ("{name} holds the contribution of one time step only. Wx, Wh and b are shared by "
                            "all T steps, so their gradients are the *sum* over the steps: start from zeros "
                            "and add (+=) each step's contribution."),
    "rnn_no_recurrence": ("{name}: the gradient does not flow back through time. h_t feeds the loss *and* the "
                          "next step, so the gradient reaching h_t is dh_all[t] plus the dh_prev returned by "
                          "step t + 1: dh = dh_all[t] + dh_next."),
    "rnn_upstream_replaced": ("{name}: you used dh_all[t] only at the last step. At every step the gradient "
                              "of h_t is the sum of both paths: dh_all[t] (the loss at t) + dh_prev from step t + 1."),
    "rnn_wrong_direction": ("{name}: your loop runs forward in time. BPTT starts at the last step (t = T − 1), "
                            "whose h feeds nothing later, and walks back to t = 0: "
                            "for t in reversed(range(T))."),
    "tbptt_no_cut": ("{name} is the full-BPTT gradient: nothing was cut. Drop the dh_prev returned by the "
                     "steps t = k, 2k, 3k, ... (their incoming h was detached) instead of passing it back to "
                     "step t − 1."),
    "tbptt_off_by_one": ("{name}: the cuts are at the wrong steps (one off). Chunks are steps 0..k−1, "
                         "k..2k−1, ...: the state entering steps t = k, 2k, ... is detached, so drop dh_prev "
                         "exactly when t % k == 0 and t > 0."),
    "tbptt_chunks_from_end": ("{name}: your chunks are counted from the end of the sequence. Count them from "
                              "the start, as a loop over the sequence in chunks of k does: cut at t = k, 2k, ..."),
    "tbptt_every_step": ("{name}: you cut the gradient at every step, as if k were 1. Cut only at "
                         "t = k, 2k, ...: inside a chunk the gradient still flows through time."),
    "tbptt_cut_upstream": ("{name}: at a cut you also dropped dh_all[t − 1], the loss's own gradient of "
                           "h_{{t−1}}. Detaching removes only the path *through* the next step: the gradient "
                           "at t − 1 is then dh_all[t − 1] alone."),
    "tbptt_dh0_cut": ("dh0 is zero. The first chunk (steps 0..k−1) starts from h0 without a cut, so dh0 is the "
                      "dh_prev of step 0, as in full BPTT."),
    "lstm_missing_dc": ("{name}: the dc coming from the next step is missing. c_t feeds h_t *and* c_{{t+1}}: "
                        "the gradient of c is dc + dh * o * (1 − tanh(c)**2)."),
    "lstm_missing_h_path": ("{name}: the path from h to c is missing or incomplete. h = o * tanh(c), so c also "
                            "gets dh * o * (1 − tanh(c)**2), added to the dc from the next step."),
    "lstm_tanh_c_derivative": ("{name}: tanh'(c) was taken as 1 − c². c is the cell state, not tanh(c): "
                               "tanh'(c) = 1 − tanh(c)**2."),
    "lstm_forget_derivative": ("{name}: the forget gate's gradient is wrong. c = f * c_prev + i * g gives "
                               "df = dc_t * c_prev (c_prev, not c), and through σ, da_f = df * f * (1 − f)."),
    "lstm_sigmoid_derivative": ("{name}: σ' is missing for the gates i, f, o. Each gate is σ of its block of "
                                "a: da_i = di * i * (1 − i), and the same for f and o."),
    "lstm_candidate_derivative": ("{name}: g = tanh(a_g), not σ: da_g = dg * (1 − g**2)."),
    "lstm_dc_prev_missing_f": ("{name}: c = f * c_prev + ..., so dc_prev = dc_t * f: the forget gate scales "
                               "the gradient on its way back along the cell state."),
    "lstm_gate_order": ("{name}: the gate blocks are in the wrong order. In this course (as in PyTorch) the "
                        "four blocks of a, and of the columns of Wx, Wh and b, are (i, f, g, o): stack "
                        "da = [da_i, da_f, da_g, da_o]."),
    "rnn_grad_sign": ("{name} has the right size and the wrong sign (got ≈ −expected). Nothing in this backward "
                      "pass subtracts: look for a minus you introduced, e.g. h**2 − 1 where 1 − h**2 belongs, or "
                      "a negated term or result."),
    "rnn_grad_factor": ("{name} is {factor} × the expected gradient. The chain rule here multiplies each "
                        "upstream gradient by local derivatives and adds the paths once each: look for a "
                        "gradient added twice, or a stray 2 (tanh' is 1 − h², not 2h)."),
    "rnn_batch_mean": ("{name} is the expected gradient divided by the batch size N = {n}: you averaged over the "
                       "samples. If the loss is a mean, its 1/N is already in the upstream gradient; a layer sums."),
    "rnn_dw_missing_batch_sum": ("{name} still has the batch axis (one matrix per sample, N = {n}). The weights "
                                 "are shared by all samples: sum the samples' contributions, e.g. x.T @ dz, which "
                                 "sums over n."),
    "rnn_time_mean": ("{name} is the expected gradient divided by T = {T}: you averaged the steps' contributions. "
                      "A weight used at every step gets the *sum* of its T contributions."),
    "rnn_dw_missing_time_sum": ("{name} has one gradient per time step, stacked (T = {T}). The weights are shared "
                                "by all steps: add the steps' contributions into one array of the weight's shape."),
    "rnn_shape_error": ("Your function raised {etype}: {emsg}. A matrix product met clashing shapes. The layouts "
                        "are x (N, D), h_prev and h (N, H), Wx (D, H), Wh (H, H) (for the LSTM (D, 4H), (H, 4H)): "
                        "a gradient has the shape of what it differentiates, so write each index sum of the "
                        "derivation as a product whose inner axes agree, transposing where needed."),
    "rnn_dx_time_reversed": ("{name} is right but in reversed time order: dx[t] belongs to step t. A list "
                             "appended while walking back in time ends with step 0: reverse it, or write dx[t] "
                             "into a preallocated array."),
    "rnn_dh0_off_by_one": ("dh0 is the gradient of the output of step 0 (the h that step 0 computed), one step "
                           "too late. h0 is the state step 0 *read*: its gradient is the dh_prev that step 0's "
                           "backward returns."),
    "rnn_dh0_missing": ("dh0 is zero. h0 feeds step 0 like every later state feeds its step: its gradient is the "
                        "dh_prev returned by step 0's backward."),
    "rnn_last_upstream_twice": ("{name}: the loss gradient of the last step, dh_all[T − 1], is counted twice. "
                                "Start the carried gradient from zeros: the last step's h feeds no later step."),
    "tbptt_weights_reset": ("{name} holds the weight gradients of the first chunk only: you restarted them from "
                            "zero at a cut. Detaching the state stops the gradient of h, not the weights' sum: "
                            "every step used the weights, so dWx, dWh and db add up all T steps."),
    "lstm_tanh_form": ("{name}: a tanh derivative is written as 1 − tanh. tanh' = 1 − tanh²: 1 − g**2 for the "
                       "candidate g, 1 − tanh(c)**2 for the cell."),
    "lstm_sigmoid_form": ("{name}: σ' is written as 1 − s. For a gate s = σ(a), σ'(a) = s · (1 − s): "
                          "da_i = di * i * (1 − i), the same for f and o."),
    "lstm_output_gate_tanh": ("{name}: the output gate's gradient uses c instead of tanh(c). h = o * tanh(c), so "
                              "do = dh * tanh(c)."),
    "lstm_block_sign": ("{name}: the block of gate {gate} in da has the wrong sign; the other gates are right. "
                        "Check that gate's derivative (σ' = s(1 − s), tanh' = 1 − g²) and the factor it gets from "
                        "its product."),
}

ZH = {
    # ---- ch06：循环网络与时间反向传播 -----------------------------------------------
    "what_rnn_dx": "dx",
    "what_rnn_dh_prev": "dh_prev",
    "what_rnn_dc_prev": "dc_prev",
    "what_rnn_dh0": "dh0",
    "what_rnn_dWx": "dWx",
    "what_rnn_dWh": "dWh",
    "what_rnn_db": "db",
    "rnn_tanh_preactivation": ("{name}：你用的是 1 − z²，其中 z = x @ Wx + h_prev @ Wh + b 是预激活值。"
                               "tanh'(z) = 1 − tanh²(z) = 1 − h²，h 是这一步的*输出*（缓存的最后一项）："
                               "dz = dh * (1 − h**2)。"),
    "rnn_tanh_applied_twice": ("{name}：你又对缓存里的 h 套用了一次 tanh（1 − tanh(h)²）。h 已经是 tanh(z)，"
                               "即这一步的输出：tanh'(z) = 1 − h**2。"),
    "rnn_missing_tanh_grad": ("{name}：漏掉了 tanh 的导数，好像这一步是线性的。先穿过 tanh："
                              "dz = dh * (1 − h**2)，再算 dx = dz @ Wx.T 等。"),
    "rnn_tanh_form": "{name}：这不是 tanh 的导数：tanh'(z) = 1 − tanh²(z)，所以 dz = dh * (1 − h**2)。",
    "rnn_wh_not_transposed": ("{name}：该乘 Wh.T 的地方你乘了 Wh。前向时 h_prev (N, H) 右乘 Wh，"
                              "所以反向时 dh_prev = dz @ Wh.T。Wh 是方阵，dz @ Wh 形状对，数值却不对。"),
    "rnn_db_missing_batch_sum": ("{name} 还带着批次这一轴（每个样本一行，N = {n}）：b 加到了每个样本上，"
                                 "所以 db 要沿批次求和：dz.sum(axis=0)（LSTM 中是 da.sum(axis=0)）。"),
    "rnn_dw_transposed": ("{name} 是期望结果的转置：梯度的形状与它对应的参数相同。前向是 x @ Wx，"
                          "Wx 的形状是 (D, H)，梯度就是 x.T @ dz，形状 (D, H)；同理 dWh = h_prev.T @ dz。"),
    "rnn_not_accumulated": ("{name} 只含一个时间步的贡献。Wx、Wh 和 b 由全部 T 个时间步共享，"
                            "它们的梯度是各时间步贡献之*和*：从零开始，把每一步的贡献累加（+=）进去。"),
    "rnn_no_recurrence": ("{name}：梯度没有沿时间往回传。h_t 既流向损失，*也*流向下一步，所以到达 h_t 的梯度是 "
                          "dh_all[t] 加上第 t + 1 步返回的 dh_prev：dh = dh_all[t] + dh_next。"),
    "rnn_upstream_replaced": ("{name}：你只在最后一步用了 dh_all[t]。每一步 h_t 的梯度都是两条路径之和："
                              "dh_all[t]（t 时刻的损失）+ 第 t + 1 步传回的 dh_prev。"),
    "rnn_wrong_direction": ("{name}：你的循环是沿时间正向走的。BPTT 从最后一步（t = T − 1）开始，"
                            "它的 h 不再流向后面的任何一步，然后一直往回走到 t = 0：for t in reversed(range(T))。"),
    "tbptt_no_cut": ("{name} 是完整 BPTT 的梯度：什么都没有截断。对 t = k, 2k, 3k, ... 这些步（它们的输入 h "
                     "已被 detach），丢掉它们返回的 dh_prev，不要再传给第 t − 1 步。"),
    "tbptt_off_by_one": ("{name}：截断的位置错了一步。分段是第 0..k−1 步、第 k..2k−1 步……：进入第 t = k, 2k, ... "
                         "步的状态被 detach，所以恰好在 t % k == 0 且 t > 0 时丢掉 dh_prev。"),
    "tbptt_chunks_from_end": ("{name}：你的分段是从序列末尾往前数的。应当从开头数，就像按每段 k 步"
                              "遍历序列的循环那样：在 t = k, 2k, ... 处截断。"),
    "tbptt_every_step": ("{name}：你在每一步都截断了梯度，好像 k = 1。只在 t = k, 2k, ... 处截断："
                         "一段之内，梯度仍然沿时间传递。"),
    "tbptt_cut_upstream": ("{name}：在截断处你把 dh_all[t − 1]，即损失对 h_{{t−1}} 自己的梯度，也丢掉了。"
                           "detach 只去掉*经过*下一步的那条路径：这时第 t − 1 步的梯度就只有 dh_all[t − 1]。"),
    "tbptt_dh0_cut": ("dh0 是零。第一段（第 0..k−1 步）从 h0 出发，中间没有截断，所以 dh0 就是第 0 步的 "
                      "dh_prev，与完整 BPTT 相同。"),
    "lstm_missing_dc": ("{name}：漏掉了来自下一步的 dc。c_t 既流向 h_t，也流向 c_{{t+1}}："
                        "c 的梯度是 dc + dh * o * (1 − tanh(c)**2)。"),
    "lstm_missing_h_path": ("{name}：从 h 到 c 的路径漏掉了或不完整。h = o * tanh(c)，所以 c 还会得到 "
                            "dh * o * (1 − tanh(c)**2)，与来自下一步的 dc 相加。"),
    "lstm_tanh_c_derivative": ("{name}：你把 tanh'(c) 写成了 1 − c²。c 是细胞状态，不是 tanh(c)："
                               "tanh'(c) = 1 − tanh(c)**2。"),
    "lstm_forget_derivative": ("{name}：遗忘门的梯度不对。由 c = f * c_prev + i * g 得 df = dc_t * c_prev"
                               "（是 c_prev，不是 c），再穿过 σ：da_f = df * f * (1 − f)。"),
    "lstm_sigmoid_derivative": ("{name}：门 i、f、o 漏掉了 σ'。每个门都是 a 中对应块的 σ："
                                "da_i = di * i * (1 − i)，f 和 o 同理。"),
    "lstm_candidate_derivative": "{name}：g = tanh(a_g)，不是 σ：da_g = dg * (1 − g**2)。",
    "lstm_dc_prev_missing_f": ("{name}：c = f * c_prev + ...，所以 dc_prev = dc_t * f：梯度沿细胞状态往回走时，"
                               "要被遗忘门缩放。"),
    "lstm_gate_order": ("{name}：各门的块顺序错了。本课程（与 PyTorch 相同）中，a 的四个块，以及 Wx、Wh、b 的列，"
                        "顺序都是 (i, f, g, o)：按 da = [da_i, da_f, da_g, da_o] 拼接。"),
    "rnn_grad_sign": ("{name} 的大小对，符号反了（实际 ≈ −期望）。这个反向传递里没有任何相减：找一找你引入的负号，"
                      "例如该写 1 − h**2 的地方写成了 h**2 − 1，或者某一项、某个结果前面多了负号。"),
    "rnn_grad_factor": ("{name} 是期望梯度的 {factor} 倍。这里的链式法则只是把上游梯度乘以局部导数，每条路径加一次："
                        "找一找是不是某个梯度加了两次，或者多出了一个 2（tanh' 是 1 − h²，不是 2h）。"),
    "rnn_batch_mean": ("{name} 是期望梯度除以批大小 N = {n}：你对样本取了平均。如果损失是平均值，它的 1/N 已经包含在"
                       "上游梯度里；层本身只求和。"),
    "rnn_dw_missing_batch_sum": ("{name} 还带着批次这一轴（每个样本一个矩阵，N = {n}）。权重由所有样本共享："
                                 "要把各样本的贡献加起来，例如 x.T @ dz 本身就对 n 求了和。"),
    "rnn_time_mean": ("{name} 是期望梯度除以 T = {T}：你对各时间步的贡献取了平均。每一步都用到的权重，得到的是这 T 份"
                      "贡献之*和*。"),
    "rnn_dw_missing_time_sum": ("{name} 为每个时间步各给了一个梯度，叠在一起（T = {T}）。权重由所有时间步共享："
                                "把各步的贡献加到一个与权重同形的数组里。"),
    "rnn_shape_error": ("你的函数抛出了 {etype}：{emsg}。一次矩阵乘法碰上了不匹配的形状。各数组的布局是 x (N, D)、"
                        "h_prev 和 h (N, H)、Wx (D, H)、Wh (H, H)（LSTM 中是 (D, 4H)、(H, 4H)）：梯度与被求导的量同形，"
                        "所以把推导中的每个下标求和写成一次内侧轴对得上的乘法，需要时做转置。"),
    "rnn_dx_time_reversed": ("{name} 的数值对，但时间顺序反了：dx[t] 属于第 t 步。沿时间倒着走时往列表里 append，"
                             "列表最后一项是第 0 步：把它反转，或者把 dx[t] 写进预先分配好的数组。"),
    "rnn_dh0_off_by_one": ("dh0 是第 0 步输出（第 0 步算出的 h）的梯度，晚了一步。h0 是第 0 步*读入*的状态："
                           "它的梯度是第 0 步的反向传递返回的 dh_prev。"),
    "rnn_dh0_missing": "dh0 是零。h0 流入第 0 步，就像后面的每个状态流入它的下一步一样：它的梯度是第 0 步的反向传递返回的 dh_prev。",
    "rnn_last_upstream_twice": ("{name}：最后一步的损失梯度 dh_all[T − 1] 被算了两次。带着走的梯度要从零开始："
                                "最后一步的 h 不再流向后面的任何一步。"),
    "tbptt_weights_reset": ("{name} 只含第一段的权重梯度：你在截断处把它们重新置零了。分离状态只截断 h 的梯度，"
                            "不截断权重的求和：每一步都用到了权重，所以 dWx、dWh 和 db 要把全部 T 步加起来。"),
    "lstm_tanh_form": ("{name}：tanh 的导数被写成了 1 − tanh。tanh' = 1 − tanh²：候选值 g 用 1 − g**2，"
                       "细胞状态用 1 − tanh(c)**2。"),
    "lstm_sigmoid_form": ("{name}：σ' 被写成了 1 − s。对门 s = σ(a)，σ'(a) = s · (1 − s)："
                          "da_i = di * i * (1 − i)，f 和 o 同理。"),
    "lstm_output_gate_tanh": "{name}：输出门的梯度用了 c 而不是 tanh(c)。h = o * tanh(c)，所以 do = dh * tanh(c)。",
    "lstm_block_sign": ("{name}：da 中门 {gate} 那一块的符号反了，其他门都对。检查这个门的导数（σ' = s(1 − s)，"
                        "tanh' = 1 − g²）以及它从所在乘积得到的因子。"),
}
