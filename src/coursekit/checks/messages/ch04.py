"""Chapter 4: gradient descent and optimizers. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
    # ---- ch04: gradient descent and optimizers ----------------------------------
    "what_step_item": "{name}[{i}] after step {t}",
    "what_loop_params": "params[{i}] given to loss_and_grad at iteration {k}",
    "what_log": "log['{entry}']",
    "optim_returned_none": ("Your function returned None. In this chapter a step function does not update in "
                            "place: it returns {expected} as new arrays (e.g. `return [p - lr * g for p, g in "
                            "zip(params, grads)]`) and leaves its arguments unchanged."),
    "optim_bad_return": ("Your function should return a tuple {expected}, but it returned {got}. Return all of "
                         "them, in this order."),
    "optim_bad_list": ("{name} should be a list of {n} arrays, one per parameter (in the order of params), "
                       "but it is {got}."),
    "optim_in_place": ("Your function changed its argument {name} in place: after it returned, {name}{index} was "
                       "{after} instead of {before}. The contract of these functions: return new arrays and "
                       "leave the arguments unchanged. `p - lr * g` makes a new array; `p -= lr * g` (or "
                       "`p[...] = ...`) overwrites the caller's. (chainrule.optim and torch.optim do update in "
                       "place, on purpose; these functions do not.)"),
    "update_sign": ("{name} moved uphill: you added the step (θ + η·…) instead of subtracting it. The "
                    "gradient points uphill, so the update goes against it: θ ← θ − η·(step)."),
    "missing_lr": ("{name}: the learning rate is missing: you subtracted the whole gradient (or velocity). Scale "
                   "it first: θ − lr·g."),
    "no_update": ("{name} is unchanged: you returned the parameters you were given. Compute the new values "
                  "(e.g. p - lr * g) and return those."),
    "lr_divides": "{name}: you divided by the learning rate; multiply: θ − η·g, not θ − g/η.",
    "momentum_convention": ("{name} is −η times PyTorch's velocity: you used the other convention, "
                            "v ← μ·v − η·g with θ ← θ + v (Sutskever et al. 2013, CS231n). While η stays constant "
                            "both give the same parameters, but the velocities differ by the factor −η (and the "
                            "trajectories differ once η changes during training). This chapter, like "
                            "torch.optim.SGD and chainrule.optim.SGD, keeps η out of the velocity: v ← μ·v + g, "
                            "then θ ← θ − η·v."),
    "momentum_lr_in_velocity": ("{name} is η times the expected velocity: you put the learning rate into it "
                                "(v ← μ·v + η·g). In PyTorch's convention the velocity has no η: v ← μ·v + g, "
                                "and the update is θ ← θ − η·v."),
    "momentum_dampened": ("{name}: you averaged, v ← μ·v + (1 − μ)·g (an exponential moving average, as some "
                          "courses write momentum; PyTorch calls the 1 − μ 'dampening'). Here the gradient "
                          "enters with weight 1: v ← μ·v + g."),
    "momentum_velocity_sign": ("{name} has the gradient with a minus sign (v ← μ·v − g). The velocity adds up "
                               "gradients, v ← μ·v + g, and the update subtracts it: θ ← θ − η·v."),
    "momentum_velocity_not_updated": ("{name} is the velocity you were given: return the new velocity "
                                      "v ← μ·v + g (a new array)."),
    "momentum_old_velocity": ("{name} moved by the OLD velocity (θ − η·v with v from before this step; at step 1 "
                              "that is 0, so nothing moved). First update the velocity, v ← μ·v + g, then use "
                              "the new one: θ ← θ − η·v."),
    "momentum_not_used": ("{name} moved by −η·g: that is plain SGD; the velocity was computed but not used. "
                          "With momentum the update is θ ← θ − η·v, with the new velocity v."),
    "adam_beta_weights": ("{name}: the weights of the moving average are wrong. m ← β1·m + (1 − β1)·g: the old "
                          "estimate keeps the weight β1 = {b1} and the new gradient gets 1 − β1; likewise "
                          "v ← β2·v + (1 − β2)·g² with β2 = {b2}. You used β where 1 − β belongs, or swapped "
                          "them."),
    "adam_stored_corrected": ("{name} is a bias-corrected moment (m̂ = m / (1 − β1^t) or v̂ = v / (1 − β2^t)). "
                              "The correction is for the update only: return the uncorrected running averages "
                              "m and v, which the next step continues from (correcting a corrected value again "
                              "compounds the error)."),
    "adam_moment_not_updated": "{name} is the moment you were given: return the updated running average.",
    "adam_v_not_squared": ("{name} averages g instead of g²: the second moment is v ← β2·v + (1 − β2)·g², with g² "
                           "element-wise (g * g or g ** 2)."),
    "adam_square_placement": ("{name}: the square is in the wrong place. Square each gradient, then average: "
                              "v ← β2·v + (1 − β2)·g². Squaring (1 − β2)·g, or the whole average, gives other "
                              "numbers."),
    "adam_no_bias_correction": ("{name}: the bias correction is missing. m and v start at 0, so in the first "
                                "steps they are too small by the factors 1 − β1^t and 1 − β2^t (at t = 1 with "
                                "β1 = 0.9, β2 = 0.999: 0.1 and 0.001, and the first step comes out about 3 times "
                                "too large). Divide: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), and update with "
                                "m̂ / (√v̂ + ε). Here β1 = {b1}, β2 = {b2}."),
    "adam_half_bias_correction": ("{name}: only one of the two moments was bias-corrected. Correct both: "
                                  "m̂ = m / (1 − β1^t) and v̂ = v / (1 − β2^t)."),
    "adam_step_index": ("{name}: the bias correction used the wrong step number. t is the number of this "
                        "step, 1 at the first call, so 1 − β^t is never 0. With t − 1 the first step divides by "
                        "1 − β^0 = 0 (NaN or inf); with t + 1 the correction is too weak. Use the t you are given "
                        "(here t = {t})."),
    "adam_missing_sqrt": ("{name}: the square root is missing: divide by √v̂ + ε, not by v̂ + ε. v estimates g², "
                          "so √v̂ has the size of g, and each step moves a parameter by about η."),
    "adam_eps_placement": ("{name}: ε is in another place. As in torch.optim.Adam, θ ← θ − η·m̂ / (√v̂ + ε): ε is "
                           "added after the square root and after the bias correction. Inside the root, or "
                           "added to √v before the correction (the paper's 'efficient' form), it changes the "
                           "step unless ε is tiny; here ε = {eps}."),
    "loop_no_calls": ("Your loop never called loss_and_grad: every iteration computes "
                      "`loss, grads = loss_and_grad(params, xb, yb)` on its batch, then updates params."),
    "loop_dropped_last_batch": ("The last, partial batch of each epoch is missing. N = {n} samples in batches of "
                                "B = {b} make {full} full batches and one of {rest} samples: ⌈N/B⌉ = {per_epoch} "
                                "iterations per epoch. `range(0, N - B + 1, B)` or `N // B` drops it (as PyTorch's "
                                "DataLoader(drop_last=True) does); `for start in range(0, N, B)` with the slice "
                                "`order[start:start + B]` keeps it."),
    "loop_epoch_count": ("The batches are right, but there are {calls} of them instead of {epochs} epochs × "
                         "{per_epoch} iterations = {total}: check the epoch loop, `for epoch in range(epochs)`."),
    "loop_batch_sizes": ("The batches have the wrong sizes. With N = {n} and B = {b} each epoch has batches of "
                         "{want_sizes} samples; yours were {got_sizes}. Slice one permutation: "
                         "`order[start:start + B]` for `start in range(0, N, B)`."),
    "xy_mismatch": ("At iteration {iteration} the rows of xb do not belong to the targets in yb: x and y were "
                    "shuffled differently. Index both with the same indices: `idx = order[start:start + B]`, "
                    "then `x[idx], y[idx]`."),
    "loop_not_a_partition": ("In epoch {epoch} some samples were used twice and others not at all (missing: "
                             "{missing}). An epoch visits every sample exactly once: take consecutive slices of "
                             "ONE permutation instead of drawing each batch at random."),
    "loop_not_shuffled": ("The batches follow the order of the data (0, 1, 2, …): nothing was shuffled. Draw a "
                          "permutation in each epoch, `order = rng.permutation(N)`, and slice that."),
    "loop_not_reshuffled": ("Every epoch uses the same batches in the same order: shuffle again at the start "
                            "of each epoch, with a new `rng.permutation(N)` inside the epoch loop, drawn from ONE "
                            "generator made before the loop (a generator re-created with the same seed in each "
                            "epoch repeats the same order)."),
    "loop_not_seeded": ("Two runs with the same seed = {seed} gave different batches: the shuffling is not "
                        "seeded. Create `rng = np.random.default_rng(seed)` once, at the start, and draw every "
                        "permutation from it."),
    "loop_seed_ignored": ("seed = {seed} and seed = {seed2} gave the same batches: your function ignores its "
                          "seed argument. Make the generator from it: `np.random.default_rng(seed)`."),
    "loop_params_not_updated": ("At iteration {iteration} loss_and_grad got the parameters from before the last "
                                "update: the new parameters were computed but not used. Assign them back "
                                "(`params = [p - lr * g for ...]`) before the next batch."),
    "loop_returned_start": "The returned params are the starting ones: return the parameters after the last update.",
    "loop_returned_before_last_update": ("The returned params are those from before the last update: return "
                                         "them after it."),
    "loop_log_not_dict": ("The second value you returned should be a dict, "
                          "log = {{\"epochs\": …, \"iterations\": …, \"losses\": […]}}, but it is {got}."),
    "loop_log_missing_key": "log has no key {missing!r} (its keys: {keys}): it needs 'epochs', 'iterations' and 'losses'.",
    "loop_count_not_number": "log['{entry}'] should be a whole number, but it is {got}.",
    "loop_count_wrong": ("log['{entry}'] is {got} but should be {expected}: with N = {n}, B = {b} and {epochs} "
                         "epochs there are ⌈N/B⌉ = {per_epoch} iterations per epoch, {total} in all."),
    "loop_iterations_per_epoch_only": ("log['iterations'] = {got} counts ONE epoch (⌈{n}/{b}⌉ = {per_epoch}). "
                                       "It should count every parameter update of the run: {epochs} × "
                                       "{per_epoch} = {total}. Was the counter reset in each epoch?"),
    "loop_iterations_counted_samples": ("log['iterations'] = {got} counts samples (N × epochs). An iteration is "
                                        "one batch, one parameter update: ⌈N/B⌉ = {per_epoch} per epoch, {total} "
                                        "in all."),
    "loop_iterations_floor": ("log['iterations'] = {got} = epochs × (N // B): the last, partial batch is an "
                              "iteration too. ⌈N/B⌉ = {per_epoch} per epoch ({full} full batches and one of "
                              "{rest}), {total} in all. Count the updates you make instead of computing the "
                              "number."),
    "loop_iterations_counted_epochs": ("log['iterations'] = {got} counts epochs. An iteration is one batch, one "
                                       "parameter update: ⌈N/B⌉ = {per_epoch} per epoch, {total} in all."),
    "loop_losses_length": ("log['losses'] has {got} entries; it needs one per iteration, {total} in all: the "
                           "loss that loss_and_grad returned for each batch, in order."),
    "loop_losses_per_epoch": ("log['losses'] holds one value per epoch; this exercise asks for the loss of every "
                              "iteration ({total} values), in order. A per-epoch curve is easy to make from it "
                              "afterwards."),
    "sgd_params_negated": ("{name} at step {t} is −(expected): the parameters changed sign. The step moves θ "
                           "by −η·g and keeps θ itself: θ − η·g, not η·g − θ."),
    "momentum_params_negated": ("{name} at step {t} is −(expected): the parameters changed sign. The update "
                                "keeps θ and subtracts η·v: θ − η·v."),
    "adam_params_negated": ("{name} at step {t} is −(expected): the parameters changed sign. The update keeps θ "
                            "and subtracts the step: θ − η·m̂ / (√v̂ + ε)."),
    "adam_moment_negated": ("{name} at step {t} is −(expected). The moments are moving averages of g and of "
                            "g² with positive weights β and 1 − β (v is never negative); the minus belongs only "
                            "in the parameter update."),
    "sgd_step_scaled": ("At step {t}, {name} moved {factor} × as far as expected from where it started. One SGD "
                        "step moves θ by exactly −η·g: is lr or g applied twice, or halved?"),
    "momentum_step_scaled": ("At step {t}, {name} moved {factor} × as far as expected. The step is −η·v with "
                             "the new velocity, once: is lr applied twice, or v counted twice?"),
    "adam_step_scaled": ("At step {t}, {name} moved {factor} × as far as expected. The step is "
                         "−η·m̂ / (√v̂ + ε), once: check lr and the bias corrections 1 − β^t."),
}

ZH = {
    # ---- ch04:梯度下降与优化器 ---------------------------------------------------
    "what_step_item": "第 {t} 步之后的 {name}[{i}]",
    "what_loop_params": "第 {k} 次迭代传给 loss_and_grad 的 params[{i}]",
    "what_log": "log['{entry}']",
    "optim_returned_none": ("你的函数返回了 None。本章的单步函数不做原地更新：它以新数组的形式返回 {expected}"
                            "（例如 `return [p - lr * g for p, g in zip(params, grads)]`），并且不改动自己的参数。"),
    "optim_bad_return": "你的函数应当返回元组 {expected}，实际返回的是 {got}。请按这个顺序全部返回。",
    "optim_bad_list": "{name} 应当是由 {n} 个数组组成的列表，每个参数一个（顺序与 params 相同），实际是 {got}。",
    "optim_in_place": ("你的函数原地改动了参数 {name}：返回之后 {name}{index} 是 {after}，原本是 {before}。"
                       "这些函数的约定是：返回新数组，不改动传入的参数。`p - lr * g` 会生成一个新数组；"
                       "`p -= lr * g`（或 `p[...] = ...`）会覆盖调用者的数组。（chainrule.optim 和 torch.optim "
                       "是有意原地更新的；这里的函数不这样做。）"),
    "update_sign": ("{name} 朝上坡走了：你把这一步加了上去（θ + η·…），而不是减去它。梯度指向上坡方向，"
                    "所以更新要逆着它走：θ ← θ − η·（步长项）。"),
    "missing_lr": "{name}：缺少学习率，你减去了整个梯度（或速度）。先乘上学习率：θ − lr·g。",
    "no_update": "{name} 没有变化：你返回的就是传进来的参数。请计算新值（例如 p - lr * g）并返回。",
    "lr_divides": "{name}：你除以了学习率；应当相乘：θ − η·g，而不是 θ − g/η。",
    "momentum_convention": ("{name} 是 PyTorch 速度的 −η 倍：你用的是另一种写法，v ← μ·v − η·g，θ ← θ + v"
                            "（Sutskever 等人 2013 年的论文、CS231n）。学习率不变时两种写法得到的参数相同，"
                            "但速度相差因子 −η（训练中学习率一变，轨迹也会不同）。本章与 torch.optim.SGD、"
                            "chainrule.optim.SGD 一样，速度里不含 η：v ← μ·v + g，然后 θ ← θ − η·v。"),
    "momentum_lr_in_velocity": ("{name} 是期望速度的 η 倍：你把学习率放进了速度（v ← μ·v + η·g）。"
                                "按 PyTorch 的写法，速度里没有 η：v ← μ·v + g，更新是 θ ← θ − η·v。"),
    "momentum_dampened": ("{name}：你做了加权平均，v ← μ·v + (1 − μ)·g（指数移动平均，有些课程这样写动量；"
                          "PyTorch 把这个 1 − μ 叫作 dampening）。这里梯度的权重是 1：v ← μ·v + g。"),
    "momentum_velocity_sign": ("{name} 里的梯度带了负号（v ← μ·v − g）。速度是梯度的累加，v ← μ·v + g，"
                               "更新时再减去它：θ ← θ − η·v。"),
    "momentum_velocity_not_updated": "{name} 就是传进来的速度：请返回新的速度 v ← μ·v + g（一个新数组）。",
    "momentum_old_velocity": ("{name} 是按旧的速度移动的（θ − η·v 里的 v 是这一步之前的值；第 1 步时它是 0，"
                              "所以参数没有动）。先更新速度 v ← μ·v + g，再用新的速度：θ ← θ − η·v。"),
    "momentum_not_used": ("{name} 移动了 −η·g：这是朴素的 SGD，速度算了却没有用上。有动量时更新是 θ ← θ − η·v，"
                          "其中 v 是新的速度。"),
    "adam_beta_weights": ("{name}：移动平均的权重不对。m ← β1·m + (1 − β1)·g：旧的估计保留权重 β1 = {b1}，"
                          "新的梯度得到 1 − β1；同样 v ← β2·v + (1 − β2)·g²，其中 β2 = {b2}。"
                          "你在该用 1 − β 的地方用了 β，或者把两者弄反了。"),
    "adam_stored_corrected": ("{name} 是偏差修正后的矩（m̂ = m / (1 − β1^t) 或 v̂ = v / (1 − β2^t)）。"
                              "修正只用于这一步的更新：请返回未修正的滑动平均 m 和 v，下一步要在它们的基础上继续"
                              "（对已经修正过的值再修正，误差会累积）。"),
    "adam_moment_not_updated": "{name} 就是传进来的矩：请返回更新后的滑动平均。",
    "adam_v_not_squared": "{name} 平均的是 g 而不是 g²：二阶矩是 v ← β2·v + (1 − β2)·g²，g² 逐元素计算（g * g 或 g ** 2）。",
    "adam_square_placement": ("{name}：平方的位置不对。先把每个梯度平方，再做平均：v ← β2·v + (1 − β2)·g²。"
                              "对 (1 − β2)·g 或整个平均值取平方，得到的是别的数。"),
    "adam_no_bias_correction": ("{name}：缺少偏差修正。m 和 v 从 0 开始，所以最初几步它们偏小，分别小了因子 "
                                "1 − β1^t 和 1 − β2^t（t = 1、β1 = 0.9、β2 = 0.999 时是 0.1 和 0.001，"
                                "第一步因此大了约 3 倍）。要除掉它们：m̂ = m / (1 − β1^t)，v̂ = v / (1 − β2^t)，"
                                "再用 m̂ / (√v̂ + ε) 更新。这里 β1 = {b1}，β2 = {b2}。"),
    "adam_half_bias_correction": "{name}：两个矩只修正了一个。两个都要修正：m̂ = m / (1 − β1^t)，v̂ = v / (1 − β2^t)。",
    "adam_step_index": ("{name}：偏差修正用错了步数。t 是这一步的序号，第一次调用时 t = 1，所以 1 − β^t 永远不为 0。"
                        "用 t − 1 的话第一步要除以 1 − β^0 = 0（得到 NaN 或 inf）；用 t + 1 的话修正不够。"
                        "直接用传进来的 t（这里 t = {t}）。"),
    "adam_missing_sqrt": ("{name}：少了平方根：应当除以 √v̂ + ε，而不是 v̂ + ε。v 估计的是 g²，所以 √v̂ 与 g 同量级，"
                          "每一步大约把参数移动 η。"),
    "adam_eps_placement": ("{name}：ε 的位置不对。与 torch.optim.Adam 相同，θ ← θ − η·m̂ / (√v̂ + ε)：ε 加在开方之后、"
                           "偏差修正之后。放进根号里，或在修正之前加到 √v 上（论文里的“高效”写法），只要 ε 不是极小，"
                           "步长就会改变；这里 ε = {eps}。"),
    "loop_no_calls": "你的循环从未调用 loss_and_grad：每次迭代都要对自己的批次计算 `loss, grads = loss_and_grad(params, xb, yb)`，再更新 params。",
    "loop_dropped_last_batch": ("每个轮次最后那个不满的批次不见了。N = {n} 个样本按 B = {b} 分批，得到 {full} 个满批次和"
                                "一个 {rest} 个样本的批次：每个轮次 ⌈N/B⌉ = {per_epoch} 次迭代。"
                                "`range(0, N - B + 1, B)` 或 `N // B` 会把它丢掉（就像 PyTorch 的 "
                                "DataLoader(drop_last=True)）；`for start in range(0, N, B)` 配合切片 "
                                "`order[start:start + B]` 则会保留它。"),
    "loop_epoch_count": ("批次本身没错，但一共有 {calls} 个，而不是 {epochs} 个轮次 × 每轮 {per_epoch} 次迭代 = {total}："
                         "检查轮次循环 `for epoch in range(epochs)`。"),
    "loop_batch_sizes": ("批次的大小不对。N = {n}、B = {b} 时，每个轮次的批次大小依次是 {want_sizes}；你的是 {got_sizes}。"
                         "对一个排列做切片：`order[start:start + B]`，其中 `start in range(0, N, B)`。"),
    "xy_mismatch": ("第 {iteration} 次迭代时，xb 的各行与 yb 中的目标值对不上：x 和 y 被打乱成了不同的顺序。"
                    "两者要用同一组下标：`idx = order[start:start + B]`，然后取 `x[idx], y[idx]`。"),
    "loop_not_a_partition": ("第 {epoch} 个轮次里，有的样本用了两次，有的一次也没用上（缺少：{missing}）。"
                             "一个轮次要把每个样本恰好用一次：对同一个排列依次切片，而不是每个批次随机抽取。"),
    "loop_not_shuffled": "批次按数据本来的顺序（0, 1, 2, …）排列：根本没有打乱。每个轮次抽一个排列 `order = rng.permutation(N)`，再对它切片。",
    "loop_not_reshuffled": ("每个轮次用的批次和顺序都一样：每个轮次开始时都要重新打乱，在轮次循环里调用新的 "
                            "`rng.permutation(N)`，而生成器只在循环之前创建一次（每个轮次用同一个种子重新创建"
                            "生成器，得到的还是同一个顺序）。"),
    "loop_not_seeded": ("用同一个种子 seed = {seed} 运行两次，得到的批次却不同：打乱没有用种子控制。"
                        "在开头创建一次 `rng = np.random.default_rng(seed)`，所有排列都从它抽取。"),
    "loop_seed_ignored": "seed = {seed} 和 seed = {seed2} 得到的批次相同：你的函数忽略了参数 seed。用它来创建生成器：`np.random.default_rng(seed)`。",
    "loop_params_not_updated": ("第 {iteration} 次迭代时，loss_and_grad 拿到的是上一次更新之前的参数：新参数算出来了，"
                                "却没有用上。在处理下一个批次之前把它赋回去（`params = [p - lr * g for ...]`）。"),
    "loop_returned_start": "返回的 params 是初始参数：请返回最后一次更新之后的参数。",
    "loop_returned_before_last_update": "返回的 params 是最后一次更新之前的值：请返回更新之后的。",
    "loop_log_not_dict": ("返回的第二个值应当是一个字典 "
                          "log = {{\"epochs\": …, \"iterations\": …, \"losses\": […]}}，实际是 {got}。"),
    "loop_log_missing_key": "log 里没有键 {missing!r}（现有的键：{keys}）：需要 'epochs'、'iterations' 和 'losses'。",
    "loop_count_not_number": "log['{entry}'] 应当是一个整数，实际是 {got}。",
    "loop_count_wrong": ("log['{entry}'] 是 {got}，应当是 {expected}：N = {n}、B = {b}、{epochs} 个轮次时，"
                         "每个轮次有 ⌈N/B⌉ = {per_epoch} 次迭代，共 {total} 次。"),
    "loop_iterations_per_epoch_only": ("log['iterations'] = {got} 只数了一个轮次（⌈{n}/{b}⌉ = {per_epoch}）。"
                                       "它应当数整个训练过程中参数更新的次数：{epochs} × {per_epoch} = {total}。"
                                       "计数器是不是在每个轮次都清零了？"),
    "loop_iterations_counted_samples": ("log['iterations'] = {got} 数的是样本数（N × 轮次数）。一次迭代是一个批次、"
                                        "一次参数更新：每个轮次 ⌈N/B⌉ = {per_epoch} 次，共 {total} 次。"),
    "loop_iterations_floor": ("log['iterations'] = {got} = 轮次数 × (N // B)：最后那个不满的批次也是一次迭代。"
                              "每个轮次 ⌈N/B⌉ = {per_epoch} 次（{full} 个满批次加一个 {rest} 个样本的批次），共 {total} 次。"
                              "去数实际做了多少次更新，而不要用公式去算。"),
    "loop_iterations_counted_epochs": ("log['iterations'] = {got} 数的是轮次。一次迭代是一个批次、一次参数更新："
                                       "每个轮次 ⌈N/B⌉ = {per_epoch} 次，共 {total} 次。"),
    "loop_losses_length": ("log['losses'] 有 {got} 项；它应当每次迭代一项，共 {total} 项：按顺序记录 loss_and_grad "
                           "为每个批次返回的损失。"),
    "loop_losses_per_epoch": ("log['losses'] 每个轮次只有一个值；本练习要求按顺序记录每次迭代的损失（共 {total} 个值）。"
                              "之后很容易由它画出按轮次的曲线。"),
    "sgd_params_negated": "第 {t} 步的 {name} ≈ −期望值：参数变了号。这一步只让 θ 移动 −η·g，θ 本身要保留：θ − η·g，而不是 η·g − θ。",
    "momentum_params_negated": "第 {t} 步的 {name} ≈ −期望值：参数变了号。更新要保留 θ，再减去 η·v：θ − η·v。",
    "adam_params_negated": "第 {t} 步的 {name} ≈ −期望值：参数变了号。更新要保留 θ，再减去这一步：θ − η·m̂ / (√v̂ + ε)。",
    "adam_moment_negated": ("第 {t} 步的 {name} ≈ −期望值。两个矩是 g 和 g² 的滑动平均，权重 β 和 1 − β 都是正的"
                            "（v 永远不会是负数）；负号只出现在参数更新里。"),
    "sgd_step_scaled": "第 {t} 步，{name} 离出发点移动的距离是期望的 {factor} 倍。SGD 的一步恰好让 θ 移动 −η·g：是不是 lr 或 g 用了两次，或者被减半了？",
    "momentum_step_scaled": "第 {t} 步，{name} 移动的距离是期望的 {factor} 倍。这一步是用新速度算出的 −η·v，只用一次：是不是 lr 用了两次，或者 v 算了两次？",
    "adam_step_scaled": "第 {t} 步，{name} 移动的距离是期望的 {factor} 倍。这一步是 −η·m̂ / (√v̂ + ε)，只用一次：检查 lr 和偏差修正 1 − β^t。",
}
