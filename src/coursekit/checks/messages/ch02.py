"""Chapter 2: computation graphs and the chain rule. One table per language, same keys (see :mod:`coursekit.checks.messages`)."""

EN = {
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
    "topo_stranger": "a {gtype} object made by your code",
    "topo_order": ("{node} (position {i}) comes before its parent {parent} (position {j}). Add a node only after all "
                   "its parents are in the list: visit the parents first, then append the node (post-order)."),
    "detail_leaf": "  {leaf}.grad: expected {expected}, got {got} (relative error {rel}).",
    "what_forward": "the value (.data) of the result",
    "value_data": ("Value({v}).data is {got}: store the number you are given in .data (as a float)."),
    "value_grad_init": "A new Value must start with .grad = 0, but its .grad is {got}.",
    "value_forward": ("The forward value of {op} is wrong: check the .data that your operators compute "
                      "(the forward pass, before any gradient)."),
    "value_grad_type": "After backward(), {leaf}.grad is a {gtype}, not a number: .grad must hold a float.",
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
    "grad_sign_all": ("Every gradient has the wrong sign (each .grad ≈ −expected). Look for a flipped sign in "
                      "backward(), e.g. self.grad = -1 at the root."),
    "mul_swapped_factors": ("The backward of `*` gives each factor its own value as local gradient. For out = a·b, "
                            "∂out/∂a is the *other* factor, b (and ∂out/∂b = a): self.grad gets other.data × "
                            "out.grad, other.grad gets self.data × out.grad."),
    "add_one_parent": ("The backward of `+` passes the gradient to one parent only. For out = a + b both local "
                       "gradients are 1: each parent's .grad receives out.grad."),
    # ---- ch02: dual numbers (forward mode) ----------------------------------------
    "what_dual_val": "the value (.val) of the result",
    "what_dual_dot": "the tangent (.dot) of the result",
    "detail_count": "  Dual.mults grew by {got} over this expression; expected {expected}.",
    "dual_val": ("The value (.val) of {op} is wrong (your .val: {got}): the .val part of a dual number is "
                 "computed exactly as with plain numbers; the tangent (.dot) never changes it."),
    "dual_dot_type": "The result's .dot is a {gtype}, not a number: .dot must hold a float.",
    "dual_mul_one_term": ("Your `*` keeps only one term of the product rule ({term}). The value a·b changes when a "
                          "moves and when b moves: the tangent of a product has one term for each factor."),
    "dual_mul_dots": ("Your `*` multiplies the two tangents (a.dot · b.dot). That term is of second order "
                      "(ε² = 0 for a dual number): the product rule pairs each tangent with the *other* value."),
    "dual_mul_swapped": ("Your `*` pairs each tangent with its own value (a.dot · a.val + b.dot · b.val). In the "
                         "product rule each tangent is multiplied by the value of the *other* factor."),
    "dual_mul_minus": ("Your `*` subtracts the two terms of the product rule: that is the numerator of the "
                       "quotient rule. For a product both terms add."),
    "dual_mul_with_vals": ("The .dot of your `*` includes the product of the values a.val · b.val: that product "
                           "is the .val of the result, not part of its tangent."),
    "dual_add_one_side": ("Your `+` takes the tangent of one operand only. a + b moves when either operand moves: "
                          "the tangents add."),
    "dual_add_vals": ("The .dot of your `+` adds the values (a.val + b.val). The tangent of a sum is built from the "
                      "operands' tangents, not from their values."),
    "dual_add_product": "The .dot of your `+` multiplies the tangents; for a sum the tangents add.",
    "dual_tanh_input": ("Your tanh's tangent is {wrong}. Write the derivative of tanh through its output t = tanh(a.val), "
                        "and multiply it by the incoming tangent a.dot."),
    "dual_no_chain": ("Your `{op}` returns the local derivative alone as .dot. The chain rule multiplies it by the "
                      "tangent that comes in: a.dot is how fast the input moves."),
    "dual_exp_wrong": "Your exp's tangent is {wrong}. What is the derivative of exp, and what must it be multiplied by?",
    "dual_sign_in_op": "The tangent of `{op}` has a flipped sign: its local derivative should not be negated.",
    "dual_factor_2_in_op": "The tangent of `{op}` is twice the right one: a factor 2 too many in its rule.",
    "dual_sign": "The tangent has the right size but the wrong sign: a minus sign crept into one of your rules.",
    "dual_factor_2": "The tangent is twice the right one: a term is counted twice somewhere.",
    "dual_factor_half": "The tangent is half the right one: a term of a rule is missing, or an extra ½.",
    "dual_wrong": ("The tangent is wrong and does not match a common slip. Work this case by hand, one operation "
                   "at a time, carrying (value, tangent) pairs; compare with chainrule.numerical_grad along the "
                   "same direction."),
    "dual_no_counter": ("The class has no counter Dual.mults (a class attribute, starting at 0). Every operation "
                        "adds to it the number of products of two numbers it computes."),
    "dual_count_zero": ("Dual.mults did not change. Count on the class, Dual.mults += k (self.mults += k creates an "
                        "attribute of one object and leaves the class counter alone); this expression has "
                        "{n_mul} `*`, {n_tanh} tanh and {n_exp} exp."),
    "dual_count_ops": ("You counted operations, not products of numbers. A `*` on dual numbers computes several "
                       "products (count them in your .val and .dot), tanh needs t·t and one more, exp one; + none."),
    "dual_count_wrong": ("The count is off. Count every product of two numbers your code computes, per operation: "
                         "this expression has {n_mul} `*`, {n_tanh} tanh, {n_exp} exp and {n_add} +. A product with "
                         "a tangent of 0 still counts: the code does not know it is 0."),
    "grad_factor_2_all": "Every gradient is twice the right one: a factor 2 too many, e.g. self.grad = 2 at the root.",
    "grad_factor_half_all": "Every gradient is half the right one: a factor ½ too many somewhere in backward().",
    "value_wrong": ("Some gradients are wrong and the mistake does not match a common pattern. Compute this small "
                    "case by hand (or with chainrule.numerical_grad) and compare node by node."),
}

