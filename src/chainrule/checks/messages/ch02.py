"""Chapter 2: computation graphs and the chain rule. One table per language, same keys (see :mod:`chainrule.checks.messages`)."""

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
    "grad_sign_all": "Every gradient has the wrong sign: got ≈ −expected. Look for a flipped sign in backward().",
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
    "grad_sign_all": "所有梯度的符号都反了：got ≈ −expected。检查 backward() 里是否有一处符号取反。",
    "grad_factor_2_all": "所有梯度都是正确值的 2 倍：多了一个因子 2，例如在根节点处设置了 self.grad = 2。",
    "grad_factor_half_all": "所有梯度都是正确值的一半：backward() 里某处多了一个因子 ½。",
    "value_wrong": ("有些梯度不对，而且不像任何一种常见错误。请手算这个小用例（或用 chainrule.numerical_grad），"
                    "逐个节点对照。"),
}
