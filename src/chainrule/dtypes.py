"""Which dtype an element-wise op returns: PyTorch's promotion rule, on NumPy dtypes."""
import numpy as np

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}        # bool < integer < float < complex
_DEFAULT = {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: np.dtype(np.float64), 3: np.dtype(np.complex128)}


def _number_category(x):
    if isinstance(x, bool):
        return 0
    return 1 if isinstance(x, int) else 2 if isinstance(x, float) else 3


def result_dtype(*operands):
    """The dtype of an element-wise op on ``operands`` (tensors, arrays, Python numbers).

    Operands with dimensions decide; a 0-d tensor or a Python number changes the dtype
    only when it is of a higher category (bool < integer < float), so float32 * 0-d
    float64 and float32 * 2.5 stay float32 (NumPy would widen the first), while
    int64 * 2.5 becomes float. A Python number of a higher category gives that category's
    default: int64, or float64 (chainrule's default float, where PyTorch's is float32).
    """
    dims, zero_d, numbers = [], [], []
    for x in operands:
        if isinstance(x, (bool, int, float, complex)):
            numbers.append(_number_category(x))
        else:
            a = getattr(x, "data", x) if not isinstance(x, np.ndarray) else x
            a = np.asarray(a)
            (dims if a.ndim else zero_d).append(a.dtype)
    dtype = np.result_type(*dims) if dims else None
    if zero_d:
        z = np.result_type(*zero_d)
        if dtype is None or _CATEGORY[z.kind] > _CATEGORY[dtype.kind]:
            dtype = z
    if numbers and (dtype is None or max(numbers) > _CATEGORY[dtype.kind]):
        dtype = _DEFAULT[max(numbers)]
    return dtype