ZH = {
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
    "topo_stranger": "一个由你的代码创建的 {gtype} 对象",
    "topo_order": ("{node}（位置 {i}）排在了它的父节点 {parent}（位置 {j}）之前。一个节点只能在它的所有父节点"
                   "都已加入列表之后才加入：先访问父节点，再追加该节点（后序遍历）。"),
    "detail_leaf": "  {leaf}.grad：期望 {expected}，实际得到 {got}（相对误差 {rel}）。",
    "what_forward": "结果的值（.data）",
    "value_data": "Value({v}).data 是 {got}：把传入的数存进 .data（转成 float）。",
    "value_grad_init": "新建的 Value 的 .grad 应当从 0 开始，而它的 .grad 是 {got}。",
    "value_forward": "{op} 的前向值不对：检查你的运算符计算出的 .data（前向传播，还没涉及梯度）。",
    "value_grad_type": "调用 backward() 之后，{leaf}.grad 是 {gtype}，不是数：.grad 里应当存一个 float。",
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
    "grad_sign_all": "所有梯度的符号都反了（每个 .grad ≈ −期望值）。检查 backward() 里是否有一处符号取反，例如在根节点处写了 self.grad = -1。",
    "mul_swapped_factors": ("`*` 的反向计算把每个因子自己的值当成了它的局部梯度。对 out = a·b，∂out/∂a 是*另一个*因子 b"
                            "（∂out/∂b = a）：self.grad 加上 other.data × out.grad，other.grad 加上 self.data × out.grad。"),
    "add_one_parent": "`+` 的反向计算只把梯度传给了一个父节点。对 out = a + b，两个局部梯度都是 1：每个父节点的 .grad 都要加上 out.grad。",
    # ---- ch02:对偶数（前向模式）-------------------------------------------------
    "what_dual_val": "结果的值（.val）",
    "what_dual_dot": "结果的切向量分量（.dot）",
    "detail_count": "  在这个表达式上 Dual.mults 增加了 {got}；期望增加 {expected}。",
    "dual_val": ("{op} 的值（.val）不对（你的 .val：{got}）：对偶数的 .val 部分和普通的数一样计算，"
                 ".dot 部分不会影响它。"),
    "dual_dot_type": "结果的 .dot 是 {gtype}，不是数：.dot 里应当存一个 float。",
    "dual_mul_one_term": ("你的 `*` 只保留了乘积法则中的一项（{term}）。a·b 在 a 变化时会变，在 b 变化时也会变："
                          "乘积的 .dot 对每个因子各有一项。"),
    "dual_mul_dots": ("你的 `*` 把两个 .dot 相乘（a.dot · b.dot）。这是二阶项（对偶数里 ε² = 0）："
                      "乘积法则是把每个 .dot 与*另一个*因子的值配对。"),
    "dual_mul_swapped": ("你的 `*` 把每个 .dot 与它自己的值相乘（a.dot · a.val + b.dot · b.val）。"
                         "乘积法则里，每个 .dot 要乘以*另一个*因子的值。"),
    "dual_mul_minus": "你的 `*` 把乘积法则的两项相减了：那是商的求导法则的分子。乘积的两项是相加的。",
    "dual_mul_with_vals": "你的 `*` 的 .dot 里含有两个值的乘积 a.val · b.val：这个乘积是结果的 .val，不属于 .dot。",
    "dual_add_one_side": "你的 `+` 只取了一个运算数的 .dot。a + b 在任一运算数变化时都会变：两个 .dot 要相加。",
    "dual_add_vals": "你的 `+` 的 .dot 把两个值相加了（a.val + b.val）。和的 .dot 由两个运算数的 .dot 组成，与它们的值无关。",
    "dual_add_product": "你的 `+` 的 .dot 把两个 .dot 相乘了；对于和，两个 .dot 应当相加。",
    "dual_tanh_input": "你的 tanh 的 .dot 是 {wrong}。用输出 t = tanh(a.val) 写出 tanh 的导数，再乘以传进来的 a.dot。",
    "dual_no_chain": "你的 `{op}` 把局部导数本身当成了 .dot。链式法则要把它乘以传进来的 .dot：a.dot 表示输入变化得有多快。",
    "dual_exp_wrong": "你的 exp 的 .dot 是 {wrong}。exp 的导数是什么？它又该乘以什么？",
    "dual_sign_in_op": "`{op}` 的 .dot 符号反了：它的局部导数不应取负。",
    "dual_factor_2_in_op": "`{op}` 的 .dot 是正确值的 2 倍：它的法则里多了一个因子 2。",
    "dual_sign": "结果的 .dot 大小对，符号反了：你的某条法则里混进了一个负号。",
    "dual_factor_2": "结果的 .dot 是正确值的 2 倍：某处有一项被算了两次。",
    "dual_factor_half": "结果的 .dot 是正确值的一半：某条法则漏了一项，或者多了一个 ½。",
    "dual_wrong": ("结果的 .dot 不对，而且不像任何一种常见失误。请手算这个用例：一个运算一个运算地带着（值，.dot）"
                   "这一对数往前算；也可以沿同一方向与 chainrule.numerical_grad 的结果对照。"),
    "dual_no_counter": "这个类没有计数器 Dual.mults（类属性，初值为 0）。每个运算都要把它算了多少次“两个数相乘”加到计数器上。",
    "dual_count_zero": ("Dual.mults 没有变化。要在类上计数：Dual.mults += k（self.mults += k 只会给某一个对象新建属性，"
                        "类的计数器并不改变）；这个表达式里有 {n_mul} 个 `*`、{n_tanh} 个 tanh 和 {n_exp} 个 exp。"),
    "dual_count_ops": ("你数的是运算的个数，而不是两数相乘的次数。对偶数的一次 `*` 要算好几次乘法（数一数你的 .val 和 .dot），"
                       "tanh 要算 t·t 再加一次，exp 一次，+ 一次也没有。"),
    "dual_count_wrong": ("计数不对。按运算数一数你的代码算了多少次“两个数相乘”：这个表达式里有 {n_mul} 个 `*`、{n_tanh} 个 tanh、"
                         "{n_exp} 个 exp 和 {n_add} 个 +。某个 .dot 为 0 时，那次乘法照样要算：代码并不知道它是 0。"),
    "grad_factor_2_all": "所有梯度都是正确值的 2 倍：多了一个因子 2，例如在根节点处设置了 self.grad = 2。",
    "grad_factor_half_all": "所有梯度都是正确值的一半：backward() 里某处多了一个因子 ½。",
    "value_wrong": ("有些梯度不对，而且不像任何一种常见错误。请手算这个小用例（或用 chainrule.numerical_grad），"
                    "逐个节点对照。"),
}
