"""Records which primitives the library tests push through ``gradcheck``, so that
``test_zz_registry_coverage.py`` can fail when a registered primitive has no gradient test."""
import chainrule
from chainrule.graph import trace

COVERED: set = set()
_real_gradcheck = chainrule.gradcheck


def _recording_gradcheck(fn, inputs, *args, **kwargs):
    def traced(*tensors):
        out = fn(*tensors)
        if getattr(out, "requires_grad", False):
            COVERED.update(node.op for node in trace(out).nodes if node.op)
        return out
    return _real_gradcheck(traced, inputs, *args, **kwargs)


chainrule.gradcheck = _recording_gradcheck


def pytest_configure(config):
    config.gradcheck_covered = COVERED
