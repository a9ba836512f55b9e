using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>this + other.</summary>
        public Tensor add(Tensor target) => Wrap(Native.ets_add(HandleChecked, target.HandleChecked, EtsScalar.One));
        /// <summary>this + alpha × other.</summary>
        public Tensor add(Tensor target, Scalar alpha) => Wrap(Native.ets_add(HandleChecked, target.HandleChecked, alpha.ToNative()));
        /// <summary>this + scalar.</summary>
        public Tensor add(Scalar scalar) => Wrap(Native.ets_add_scalar(HandleChecked, scalar.ToNative(), EtsScalar.One));
        /// <summary>this + alpha × scalar.</summary>
        public Tensor add(Scalar scalar, Scalar alpha) => Wrap(Native.ets_add_scalar(HandleChecked, scalar.ToNative(), alpha.ToNative()));
        /// <summary>In place: this += other.</summary>
        public Tensor add_(Tensor target) { Native.Check(Native.ets_add_(HandleChecked, target.HandleChecked, EtsScalar.One)); return this; }
        /// <summary>In place: this += alpha × other.</summary>
        public Tensor add_(Tensor target, Scalar alpha) { Native.Check(Native.ets_add_(HandleChecked, target.HandleChecked, alpha.ToNative())); return this; }
        /// <summary>In place: this += scalar.</summary>
        public Tensor add_(Scalar scalar) { Native.Check(Native.ets_add_scalar_(HandleChecked, scalar.ToNative(), EtsScalar.One)); return this; }
        /// <summary>In place: this += alpha × scalar.</summary>
        public Tensor add_(Scalar scalar, Scalar alpha) { Native.Check(Native.ets_add_scalar_(HandleChecked, scalar.ToNative(), alpha.ToNative())); return this; }

        /// <summary>this − other.</summary>
        public Tensor sub(Tensor target) => Wrap(Native.ets_sub(HandleChecked, target.HandleChecked, EtsScalar.One));
        /// <summary>this − alpha × other.</summary>
        public Tensor sub(Tensor target, Scalar alpha) => Wrap(Native.ets_sub(HandleChecked, target.HandleChecked, alpha.ToNative()));
        /// <summary>this − scalar.</summary>
        public Tensor sub(Scalar target) => Wrap(Native.ets_sub_scalar(HandleChecked, target.ToNative(), EtsScalar.One));
        /// <summary>In place: this −= other.</summary>
        public Tensor sub_(Tensor target) { Native.Check(Native.ets_sub_(HandleChecked, target.HandleChecked, EtsScalar.One)); return this; }
        /// <summary>In place: this −= alpha × other.</summary>
        public Tensor sub_(Tensor target, Scalar alpha) { Native.Check(Native.ets_sub_(HandleChecked, target.HandleChecked, alpha.ToNative())); return this; }
        /// <summary>In place: this −= scalar.</summary>
        public Tensor sub_(Scalar target) { Native.Check(Native.ets_sub_scalar_(HandleChecked, target.ToNative(), EtsScalar.One)); return this; }

        /// <summary>In place: this ×= other.</summary>
        public Tensor mul_(Tensor target) { Native.Check(Native.ets_mul_(HandleChecked, target.HandleChecked)); return this; }
        /// <summary>In place: this ×= scalar.</summary>
        public Tensor mul_(Scalar target) { Native.Check(Native.ets_mul_scalar_(HandleChecked, target.ToNative())); return this; }

        /// <summary>this ÷ other, optionally rounded.</summary>
        public Tensor div(Tensor target, RoundingMode rounding_mode = RoundingMode.None) => Wrap(Native.ets_div(HandleChecked, target.HandleChecked, (int)rounding_mode));
        /// <summary>this ÷ scalar, optionally rounded.</summary>
        public Tensor div(Scalar target, RoundingMode rounding_mode = RoundingMode.None) => Wrap(Native.ets_div_scalar(HandleChecked, target.ToNative(), (int)rounding_mode));
        /// <summary>In place: this ÷= other.</summary>
        public Tensor div_(Tensor target, RoundingMode rounding_mode = RoundingMode.None) { Native.Check(Native.ets_div_(HandleChecked, target.HandleChecked, (int)rounding_mode)); return this; }
        /// <summary>In place: this ÷= scalar.</summary>
        public Tensor div_(Scalar target, RoundingMode rounding_mode = RoundingMode.None) { Native.Check(Native.ets_div_scalar_(HandleChecked, target.ToNative(), (int)rounding_mode)); return this; }

        /// <summary>In place: this = this ^ exponent.</summary>
        public Tensor pow_(Scalar exponent) { Native.Check(Native.ets_pow_scalar_(HandleChecked, exponent.ToNative())); return this; }

        /// <summary>Sets every element to zero; returns this tensor.</summary>
        public Tensor zero_() { Native.Check(Native.ets_zero_(HandleChecked)); return this; }
        /// <summary>Sets every element to <paramref name="value"/>; returns this tensor.</summary>
        public Tensor fill_(Scalar value) { Native.Check(Native.ets_fill_(HandleChecked, value.ToNative())); return this; }

        /// <summary>Linear interpolation: this + weight × (end − this).</summary>
        public Tensor lerp(Tensor end, Tensor weight) => Wrap(Native.ets_lerp(HandleChecked, end.HandleChecked, weight.HandleChecked));
        /// <summary>In-place linear interpolation towards <paramref name="end"/>.</summary>
        public Tensor lerp_(Tensor end, Tensor weight) { Native.Check(Native.ets_lerp_(HandleChecked, end.HandleChecked, weight.HandleChecked)); return this; }

        /// <summary>In place: this += value × t1 × t2.</summary>
        public Tensor addcmul_(Tensor tensor1, Tensor tensor2, Scalar value) { Native.Check(Native.ets_addcmul_(HandleChecked, tensor1.HandleChecked, tensor2.HandleChecked, value.ToNative())); return this; }
        /// <summary>In place: this += value × t1 ÷ t2.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, Scalar value) { Native.Check(Native.ets_addcdiv_(HandleChecked, tensor1.HandleChecked, tensor2.HandleChecked, value.ToNative())); return this; }
        /// <summary>In place: this += t1 ÷ t2.</summary>
        public Tensor addcdiv_(Tensor tensor1, Tensor tensor2) => addcdiv_(tensor1, tensor2, 1);

        /// <summary>Limits the elements to [min, max] (either bound may be omitted).</summary>
        public Tensor clamp(Scalar? min = null, Scalar? max = null)
        {
            RequireBound(min is not null || max is not null);
            return Wrap(Native.ets_clamp(HandleChecked, min is null ? 0 : 1, min?.ToNative() ?? default, max is null ? 0 : 1, max?.ToNative() ?? default));
        }

        /// <summary>Limits the elements element-wise to [min, max].</summary>
        public Tensor clamp(Tensor? min = null, Tensor? max = null)
        {
            RequireBound(min is not null || max is not null);
            var r = Wrap(Native.ets_clamp_tensor(HandleChecked, RawOrZero(min), RawOrZero(max)));
            GC.KeepAlive(min);
            GC.KeepAlive(max);
            return r;
        }

        /// <summary>In place: limits the elements to [min, max].</summary>
        public Tensor clamp_(Scalar? min = null, Scalar? max = null)
        {
            RequireBound(min is not null || max is not null);
            Native.Check(Native.ets_clamp_(HandleChecked, min is null ? 0 : 1, min?.ToNative() ?? default, max is null ? 0 : 1, max?.ToNative() ?? default));
            return this;
        }

        /// <summary>In place: limits the elements element-wise to [min, max].</summary>
        public Tensor clamp_(Tensor? min = null, Tensor? max = null)
        {
            RequireBound(min is not null || max is not null);
            Native.Check(Native.ets_clamp_tensor_(HandleChecked, RawOrZero(min), RawOrZero(max)));
            GC.KeepAlive(min);
            GC.KeepAlive(max);
            return this;
        }

        private static void RequireBound(bool any)
        {
            if (!any) throw new ArgumentException("clamp: at least one of 'min' and 'max' must be given.");
        }

        /// <summary>Elements of this tensor where <paramref name="condition"/> is true, else of <paramref name="y"/>.</summary>
        public Tensor where(Tensor condition, Tensor y) => Wrap(Native.ets_where(condition.HandleChecked, HandleChecked, y.HandleChecked));

        /// <summary>Replaces NaN and infinities by finite values.</summary>
        public Tensor nan_to_num(double nan = 0d, double? posinf = null, double? neginf = null)
            => Wrap(Native.ets_nan_to_num(HandleChecked, nan, posinf.HasValue ? 1 : 0, posinf ?? 0, neginf.HasValue ? 1 : 0, neginf ?? 0));

        /// <summary>Rounds to the given number of decimals.</summary>
        public Tensor round(long decimals = 0L) => Wrap(Native.ets_round(HandleChecked, decimals));

        /// <summary>Softmax along a dimension.</summary>
        public Tensor softmax(long dim, ScalarType? dtype = null) => Wrap(Native.ets_softmax(HandleChecked, dim, DType(dtype)));
        /// <summary>Log-softmax along a dimension.</summary>
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => Wrap(Native.ets_log_softmax(HandleChecked, dim, DType(dtype)));
        /// <summary>Cumulative sum along a dimension.</summary>
        public Tensor cumsum(long dim, ScalarType? type = null) => Wrap(Native.ets_cumsum(HandleChecked, dim, DType(type)));
        /// <summary>log(sum(exp(x))) along a dimension, computed stably.</summary>
        public Tensor logsumexp(long dim, bool keepdim = false) => Wrap(Native.ets_logsumexp(HandleChecked, dim, keepdim ? 1 : 0));

        /// <summary>Whether the two tensors have the same shape and elements.</summary>
        public bool equal(Tensor target)
        {
            var rc = Native.ets_equal(HandleChecked, target.HandleChecked);
            Native.Check(rc);
            return rc == 1;
        }

        /// <summary>Whether |this − target| ≤ atol + rtol × |target| everywhere.</summary>
        public bool allclose(Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false)
        {
            var rc = Native.ets_allclose(HandleChecked, target.HandleChecked, rtol, atol, equal_nan ? 1 : 0);
            Native.Check(rc);
            return rc == 1;
        }

        // ---- random in place --------------------------------------------------------------

        /// <summary>Fills with samples from U(from, to).</summary>
        public Tensor uniform_(double from, double to, Generator? generator = null) { Native.Check(Native.ets_uniform_(HandleChecked, from, to, Generator.HandleOf(generator))); return this; }
        /// <summary>Fills with samples from N(mean, std²).</summary>
        public Tensor normal_(double mean = 0.0, double std = 1.0, Generator? generator = null) { Native.Check(Native.ets_normal_(HandleChecked, mean, std, Generator.HandleOf(generator))); return this; }
        /// <summary>Fills with Bernoulli(p) samples.</summary>
        public Tensor bernoulli_(double p = 0.5, Generator? generator = null) { Native.Check(Native.ets_bernoulli_p_(HandleChecked, p, Generator.HandleOf(generator))); return this; }
        /// <summary>Bernoulli samples with this tensor's elements as probabilities.</summary>
        public Tensor bernoulli(Generator? generator = null) => Wrap(Native.ets_bernoulli(HandleChecked, Generator.HandleOf(generator)));
        /// <summary>A tensor like this one with U(0, 1) samples.</summary>
        public Tensor rand_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(3, 0, dtype, device, requires_grad);
        /// <summary>A tensor like this one with N(0, 1) samples.</summary>
        public Tensor randn_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(4, 0, dtype, device, requires_grad);
        /// <summary>A tensor of zeros like this one.</summary>
        public Tensor zeros_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(0, 0, dtype, device, requires_grad);
        /// <summary>A tensor of ones like this one.</summary>
        public Tensor ones_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(1, 0, dtype, device, requires_grad);
        /// <summary>An uninitialized tensor like this one.</summary>
        public Tensor empty_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(2, 0, dtype, device, requires_grad);
        /// <summary>A tensor like this one filled with <paramref name="value"/>.</summary>
        public Tensor full_like(Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => Like(5, value, dtype, device, requires_grad);

        /// <summary>A new tensor of zeros with this tensor's dtype and device.</summary>
        public Tensor new_zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => zeros(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
        /// <summary>A new tensor of ones with this tensor's dtype and device.</summary>
        public Tensor new_ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ones(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
        /// <summary>A new uninitialized tensor with this tensor's dtype and device.</summary>
        public Tensor new_empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => empty(size, dtype ?? this.dtype, device ?? this.device, requires_grad);
        /// <summary>A new filled tensor with this tensor's dtype and device.</summary>
        public Tensor new_full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(size, value, dtype ?? this.dtype, device ?? this.device, requires_grad);

        private Tensor Like(int kind, Scalar value, ScalarType? dtype, Device? device, bool requires_grad)
            => Wrap(Native.ets_like(HandleChecked, kind, value.ToNative(), DType(dtype), device is null ? -1 : (int)device.type, device?.index ?? -1, requires_grad ? 1 : 0));

        internal static int DType(ScalarType? t) => t is null ? -1 : (int)t.Value;
    }
}
