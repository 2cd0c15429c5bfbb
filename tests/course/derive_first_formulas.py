"""The per-exercise facts behind ``test_derive_first.py`` (issue 17, item 1): data only, no logic.

``KEY_FORMULAS``: the direct form of each graded exercise's answer — code or LaTeX, in the spellings
the chapters use — that must not stand in the text before the exercise outside a collapsed hint.
Literal strings, compared after the test's one normalisation (no whitespace, no LaTeX thin spaces,
``1.0`` read as ``1``), so ``\\dot a\\,b`` and ``\\dot a b`` are one spelling. Every exercise of the
manifest has an entry; an empty list says in a comment why the exercise has no formula to hide.

The exemptions, each with its reason: ``INTERFACE`` (exact solution lines that restate an exercise's
interface), ``GIVEN``/``ALLOWED`` (chapter 8's find-the-bug exercises), and which exercises have no
hints before (``NO_HINTS``) or no written-out derivation after them (``NO_DERIVATION``), or share
them with a neighbour (``SHARED_HINTS``, ``SHARED_DERIVATION``).
"""

KEY_FORMULAS = {
    # ch00: a warm-up on axes; the answer is one call
    "center_rows": [".mean(axis=1, keepdims=True)"],
    # ch01
    "forward_difference": ["(f(x + h) - f(x)) / h", r"\frac{f(x + h) - f(x)}{h}"],
    "central_difference": ["(f(x + h) - f(x - h)) / (2 * h", "(f(x + h) - f(x - h)) / (2h",
                           "(f(x + h) - f(x - h)) / 2 * h", "(f(x + h) - f(x - h)) / 2h",
                           r"\frac{f(x + h) - f(x - h)}{2h}"],
    "numerical_gradient": [r"\frac{f(x + h e_i) - f(x - h e_i)}{2h}", "f(x + h e_i) - f(x - h e_i)"],
    "relative_error": [],   # the formula is the definition the exercise asks to implement: the text states it
    # ch02
    "local_gradients": [r"\partial u/\partial w = x", r"\frac{\partial u}{\partial w} = x",
                        r"\partial J/\partial w = 5.25"],
    "topological_sort": ["append node to the order", "把 node 追加到顺序列表末尾"],
    "value_class": ["| $1 - t^2$ |", "| $b$, $a$ |", "| $b$，$a$ |"],
    "dual_numbers": [r"\dot{(ab)} = \dot a\,b + a\,\dot b", r"(\dot a\,b + a\,\dot b)\varepsilon",
                     "Dual.mults += 3"],
    # ch03
    "affine_forward": ["x @ w.T + b", "x @ w.T"],
    "affine_backward": ["dout @ w", "dout.T @ x", "dout.sum(axis=0)", r"\sum_m \text{dout}_{nm} W_{md}",
                        r"\sum_n \text{dout}_{nm} x_{nd}", r"\sum_n \text{dout}_{nm},"],
    "sigmoid_backward": ["out * (1 - out)", "out * (1.0 - out)", "y(1 - y)", r"\sigma(x)(1 - \sigma(x))"],
    "tanh_backward": ["1 - out ** 2", "1.0 - out ** 2", "1 - y^2", r"1 - \tanh^2"],
    "relu_backward": ["dout * (x > 0)", "(x > 0)", "1$ if $x > 0"],
    "softmax_cross_entropy": ["p - onehot", r"p - \text{onehot}", "p_{nk} - [k = y_n]", "[k = y] - p_k"],
    "mse_loss": ["2 * (pred - target)", "2 * diff", r"2(\text{pred} - \text{target})",
                 r"2(\text{pred}_{nk} - \text{target}_{nk})"],
    "two_layer_net": ["dscores @", "affine_backward(dscores", r"\text{dscores} \to (\text{dh}"],
    "unbroadcast": ["sum(axis=tuple(range(g.ndim"],
    "matmul_vjp": ["g @ b.T", "a.T @ g", r"\sum_j g_{ij} b_{kj}"],
    "sum_vjp": ["expand_dims(g", "broadcast_to(g"],
    "log_softmax_vjp": ["g - np.exp(out)", r"g_k - p_k \sum_j g_j"],
    # ch04
    "sgd_step": ["p - lr * g"],
    "train_minibatch": ["loss_and_grad(params, x[idx], y[idx])", "rng = np.random.default_rng(seed)"],
    "momentum_step": ["momentum * v + g", "p - lr * v"],
    "adam_step": ["beta1 * mi + (1 - beta1) * g", "m_hat / (np.sqrt(v_hat) + eps)"],
    # ch05
    "conv2d_forward": [],   # a forward pass: its formula is the definition the exercise starts from
    "conv2d_backward": ["dout.sum(axis=(0, 2, 3))", r"\partial L}{\partial b[f]} =",
                        r"\partial L}{\partial w[f, c, p, q]} =", r"\partial L}{\partial x_\text{pad}",
                        r"dx_\text{pad}[:, :, p:p+H, p:p+W]", "three `+=`", "三行 `+=`"],
    "maxpool_backward": ["routed, whole, to the position of the max", "被整个送到最大值所在的位置",
                         "added at the position of its window's maximum", "加到它的窗口中最大值所在的位置"],
    "avgpool_backward": [r"\text{dout} / (k_h k_w)", "dout / (kh * kw)", "local gradient $1/(k_h k_w)$",
                         "局部梯度都是 $1/(k_h k_w)$"],
    # ch06
    "rnn_step_backward": ["dh * (1 - h ** 2)", "dz @ Wx.T", "dz @ Wh.T", "x.T @ dz", "h_prev.T @ dz",
                          "dz.sum(axis=0)", "(1 - h^2)", "= 1 - h^2"],
    "rnn_backward": ["dh_all[t] + dh_next", r"\frac{\partial L}{\partial h_t} =", "+= dWx_t", "dh0 = dh_next"],
    "truncated_bptt": ["t % k == 0", "step $t$'s `dh_prev` is dropped", "丢掉第 $t$ 步的 `dh_prev`",
                       "the dh_prev returned by those steps is dropped", "这些步返回的 dh_prev 被丢掉"],
    "lstm_step_backward": ["dc + dh * o *", "dc_t * f", "i * (1 - i)", "f * (1 - f)", "o * (1 - o)",
                           "1 - g ** 2", "dc_t * c_prev", "dh * tanh(c)", "da = [da_i, da_f, da_g, da_o]",
                           r"\partial L}{\partial c} =", r"\partial L}{\partial c_{\text{prev}}} ="],
    # ch07
    "init_scale": [],   # a measurement (the scale that keeps activations steady), not a derived gradient;
                        # the chapter states the Xavier/He rules it is about before asking
    "batchnorm_backward_staged": [r"-\frac{1}{2 s^3}\sum_j g_j (x_j - \mu)",
                                  r"\frac{\partial L}{\partial \sigma^2}\,\frac{2(x_i-\mu)}{N}",
                                  r"-\partial L/\partial r_d \,/\, s_d^2", "-grads[\"inv\"] / std ** 2"],
    "batchnorm_backward": [r"\hat x_i\,\frac1N \sum_j g_j\,\hat x_j", r"g_i - \frac1N\sum_j g_j",
                           "x_hat * mean(dout * x_hat)", "(g * x_hat).mean(axis=0)"],
    "layernorm_backward": [r"\hat x_{id}\,\frac1D\sum_k g_{ik}", "mean(axis=1, keepdims=True) - x_hat"],
    "dropout_backward": [r"\text{dout}_{ij}\, m_{ij}/(1 - p)", "dout * mask / (1"],
    "clip_by_norm": [],     # a rule the chapter states (rescale when the norm exceeds the threshold), not derived
    "clip_by_value": [],    # likewise: np.clip of each gradient, the rule is the exercise's statement
    # ch08: debugging and tooling exercises; the answer is found, not derived
    "grad_norms": [],       # reads .grad of each parameter: nothing to derive
    "train_steps_fixed": [],   # find-the-bug: the fix is *where* zero_grad goes (see GIVEN)
    "forward_fixed": [],       # find-the-bug (see GIVEN)
    "logged_forward_fixed": [],  # find-the-bug (see GIVEN)
    "check_model_gradients": [],  # applies gradcheck, which the chapter teaches as a tool
    "softplus_primitive": [r"\text{dout} \odot \sigma(x)", r"\max(x, 0) + \log(1 + e^{-|x|})",
                           "np.log1p(np.exp(-np.abs(x)))"],
}

