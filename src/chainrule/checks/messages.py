"""Every sentence a check or the environment check can say, once per language.

``MESSAGES[lang][key]`` is a ``str.format`` template. Both tables have exactly the
same keys and the same ``{fields}`` (``tests/checks/test_checks_core.py`` checks it),
so a check only ever names a key and never writes prose itself.

Keys:
  pass, pass_hidden, fail_header, detail_*, what_*, hint      the frame of a check's report
  <mistake id>                                                a hint for one diagnosed mistake
  env_*                                                       the first-cell environment check
"""

MESSAGES = {
    "en": {
        # ---- the frame of a report -------------------------------------------------
        "pass": "✓ {exercise}: all {n} checks passed.",
        "pass_hidden": "✓ {exercise}: all {n} hidden tests passed.",
        "fail_header": "✗ {exercise}: case {case} of {total} failed: {desc}",
        "detail_scalar": "  {what}: expected {expected}, got {got} (relative error {rel}).",
        "detail_array": ("  {what}, shape {shape}: {nbad} of {size} elements are wrong; the worst is at index "
                         "{index}: expected {expected}, got {got} (relative error {rel})."),
        "detail_shape": "  {what}: expected shape {expected_shape}, got shape {got_shape}.",
        "what_output": "your return value",
        "what_input": "the input x after your function returned",
        "hint": "  Hint: {text}",
        # ---- generic mistakes ------------------------------------------------------
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
        "sign": ("Every value has the right size but the wrong sign: got ≈ −expected. Check the order of a "
                 "subtraction, e.g. f(x + h) − f(x) and not f(x) − f(x + h)."),
        "factor_2": ("Your result is twice the expected value (got ≈ 2 × expected). A 1/2 is missing somewhere, "
                     "e.g. dividing by h instead of 2h in a central difference."),
        "factor_half": ("Your result is half the expected value (got ≈ expected / 2). There is an extra 1/2 "
                        "somewhere, e.g. dividing by 2h where the formula divides by h."),
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
        # ---- chapter 0: broadcasting ----------------------------------------------
        "missing_axis": ("You subtracted one number, the mean of the whole array; each row needs its own mean. "
                         "Reduce over the feature axis only: axis=1."),
        "wrong_axis": ("You subtracted the mean of each column (axis=0), but each row (each sample) should lose "
                       "its own mean: use axis=1."),
        "missing_keepdims": ("X.mean(axis=1) has shape (N,), and NumPy broadcasts it along the rows, not down the "
                             "columns, so row i got the mean of another row. Keep the axis: "
                             "X.mean(axis=1, keepdims=True) has shape (N, 1)."),
        # ---- chapter 1: finite differences -----------------------------------------
        "forward_difference_used": ("This is the forward difference (f(x + h) − f(x)) / h: its error shrinks "
                                    "only like h. The central difference (f(x + h) − f(x − h)) / (2h) uses one point "
                                    "on each side and its error shrinks like h²."),
        "central_difference_used": ("This is the central difference (f(x + h) − f(x − h)) / (2h). It is more "
                                    "accurate, but this exercise asks for the forward difference "
                                    "(f(x + h) − f(x)) / h: it is the one whose error we study next."),
        "backward_difference_used": ("This is the backward difference (f(x) − f(x − h)) / h. The forward "
                                     "difference steps forward: (f(x + h) − f(x)) / h."),
        "missing_division_by_h": ("You computed the change in f but did not divide by the step: a slope is "
                                  "(change in f) / (change in x)."),
        "operator_precedence": ("`... / 2 * h` divides by 2 and then multiplies by h: Python evaluates / and * "
                                "from left to right. Write `/ (2 * h)`."),
        "ignores_h": ("Your result matches a difference quotient with a step other than the h passed in "
                      "(h = {h}). Use the argument h instead of a fixed number."),
        "forward_difference_evaluations": ("Your function evaluated f {calls} times for {n} inputs, i.e. n + 1 "
                                           "times: a forward difference. Use central differences: f(x + h·eᵢ) "
                                           "and f(x − h·eᵢ) for each i, 2n evaluations."),
        "step_too_small": ("The error looks like round-off: your step h is probably too small (below about 1e-8 "
                           "the subtraction f(x + h) − f(x − h) loses most of its digits). Use h ≈ 1e-5."),
        "step_too_large": ("The error looks like truncation: your step h is probably too large. With h ≈ 1e-5 a "
                           "central difference is accurate to about 1e-10."),
        # ---- chapter 1: relative error ---------------------------------------------
        "sum_denominator": ("You divided by |a| + |b|. That is another common convention, but this exercise uses "
                            "max(|a|, |b|, 1e-12) in the denominator."),
        "one_sided_denominator": ("You divided by |a| or |b| only. Use max(|a|, |b|, 1e-12): then the relative "
                                  "error of (a, b) equals that of (b, a)."),
        "no_abs": "Take the absolute value of the difference: |a − b|, so that the error is never negative.",
        "mean_not_max": ("You averaged the element-wise relative errors. Return the largest one (np.max): one bad "
                         "element is enough to show a bug."),
        "whole_array_ratio": ("You divided a norm or maximum of the whole difference by a norm or maximum of the "
                              "whole arrays. Divide element by element first, then take the maximum."),
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
                          "course w has PyTorch's layout (out_features, in_features), so out = x @ w.T + b; and "
                          "backward, dx = dout @ w (shape of x) and dw = dout.T @ x (shape of w)."),
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
        # ---- ch02: computation graphs and the chain rule ----------------------------
        "detail_node": "  ∂J/∂{node}: expected {expected}, got {got} (relative error {rel}).",
        "lg_not_dict": ("Your function returned a {gtype}; return a dict with one gradient per node, "
                        "e.g. {{\"e\": ..., \"v\": ..., \"u\": ..., \"b\": ..., \"y\": ..., \"w\": ..., \"x\": ...}}."),
        "lg_missing_key": "Your dict has no entry for {keys}: it needs ∂J/∂node for each of e, v, u, b, y, w, x.",
        "lg_not_number": "The entry for node {node} is a {gtype}, not a number.",
        "lg_local_only": ("At node {node} you returned only the local gradient ({local}). The chain rule multiplies "
                          "it by the upstream gradient, ∂J/∂(the node that {node} feeds) = {upstream}: "
                          "∂J/∂{node} = local × upstream."),
        "lg_missing_half": ("The gradient of node {node} is twice the right one. J = ½·e², so ∂J/∂e = e, not 2e: "
                            "the ½ cancels the 2 of the square, and every gradient behind e inherits the factor."),
        "lg_grad_sign": ("The gradient of node {node} has the wrong sign. Follow the signs through the graph: "
                         "e = v − y gives ∂e/∂v = +1 and ∂e/∂y = −1, and J = ½·e² gives ∂J/∂e = e = wx + b − y."),
        "lg_swapped_factors": ("For u = w·x the local gradient with respect to {wrong} is the other factor, {other}: "
                               "∂u/∂{wrong} = {other}. You multiplied by {wrong} itself."),
        "lg_wrong": ("The gradient of node {node} is wrong. Compute the backward pass right to left: "
                     "∂J/∂e = e, then for each node ∂J/∂node = (local gradient) × (gradient of the node it feeds)."),
        "topo_extra": ("Your list contains {node}, which root does not depend on: return only root and the nodes "
                       "reached through .parents."),
        "topo_duplicate": ("Node {node} appears {times} times in your order. A node used by several others (a*a, or "
                           "a diamond) is reached more than once: keep a set of visited nodes and add each node once."),
        "topo_missing": ("{n} of the {total} nodes that root depends on are missing, e.g. {nodes}. Visit every parent "
                         "of every node (all of .parents, not just the first)."),
        "topo_reversed": ("Your order starts with {first} and ends with inputs: it is reversed. Return the inputs first "
                          "and the root ({root}) last; backward() then walks the list from the end."),
        "topo_order": ("{node} (position {i}) comes before its parent {parent} (position {j}). Add a node only after all "
                       "its parents are in the list: visit the parents first, then append the node (post-order)."),
        "detail_leaf": "  {leaf}.grad: expected {expected}, got {got} (relative error {rel}).",
        "what_forward": "the value (.data) of the result",
        "value_data": ("Value({v}).data is {got}: store the number you are given in .data (as a float)."),
        "value_grad_init": "A new Value must start with .grad = 0, but its .grad is {got}.",
        "value_forward": ("The forward value of {op} is wrong: check the .data that your operators compute "
                          "(the forward pass, before any gradient)."),
        "value_grad_type": "After backward(), some .grad is not a number: .grad must hold a float.",
        "value_not_implemented": ("`{where}` still raises NotImplementedError. If that is topological_sort, solve that "
                                  "exercise first: backward() uses it. Otherwise fill in that part of your Value class "
                                  "(the operation of this case)."),
        "grad_overwritten": ("A node used more than once gets only the gradient of its last use: you assign "
                             "(p.grad = ...) where you must accumulate (p.grad += ...). Every use of a node "
                             "contributes to its gradient, and the contributions add up."),
        "missing_chain_factor": ("In the backward of `{op}` you set the parents' gradients to the local gradient "
                                 "alone. Multiply by the upstream gradient out.grad: parent.grad += local × out.grad."),
        "tanh_derivative": ("The derivative of tanh is 1 − tanh(x)², i.e. 1 − t² with t the output of tanh; you used "
                            "{wrong}. Use the output value out.data, not the input x."),
        "pow_derivative": ("The derivative of xⁿ is n·xⁿ⁻¹; your ** backward matches {wrong}."),
        "exp_derivative": ("The derivative of exp(x) is exp(x) itself, the output out.data; your exp backward "
                           "matches {wrong}."),
        "sign_in_op": "The backward of `{op}` has a flipped sign: its local gradient should not be negated.",
        "factor_2_in_op": "The backward of `{op}` gives twice the right gradient: a factor 2 too many in its local gradient.",
        "wrong_order": ("The gradients look computed in the wrong order: a node passed its gradient on before all of "
                        "its uses had added theirs. Call _backward() on the nodes in reverse topological order: "
                        "the root first, each node only after every node that uses it."),
        "root_grad_not_one": ("All gradients are zero: backward() must start with self.grad = 1 (∂root/∂root = 1) "
                              "before it walks the graph."),
        "grad_sign_all": "Every gradient has the wrong sign: got ≈ −expected. Look for a flipped sign in backward().",
        "grad_factor_2_all": "Every gradient is twice the right one: a factor 2 too many, e.g. self.grad = 2 at the root.",
        "grad_factor_half_all": "Every gradient is half the right one: a factor ½ too many somewhere in backward().",
        "value_wrong": ("Some gradients are wrong and the mistake does not match a common pattern. Compute this small "
                        "case by hand (or with chainrule.numerical_grad) and compare node by node."),
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
        # ---- the environment check -------------------------------------------------
        "env_ok": "Environment OK: Python {python}, chainrule {chainrule}, NumPy {numpy}, matplotlib {matplotlib}{font}.",
        "env_font": ", Chinese font {family}",
        "env_problems": "The environment needs attention:",
        "env_python": ("Python {version} is too old: the course needs Python 3.10 or newer. Install a newer Python "
                       "and run `make lab` again (it creates .venv with the first `python3` on your PATH)."),
        "env_numpy": ("NumPy {version} is too old (or missing): the course needs NumPy 1.23 or newer. "
                      "In the repository run `pip install -e .` (or `make lab`)."),
        "env_matplotlib": ("matplotlib is not installed, so the plots will not draw. In the repository run "
                           "`pip install -e \".[plot]\"` (or `make lab`), then restart the kernel."),
        "env_chainrule": ("This chainrule ({version}, from {path}) is not the installed course package. "
                          "In the repository run `pip install -e .` (or `make lab`), then restart the kernel."),
        "env_cjk_font": ("No Chinese font found: Chinese plot labels would show as boxes. On Binder, apt.txt "
                         "installs one. On Debian/Ubuntu run `apt-get install fonts-noto-cjk` (on macOS: "
                         "`brew install --cask font-noto-sans-cjk-sc`), then rebuild matplotlib's font cache with "
                         "`python -c \"import matplotlib.font_manager as f; f._load_fontmanager(try_read_cache=False)\"` "
                         "and restart the kernel."),
        "env_language": "Unknown language {lang!r}: use \"en\" or \"zh\".",
    },
    "zh": {
        # ---- 报告的框架 -------------------------------------------------------------
        "pass": "✓ {exercise}：{n} 项检查全部通过。",
        "pass_hidden": "✓ {exercise}：{n} 项隐藏测试全部通过。",
        "fail_header": "✗ {exercise}：第 {case} 个用例（共 {total} 个）未通过：{desc}",
        "detail_scalar": "  {what}：期望 {expected}，实际得到 {got}（相对误差 {rel}）。",
        "detail_array": ("  {what}，形状 {shape}：{size} 个元素中有 {nbad} 个不对；误差最大的在索引 {index}："
                         "期望 {expected}，实际得到 {got}（相对误差 {rel}）。"),
        "detail_shape": "  {what}：期望形状 {expected_shape}，实际形状 {got_shape}。",
        "what_output": "你的返回值",
        "what_input": "函数返回之后的输入 x",
        "hint": "  提示：{text}",
        # ---- 通用错误 ---------------------------------------------------------------
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
        "sign": "数值大小都对，符号却全反了：got ≈ −expected。检查减法的顺序，应当是 f(x + h) − f(x)，而不是 f(x) − f(x + h)。",
        "factor_2": "结果恰好是期望值的 2 倍。某处少了一个 1/2，例如中心差分里除以了 h 而不是 2h。",
        "factor_half": "结果恰好是期望值的一半。某处多了一个 1/2，例如公式要求除以 h 的地方除以了 2h。",
        "transpose": "结果是期望值的转置（got ≈ expected.T）：检查轴的顺序。",
        "missing_batch_sum": ("结果还保留着批次轴（第 {axis} 轴，大小 {n}）；沿这个轴求和之后就对了。"
                              "所有样本共享的参数，其梯度是各样本贡献之和：沿第 {axis} 轴求和。"),
        "batch_mean": "结果等于期望值除以批大小 {n}：在应当求和的地方你对批次轴取了平均。",
        "missing_batch_mean": "结果是期望值的 {n} 倍（{n} 是批大小）：少了除以批大小（即沿批次轴取平均）这一步。",
        "wrong_values": "数值不对，而且不像任何一种常见错误。请用上面列出的输入手算第一个失败的用例，逐步对照。",
        "modified_input": ("你的函数改动了输入 x：返回之后 x{index} 是 {after}，原本是 {before}。"
                           "每个被扰动的元素都要恢复原值（先保存旧值，再放回去），或者在副本（x.copy()）上操作。"),
        # ---- 第 0 章:广播 ------------------------------------------------------------
        "missing_axis": "你减去的是一个数，即整个数组的均值；每一行应当减去它自己的均值。只沿特征轴归约：axis=1。",
        "wrong_axis": "你减去的是每一列的均值（axis=0），但应当让每一行（每个样本）减去它自己的均值：用 axis=1。",
        "missing_keepdims": ("X.mean(axis=1) 的形状是 (N,)，NumPy 会把它沿行方向广播，而不是沿列方向，"
                             "于是第 i 行减去的是别的行的均值。保留这个轴：X.mean(axis=1, keepdims=True) 的形状是 (N, 1)。"),
        # ---- 第 1 章:有限差分 --------------------------------------------------------
        "forward_difference_used": ("这是前向差分 (f(x + h) − f(x)) / h，误差只按 h 的一次方减小。"
                                    "中心差分 (f(x + h) − f(x − h)) / (2h) 在两侧各取一点，误差按 h² 减小。"),
        "central_difference_used": ("这是中心差分 (f(x + h) − f(x − h)) / (2h)。它更准确，但本练习要的是前向差分 "
                                    "(f(x + h) − f(x)) / h，接下来要研究的正是它的误差。"),
        "backward_difference_used": "这是后向差分 (f(x) − f(x − h)) / h。前向差分是向前走一步：(f(x + h) − f(x)) / h。",
        "missing_division_by_h": "你算出了 f 的变化量，却没有除以步长：斜率 = f 的变化量 / x 的变化量。",
        "operator_precedence": "`... / 2 * h` 是先除以 2、再乘以 h：Python 对 / 和 * 从左到右计算。应写成 `/ (2 * h)`。",
        "ignores_h": "你的结果对应的步长不是传入的 h（h = {h}）。请使用参数 h，而不是写死一个数。",
        "forward_difference_evaluations": ("对 {n} 个输入，你的函数调用了 f {calls} 次，即 n + 1 次：这是前向差分。"
                                           "请用中心差分：对每个 i 计算 f(x + h·eᵢ) 和 f(x − h·eᵢ)，共 2n 次。"),
        "step_too_small": ("误差像是舍入误差：步长 h 可能太小了（小于约 1e-8 时，f(x + h) − f(x − h) 这个减法"
                           "会丢掉大部分有效数字）。用 h ≈ 1e-5。"),
        "step_too_large": "误差像是截断误差：步长 h 可能太大了。取 h ≈ 1e-5 时，中心差分的误差约为 1e-10。",
        # ---- 第 1 章:相对误差 --------------------------------------------------------
        "sum_denominator": "你除以的是 |a| + |b|。这也是一种常见约定，但本练习的分母是 max(|a|, |b|, 1e-12)。",
        "one_sided_denominator": "你只除以了 |a| 或 |b|。请用 max(|a|, |b|, 1e-12)，这样 (a, b) 和 (b, a) 的相对误差相同。",
        "no_abs": "差要取绝对值：|a − b|，相对误差不会是负数。",
        "mean_not_max": "你对逐元素的相对误差取了平均。应当返回其中最大的一个（np.max）：只要有一个元素出错，就说明有 bug。",
        "whole_array_ratio": "你把整个差的范数（或最大值）除以了整个数组的范数（或最大值）。应当先逐元素相除，再取最大值。",
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
                          "(out_features, in_features)，所以 out = x @ w.T + b；反向时 dx = dout @ w（与 x 同形），"
                          "dw = dout.T @ x（与 w 同形）。"),
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
        # ---- ch02:计算图与链式法则 ---------------------------------------------------
        "detail_node": "  ∂J/∂{node}：期望 {expected}，实际得到 {got}（相对误差 {rel}）。",
        "lg_not_dict": ("你的函数返回了 {gtype}；应当返回一个字典，每个节点对应一个梯度，例如 "
                        "{{\"e\": ..., \"v\": ..., \"u\": ..., \"b\": ..., \"y\": ..., \"w\": ..., \"x\": ...}}。"),
        "lg_missing_key": "你的字典里缺少 {keys}：e、v、u、b、y、w、x 每个节点都需要一个 ∂J/∂节点。",
        "lg_not_number": "节点 {node} 对应的是 {gtype}，不是一个数。",
        "lg_local_only": ("在节点 {node} 处你只返回了局部梯度（{local}）。链式法则要把它乘以上游梯度，即 J 对 {node} "
                          "所流向的那个节点的偏导数 = {upstream}：∂J/∂{node} = 局部梯度 × 上游梯度。"),
        "lg_missing_half": ("节点 {node} 的梯度是正确值的 2 倍。J = ½·e²，所以 ∂J/∂e = e，而不是 2e：½ 与平方带来的 2 "
                            "相互抵消，e 后面的每个梯度都会继承这个因子。"),
        "lg_grad_sign": ("节点 {node} 的梯度符号反了。沿着计算图核对符号：e = v − y 给出 ∂e/∂v = +1、∂e/∂y = −1；"
                         "J = ½·e² 给出 ∂J/∂e = e = wx + b − y。"),
        "lg_swapped_factors": ("对 u = w·x，关于 {wrong} 的局部梯度是另一个因子 {other}：∂u/∂{wrong} = {other}。"
                               "你乘的却是 {wrong} 本身。"),
        "lg_wrong": ("节点 {node} 的梯度不对。从右往左做反向计算：∂J/∂e = e，然后对每个节点，"
                     "∂J/∂节点 = 局部梯度 × 它所流向的那个节点的梯度。"),
        "topo_extra": "你的列表里有 {node}，但 root 并不依赖它：只返回 root 以及沿 .parents 能到达的节点。",
        "topo_duplicate": ("节点 {node} 在你的顺序里出现了 {times} 次。被多个节点使用的节点（如 a*a 或菱形结构）"
                           "会被访问不止一次：用一个集合记录访问过的节点，每个节点只加入一次。"),
        "topo_missing": ("root 所依赖的 {total} 个节点中缺了 {n} 个，例如 {nodes}。要访问每个节点的每一个父节点"
                         "（.parents 里的全部，而不只是第一个）。"),
        "topo_reversed": ("你的顺序以 {first} 开头、以输入结尾：顺序反了。应当输入在前、根节点（{root}）在最后；"
                          "backward() 再从列表末尾往前走。"),
        "topo_order": ("{node}（位置 {i}）排在了它的父节点 {parent}（位置 {j}）之前。一个节点只能在它的所有父节点"
                       "都已加入列表之后才加入：先访问父节点，再追加该节点（后序遍历）。"),
        "detail_leaf": "  {leaf}.grad：期望 {expected}，实际得到 {got}（相对误差 {rel}）。",
        "what_forward": "结果的值（.data）",
        "value_data": "Value({v}).data 是 {got}：把传入的数存进 .data（转成 float）。",
        "value_grad_init": "新建的 Value 的 .grad 应当从 0 开始，而它的 .grad 是 {got}。",
        "value_forward": "{op} 的前向值不对：检查你的运算符计算出的 .data（前向传播，还没涉及梯度）。",
        "value_grad_type": "调用 backward() 之后，某个 .grad 不是数：.grad 里应当存一个 float。",
        "value_not_implemented": ("`{where}` 仍然抛出 NotImplementedError。如果它是 topological_sort，请先完成那个练习："
                                  "backward() 要用到它。否则请补全 Value 类里的这一部分（本用例中的运算）。"),
        "grad_overwritten": ("被使用不止一次的节点只得到了最后一次使用的梯度：你写的是赋值（p.grad = ...），"
                             "而应当累加（p.grad += ...）。节点的每一次使用都对它的梯度有贡献，这些贡献要加起来。"),
        "missing_chain_factor": ("在 `{op}` 的反向计算里，你把父节点的梯度设成了局部梯度本身。要乘以上游梯度 out.grad："
                                 "parent.grad += 局部梯度 × out.grad。"),
        "tanh_derivative": ("tanh 的导数是 1 − tanh(x)²，即 1 − t²，其中 t 是 tanh 的输出；你用的是 {wrong}。"
                            "请用输出值 out.data，而不是输入 x。"),
        "pow_derivative": "xⁿ 的导数是 n·xⁿ⁻¹；你的 ** 反向计算对应的是 {wrong}。",
        "exp_derivative": "exp(x) 的导数就是 exp(x) 本身，即输出 out.data；你的 exp 反向计算对应的是 {wrong}。",
        "sign_in_op": "`{op}` 的反向计算符号反了：它的局部梯度不应取负。",
        "factor_2_in_op": "`{op}` 的反向计算给出的梯度是正确值的 2 倍：局部梯度里多了一个因子 2。",
        "wrong_order": ("梯度的计算顺序像是错了：某个节点在它的所有使用者把梯度加进来之前，就把自己的梯度传了出去。"
                        "要按逆拓扑顺序对各节点调用 _backward()：根节点最先，每个节点都排在所有使用它的节点之后。"),
        "root_grad_not_one": "所有梯度都是零：backward() 在遍历计算图之前，要先设置 self.grad = 1（∂root/∂root = 1）。",
        "grad_sign_all": "所有梯度的符号都反了：got ≈ −expected。检查 backward() 里是否有一处符号取反。",
        "grad_factor_2_all": "所有梯度都是正确值的 2 倍：多了一个因子 2，例如在根节点处设置了 self.grad = 2。",
        "grad_factor_half_all": "所有梯度都是正确值的一半：backward() 里某处多了一个因子 ½。",
        "value_wrong": ("有些梯度不对，而且不像任何一种常见错误。请手算这个小用例（或用 chainrule.numerical_grad），"
                        "逐个节点对照。"),
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
        # ---- 环境检查 -----------------------------------------------------------------
        "env_ok": "环境正常：Python {python}，chainrule {chainrule}，NumPy {numpy}，matplotlib {matplotlib}{font}。",
        "env_font": "，中文字体 {family}",
        "env_problems": "环境需要处理以下问题：",
        "env_python": ("Python {version} 版本太旧：本课程需要 Python 3.10 或更高版本。请安装新版 Python，"
                       "再运行一次 `make lab`（它会用 PATH 上的第一个 `python3` 创建 .venv）。"),
        "env_numpy": "NumPy {version} 版本太旧（或未安装）：本课程需要 NumPy 1.23 或更高版本。在仓库目录下运行 `pip install -e .`（或 `make lab`）。",
        "env_matplotlib": ("没有安装 matplotlib，图画不出来。在仓库目录下运行 `pip install -e \".[plot]\"`（或 `make lab`），"
                           "然后重启内核。"),
        "env_chainrule": ("当前的 chainrule（{version}，来自 {path}）不是安装好的课程包。在仓库目录下运行 `pip install -e .`"
                          "（或 `make lab`），然后重启内核。"),
        "env_cjk_font": ("没有找到中文字体：图中的中文会显示成方框。在 Binder 上，apt.txt 会自动安装字体。"
                         "Debian/Ubuntu 上运行 `apt-get install fonts-noto-cjk`（macOS 上："
                         "`brew install --cask font-noto-sans-cjk-sc`），然后重建 matplotlib 的字体缓存："
                         "`python -c \"import matplotlib.font_manager as f; f._load_fontmanager(try_read_cache=False)\"`，"
                         "再重启内核。"),
        "env_language": "未知的语言 {lang!r}：请用 \"en\" 或 \"zh\"。",
    },
}
