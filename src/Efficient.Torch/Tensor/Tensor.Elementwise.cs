using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>Negation.</summary>
        public Tensor neg() => Wrap(Native.ets_neg(HandleChecked));
        /// <summary>Absolute value.</summary>
        public Tensor abs() => Wrap(Native.ets_abs(HandleChecked));
        /// <summary>Exponential.</summary>
        public Tensor exp() => Wrap(Native.ets_exp(HandleChecked));
        /// <summary>Natural logarithm.</summary>
        public Tensor log() => Wrap(Native.ets_log(HandleChecked));
        /// <summary>log(1 + x).</summary>
        public Tensor log1p() => Wrap(Native.ets_log1p(HandleChecked));
        /// <summary>exp(x) - 1.</summary>
        public Tensor expm1() => Wrap(Native.ets_expm1(HandleChecked));
        /// <summary>Square root.</summary>
        public Tensor sqrt() => Wrap(Native.ets_sqrt(HandleChecked));
        /// <summary>Reciprocal square root.</summary>
        public Tensor rsqrt() => Wrap(Native.ets_rsqrt(HandleChecked));
        /// <summary>Square.</summary>
        public Tensor square() => Wrap(Native.ets_square(HandleChecked));
        /// <summary>Sine.</summary>
        public Tensor sin() => Wrap(Native.ets_sin(HandleChecked));
        /// <summary>Cosine.</summary>
        public Tensor cos() => Wrap(Native.ets_cos(HandleChecked));
        /// <summary>Tangent.</summary>
        public Tensor tan() => Wrap(Native.ets_tan(HandleChecked));
        /// <summary>Hyperbolic tangent.</summary>
        public Tensor tanh() => Wrap(Native.ets_tanh(HandleChecked));
        /// <summary>Logistic sigmoid.</summary>
        public Tensor sigmoid() => Wrap(Native.ets_sigmoid(HandleChecked));
        /// <summary>Rectified linear unit.</summary>
        public Tensor relu() => Wrap(Native.ets_relu(HandleChecked));
        /// <summary>Sign (-1, 0, 1).</summary>
        public Tensor sign() => Wrap(Native.ets_sign(HandleChecked));
        /// <summary>Round down.</summary>
        public Tensor floor() => Wrap(Native.ets_floor(HandleChecked));
        /// <summary>Round up.</summary>
        public Tensor ceil() => Wrap(Native.ets_ceil(HandleChecked));
        /// <summary>Round towards zero.</summary>
        public Tensor trunc() => Wrap(Native.ets_trunc(HandleChecked));
        /// <summary>1 / x.</summary>
        public Tensor reciprocal() => Wrap(Native.ets_reciprocal(HandleChecked));
        /// <summary>Error function.</summary>
        public Tensor erf() => Wrap(Native.ets_erf(HandleChecked));
        /// <summary>Element-wise test for NaN.</summary>
        public Tensor isnan() => Wrap(Native.ets_isnan(HandleChecked));
        /// <summary>Element-wise test for infinity.</summary>
        public Tensor isinf() => Wrap(Native.ets_isinf(HandleChecked));
        /// <summary>Element-wise test for a finite value.</summary>
        public Tensor isfinite() => Wrap(Native.ets_isfinite(HandleChecked));
        /// <summary>Logical negation.</summary>
        public Tensor logical_not() => Wrap(Native.ets_logical_not(HandleChecked));
        /// <summary>Bitwise negation.</summary>
        public Tensor bitwise_not() => Wrap(Native.ets_bitwise_not(HandleChecked));
        /// <summary>In-place <see cref="neg()"/>; returns this tensor.</summary>
        public Tensor neg_() { Native.Check(Native.ets_neg_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="exp()"/>; returns this tensor.</summary>
        public Tensor exp_() { Native.Check(Native.ets_exp_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="log()"/>; returns this tensor.</summary>
        public Tensor log_() { Native.Check(Native.ets_log_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="sqrt()"/>; returns this tensor.</summary>
        public Tensor sqrt_() { Native.Check(Native.ets_sqrt_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="abs()"/>; returns this tensor.</summary>
        public Tensor abs_() { Native.Check(Native.ets_abs_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="relu()"/>; returns this tensor.</summary>
        public Tensor relu_() { Native.Check(Native.ets_relu_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="sigmoid()"/>; returns this tensor.</summary>
        public Tensor sigmoid_() { Native.Check(Native.ets_sigmoid_(HandleChecked)); return this; }
        /// <summary>In-place <see cref="tanh()"/>; returns this tensor.</summary>
        public Tensor tanh_() { Native.Check(Native.ets_tanh_(HandleChecked)); return this; }
        /// <summary>Element-wise product.</summary>
        public Tensor mul(Tensor other) => Wrap(Native.ets_mul(HandleChecked, other.HandleChecked));
        /// <summary>Python-style remainder.</summary>
        public Tensor remainder(Tensor other) => Wrap(Native.ets_remainder(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise power.</summary>
        public Tensor pow(Tensor other) => Wrap(Native.ets_pow(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise maximum.</summary>
        public Tensor maximum(Tensor other) => Wrap(Native.ets_maximum(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise minimum.</summary>
        public Tensor minimum(Tensor other) => Wrap(Native.ets_minimum(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise atan2(this, other).</summary>
        public Tensor atan2(Tensor other) => Wrap(Native.ets_atan2(HandleChecked, other.HandleChecked));
        /// <summary>Bitwise and.</summary>
        public Tensor bitwise_and(Tensor other) => Wrap(Native.ets_bitwise_and(HandleChecked, other.HandleChecked));
        /// <summary>Bitwise or.</summary>
        public Tensor bitwise_or(Tensor other) => Wrap(Native.ets_bitwise_or(HandleChecked, other.HandleChecked));
        /// <summary>Bitwise xor.</summary>
        public Tensor bitwise_xor(Tensor other) => Wrap(Native.ets_bitwise_xor(HandleChecked, other.HandleChecked));
        /// <summary>Logical and.</summary>
        public Tensor logical_and(Tensor other) => Wrap(Native.ets_logical_and(HandleChecked, other.HandleChecked));
        /// <summary>Logical or.</summary>
        public Tensor logical_or(Tensor other) => Wrap(Native.ets_logical_or(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise equality.</summary>
        public Tensor eq(Tensor other) => Wrap(Native.ets_eq(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise inequality.</summary>
        public Tensor ne(Tensor other) => Wrap(Native.ets_ne(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise less-than.</summary>
        public Tensor lt(Tensor other) => Wrap(Native.ets_lt(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise less-or-equal.</summary>
        public Tensor le(Tensor other) => Wrap(Native.ets_le(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise greater-than.</summary>
        public Tensor gt(Tensor other) => Wrap(Native.ets_gt(HandleChecked, other.HandleChecked));
        /// <summary>Element-wise greater-or-equal.</summary>
        public Tensor ge(Tensor other) => Wrap(Native.ets_ge(HandleChecked, other.HandleChecked));
        /// <summary>Matrix product with broadcasting.</summary>
        public Tensor matmul(Tensor other) => Wrap(Native.ets_matmul(HandleChecked, other.HandleChecked));
        /// <summary>Matrix product of two 2-D tensors.</summary>
        public Tensor mm(Tensor other) => Wrap(Native.ets_mm(HandleChecked, other.HandleChecked));
        /// <summary>Batched matrix product.</summary>
        public Tensor bmm(Tensor other) => Wrap(Native.ets_bmm(HandleChecked, other.HandleChecked));
        /// <summary>Outer product of two vectors.</summary>
        public Tensor outer(Tensor other) => Wrap(Native.ets_outer(HandleChecked, other.HandleChecked));
        /// <summary>Product with a scalar.</summary>
        public Tensor mul(Scalar other) => Wrap(Native.ets_mul_scalar(HandleChecked, other.ToNative()));
        /// <summary>Remainder by a scalar.</summary>
        public Tensor remainder(Scalar other) => Wrap(Native.ets_remainder_scalar(HandleChecked, other.ToNative()));
        /// <summary>Power with a scalar exponent.</summary>
        public Tensor pow(Scalar other) => Wrap(Native.ets_pow_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise equality with a scalar.</summary>
        public Tensor eq(Scalar other) => Wrap(Native.ets_eq_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise inequality with a scalar.</summary>
        public Tensor ne(Scalar other) => Wrap(Native.ets_ne_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise less-than a scalar.</summary>
        public Tensor lt(Scalar other) => Wrap(Native.ets_lt_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise less-or-equal a scalar.</summary>
        public Tensor le(Scalar other) => Wrap(Native.ets_le_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise greater-than a scalar.</summary>
        public Tensor gt(Scalar other) => Wrap(Native.ets_gt_scalar(HandleChecked, other.ToNative()));
        /// <summary>Element-wise greater-or-equal a scalar.</summary>
        public Tensor ge(Scalar other) => Wrap(Native.ets_ge_scalar(HandleChecked, other.ToNative()));
    }
}
