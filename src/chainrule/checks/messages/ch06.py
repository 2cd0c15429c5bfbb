"""Chapter 6: recurrent networks and BPTT. One table per language, same keys (see :mod:`chainrule.checks.messages`)."""

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
}
