"""Every sentence a check or the environment check can say, once per language.

``MESSAGES[lang][key]`` is a ``str.format`` template. Both tables have exactly the
same keys and the same ``{fields}`` (``tests/checks/test_checks_core.py`` checks it),
so a check only ever names a key and never writes prose itself.

Keys:
  pass, pass_hidden, fail_header, detail_*, what_*, hint      the frame of a check's report
  <mistake id>                                                a hint for one diagnosed mistake
  env_*                                                       the first-cell environment check
  nbcheck_*                                                   chainrule.check(): a notebook's expected score
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
        # ---- ch05: backprop in convolutional networks ---------------------------------
        "conv_kernel_flipped": ("{name} is what a *flipped* kernel gives (true convolution, w[:, :, ::-1, ::-1]). "
                                "Deep learning's conv2d is a cross-correlation: out[n, f, i, j] = sum over c, p, q of "
                                "xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q], with the kernel as it is."),
        "conv_missing_bias": ("The bias is missing: add b[f] to every pixel of output channel f, e.g. "
                              "out += b[None, :, None, None]."),
        "conv_padding_ignored": ("Your output is what padding = 0 gives, but this case has padding = {padding}: pad x "
                                 "with {padding} zeros on every side of both spatial axes first, e.g. np.pad(x, "
                                 "((0, 0), (0, 0), (p, p), (p, p)))."),
        "conv_padding_one_side": ("You padded only the top and left (or only one side) of x: padding = {padding} "
                                  "adds {padding} zeros on *every* side, ((p, p), (p, p)) in np.pad."),
        "conv_stride_ignored": ("Your output is what stride 1 gives, but this case has stride = {stride}: output pixel "
                                "(i, j) reads the window that starts at (i*stride, j*stride), and there are only "
                                "Ho = (H + 2*padding − kh) // stride + 1 = {ho} rows."),
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
                                        "input, then cut the border off: dx = dxpad[:, :, p:p+H, p:p+W] with "
                                        "p = {padding}."),
        "conv_stride_ignored_backward": ("{name} is what stride 1 would give, but this case has stride = {stride}. "
                                         "In the backward pass as in the forward one, output pixel (i, j) belongs to "
                                         "the window starting at (i*stride, j*stride): send its gradient there."),
        "conv_channels_swapped": ("{name} is what you get with the channel axes of w swapped. w has shape "
                                  "(F, C, kh, kw) = (out_channels, in_channels, kh, kw): F filters, each with C "
                                  "channels. Sum over F for dx, over C for out."),
        "conv_grad_sign": ("{name} has the right size but the wrong sign (got ≈ −expected). A backward pass "
                           "multiplies and adds the upstream gradient; no minus sign appears anywhere."),
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
                                   "the {kh}×{kw} window): you *assigned* each window's gradient, so a later window "
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
        "ch08_gc_missed_bug": ("This model has a primitive with a wrong VJP (the gradient of {name} is wrong, relative "
                               "error {ref_rel}), but your check says ok. Is the numerical gradient really computed "
                               "from loss values, and compared with the gradient from backward()?"),
        "ch08_gc_wrong_worst": ("Your check found a problem but named {got}; the wrong gradient is that of {name} "
                                "(relative error {ref_rel}). Return the parameter with the largest relative error."),
        "ch08_gc_rel_definition": ("Your relative error is {rel} where this exercise's definition gives {ref_rel} "
                                   "(worst parameter {name}): it looks like a largest element-wise ratio, which blows "
                                   "up on elements whose gradient is nearly 0. Use the relative error of the whole "
                                   "gradient of each parameter: ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)."),
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
        # ---- chainrule.check(): the expected score of the open notebook --------------
        "nbcheck_title": "chainrule.check: {notebook} (visible checks only)",
        "nbcheck_not_implemented": "not implemented yet (the function still raises NotImplementedError)",
        "nbcheck_missing": "{name} is not defined: run the cell that defines it, then check again.",
        "nbcheck_no_call": ("its tests cell has no visible check call: was the cell edited? Download a fresh "
                            "copy of the notebook and move your answers into it."),
        "nbcheck_unknown": "this chainrule does not know the exercise: update chainrule and restart the kernel.",
        "nbcheck_error": "the check itself raised {etype}: {emsg}",
        "nbcheck_total": ("Expected score: {earned} / {total} points ({passed} of {n} exercises pass their "
                          "visible checks)."),
        "nbcheck_hidden": ("Hidden tests may still fail: the grader also runs hidden cases with other inputs, "
                           "so this is an upper estimate."),
        "nbcheck_save": ("Before you submit: save the notebook, run Kernel > Restart Kernel and Run All Cells, "
                         "and check again: the grader takes your functions from the saved file, not from this session."),
        "nbcheck_repr": "<chainrule.check: {earned} / {total} points expected, {passed} of {n} exercises pass>",
        "nbcheck_no_path": ("check() cannot tell which notebook is open here. Pass its path, e.g. "
                            "chainrule.check(path=\"ch01_derivatives.ipynb\"), the file name shown in "
                            "Jupyter's file browser."),
        "nbcheck_not_found": ("{path}: no such notebook file. Pass the path of your notebook, e.g. "
                              "chainrule.check(path=\"ch01_derivatives.ipynb\")."),
        "nbcheck_unreadable": "{path} could not be read as a notebook ({error}).",
        "nbcheck_no_exercises": ("{path} has no graded exercises (no tests cells with nbgrader metadata): "
                                 "is it a course notebook?"),
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
        # ---- ch05：卷积网络中的反向传播 -----------------------------------------------
        "conv_kernel_flipped": ("{name} 是把卷积核*翻转*之后（数学上的卷积，w[:, :, ::-1, ::-1]）得到的结果。"
                                "深度学习中的 conv2d 其实是互相关：out[n, f, i, j] = 对 c、p、q 求和 "
                                "xpad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q]，卷积核保持原样。"),
        "conv_missing_bias": "漏掉了偏置：输出通道 f 的每个像素都要加上 b[f]，例如 out += b[None, :, None, None]。",
        "conv_padding_ignored": ("你的输出是 padding = 0 时的结果，而这个用例的 padding = {padding}：先在 x 的两个空间轴"
                                 "的每一侧补 {padding} 个零，例如 np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))。"),
        "conv_padding_one_side": ("你只在 x 的上方和左方（或只在一侧）做了填充：padding = {padding} 要在*每一侧*"
                                  "都补 {padding} 个零，即 np.pad 中的 ((p, p), (p, p))。"),
        "conv_stride_ignored": ("你的输出是步幅为 1 时的结果，而这个用例的 stride = {stride}：输出像素 (i, j) 读取的"
                                "窗口从 (i*stride, j*stride) 开始，输出只有 Ho = (H + 2*padding − kh) // stride + 1 = "
                                "{ho} 行。"),
        "conv_nhwc": ("你的输出把通道轴放在了最后 (N, Ho, Wo, F)。本课程使用 PyTorch 的 NCHW 布局：out 的形状是 "
                      "(N, F, Ho, Wo)；请移动这个轴，例如用 .transpose(0, 3, 1, 2)。"),
        "conv_output_size": ("输出尺寸差了 1。H = {h}、卷积核 {kh}、padding {padding}、stride {stride} 时："
                             "Ho = (H + 2*padding − kh) // stride + 1 = {ho}（Wo = {wo}）。最后一个窗口必须完全落在"
                             "填充后的输入之内；这样 range(Ho) 正好访问每一个起点。"),
        "conv_dx_kernel_not_flipped": ("{name} 是 dout 与*未翻转*的卷积核做全互相关的结果。dx 是 dout 与在两个空间轴上"
                                       "都翻转过的卷积核（w[:, :, ::-1, ::-1]）做的全卷积。最稳妥的是“散射”写法："
                                       "对每个输出像素，把 dout[n, f, i, j] * w[f] 加回到它所来自的 xpad 窗口上。"),
        "conv_dx_padding_not_removed": ("{name} 里还带着填充：它的形状是填充后输入的形状。补在 x 周围的零不是输入；"
                                        "先求对填充后输入的梯度，再把边框切掉：dx = dxpad[:, :, p:p+H, p:p+W]，"
                                        "其中 p = {padding}。"),
        "conv_stride_ignored_backward": ("{name} 是步幅为 1 时的结果，而这个用例的 stride = {stride}。反向传递和前向"
                                         "一样，输出像素 (i, j) 属于从 (i*stride, j*stride) 开始的窗口：把它的梯度"
                                         "送回那里。"),
        "conv_channels_swapped": ("{name} 是把 w 的两个通道轴互换之后的结果。w 的形状是 (F, C, kh, kw) = "
                                  "(out_channels, in_channels, kh, kw)：F 个卷积核，每个有 C 个通道。求 dx 时对 F "
                                  "求和，求 out 时对 C 求和。"),
        "conv_grad_sign": "{name} 的大小对，符号反了（实际 ≈ −期望）。反向传递只是把上游梯度相乘、相加，任何地方都不会出现负号。",
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
                                   "窗口的梯度用的是*赋值*，于是后一个窗口覆盖了前一个。落在两个窗口里的输入要得到"
                                   "两份梯度：用 +=。"),
        "pool_stride_ignored": ("{name} 是步幅为 {wrong} 时的结果，而这个用例的 stride = {stride}：输出 (i, j) 的窗口"
                                "从 (i*stride, j*stride) 开始。"),
        "avgpool_not_divided": "{name} 大了 {k} 倍：平均要除以窗口大小 kh·kw = {k}，所以窗口中每个元素得到 dout / {k}。",
        "avgpool_divided_twice": "{name} 除了两次窗口大小 {k}：只除一次，dx += dout / (kh·kw)。",
        "avgpool_wrong_divisor": "{name} 除以的数不对：窗口有 kh·kw = {kh}·{kw} = {k} 个元素，每个得到 dout / {k}。",
        "avgpool_routed_to_max": ("{name} 像最大池化那样只把梯度送给了最大值。平均值中每个元素的地位相同："
                                  "每个都得到 dout / (kh·kw)。"),
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
        "ch08_gc_missed_bug": ("这个模型里有一个向量-雅可比积写错了的原语（{name} 的梯度是错的，相对误差 {ref_rel}），"
                               "你的检验却说没问题。数值梯度真的是由损失值算出来的吗？它真的与 backward() 给出的梯度"
                               "作了比较吗？"),
        "ch08_gc_wrong_worst": ("你的检验发现了问题，却指向了 {got}；梯度出错的是 {name}（相对误差 {ref_rel}）。"
                                "请返回相对误差最大的那个参数。"),
        "ch08_gc_rel_definition": ("你的相对误差是 {rel}，而按本练习的定义应为 {ref_rel}（误差最大的参数是 {name}）："
                                   "看起来你取的是逐元素比值的最大值，它在梯度接近 0 的元素上会爆掉。"
                                   "请对每个参数用整个梯度的相对误差：‖a − n‖₂ / max(‖a‖₂, ‖n‖₂, 1e-12)。"),
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
        # ---- chainrule.check()：当前笔记本的预计得分 ---------------------------------
        "nbcheck_title": "chainrule.check：{notebook}（只运行公开检查）",
        "nbcheck_not_implemented": "尚未实现（函数仍然抛出 NotImplementedError）",
        "nbcheck_missing": "{name} 还没有定义：先运行定义它的单元格，再检查一次。",
        "nbcheck_no_call": "它的测试单元格里找不到公开检查的调用：这个单元格被改过吗？请下载一份新的笔记本，把你的答案移过去。",
        "nbcheck_unknown": "当前的 chainrule 不认识这个练习：请更新 chainrule 并重启内核。",
        "nbcheck_error": "检查本身抛出了 {etype}：{emsg}",
        "nbcheck_total": "预计得分：{earned} / {total} 分（{n} 个练习中有 {passed} 个通过了公开检查）。",
        "nbcheck_hidden": "隐藏测试仍可能不通过：评分程序还会用别的输入运行隐藏用例，所以这只是一个上限估计。",
        "nbcheck_save": ("提交之前：保存笔记本，运行“内核 > 重启内核并运行所有单元格”，再检查一次：评分程序使用的是"
                         "保存下来的文件里的函数，而不是当前会话中的。"),
        "nbcheck_repr": "<chainrule.check：预计 {earned} / {total} 分，{n} 个练习中有 {passed} 个通过>",
        "nbcheck_no_path": ("check() 无法确定这里打开的是哪个笔记本。请传入它的路径，例如 "
                            "chainrule.check(path=\"ch01_derivatives.ipynb\")，即 Jupyter 文件浏览器里显示的文件名。"),
        "nbcheck_not_found": ("{path}：找不到这个笔记本文件。请传入你的笔记本的路径，例如 "
                              "chainrule.check(path=\"ch01_derivatives.ipynb\")。"),
        "nbcheck_unreadable": "{path} 无法作为笔记本读取（{error}）。",
        "nbcheck_no_exercises": "{path} 里没有计分的练习（没有带 nbgrader 元数据的测试单元格）：这是课程的笔记本吗？",
    },
}