# Solution lines that are the exercise's interface as its docstring or statement gives it: they give
# nothing of the derivation. Exact lines per exercise, each with its reason; the general patterns
# are ``_BOILERPLATE`` in the test. (Lines of an earlier exercise of the chapter are exempt anyway.)
_LOOP = "the loop over the output positions, whose shapes the docstring gives"
_RESULT = "the results the docstring names, in its order"
INTERFACE = {
    "maxpool_backward": {"for i in range(ho):": _LOOP, "for j in range(wo):": _LOOP},
    "check_model_gradients": {"with chainrule.no_grad():": "the no-grad block chapter 8 teaches for gradcheck"},
    "momentum_step": {"return new_params, new_velocities": _RESULT},
    "adam_step": {"return new_params, new_m, new_v": _RESULT, "new_params = []": "the result list, filled below"},
    "train_minibatch": {"n = len(x)": "the number of samples", "losses, iterations = [], 0": "the counters returned"},
    "grad_norms": {"norms = {}": "the dict of norms the docstring names"},
    "train_steps_fixed": {"losses = []": "the list of losses the docstring names"},
}

# A find-the-bug exercise (chapter 8) shows the buggy function it asks to fix, and the answer keeps
# its correct lines. The bug itself may be named in the text; where the fix is a call the chapter
# teaches (zero_grad), the answer is *where* it goes, which no line shows.
GIVEN = {"train_steps_fixed": "train_steps_buggy", "forward_fixed": "forward_buggy",
         "logged_forward_fixed": "logged_forward_buggy"}
