#!/usr/bin/python3
"""Expected values for the op-family reference tests (Tensor/, NN/ and Autograd/ test folders).

Run it with the interpreter that has PyTorch 1.13 on Debian's libtorch (the same libtorch the
binding loads):

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_reference.py

It rewrites the ref_*.json files next to it. Each file maps a case name to an object whose
members are tensors ({"shape", "dtype", "data"} with the data flat and row-major), lists of
tensors, or plain numbers. Inputs are stored explicitly, so the C# tests never depend on a random
generator, except the cases under "random." that check that the same seed gives the same numbers
from C# as from Python. Non-finite floats are written as the strings "nan", "inf" and "-inf".
Golden files are regenerated with this script only, never edited to make a test pass.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

DTYPE_NAMES = {
    torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
    torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
    torch.bool: "bool",
}


def _number(v, dtype):
    if dtype is torch.bool:
        return bool(v)
    if not dtype.is_floating_point:
        return int(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dtype is torch.float64:
        return float(v)
    # The shortest decimal that reads back as the same float32 (half/bfloat16 values are exact in float32).
    return float(repr(np.float32(v)))


def enc(t):
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": [_number(v, t.dtype) for v in flat.tolist()]}


_seed = [0]


def enc_any(v):
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, (list, tuple)):
        return [enc_any(x) for x in v]
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    raise TypeError(type(v))


class RefFile:
    def __init__(self, name, seed_base):
        self.name = name
        self.cases = {}
        # Each file draws its inputs from its own seed range, so adding a case to one file leaves
        # the inputs of the other files unchanged.
        _seed[0] = seed_base

    def case(self, key, **items):
        assert key not in self.cases, key
        self.cases[key] = {k: enc_any(v) for k, v in items.items()}

    def write(self):
        path = os.path.join(HERE, self.name)
        lines = [json.dumps(k) + ":" + json.dumps(v, separators=(",", ":")) for k, v in self.cases.items()]
        with open(path, "w") as f:
            f.write("{\n" + ",\n".join(lines) + "\n}\n")
        print(f"{self.name}: {len(self.cases)} cases, {os.path.getsize(path)} bytes")


def rnd(*shape, lo=-2.0, hi=2.0, decimals=3, dtype=torch.float32):
    """Deterministic test input with short decimals (stored explicitly in the JSON)."""
    _seed[0] += 1
    g = torch.Generator().manual_seed(_seed[0])
    x = torch.rand(shape, generator=g, dtype=torch.float64) * (hi - lo) + lo
    return (torch.round(x * 10 ** decimals) / 10 ** decimals).to(dtype)


def rint(*shape, lo=-9, hi=10, nonzero=False):
    _seed[0] += 1
    g = torch.Generator().manual_seed(_seed[0])
    x = torch.randint(lo, hi, shape, generator=g)
    if nonzero:
        x[x == 0] = 3
    return x


# ---------------------------------------------------------------------------------------------
# Factories and random numbers
# ---------------------------------------------------------------------------------------------
def factories():
    r = RefFile("ref_factories.json", 1000)
    r.case("zeros", out=torch.zeros(2, 3))
    r.case("zeros_int64", out=torch.zeros(2, 3, dtype=torch.int64))
    r.case("ones_int32", out=torch.ones(4, dtype=torch.int32))
    r.case("ones_4d", out=torch.ones(1, 2, 1, 2))
    r.case("full_float", out=torch.full((2, 2), 3.5))
    r.case("full_int", out=torch.full((3,), 7))
    r.case("full_bool", out=torch.full((2,), True))
    r.case("full_dtype", out=torch.full((2, 3), 2, dtype=torch.float64))
    r.case("arange_stop", out=torch.arange(5))
    r.case("arange_float_step", out=torch.arange(1.0, 2.0, 0.25))
    r.case("arange_int_step", out=torch.arange(0, 10, 3))
    r.case("arange_tenths", out=torch.arange(0.0, 1.0, 0.1))
    r.case("arange_negative_step", out=torch.arange(5, -4, -2))
    r.case("arange_dtype", out=torch.arange(0, 4, dtype=torch.float64))
    r.case("linspace", out=torch.linspace(0, 1, 7))
    r.case("linspace_f64", out=torch.linspace(-2, 2, 5, dtype=torch.float64))
    r.case("eye", out=torch.eye(3))
    r.case("eye_rect", out=torch.eye(2, 4))
    r.case("eye_int64", out=torch.eye(3, dtype=torch.int64))
    x = rnd(2, 3)
    r.case("like", x=x, zeros=torch.zeros_like(x), ones=torch.ones_like(x), full=torch.full_like(x, 2.5),
           ones_int=torch.ones_like(x, dtype=torch.int64), new_full=x.new_full((3,), -1.5), new_zeros=x.new_zeros((2, 2)))
    nested = rnd(2, 3).tolist()
    r.case("from_2d_float", nested=[[float(repr(np.float32(v))) for v in row] for row in nested], out=torch.tensor(nested))
    nested_long = [[1, -2, 3], [40, 50, -60]]
    r.case("from_2d_long", nested=nested_long, out=torch.tensor(nested_long))
    nested3 = rnd(2, 2, 3, dtype=torch.float64).tolist()
    r.case("from_3d_double", nested=nested3, out=torch.tensor(nested3, dtype=torch.float64))
    r.case("from_bool_array", out=torch.tensor([True, False, True]))
    r.case("from_int_array", out=torch.tensor([3, -1, 4], dtype=torch.int32))
    r.case("from_float_with_shape", out=torch.tensor([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]).reshape(3, 2))
    r.case("from_float_to_float64", out=torch.tensor([0.1, 0.2, 0.3], dtype=torch.float32).to(torch.float64))

    # Random numbers: the same seed must give the same numbers from C# as from Python.
    torch.manual_seed(0)
    randn = torch.randn(2, 3)
    rand = torch.rand(5)
    randint = torch.randint(0, 10, (6,))
    randperm = torch.randperm(8)
    randn_big = torch.randn(20)  # >= 16 elements takes the vectorised normal path
    r.case("random.sequence", randn=randn, rand=rand, randint=randint, randperm=randperm, randn_big=randn_big)
    torch.manual_seed(123)
    r.case("random.sequence2", randn64=torch.randn(3, dtype=torch.float64), randint=torch.randint(-5, 5, (2, 3)),
           randperm=torch.randperm(20), normal=torch.normal(0.5, 2.0, (4,)), rand4d=torch.rand(1, 2, 1, 2))
    torch.manual_seed(7)
    z = torch.zeros(2, 3)
    rand_like = torch.rand_like(z)
    randn_like = torch.randn_like(z)
    uniform = torch.zeros(6).uniform_(-1, 1)
    normal_ = torch.zeros(6).normal_(1.0, 0.5)
    bernoulli_ = torch.zeros(10).bernoulli_(0.3)
    probs = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]])
    multinomial = torch.multinomial(probs, 3)
    multinomial_repl = torch.multinomial(probs, 5, replacement=True)
    bernoulli = torch.bernoulli(torch.tensor([0.2, 0.8, 0.5, 0.5, 0.9]))
    r.case("random.inplace_and_like", rand_like=rand_like, randn_like=randn_like, uniform=uniform, normal=normal_,
           bernoulli_=bernoulli_, probs=probs, multinomial=multinomial, multinomial_repl=multinomial_repl, bernoulli=bernoulli)
    mean_t = rnd(2, 3)
    std_t = rnd(2, 3, lo=0.1, hi=2)
    torch.manual_seed(3)
    r.case("random.normal_tensor", mean=mean_t, std=std_t, out=torch.normal(mean_t, std_t), randint_high=torch.randint(10, (3,)))
    g = torch.Generator().manual_seed(42)
    r.case("random.generator", randn=torch.randn(4, generator=g), rand=torch.rand(3, generator=g),
           randint=torch.randint(0, 100, (5,), generator=g), randperm=torch.randperm(6, generator=g))
    r.write()


# ---------------------------------------------------------------------------------------------
# Arithmetic, in-place ops, scalar operators
# ---------------------------------------------------------------------------------------------
def arithmetic():
    r = RefFile("ref_arithmetic.json", 2000)
    a = rnd(2, 3)
    b = rnd(2, 3, lo=0.5, hi=3.0) * torch.tensor([1.0, -1.0, 1.0])
    row = rnd(3)
    ai = rint(2, 3)
    bi = rint(2, 3, lo=-4, hi=5, nonzero=True)
    pos = rnd(2, 3, lo=0.2, hi=3.0)
    r.case("inputs", a=a, b=b, row=row, ai=ai, bi=bi, pos=pos)

    r.case("add", out=a + b)
    r.case("add_alpha", out=torch.add(a, b, alpha=2.5))
    r.case("add_scalar", out=a + 2.0)
    r.case("add_scalar_alpha", out=torch.add(a, 2, alpha=3))
    r.case("add_broadcast", out=a + row)
    r.case("add_int_tensor_float_scalar", out=ai + 2.5)
    r.case("add_int_int", out=ai + bi)
    r.case("add_int_float_tensors", out=ai + a)
    r.case("sub", out=a - b)
    r.case("sub_alpha", out=torch.sub(a, b, alpha=0.5))
    r.case("sub_scalar", out=a - 1.5)
    r.case("rsub_scalar", out=2 - a)
    r.case("rsub_double_int_tensor", out=2.5 - ai)
    r.case("rsub_int_int_tensor", out=3 - ai)
    r.case("mul", out=a * b)
    r.case("mul_scalar", out=a * 2.5)
    r.case("rmul_int_tensor", out=3 * ai)
    r.case("mul_int_tensor_float_scalar", out=ai * 0.5)
    r.case("div", out=a / b)
    r.case("div_trunc", out=torch.div(a, b, rounding_mode="trunc"))
    r.case("div_floor", out=torch.div(a, b, rounding_mode="floor"))
    r.case("div_int_true", out=ai / bi)
    r.case("div_int_trunc", out=torch.div(ai, bi, rounding_mode="trunc"))
    r.case("div_int_floor", out=torch.div(ai, bi, rounding_mode="floor"))
    r.case("div_scalar", out=a / 2)
    r.case("div_scalar_floor", out=torch.div(a, 0.75, rounding_mode="floor"))
    r.case("rdiv_double", out=1.0 / b)
    r.case("rdiv_int_int_tensor", out=6 / bi)
    r.case("rdiv_double_int_tensor", out=1.0 / bi)
    r.case("neg", out=-a)
    r.case("pow_scalar", out=a.pow(2))
    r.case("pow_fractional", out=pos.pow(0.5))
    r.case("pow_tensor", out=pos.pow(a))
    r.case("pow_int", out=ai.pow(2))
    r.case("remainder", out=a % b)
    r.case("remainder_scalar", out=a % 1.5)
    r.case("remainder_int", out=ai % bi)
    r.case("remainder_int_scalar", out=ai % 3)
    r.case("remainder_negative_scalar", out=a % -0.7)

    # In-place ops (each starts from a fresh copy of a).
    r.case("add_", out=a.clone().add_(b))
    r.case("add__alpha", out=a.clone().add_(b, alpha=0.5))
    r.case("add__scalar", out=a.clone().add_(1.25))
    r.case("add__scalar_alpha", out=a.clone().add_(1, alpha=2))
    r.case("sub_", out=a.clone().sub_(b))
    r.case("sub__alpha", out=a.clone().sub_(b, alpha=3))
    r.case("sub__scalar", out=a.clone().sub_(0.5))
    r.case("mul_", out=a.clone().mul_(b))
    r.case("mul__scalar", out=a.clone().mul_(-2))
    r.case("div_", out=a.clone().div_(b))
    r.case("div__trunc", out=a.clone().div_(b, rounding_mode="trunc"))
    r.case("div__floor_scalar", out=a.clone().div_(0.3, rounding_mode="floor"))
    r.case("pow_", out=a.clone().pow_(3))
    r.case("copy_", out=a.clone().copy_(b))
    r.case("copy__broadcast", out=a.clone().copy_(row))
    r.case("copy__from_int", out=a.clone().copy_(ai))
    r.case("zero_", out=a.clone().zero_())
    r.case("fill_", out=a.clone().fill_(4.25))
    r.case("fill__int", out=ai.clone().fill_(-7))
    w = rnd(2, 3, lo=0, hi=1)
    r.case("lerp_", weight=w, out=a.clone().lerp_(b, w))
    r.case("lerp__scalar", out=a.clone().lerp_(b, 0.3))
    r.case("lerp", out=torch.lerp(a, b, w))
    r.case("clamp_", out=a.clone().clamp_(-0.5, 0.5))
    r.case("clamp__min", out=a.clone().clamp_(min=0.1))
    r.case("clamp__max", out=a.clone().clamp_(max=-0.1))
    lo_t = rnd(2, 3, lo=-1.5, hi=0)
    hi_t = rnd(2, 3, lo=0, hi=1.5)
    r.case("clamp__tensor", lo=lo_t, hi=hi_t, out=a.clone().clamp_(lo_t, hi_t))
    r.case("clamp__int", out=ai.clone().clamp_(-3, 4))
    t1 = rnd(2, 3)
    t2 = rnd(2, 3, lo=0.5, hi=2)
    r.case("addcmul_", t1=t1, t2=t2, out=a.clone().addcmul_(t1, t2, value=0.5))
    r.case("addcdiv_", out=a.clone().addcdiv_(t1, t2, value=2))
    r.case("addcdiv__default", out=a.clone().addcdiv_(t1, t2))
    r.case("neg_", out=a.clone().neg_())
    r.case("abs_", out=a.clone().abs_())
    r.case("exp_", out=a.clone().exp_())
    r.case("log_", out=pos.clone().log_())
    r.case("sqrt_", out=pos.clone().sqrt_())
    r.case("relu_", out=a.clone().relu_())
    r.case("sigmoid_", out=a.clone().sigmoid_())
    r.case("tanh_", out=a.clone().tanh_())
    r.case("chain", out=a.clone().mul_(2).add_(b, alpha=-1).div_(3).clamp_(-1, 1))
    r.write()


# ---------------------------------------------------------------------------------------------
# Element-wise math, comparisons, matmul, softmax
# ---------------------------------------------------------------------------------------------
def math_ops():
    r = RefFile("ref_math.json", 3000)
    x = rnd(3, 4)
    x[0, 0] = 0.0
    x[1, 1] = -2.5
    x[2, 2] = 1.5
    p = rnd(3, 4, lo=0.05, hi=3.0)
    r.case("inputs", x=x, p=p)
    unary = {
        "exp": torch.exp(x), "log": torch.log(p), "log1p": torch.log1p(p), "expm1": torch.expm1(x),
        "sqrt": torch.sqrt(p), "rsqrt": torch.rsqrt(p), "square": torch.square(x), "abs": torch.abs(x),
        "neg": torch.neg(x), "sin": torch.sin(x), "cos": torch.cos(x), "tan": torch.tan(x), "tanh": torch.tanh(x),
        "sigmoid": torch.sigmoid(x), "relu": torch.relu(x), "sign": torch.sign(x), "floor": torch.floor(x),
        "ceil": torch.ceil(x), "trunc": torch.trunc(x), "round": torch.round(x), "round2": torch.round(x * 10, decimals=-1),
        "reciprocal": torch.reciprocal(p), "erf": torch.erf(x),
    }
    for k, v in unary.items():
        r.case("unary." + k, out=v)
    y = rnd(3, 4)
    y[0, 0] = 0.0
    y[2, 2] = 1.5
    r.case("binary_inputs", y=y)
    r.case("maximum", out=torch.maximum(x, y))
    r.case("minimum", out=torch.minimum(x, y))
    r.case("atan2", out=torch.atan2(x, y))
    cond = x > y
    r.case("where", cond=cond, out=torch.where(cond, x, y))
    r.case("where_scalar_like", out=torch.where(x > 0, x, torch.tensor(0.0)))
    r.case("clamp", out=torch.clamp(x, -1, 1))
    r.case("clamp_min", out=torch.clamp(x, min=0.25))
    r.case("clamp_tensor", out=torch.clamp(x, min=y))
    special = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5, -0.0])
    r.case("special", x=special, isnan=torch.isnan(special), isinf=torch.isinf(special), isfinite=torch.isfinite(special),
           nan_to_num=torch.nan_to_num(special), nan_to_num_args=torch.nan_to_num(special, nan=1.0, posinf=9.0, neginf=-9.0))
    # Comparisons
    for name, fn in {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}.items():
        r.case("cmp." + name, tensor=fn(x, y), scalar=fn(x, 1.5))
    xi = rint(3, 4, lo=-3, hi=4)
    yi = rint(3, 4, lo=-3, hi=4)
    r.case("int_inputs", xi=xi, yi=yi)
    r.case("cmp_int", eq=xi == yi, lt=xi < 1, ge_mixed=xi >= x)
    ba = x > 0
    bb = y > 0
    r.case("logical", a=ba, b=bb, and_=ba & bb, or_=ba | bb, xor=ba ^ bb, not_=~ba,
           logical_and=torch.logical_and(ba, bb), logical_or=torch.logical_or(ba, bb), logical_not=torch.logical_not(ba))
    r.case("bitwise", and_=xi & yi, or_=xi | yi, xor=xi ^ yi, not_=~xi)
    # Linear algebra
    m1 = rnd(2, 3)
    m2 = rnd(3, 4)
    bt1 = rnd(2, 2, 3)
    bt2 = rnd(2, 3, 4)
    v3 = rnd(3)
    v4 = rnd(4)
    r.case("linalg_inputs", m1=m1, m2=m2, bt1=bt1, bt2=bt2, v3=v3, v4=v4)
    r.case("matmul", out=m1 @ m2)
    r.case("matmul_broadcast", out=torch.matmul(bt1, m2))
    r.case("matmul_vec_mat", out=v3 @ m2)
    r.case("matmul_mat_vec", out=m1 @ v3)
    r.case("matmul_dot", out=v3 @ v3)
    r.case("mm", out=torch.mm(m1, m2))
    r.case("bmm", out=torch.bmm(bt1, bt2))
    r.case("outer", out=torch.outer(v3, v4))
    sq = rnd(3, 3)
    q = rnd(1, 2, 3, 4)
    k = rnd(1, 2, 5, 4)
    r.case("einsum_inputs", sq=sq, q=q, k=k)
    r.case("einsum.ij,jk->ik", out=torch.einsum("ij,jk->ik", m1, m2))
    r.case("einsum.bij,bjk->bik", out=torch.einsum("bij,bjk->bik", bt1, bt2))
    r.case("einsum.ii->i", out=torch.einsum("ii->i", sq))
    r.case("einsum.i,i->", out=torch.einsum("i,i->", v3, v3))
    r.case("einsum.ij->ji", out=torch.einsum("ij->ji", m1))
    r.case("einsum.bhqd,bhkd->bhqk", out=torch.einsum("bhqd,bhkd->bhqk", q, k))
    # softmax / log_softmax
    s = rnd(2, 3, 4, lo=-4, hi=4)
    r.case("softmax_input", s=s)
    for d in (0, 1, 2, -1):
        r.case(f"softmax.{d}", softmax=torch.softmax(s, d), log_softmax=torch.log_softmax(s, d))
    r.case("softmax_f64", out=torch.softmax(s, 1, dtype=torch.float64))
    r.write()


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------
def reductions():
    r = RefFile("ref_reductions.json", 4000)
    x = rnd(2, 3, 4)
    x[1, 2, 3] = x[1, 2, 0]  # a tie for argmax/sort stability
    xi = rint(3, 4)
    xb = rint(3, 4, lo=0, hi=2) > 0
    xb[0] = True
    r.case("inputs", x=x, xi=xi, xb=xb)
    r.case("sum", out=x.sum())
    r.case("sum_dim", out=x.sum(1))
    r.case("sum_dims", out=x.sum((0, 2)))
    r.case("sum_keepdim", out=x.sum(1, keepdim=True))
    r.case("sum_two_dims", out=x.sum((0, 1)))
    r.case("sum_three_dims_keepdim", out=x.sum((0, 1, 2), keepdim=True))
    r.case("sum_f64", out=x.sum(dtype=torch.float64))
    r.case("sum_int", out=xi.sum())
    r.case("sum_int_dim", out=xi.sum(0))
    r.case("sum_bool", out=xb.sum())
    r.case("mean", out=x.mean())
    r.case("mean_dim", out=x.mean((1,)))
    r.case("mean_dims_keepdim", out=x.mean((0, 2), keepdim=True))
    r.case("mean_int_as_float", out=torch.mean(xi, dtype=torch.float32))
    r.case("prod", out=x.prod())
    r.case("prod_dim_keepdim", out=x.prod(1, keepdim=True))
    r.case("prod_int", out=xi.prod(1))
    r.case("max", out=x.max())
    r.case("min", out=x.min())
    v, i = x.max(1)
    r.case("max_dim", values=v, indexes=i)
    v, i = x.max(2, keepdim=True)
    r.case("max_dim_keepdim", values=v, indexes=i)
    v, i = x.min(0, keepdim=True)
    r.case("min_dim_keepdim", values=v, indexes=i)
    v, i = xi.max(1)
    r.case("max_int_dim", values=v, indexes=i)
    r.case("argmax", out=x.argmax())
    r.case("argmax_dim", out=x.argmax(2))
    r.case("argmax_dim_keepdim", out=x.argmax(1, keepdim=True))
    r.case("argmin", out=x.argmin())
    r.case("argmin_dim", out=x.argmin(0))
    r.case("norm", out=x.norm())
    r.case("norm_p1", out=x.norm(1.0))
    r.case("norm_p3", out=x.norm(3.0))
    r.case("norm_dim", out=x.norm(dim=1))
    r.case("norm_dim_keepdim_p1", out=x.norm(p=1.0, dim=2, keepdim=True))
    r.case("var", out=x.var())
    r.case("var_biased", out=x.var(unbiased=False))
    r.case("var_dim", out=x.var(1))
    r.case("var_dims_biased_keepdim", out=x.var((0, 2), unbiased=False, keepdim=True))
    r.case("std", out=x.std())
    r.case("std_biased", out=x.std(unbiased=False))
    r.case("std_dim_keepdim", out=x.std(2, keepdim=True))
    r.case("std_dims", out=x.std((0, 1)))
    r.case("std_dim_f64", out=x.std(1).to(torch.float64))
    v, i = x.topk(2)
    r.case("topk", values=v, indexes=i)
    v, i = x.topk(2, dim=0, largest=False)
    r.case("topk_dim0_smallest", values=v, indexes=i)
    v, i = x.topk(3, dim=1)
    r.case("topk_dim1", values=v, indexes=i)
    v, i = x.sort()
    r.case("sort", values=v, indexes=i)
    v, i = x.sort(dim=0, descending=True)
    r.case("sort_dim0_desc", values=v, indexes=i)
    ties = torch.tensor([3.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 1.0])
    v, i = torch.sort(ties, stable=True)
    r.case("sort_stable", x=ties, values=v, indexes=i)
    v, i = torch.sort(ties, descending=True, stable=True)
    r.case("sort_stable_desc", values=v, indexes=i)
    r.case("argsort", out=x.argsort(dim=1))
    r.case("argsort_desc", out=torch.argsort(ties, descending=True))
    r.case("cumsum", out=x.cumsum(1))
    r.case("cumsum_last_f64", out=x.cumsum(-1, dtype=torch.float64))
    r.case("cumsum_int", out=xi.cumsum(0))
    r.case("logsumexp", out=x.logsumexp(1))
    r.case("logsumexp_keepdim", out=x.logsumexp(2, keepdim=True))
    r.case("all", out=xb.all())
    r.case("all_dim", out=xb.all(1))
    r.case("any", out=xb.any())
    r.case("any_dim_keepdim", out=xb.any(0, keepdim=True))
    r.case("all_float", out=x.all())
    r.case("any_int_dim", out=xi.any(1))
    r.case("static", sum_dim=torch.sum(x, 1), mean_dims=torch.mean(x, (0, 1)), argmax=torch.argmax(x),
           argmax_dim=torch.argmax(x, 1), norm=torch.norm(x), max_dim_values=torch.max(x, 2)[0],
           max_dim_indexes=torch.max(x, 2)[1], all=torch.all(xb), any_dim=torch.any(xb, 1))
    r.write()


# ---------------------------------------------------------------------------------------------
# Shape ops and indexing
# ---------------------------------------------------------------------------------------------
def shape_indexing():
    r = RefFile("ref_shape.json", 5000)
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3
    y = rnd(2, 3, 4)
    r.case("inputs", x=x, y=y)
    r.case("reshape", out=x.reshape(4, 6))
    r.case("reshape_infer", out=x.reshape(-1, 4))
    r.case("view", out=x.view(6, 4))
    r.case("flatten", out=x.flatten())
    r.case("flatten_1", out=x.flatten(1))
    r.case("flatten_0_1", out=x.flatten(0, 1))
    r.case("permute", out=x.permute(2, 0, 1))
    r.case("transpose", out=x.transpose(0, 2))
    r.case("t", out=x[0].t())
    r.case("mT", out=x.mT)
    r.case("contiguous_of_transpose", out=x.transpose(1, 2).contiguous(), stride=list(x.transpose(1, 2).contiguous().stride()),
           transposed_stride=list(x.transpose(1, 2).stride()))
    r.case("cat0", out=torch.cat([x, y], 0))
    r.case("cat1", out=torch.cat([x, y[:, :2]], 1))
    r.case("cat_last", out=torch.cat([x, y, x], -1))
    r.case("stack0", out=torch.stack([x, y], 0))
    r.case("stack2", out=torch.stack([x, y], 2))
    r.case("split_size", out=list(x.split(3, 2)))
    r.case("split_sizes", out=list(x.split([1, 2], 1)))
    r.case("chunk", out=list(x.chunk(2, 2)))
    r.case("chunk_uneven", out=list(x.chunk(2, 1)))
    r.case("unbind", out=list(x.unbind(1)))
    s = torch.arange(6, dtype=torch.float32).reshape(1, 3, 1, 2)
    r.case("squeeze", s=s, all=s.squeeze(), d0=s.squeeze(0), d2=s.squeeze(2), d1=s.squeeze(1))
    r.case("unsqueeze", d0=x.unsqueeze(0), dlast=x.unsqueeze(-1), d1=x.unsqueeze(1))
    e = torch.tensor([[1.0], [2.0], [3.0]])
    r.case("expand", e=e, out=e.expand(3, 4), keep=e.expand(-1, 2), new_dim=e.expand(2, 3, 4), stride=list(e.expand(3, 4).stride()))
    r.case("repeat", out=x.repeat(2, 1, 2), new_dims=e.repeat(2, 2, 3))
    r.case("tile", out=e.tile([2, 2]))
    r.case("narrow", out=x.narrow(2, 1, 2))
    r.case("select", out=x.select(1, 2))
    r.case("slice", out=x[:, :, 0:4:2])
    idx = torch.tensor([2, 0, 2])
    r.case("index_select", idx=idx, out=x.index_select(1, idx))
    gidx = torch.tensor([[[3, 0], [1, 1], [2, 3]], [[0, 0], [3, 2], [1, 0]]])
    r.case("gather", idx=gidx, out=x.gather(2, gidx))
    sidx = torch.tensor([[[0, 1, 2, 0]], [[2, 0, 1, 1]]])
    src = rnd(2, 1, 4)
    r.case("scatter", idx=sidx, src=src, out=x.scatter(1, sidx, src), inplace=x.clone().scatter_(1, sidx, src))
    aidx = torch.tensor([[[0, 1, 0, 0]], [[2, 2, 1, 2]]])
    src2 = rnd(2, 2, 4)
    r.case("scatter_add", idx=aidx.expand(2, 2, 4).contiguous(), src=src2, out=x.scatter_add(1, aidx.expand(2, 2, 4).contiguous(), src2))
    mask = y > 0.5
    r.case("masked_fill", mask=mask, out=x.masked_fill(mask, -1.0), inplace=x.clone().masked_fill_(mask, 9))
    r.case("masked_select", out=x.masked_select(mask))
    r.case("flip", d0=x.flip(0), d02=x.flip(0, 2))
    r.case("roll", flat=x.roll(1), d0=x.roll(1, 0), multi=x.roll((1, -2), (1, 2)), neg=x.roll(-2, 2))
    r.case("nonzero_where", out=list(torch.where(mask)))

    # Indexing with TensorIndex and ranges (C# spelling in the comment).
    r.case("index.range", out=x[:, 1:3])                  # x[.., 1..3]
    r.case("index.ellipsis_0", out=x[..., 0])             # x[TensorIndex.Ellipsis, 0]
    r.case("index.none", out=x[None])                     # x[TensorIndex.None]
    r.case("index.none_middle", out=x[:, None, 1])        # x[TensorIndex.Colon, TensorIndex.None, 1]
    r.case("index.single", out=x[1])                      # x[1]
    r.case("index.two", out=x[1, 2])                      # x[1, 2]
    r.case("index.three", out=x[1, 2, 3])                 # x[1, 2, 3]
    r.case("index.from_end", out=x[-1])                   # x[^1]
    r.case("index.range_from_end", out=x[:, :-1])         # x[.., ..^1]
    r.case("index.range_open", out=x[:, 1:])              # x[.., 1..]
    r.case("index.last_of_last", out=x[..., -1])          # x[TensorIndex.Ellipsis, ^1]
    r.case("index.step", out=x[:, :, ::2])                # TensorIndex.Slice(step: 2)
    r.case("index.slice_negative", out=x[:, -3:-1])       # TensorIndex.Slice(-3, -1)
    r.case("index.slice_step_start", out=x[:, :, 1::2])   # TensorIndex.Slice(1, null, 2)
    r.case("index.bool_true", out=x[True])                # TensorIndex.Bool(true)
    r.case("index.tuple_open", out=x[:, :2])             # x[.., (null, 2)]
    x5 = torch.arange(32, dtype=torch.float32).reshape(2, 2, 2, 2, 2)
    r.case("index.long_params", x5=x5, out=x5[1, 0, 1, 1], five=x5[1, 0, 1, 1, 0])  # x5[new long[] { 1, 0, 1, 1 }]
    bmask = torch.tensor([[True, False, True], [False, False, True]])
    r.case("index.bool_mask", mask=bmask, out=x[bmask])
    r.case("index.greater", out=x[x > 4])
    ii = torch.tensor([1, 0, 1])
    jj = torch.tensor([2, 2, 0])
    r.case("index.tensor", ii=ii, jj=jj, first=x[ii], colon_tensor=x[:, jj], pair=x[ii, jj], with_ellipsis=x[..., torch.tensor([3, 0])])
    # Writes
    w = x.clone(); w[:, 0] = torch.tensor([7.0, 8.0, 9.0, 10.0]); r.case("put.colon_single", out=w)
    w = x.clone(); w[0, 1] = 5.0; r.case("put.scalar", out=w)
    w = x.clone(); w[..., 1:3] = 0.25; r.case("put.range", out=w)
    w = x.clone(); w[bmask] = -1.0; r.case("put.mask", out=w)
    w = x.clone(); w[x > 4] = torch.tensor(0.0); r.case("put.mask_expr", out=w)
    w = x.clone(); w[ii, jj] = torch.tensor([100.0, 200.0, 300.0, 400.0]); r.case("put.tensor_pair", out=w)
    w = x.clone(); w.index_put_((torch.tensor([0, 0, 1]),), torch.ones(3, 4), accumulate=True); r.case("put.accumulate", out=w)
    w = x.clone(); w[1] = torch.zeros(3, 4); r.case("put.row", out=w)
    w = x.clone(); w[:, :, -1] = w[:, :, 0] * 2; r.case("put.from_view", out=w)
    xi = torch.arange(12).reshape(3, 4)
    w = xi.clone(); w[1] = 7; r.case("put.int_scalar", x=xi, out=w)
    w = xi.clone(); w[xi % 2 == 0] = -1; r.case("put.int_mask", out=w)
    r.write()


# ---------------------------------------------------------------------------------------------
# torch.nn.functional
# ---------------------------------------------------------------------------------------------
def functional():
    r = RefFile("ref_functional.json", 6000)
    x = rnd(4, 3)
    w = rnd(2, 3)
    b = rnd(2)
    x3 = rnd(2, 4, 3)
    r.case("linear", x=x, w=w, b=b, x3=x3, out=F.linear(x, w, b), no_bias=F.linear(x, w), batched=F.linear(x3, w, b))

    img = rnd(2, 4, 7, 6)
    cw = rnd(3, 4, 3, 3, lo=-0.5, hi=0.5)
    cb = rnd(3)
    gw = rnd(6, 2, 3, 2, lo=-0.5, hi=0.5)
    r.case("conv_inputs", img=img, w=cw, b=cb, gw=gw)
    r.case("conv2d.plain", out=F.conv2d(img, cw, cb))
    r.case("conv2d.stride_padding", out=F.conv2d(img, cw, cb, stride=2, padding=1))
    r.case("conv2d.dilation", out=F.conv2d(img, cw, None, padding=2, dilation=2))
    r.case("conv2d.groups_asym", out=F.conv2d(img, gw, None, stride=(2, 1), padding=(1, 0), groups=2))
    gb = rnd(6)
    r.case("conv2d.all", b=gb, out=F.conv2d(img, gw, gb, stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2))
    seq = rnd(2, 3, 8)
    c1w = rnd(4, 3, 3, lo=-0.5, hi=0.5)
    r.case("conv1d", x=seq, w=c1w, out=F.conv1d(seq, c1w, None, stride=2, padding=1))

    bx = rnd(4, 3, 2, 2, lo=-1, hi=3)
    bw = rnd(3, lo=0.5, hi=1.5)
    bbias = rnd(3)
    rm = rnd(3, lo=-0.2, hi=0.2)
    rv = rnd(3, lo=0.5, hi=1.5)
    rm_t, rv_t = rm.clone(), rv.clone()
    train_out = F.batch_norm(bx, rm_t, rv_t, bw, bbias, training=True, momentum=0.2, eps=1e-5)
    rm_e, rv_e = rm.clone(), rv.clone()
    eval_out = F.batch_norm(bx, rm_e, rv_e, bw, bbias, training=False, eps=1e-3)
    rm_n, rv_n = rm.clone(), rv.clone()
    plain_train = F.batch_norm(bx, rm_n, rv_n, training=True)
    r.case("batch_norm", x=bx, w=bw, b=bbias, running_mean=rm, running_var=rv,
           train_out=train_out, train_running_mean=rm_t, train_running_var=rv_t,
           eval_out=eval_out, eval_running_mean=rm_e, eval_running_var=rv_e,
           plain_train_out=plain_train, plain_running_mean=rm_n, plain_running_var=rv_n,
           no_stats_out=F.batch_norm(bx, None, None, training=True))

    lx = rnd(2, 3, 4)
    lw = rnd(3, 4, lo=0.5, hi=1.5)
    lb = rnd(3, 4)
    r.case("layer_norm", x=lx, w=lw, b=lb, last=F.layer_norm(lx, (4,)), two=F.layer_norm(lx, (3, 4), lw, lb, eps=1e-3))
    gx = rnd(2, 4, 3, 3)
    gnw = rnd(4, lo=0.5, hi=1.5)
    gnb = rnd(4)
    r.case("group_norm", x=gx, w=gnw, b=gnb, out=F.group_norm(gx, 2, gnw, gnb), plain=F.group_norm(gx, 4, eps=1e-3))

    px = rnd(1, 2, 5, 7)
    r.case("pool_inputs", x=px)
    r.case("adaptive_avg_pool2d", out=F.adaptive_avg_pool2d(px, (2, 3)), one=F.adaptive_avg_pool2d(px, 1),
           square=F.adaptive_avg_pool2d(px, 3))
    r.case("max_pool2d", k2=F.max_pool2d(px, 2), k3s2p1=F.max_pool2d(px, 3, 2, 1), dil=F.max_pool2d(px, 2, 1, 0, 2),
           ceil=F.max_pool2d(px, 2, ceil_mode=True), rect=F.max_pool2d(px, (2, 3), (1, 2)))
    r.case("avg_pool2d", k2=F.avg_pool2d(px, 2), k3s2p1=F.avg_pool2d(px, 3, 2, 1),
           no_pad_count=F.avg_pool2d(px, 3, 2, 1, count_include_pad=False), ceil=F.avg_pool2d(px, 2, ceil_mode=True),
           divisor=F.avg_pool2d(px, 2, divisor_override=3))

    ax = rnd(3, 5, lo=-4, hi=4)
    r.case("activations", x=ax, relu=F.relu(ax), gelu=F.gelu(ax), silu=F.silu(ax), leaky_relu=F.leaky_relu(ax, 0.2),
           leaky_relu_default=F.leaky_relu(ax), sigmoid=torch.sigmoid(ax), tanh=torch.tanh(ax),
           softmax=F.softmax(ax, 1), log_softmax=F.log_softmax(ax, 1), softmax0=F.softmax(ax, 0))

    ew = rnd(5, 3)
    eidx = torch.tensor([[0, 2, 4], [4, 3, 0]])
    r.case("embedding", w=ew, idx=eidx, out=F.embedding(eidx, ew), padded=F.embedding(eidx, ew, padding_idx=0))
    oidx = torch.tensor([3, 0, 1, 3])
    r.case("one_hot", idx=oidx, out=F.one_hot(oidx, 5), inferred=F.one_hot(oidx), two_d=F.one_hot(eidx, 6))

    logits = rnd(4, 5, lo=-3, hi=3)
    target = torch.tensor([1, 0, 4, 2])
    cw5 = rnd(5, lo=0.2, hi=2)
    probs = torch.softmax(rnd(4, 5, lo=-2, hi=2), 1)
    ignored = torch.tensor([1, -100, 4, 2])
    ignored2 = torch.tensor([1, 2, 4, 2])
    r.case("ce_inputs", logits=logits, target=target, weight=cw5, probs=probs, ignored=ignored, ignored2=ignored2)
    for red in ("none", "mean", "sum"):
        r.case("cross_entropy." + red,
               index=F.cross_entropy(logits, target, reduction=red),
               weighted=F.cross_entropy(logits, target, weight=cw5, reduction=red),
               smoothing=F.cross_entropy(logits, target, reduction=red, label_smoothing=0.1),
               smoothing_weighted=F.cross_entropy(logits, target, weight=cw5, reduction=red, label_smoothing=0.2),
               probs=F.cross_entropy(logits, probs, reduction=red),
               probs_smoothing=F.cross_entropy(logits, probs, reduction=red, label_smoothing=0.15),
               probs_weighted=F.cross_entropy(logits, probs, weight=cw5, reduction=red),
               ignore_default=F.cross_entropy(logits, ignored, reduction=red),
               ignore_custom=F.cross_entropy(logits, ignored2, ignore_index=2, reduction=red),
               ignore_smoothing=F.cross_entropy(logits, ignored, reduction=red, label_smoothing=0.1))
    sp_logits = rnd(2, 3, 4)
    sp_target = torch.tensor([[0, 2, 1, 1], [2, 2, 0, 1]])
    r.case("cross_entropy.spatial", logits=sp_logits, target=sp_target, out=F.cross_entropy(sp_logits, sp_target),
           smoothing=F.cross_entropy(sp_logits, sp_target, label_smoothing=0.1))
    logp = F.log_softmax(logits, 1)
    for red in ("none", "mean", "sum"):
        r.case("nll_loss." + red, out=F.nll_loss(logp, target, reduction=red), weighted=F.nll_loss(logp, target, weight=cw5, reduction=red))
    mi = rnd(3, 4)
    mt = rnd(3, 4)
    r.case("mse_inputs", input=mi, target=mt)
    for red in ("none", "mean", "sum"):
        r.case("mse_loss." + red, out=F.mse_loss(mi, mt, reduction=red))
    kin = F.log_softmax(rnd(3, 4), 1)
    kprob = torch.softmax(rnd(3, 4), 1)
    klog = torch.log(kprob)
    r.case("kl_inputs", input=kin, target_prob=kprob, target_log=klog)
    for red in ("none", "mean", "sum"):
        r.case("kl_div." + red, prob_target=F.kl_div(kin, kprob, reduction=red, log_target=False),
               log_target=F.kl_div(kin, klog, reduction=red, log_target=True))
    bl = rnd(3, 4, lo=-3, hi=3)
    bt = rnd(3, 4, lo=0, hi=1)
    bw2 = rnd(3, 4, lo=0.5, hi=1.5)
    pw = rnd(4, lo=0.5, hi=3)
    r.case("bce_inputs", logits=bl, target=bt, weight=bw2, pos_weight=pw)
    for red in ("none", "mean", "sum"):
        r.case("bce_with_logits." + red, out=F.binary_cross_entropy_with_logits(bl, bt, reduction=red),
               weighted=F.binary_cross_entropy_with_logits(bl, bt, weight=bw2, reduction=red),
               pos_weighted=F.binary_cross_entropy_with_logits(bl, bt, reduction=red, pos_weight=pw),
               both=F.binary_cross_entropy_with_logits(bl, bt, weight=bw2, reduction=red, pos_weight=pw))
    r.write()


# ---------------------------------------------------------------------------------------------
# Autograd
# ---------------------------------------------------------------------------------------------
def autograd():
    r = RefFile("ref_autograd.json", 7000)
    # A composite expression with broadcasting; the loss is weighted by a fixed tensor.
    x = rnd(3, 4).requires_grad_()
    w = rnd(4, 2).requires_grad_()
    b = rnd(2).requires_grad_()
    fw = rnd(3, 2)
    h = torch.tanh(x @ w + b) * torch.sigmoid(x.sum(1, keepdim=True))
    out = h.pow(2) + torch.exp(-h) / (1 + x.abs().mean())
    loss = (out * fw).sum()
    loss.backward()
    r.case("composite", x=x, w=w, b=b, fw=fw, loss=loss, x_grad=x.grad, w_grad=w.grad, b_grad=b.grad)

    # Element-wise math chain on positive inputs.
    p = rnd(2, 3, lo=0.3, hi=2).requires_grad_()
    q = rnd(2, 3, lo=-1, hi=1).requires_grad_()
    fw2 = rnd(2, 3)
    y = torch.log(p) * torch.sqrt(p) + torch.sin(q) * torch.cos(p) - torch.maximum(p, q) + torch.where(q > 0, q * q, -q)
    y = y + torch.clamp(q, -0.5, 0.5) + (p / (q.abs() + 1)).softmax(1) + torch.logsumexp(q, 1, keepdim=True)
    loss = (y * fw2).sum()
    loss.backward()
    r.case("math_chain", p=p, q=q, fw=fw2, loss=loss, p_grad=p.grad, q_grad=q.grad)

    # Shape and indexing ops in the graph.
    s = rnd(2, 3, 4).requires_grad_()
    fw3 = rnd(4, 3)
    idx = torch.tensor([[0, 3], [1, 1], [2, 0]])
    z = s.permute(2, 1, 0).reshape(4, 6)[:, 1:4] * 2
    z = z + s.sum(0).t() + s[1].t().flip(0)
    g = s[0].gather(1, idx)
    m = s.masked_fill(s > 1, 0).mean(0)
    loss = (z * fw3).sum() + g.sum() * 0.5 + (m ** 2).sum() + torch.stack([s[0, 0], s[1, 2]]).prod()
    loss.backward()
    r.case("shape_chain", s=s, fw=fw3, idx=idx, loss=loss, s_grad=s.grad)

    # A small network with the nn.functional ops.
    img = rnd(2, 3, 6, 6)
    cw = (rnd(4, 3, 3, 3) * 0.3).requires_grad_()
    cb = rnd(4).requires_grad_()
    bnw = rnd(4, lo=0.5, hi=1.5).requires_grad_()
    bnb = rnd(4).requires_grad_()
    lnw = rnd(8, lo=0.5, hi=1.5).requires_grad_()
    lnb = rnd(8).requires_grad_()
    fcw = (rnd(5, 8) * 0.5).requires_grad_()
    fcb = rnd(5).requires_grad_()
    emb = rnd(5, 8).requires_grad_()
    tokens = torch.tensor([1, 0, 3, 4])
    target = torch.tensor([2, 4])
    rm = torch.zeros(4)
    rv = torch.ones(4)
    h = F.conv2d(img, cw, cb, stride=1, padding=1)
    h = F.batch_norm(h, rm, rv, bnw, bnb, training=True, momentum=0.1)
    h = F.relu(h)
    h = F.max_pool2d(h, 2)
    h = F.group_norm(h, 2)
    h = F.gelu(h)
    h = F.avg_pool2d(h, 3, 1, 1)
    h = F.adaptive_avg_pool2d(h, (1, 2)).flatten(1)  # (2, 8)
    e = F.embedding(tokens, emb, padding_idx=0).reshape(2, 2, 8).mean(1)
    h = F.layer_norm(h + e, (8,), lnw, lnb)
    h = F.silu(h)
    logits = F.linear(h, fcw, fcb)
    loss = F.cross_entropy(logits, target, label_smoothing=0.1) + 0.1 * F.mse_loss(torch.softmax(logits, 1), F.one_hot(target, 5).float())
    loss.backward()
    r.case("network", img=img, cw=cw, cb=cb, bnw=bnw, bnb=bnb, lnw=lnw, lnb=lnb, fcw=fcw, fcb=fcb, emb=emb, tokens=tokens,
           target=target, loss=loss, running_mean=rm, running_var=rv,
           cw_grad=cw.grad, cb_grad=cb.grad, bnw_grad=bnw.grad, bnb_grad=bnb.grad, lnw_grad=lnw.grad, lnb_grad=lnb.grad,
           fcw_grad=fcw.grad, fcb_grad=fcb.grad, emb_grad=emb.grad)

    # Losses' gradients with respect to their input.
    lg = rnd(4, 5, lo=-3, hi=3).requires_grad_()
    probs = torch.softmax(rnd(4, 5), 1)
    bl = rnd(3, 4).requires_grad_()
    bt = rnd(3, 4, lo=0, hi=1)
    kin = rnd(3, 4).requires_grad_()
    kt = torch.softmax(rnd(3, 4), 1)
    loss = F.cross_entropy(lg, probs, label_smoothing=0.2) + F.cross_entropy(lg, torch.tensor([1, -100, 4, 0]), reduction="sum") \
        + F.binary_cross_entropy_with_logits(bl, bt, pos_weight=torch.tensor([1.0, 2.0, 0.5, 1.5])) \
        + F.kl_div(F.log_softmax(kin, 1), kt, reduction="sum")
    loss.backward()
    r.case("losses", logits=lg, probs=probs, bl=bl, bt=bt, kin=kin, kt=kt, loss=loss,
           logits_grad=lg.grad, bl_grad=bl.grad, kin_grad=kin.grad)

    # autograd.grad, create_graph and a second derivative.
    v = rnd(5, lo=-2, hi=2).requires_grad_()
    f = (v ** 3 - 2 * v * torch.sin(v)).sum()
    (g1,) = torch.autograd.grad([f], [v], create_graph=True)
    (g2,) = torch.autograd.grad([g1.sum()], [v])
    r.case("grad_second_order", v=v, f=f, first=g1, second=g2)
    u = rnd(2, 3).requires_grad_()
    go = rnd(2, 3)
    outp = u * u.exp()
    (gu,) = torch.autograd.grad([outp], [u], grad_outputs=[go])
    r.case("grad_outputs", u=u, go=go, grad=gu)
    a = rnd(3).requires_grad_()
    c = rnd(3).requires_grad_()
    fa = (a * c).sum() + (a ** 2).sum()
    ga, gc = torch.autograd.grad([fa], [a, c], retain_graph=True)
    ga2, = torch.autograd.grad([fa], [a])
    r.case("grad_two_inputs", a=a, c=c, ga=ga, gc=gc, ga_again=ga2)

    # retain_graph: backward twice accumulates.
    k = rnd(4).requires_grad_()
    lk = (k.exp() * k).sum()
    lk.backward(retain_graph=True)
    first = k.grad.clone()
    lk.backward()
    r.case("retain_graph", k=k, first=first, second=k.grad)

    # retain_grad on a non-leaf, backward with inputs=, backward with a gradient.
    n = rnd(2, 2).requires_grad_()
    hid = n * 3 + 1
    hid.retain_grad()
    (hid.sigmoid() * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    r.case("retain_grad", n=n, hidden_grad=hid.grad, n_grad=n.grad)
    i1 = rnd(3).requires_grad_()
    i2 = rnd(3).requires_grad_()
    (i1 * i2).sum().backward(inputs=[i1])
    r.case("backward_inputs", i1=i1, i2=i2, i1_grad=i1.grad)
    gt = rnd(3).requires_grad_()
    seed_grad = torch.tensor([1.0, -2.0, 0.5])
    (gt * gt).backward(seed_grad)
    r.case("backward_with_gradient", x=gt, seed=seed_grad, grad=gt.grad)
    r.write()


# ---------------------------------------------------------------------------------------------
# dtype conversions and memory formats
# ---------------------------------------------------------------------------------------------
def conversions():
    r = RefFile("ref_conversions.json", 8000)
    x = rnd(2, 3, lo=-3, hi=3)
    x[0, 0] = -1.5
    x[0, 1] = 2.5
    xi = rint(2, 3)
    r.case("inputs", x=x, xi=xi)
    r.case("to_int64", out=x.to(torch.int64))
    r.case("to_int32", out=x.int())
    r.case("to_bool", out=x.bool())
    r.case("to_float64", out=x.double())
    r.case("int_to_float", out=xi.float())
    r.case("int_to_float64", out=xi.to(torch.float64))
    r.case("int_to_bool", out=xi.bool())
    r.case("int_to_int16", out=xi.short())
    r.case("half_roundtrip", out=(x / 3).half().float(), half=(x / 3).half())
    r.case("bfloat16_roundtrip", out=(x / 3).bfloat16().float())
    r.case("type_as", out=xi.type_as(x))
    r.case("float64_to_float32", x=torch.tensor([0.1, 1 / 3, 1e-40, 3.4e38], dtype=torch.float64),
           out=torch.tensor([0.1, 1 / 3, 1e-40, 3.4e38], dtype=torch.float64).float())
    r.case("items", float32=x[1, 2], float64=x.double()[0, 1], int64=xi[1, 1], int32=xi.int()[0, 2], bool=(x > 0)[1, 0],
           float32_value=float(x[1, 2]), int64_value=int(xi[1, 1]))
    # Channels-last memory format.
    img = rnd(2, 3, 4, 5)
    cl = img.contiguous(memory_format=torch.channels_last)
    cw = rnd(4, 3, 3, 3)
    conv_cl = F.conv2d(cl, cw, padding=1)
    r.case("channels_last", img=img, stride=list(cl.stride()), is_cl=cl.is_contiguous(memory_format=torch.channels_last),
           is_contiguous=cl.is_contiguous(), w=cw, conv=conv_cl, conv_stride=list(conv_cl.stride()),
           conv_is_cl=conv_cl.is_contiguous(memory_format=torch.channels_last),
           back_stride=list(cl.contiguous().stride()), permuted_is_cl=img.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).is_contiguous(memory_format=torch.channels_last))
    r.write()


if __name__ == "__main__":
    factories()
    arithmetic()
    math_ops()
    reductions()
    shape_indexing()
    functional()
    autograd()
    conversions()
