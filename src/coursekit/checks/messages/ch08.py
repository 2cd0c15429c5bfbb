"""Chapter 8: autodiff in practice. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    "prim_not_a_primitive": ("softplus is a {got}, not a chainrule primitive: put @chainrule.primitive(softplus_vjp) "
                             "on the line above def softplus(x), so that chainrule records it as one op with your "
                             "VJP (a function built from chainrule's own ops would not use your VJP at all)."),
    "prim_not_registered": ("softplus is a primitive but not the one chainrule has registered under its name: "
                            "define it once, with @chainrule.primitive(softplus_vjp)."),
    "prim_forward_error": ("The forward softplus(x) raised {etype}: {emsg}. It takes an array and returns the pair "
                           "(out, cache)."),
    "prim_vjp_not_tuple": ("softplus_vjp returned {got}: a VJP returns a tuple with one gradient per input of the "
                           "forward, here (dx,) (note the comma)."),
    "prim_error": ("Running your primitive raised {etype} in the {stage} step: {emsg}. The forward returns "
                   "(out, cache); the VJP takes (dout, cache, needs) and returns (dx,)."),
    "prim_forward_overflow": ("The forward gives inf or NaN at x = 800: exp(800) overflows. Rewrite "
                              "log(1 + exp(x)) so that nothing overflows, e.g. with np.logaddexp or by taking "
                              "max(x, 0) out first."),
    "prim_forward_no_one": ("out is x (or log(exp(x))): softplus is log(1 + exp(x)); the 1 makes it smooth and "
                            "positive."),
    "prim_forward_sigmoid": "out is the sigmoid of x, softplus's derivative; the forward is log(1 + exp(x)).",
    "prim_forward_no_log": "out is 1 + exp(x): take the logarithm, softplus(x) = log(1 + exp(x)).",
    "prim_no_grad": ("After backward x.grad is None: the VJP's gradient did not reach x. Return (dx,) with dx "
                     "of x's shape."),
    "prim_vjp_overflow": ("dx is inf or NaN at large |x|: the local derivative written as exp(x) / (1 + exp(x)) "
                          "overflows. Write it so that no exp of a large positive number is taken."),
    "prim_vjp_sigmoid_minus": ("dx uses the sigmoid of −x: d log(1 + e^x)/dx = e^x / (1 + e^x), the sigmoid of "
                               "+x."),
    "prim_vjp_no_dout": "dx is the local derivative only: a VJP multiplies it by the upstream gradient dout.",
    "prim_vjp_exp": ("dx is dout * exp(x), the derivative of exp alone: the chain rule through the log divides by "
                     "1 + exp(x)."),
    "prim_vjp_sigmoid_prime": ("dx uses σ(x)(1 − σ(x)), the derivative of the sigmoid, one derivative too many: "
                               "the derivative of softplus is σ(x) itself."),
    "prim_vjp_at_output": ("dx evaluates the derivative at the output: the cache must hold what the VJP needs "
                           "of the *input* x (or σ(x)), and the derivative is σ(x)."),
    "prim_vjp_is_forward": "dx is dout * softplus(x), the function instead of its derivative σ(x).",
    "prim_vjp_sign": ("dx has the right size and the wrong sign (got ≈ −expected): softplus is increasing, so "
                      "its derivative is positive."),
    # ---- ch08: autodiff in practice -----------------------------------------------
    "ch08_bad_return": ("Your function should return a tuple {expected}, but it returned a {got}. "
                        "Return all of them, in this order."),
    "ch08_wrong_steps": ("Your function should return a list of {steps} losses, one per step, but it returned "
                         "something of shape {got_shape}. Append float(loss.data) once in each step."),
    "ch08_what_losses": "the list of losses",
    "ch08_what_scores": "the scores (the forward values)",
    "ch08_what_h_scaled": "h_scaled",
    "ch08_param_gain": "gain after training",
    "ch08_param_fc1.weight": "fc1.weight after training",
    "ch08_param_fc1.bias": "fc1.bias after training",
    "ch08_param_fc2.weight": "fc2.weight after training",
    "ch08_param_fc2.bias": "fc2.bias after training",
    "ch08_grad_gain": "gain.grad",
    "ch08_grad_fc1.weight": "fc1.weight.grad",
    "ch08_grad_fc1.bias": "fc1.bias.grad",
    "ch08_grad_fc2.weight": "fc2.weight.grad",
    "ch08_grad_fc2.bias": "fc2.bias.grad",
    "ch08_norm_gain": "the norm of gain.grad",
    "ch08_norm_fc1.weight": "the norm of fc1.weight.grad",
    "ch08_norm_fc1.bias": "the norm of fc1.bias.grad",
    "ch08_norm_fc2.weight": "the norm of fc2.weight.grad",
    "ch08_norm_fc2.bias": "the norm of fc2.bias.grad",
    "ch08_still_accumulates": ("These are exactly the losses of the buggy loop: the gradients still accumulate. "
                               "backward() adds into .grad, so every step must start from empty gradients: "
                               "call opt.zero_grad() (or model.zero_grad()) at the start of each step, "
                               "before loss.backward()."),
    "ch08_zero_grad_between": ("The loss never changes: the parameters are not updated. You cleared the gradients "
                               "between loss.backward() and opt.step(), so step() found no gradient. The order "
                               "is zero_grad → forward → backward → step."),
    "ch08_gradient_ascent": ("The loss grows from step to step: the update goes *up* the gradient. Gradient "
                             "descent subtracts it, p ← p − lr · grad (that is what opt.step() does)."),
    "ch08_loss_after_step": ("Your losses are shifted by one step: you recorded the loss after the update. Record "
                             "float(loss.data) of the loss that backward() used, as the buggy loop does."),
    "ch08_params_not_trained": ("{steps} steps ran, but the parameters still hold their initial values: the "
                                "update did not reach the model's parameters (did you train a copy?)."),
    "ch08_not_a_tensor": ("Your function returned a {gtype}, not a Tensor. A NumPy array has no graph: "
                          "return the Tensor that the model computed, so that backward() can reach the parameters."),
    "ch08_no_graph": ("The scores have the right values but carry no graph (requires_grad is False): they were "
                      "computed under no_grad(), or detached. Compute the forward pass with gradients enabled."),
    "ch08_params_changed": ("Your function changed parameter {name}: {name}{index} was {before} and is now "
                            "{after}. A forward pass must not modify the model."),
    "ch08_graph_broken": ("After backward(), {name}.grad is None: no gradient reached it, so this parameter would "
                          "never learn. Somewhere between {name} and the output the graph is cut: a .numpy(), "
                          ".data, .detach() or Tensor(...) around a value turns it into a constant. Keep every step "
                          "as Tensor operations."),
    "ch08_inplace_saved": ("{name}.grad is exactly the wrong gradient of the buggy version: an array that the graph "
                           "saved for backward (h, the input of fc2) is still edited in place (/=, *=, [...] =) "
                           "after it was used. Compute the scaled copy out of place: h.data / h.data.max()."),
    "ch08_norms_none_crash": ("Your function raised {etype} on a model where {name}.grad is None (a parameter this "
                              "loss did not use). Test for None first and report 0.0 for it."),
    "ch08_norms_changed_grads": ("Your function changed {name}.grad. A monitor only reads the gradients: the "
                                 "optimizer needs them unchanged."),
    "ch08_norms_not_dict": ("Your function returned a {gtype}; return a dict {{name: norm}} with one entry per "
                            "named parameter, e.g. {{'fc1.weight': 0.53, ...}}."),
    "ch08_norms_skip_none": ("There is no entry for {name} (your keys: {keys}). Its .grad is None: report it "
                             "anyway, with 0.0, so that a parameter that gets no gradient is seen, not hidden."),
    "ch08_norms_missing": ("There is no entry for {name} (your keys: {keys}). Use model.named_parameters(): "
                           "it gives every parameter with its name, e.g. 'fc1.weight'."),
    "ch08_norms_extra": ("Your dict has a key {name!r} that is not a parameter name. Use the names of "
                         "model.named_parameters() as keys."),
    "ch08_norms_per_element": ("For {name} you returned one value per element. Return one number per tensor: "
                               "the L2 norm of the whole gradient, sqrt(sum(g ** 2))."),
    "ch08_norms_none_nan": ("For {name}, whose .grad is None, you returned NaN. This exercise reports 0.0 for a "
                            "parameter without gradient (NaN would poison sums and plots)."),
    "ch08_norms_squared": ("For {name} you returned the squared norm sum(g ** 2): take its square root."),
    "ch08_norms_of_weights": ("For {name} you returned the norm of the parameter's values (p.data). The monitor "
                              "watches the gradient: use p.grad."),
    "ch08_norms_wrong_kind": ("For {name} you returned another size measure (a max, a mean or a sum of |g|). "
                              "Return the L2 norm sqrt(sum(g ** 2)) of the whole gradient."),
    "ch08_gc_not_restored": ("After your check, parameter {name}{index} is {after} instead of {before}: a perturbed "
                             "element was not put back. Save the old value and restore it exactly (p.data[i] = old) "
                             "after the two evaluations."),
    "ch08_gc_bad_name": ("worst_name should be the name of a parameter ({names}), but it is {got}."),
    "ch08_gc_bad_rel": "rel_error should be a number, but it is a {got}.",
    "ch08_gc_perturbs_copy": ("On a correct model your check reports a relative error of {rel}, i.e. the numerical "
                              "gradient is zero: perturbing did not change the loss. You perturbed a copy "
                              "(p.data.copy(), np.array(p.data)...) instead of the parameter itself. Change "
                              "p.data in place, evaluate the loss, and put the value back."),
    "ch08_gc_stale_grads": ("On a correct model your check reports a relative error of {rel}: your backprop "
                            "gradient is twice the right one. The model's .grad still held the gradient of an "
                            "earlier backward(), and backward() adds to it. Call model.zero_grad() first."),
    "ch08_gc_one_sided": ("On a correct model your relative error is {rel}, about that of one-sided differences "
                          "({one}); central differences give {ref_rel}. Use (L(θ + ε) − L(θ − ε)) / (2ε): its "
                          "error shrinks like ε², not like ε."),
    "ch08_gc_false_alarm": ("Your check says a correct model is wrong (relative error {rel}, expected about "
                            "{ref_rel}, parameter {got}). Compare your numerical and backprop gradients of that "
                            "parameter element by element."),
    "ch08_gc_rel_too_large": ("On a correct model your relative error is {rel}; central differences in float64 "
                              "give about {ref_rel}. Use eps = 1e-6, float64, and the relative error of the "
                              "whole gradient, ‖a − n‖ / max(‖a‖, ‖n‖, 1e-12)."),
    "ch08_gc_rel_zero": ("On a correct model your rel_error is exactly 0: your numerical and backprop gradients "
                         "agree to the last bit, which central differences never do (here they differ by about "
                         "{ref_rel}, for {name}). Is the numerical gradient really computed from loss values, "
                         "(L(θ + ε) − L(θ − ε)) / (2ε), and compared with the gradient from backward()?"),
    "ch08_gc_rel_mismatch": ("Your rel_error, {rel}, does not match the gradients: on this correct model, backprop "
                             "and central differences with this eps differ by {ref_rel} (for {name}), and a "
                             "relative error computed from them lands within a factor {factor} of that. Return "
                             "the largest relative error you computed, ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12), with "
                             "the eps you were given."),
    "ch08_gc_worst_mismatch": ("On a correct model your check names {got}, whose relative error is about "
                               "{got_rel}, but {name}'s is {ref_rel}: worst_name must be the parameter with the "
                               "largest relative error, the one rel_error belongs to."),
    "ch08_gc_bug_rel_mismatch": ("Your check names the right parameter, {got}, but reports a relative error of "
                                 "{rel} where its gradients give {ref_rel}. rel_error is the relative error of "
                                 "that parameter's whole gradient, ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12), computed "
                                 "from its backprop gradient a and its central differences n."),
    "ch08_gc_missed_bug": ("This model has a primitive with a wrong VJP (the gradient of {name} is wrong, relative "
                           "error {ref_rel}), but your check says ok. Is the numerical gradient really computed "
                           "from loss values, and compared with the gradient from backward()?"),
    "ch08_gc_wrong_worst": ("Your check found a problem but named {got}; the wrong gradient is that of {name} "
                            "(relative error {ref_rel}). Return the parameter with the largest relative error."),
    "ch08_gc_rel_definition": ("Your relative error is {rel} where this exercise's definition gives {ref_rel} "
                               "(worst parameter {name}): it looks like a largest element-wise ratio, which blows "
                               "up on elements whose gradient is nearly 0. Use the relative error of the whole "
                               "gradient of each parameter: ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)."),
}

ZH = {
    "prim_not_a_primitive": ("softplus 是一个 {got}，不是 chainrule 的原语：在 def softplus(x) 上面一行写 "
                             "@chainrule.primitive(softplus_vjp)，chainrule 才会把它记录为一个使用你的 VJP 的运算"
                             "（用 chainrule 自带运算拼出来的函数根本不会用到你的 VJP）。"),
    "prim_not_registered": ("softplus 是一个原语，但不是 chainrule 以这个名字注册的那一个："
                            "用 @chainrule.primitive(softplus_vjp) 定义它，只定义一次。"),
    "prim_forward_error": "前向函数 softplus(x) 抛出了 {etype}：{emsg}。它接收一个数组，返回二元组 (out, cache)。",
    "prim_vjp_not_tuple": ("softplus_vjp 返回的是 {got}：VJP 要返回一个元组，前向的每个输入对应一个梯度，"
                           "这里是 (dx,)（注意逗号）。"),
    "prim_error": ("运行你的原语时在 {stage} 这一步抛出了 {etype}：{emsg}。前向返回 (out, cache)；"
                   "VJP 接收 (dout, cache, needs)，返回 (dx,)。"),
    "prim_forward_overflow": ("前向计算在 x = 800 处得到 inf 或 NaN：exp(800) 溢出了。改写 log(1 + exp(x))，"
                              "让任何一步都不溢出，例如用 np.logaddexp，或者先把 max(x, 0) 提出来。"),
    "prim_forward_no_one": "out 等于 x（或 log(exp(x))）：softplus 是 log(1 + exp(x))；这个 1 让它光滑且恒为正。",
    "prim_forward_sigmoid": "out 是 x 的 sigmoid，那是 softplus 的导数；前向计算是 log(1 + exp(x))。",
    "prim_forward_no_log": "out 是 1 + exp(x)：还要取对数，softplus(x) = log(1 + exp(x))。",
    "prim_no_grad": "backward 之后 x.grad 是 None：VJP 给出的梯度没有到达 x。返回 (dx,)，dx 的形状与 x 相同。",
    "prim_vjp_overflow": ("在 |x| 很大处 dx 是 inf 或 NaN：写成 exp(x) / (1 + exp(x)) 的局部导数溢出了。"
                          "换一种写法，不对很大的正数取 exp。"),
    "prim_vjp_sigmoid_minus": "dx 用的是 −x 的 sigmoid：d log(1 + e^x)/dx = e^x / (1 + e^x)，是 +x 的 sigmoid。",
    "prim_vjp_no_dout": "dx 只是局部导数：VJP 还要把它乘以上游梯度 dout。",
    "prim_vjp_exp": "dx 是 dout * exp(x)，只是 exp 的导数：链式法则经过对数时还要除以 1 + exp(x)。",
    "prim_vjp_sigmoid_prime": ("dx 用的是 σ(x)(1 − σ(x))，即 sigmoid 的导数，多求了一次导：softplus 的导数就是 σ(x) 本身。"),
    "prim_vjp_at_output": ("dx 是在输出处求的导数：缓存里要存 VJP 需要的*输入* x（或 σ(x)），导数是 σ(x)。"),
    "prim_vjp_is_forward": "dx 是 dout * softplus(x)，用了函数本身，而不是它的导数 σ(x)。",
    "prim_vjp_sign": "dx 的大小对，符号反了（实际 ≈ −期望）：softplus 是增函数，导数为正。",
    # ---- ch08:自动微分实践 ---------------------------------------------------------
    "ch08_bad_return": "你的函数应当返回元组 {expected}，实际返回的却是 {got}。请按这个顺序全部返回。",
    "ch08_wrong_steps": ("你的函数应当返回 {steps} 个损失组成的列表（每步一个），实际返回的形状是 {got_shape}。"
                         "每一步追加一次 float(loss.data)。"),
    "ch08_what_losses": "损失列表",
    "ch08_what_scores": "得分（前向值）",
    "ch08_what_h_scaled": "h_scaled",
    "ch08_param_gain": "训练后的 gain",
    "ch08_param_fc1.weight": "训练后的 fc1.weight",
    "ch08_param_fc1.bias": "训练后的 fc1.bias",
    "ch08_param_fc2.weight": "训练后的 fc2.weight",
    "ch08_param_fc2.bias": "训练后的 fc2.bias",
    "ch08_grad_gain": "gain.grad",
    "ch08_grad_fc1.weight": "fc1.weight.grad",
    "ch08_grad_fc1.bias": "fc1.bias.grad",
    "ch08_grad_fc2.weight": "fc2.weight.grad",
    "ch08_grad_fc2.bias": "fc2.bias.grad",
    "ch08_norm_gain": "gain.grad 的范数",
    "ch08_norm_fc1.weight": "fc1.weight.grad 的范数",
    "ch08_norm_fc1.bias": "fc1.bias.grad 的范数",
    "ch08_norm_fc2.weight": "fc2.weight.grad 的范数",
    "ch08_norm_fc2.bias": "fc2.bias.grad 的范数",
    "ch08_still_accumulates": ("这些损失与有 bug 的循环完全相同：梯度仍在累加。backward() 是把梯度加到 .grad 上，"
                               "所以每一步都必须从空梯度开始：在每一步开头、loss.backward() 之前调用 "
                               "opt.zero_grad()（或 model.zero_grad()）。"),
    "ch08_zero_grad_between": ("损失始终不变：参数没有被更新。你在 loss.backward() 和 opt.step() 之间清空了梯度，"
                               "step() 找不到梯度。正确的顺序是 zero_grad → 前向 → backward → step。"),
    "ch08_gradient_ascent": ("损失一步比一步大：更新是沿着梯度*向上*走的。梯度下降要减去梯度，"
                             "p ← p − lr · grad（opt.step() 做的正是这件事）。"),
    "ch08_loss_after_step": ("你的损失错开了一步：你记录的是更新之后的损失。应当像有 bug 的循环那样，"
                             "记录 backward() 所用的那个损失的 float(loss.data)。"),
    "ch08_params_not_trained": ("已经运行了 {steps} 步，参数却仍是初始值：更新没有作用到模型的参数上"
                                "（是不是训练了一个副本？）。"),
    "ch08_not_a_tensor": ("你的函数返回了 {gtype}，而不是 Tensor。NumPy 数组没有计算图："
                          "请返回模型算出的 Tensor，这样 backward() 才能到达各个参数。"),
    "ch08_no_graph": ("得分的数值正确，却没有计算图（requires_grad 为 False）：它是在 no_grad() 中计算的，"
                      "或者被 detach 了。请在启用梯度的情况下做前向计算。"),
    "ch08_params_changed": ("你的函数改动了参数 {name}：{name}{index} 原本是 {before}，现在是 {after}。"
                            "前向计算不应修改模型。"),
    "ch08_graph_broken": ("调用 backward() 之后 {name}.grad 是 None：没有梯度到达它，这个参数永远学不到东西。"
                          "在 {name} 与输出之间，计算图被切断了：对某个值用了 .numpy()、.data、.detach() "
                          "或 Tensor(...)，它就变成了常数。每一步都要用 Tensor 运算来写。"),
    "ch08_inplace_saved": ("{name}.grad 恰好等于有 bug 版本给出的错误梯度：计算图为反向计算保存的数组"
                           "（h，即 fc2 的输入）在被使用之后仍被原地修改（/=、*=、[...] =）。"
                           "请用非原地的方式计算缩放后的副本：h.data / h.data.max()。"),
    "ch08_norms_none_crash": ("在 {name}.grad 为 None（这个损失没有用到的参数）的模型上，你的函数抛出了 {etype}。"
                              "先判断是否为 None，并为它报告 0.0。"),
    "ch08_norms_changed_grads": "你的函数改动了 {name}.grad。监视器只读取梯度：优化器还需要原样的梯度。",
    "ch08_norms_not_dict": ("你的函数返回了 {gtype}；应当返回字典 {{name: norm}}（参数名 → 范数），每个具名参数一项，"
                            "例如 {{'fc1.weight': 0.53, ...}}。"),
    "ch08_norms_skip_none": ("没有 {name} 这一项（你的键：{keys}）。它的 .grad 是 None：仍然要报告它，值为 0.0，"
                             "这样得不到梯度的参数才会被看见，而不是被藏起来。"),
    "ch08_norms_missing": ("没有 {name} 这一项（你的键：{keys}）。请用 model.named_parameters()："
                           "它给出每个参数及其名称，例如 'fc1.weight'。"),
    "ch08_norms_extra": "你的字典里有一个键 {name!r}，它不是参数名。请用 model.named_parameters() 给出的名称作键。",
    "ch08_norms_per_element": ("对 {name} 你返回了逐元素的值。每个张量只返回一个数："
                               "整个梯度的 L2 范数 sqrt(sum(g ** 2))。"),
    "ch08_norms_none_nan": ("{name} 的 .grad 是 None，你却返回了 NaN。本练习对没有梯度的参数报告 0.0"
                            "（NaN 会污染求和与绘图）。"),
    "ch08_norms_squared": "对 {name} 你返回的是范数的平方 sum(g ** 2)：还要开平方根。",
    "ch08_norms_of_weights": "对 {name} 你返回的是参数值（p.data）的范数。监视器看的是梯度：请用 p.grad。",
    "ch08_norms_wrong_kind": ("对 {name} 你返回的是另一种大小度量（|g| 的最大值、平均值或总和）。"
                              "请返回整个梯度的 L2 范数 sqrt(sum(g ** 2))。"),
    "ch08_gc_not_restored": ("检验之后，参数 {name}{index} 是 {after}，原本是 {before}：有被扰动的元素没有放回去。"
                             "先保存旧值，两次求值之后再精确地恢复它（p.data[i] = old）。"),
    "ch08_gc_bad_name": "worst_name 应当是某个参数的名称（{names}），实际却是 {got}。",
    "ch08_gc_bad_rel": "rel_error 应当是一个数，实际却是 {got}。",
    "ch08_gc_perturbs_copy": ("在一个正确的模型上，你的检验报告的相对误差是 {rel}，也就是说数值梯度为零："
                              "扰动没有改变损失。你扰动的是副本（p.data.copy()、np.array(p.data) 等），"
                              "而不是参数本身。请原地修改 p.data，计算损失，再把值放回去。"),
    "ch08_gc_stale_grads": ("在一个正确的模型上，你的检验报告的相对误差是 {rel}：你的反向传播梯度是正确值的 2 倍。"
                            "模型的 .grad 里还留着之前一次 backward() 的梯度，而 backward() 会在其上累加。"
                            "请先调用 model.zero_grad()。"),
    "ch08_gc_one_sided": ("在一个正确的模型上，你的相对误差是 {rel}，与单侧差分的误差（{one}）相当；"
                          "中心差分给出的是 {ref_rel}。请用 (L(θ + ε) − L(θ − ε)) / (2ε)：它的误差按 ε² 减小，"
                          "而不是按 ε。"),
    "ch08_gc_false_alarm": ("你的检验把一个正确的模型判为错误（相对误差 {rel}，应约为 {ref_rel}，参数 {got}）。"
                            "请逐元素比较该参数的数值梯度与反向传播梯度。"),
    "ch08_gc_rel_too_large": ("在一个正确的模型上，你的相对误差是 {rel}；float64 下的中心差分约为 {ref_rel}。"
                              "请用 eps = 1e-6、float64，以及整个梯度的相对误差 ‖a − n‖ / max(‖a‖, ‖n‖, 1e-12)。"),
    "ch08_gc_rel_zero": ("在一个正确的模型上，你的 rel_error 恰好是 0：你的数值梯度与反向传播梯度一位不差，"
                         "而中心差分从来做不到这一点（这里两者相差约 {ref_rel}，出现在 {name}）。数值梯度真的是"
                         "由损失值 (L(θ + ε) − L(θ − ε)) / (2ε) 算出来的吗？它真的与 backward() 给出的梯度作了比较吗？"),
    "ch08_gc_rel_mismatch": ("你的 rel_error 是 {rel}，与梯度对不上：在这个正确的模型上，反向传播与用这个 eps 算的"
                             "中心差分相差 {ref_rel}（出现在 {name}），由它们算出的相对误差应在它的 {factor} 倍范围内。"
                             "请返回你算出的最大相对误差 ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)，并使用传给你的 eps。"),
    "ch08_gc_worst_mismatch": ("在一个正确的模型上，你的检验指向 {got}，它的相对误差约为 {got_rel}，而 {name} 的是 "
                               "{ref_rel}：worst_name 必须是相对误差最大的那个参数，也就是 rel_error 所属的参数。"),
    "ch08_gc_bug_rel_mismatch": ("你的检验指向了正确的参数 {got}，报告的相对误差却是 {rel}，而它的梯度给出的是 "
                                 "{ref_rel}。rel_error 是这个参数整个梯度的相对误差 ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)，"
                                 "由它的反向传播梯度 a 与中心差分 n 算出。"),
    "ch08_gc_missed_bug": ("这个模型里有一个向量-雅可比积写错了的原语（{name} 的梯度是错的，相对误差 {ref_rel}），"
                           "你的检验却说没问题。数值梯度真的是由损失值算出来的吗？它真的与 backward() 给出的梯度"
                           "作了比较吗？"),
    "ch08_gc_wrong_worst": ("你的检验发现了问题，却指向了 {got}；梯度出错的是 {name}（相对误差 {ref_rel}）。"
                            "请返回相对误差最大的那个参数。"),
    "ch08_gc_rel_definition": ("你的相对误差是 {rel}，而按本练习的定义应为 {ref_rel}（误差最大的参数是 {name}）："
                               "看起来你取的是逐元素比值的最大值，它在梯度接近 0 的元素上会爆掉。"
                               "请对每个参数用整个梯度的相对误差：‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)。"),
}