ALLOWED = {"train_steps_fixed": {"opt.zero_grad()"}}

# Hints before, derivation after. ``SHARED_HINTS[e] = d``: e's hints stand before d (one block of
# hints for a group of exercises); ``SHARED_DERIVATION[e] = d``: e's derivation follows d's tests cell.
SHARED_HINTS = {"tanh_backward": "sigmoid_backward", "relu_backward": "sigmoid_backward"}
SHARED_DERIVATION = {"sigmoid_backward": "relu_backward", "tanh_backward": "relu_backward"}

_FORWARD = "a forward pass or a definition the text states: nothing to derive, so no hints"
_STATED = "its rule is stated by the chapter (a definition, an update rule or a tool to apply), not derived"
_DEBUG = "a debugging exercise (find the bug, read the gradients, apply gradcheck): nothing to derive"
NO_HINTS = {
    "center_rows": _FORWARD, "forward_difference": _FORWARD, "relative_error": _FORWARD,
    "affine_forward": _FORWARD, "conv2d_forward": _FORWARD, "sgd_step": _STATED,
    "init_scale": _STATED, "clip_by_norm": _STATED, "clip_by_value": _STATED,
    "grad_norms": _DEBUG, "train_steps_fixed": _DEBUG, "forward_fixed": _DEBUG,
    "logged_forward_fixed": _DEBUG, "check_model_gradients": _DEBUG,
}
NO_DERIVATION = {
    **NO_HINTS,
    # chapter 4's optimizers: the hints help with the bookkeeping (lists of arrays, bias correction);
    # each update rule is given by the text, so there is no derivation to write out afterwards
    "train_minibatch": _STATED, "momentum_step": _STATED, "adam_step": _STATED,
}
