using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>Addition, element-wise with broadcasting.</summary>
        public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
        /// <summary>Addition by a scalar.</summary>
        public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
        /// <summary>Addition of a scalar and a tensor.</summary>
        public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
        /// <summary>Addition by a scalar.</summary>
        public static Tensor operator +(Tensor left, int right) => left.add((Scalar)right);
        /// <summary>Addition of a scalar and a tensor.</summary>
        public static Tensor operator +(int left, Tensor right) => (Scalar)left + right;
        /// <summary>Addition by a scalar.</summary>
        public static Tensor operator +(Tensor left, long right) => left.add((Scalar)right);
        /// <summary>Addition of a scalar and a tensor.</summary>
        public static Tensor operator +(long left, Tensor right) => (Scalar)left + right;
        /// <summary>Addition by a scalar.</summary>
        public static Tensor operator +(Tensor left, float right) => left.add((Scalar)right);
        /// <summary>Addition of a scalar and a tensor.</summary>
        public static Tensor operator +(float left, Tensor right) => (Scalar)left + right;
        /// <summary>Addition by a scalar.</summary>
        public static Tensor operator +(Tensor left, double right) => left.add((Scalar)right);
        /// <summary>Addition of a scalar and a tensor.</summary>
        public static Tensor operator +(double left, Tensor right) => (Scalar)left + right;
        /// <summary>Subtraction, element-wise with broadcasting.</summary>
        public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
        /// <summary>Subtraction by a scalar.</summary>
        public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
        /// <summary>Subtraction of a scalar and a tensor.</summary>
        public static Tensor operator -(Scalar left, Tensor right) => Wrap(Native.ets_rsub_scalar(right.HandleChecked, left.ToNative()));
        /// <summary>Subtraction by a scalar.</summary>
        public static Tensor operator -(Tensor left, int right) => left.sub((Scalar)right);
        /// <summary>Subtraction of a scalar and a tensor.</summary>
        public static Tensor operator -(int left, Tensor right) => (Scalar)left - right;
        /// <summary>Subtraction by a scalar.</summary>
        public static Tensor operator -(Tensor left, long right) => left.sub((Scalar)right);
        /// <summary>Subtraction of a scalar and a tensor.</summary>
        public static Tensor operator -(long left, Tensor right) => (Scalar)left - right;
        /// <summary>Subtraction by a scalar.</summary>
        public static Tensor operator -(Tensor left, float right) => left.sub((Scalar)right);
        /// <summary>Subtraction of a scalar and a tensor.</summary>
        public static Tensor operator -(float left, Tensor right) => (Scalar)left - right;
        /// <summary>Subtraction by a scalar.</summary>
        public static Tensor operator -(Tensor left, double right) => left.sub((Scalar)right);
        /// <summary>Subtraction of a scalar and a tensor.</summary>
        public static Tensor operator -(double left, Tensor right) => (Scalar)left - right;
        /// <summary>Multiplication, element-wise with broadcasting.</summary>
        public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
        /// <summary>Multiplication by a scalar.</summary>
        public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
        /// <summary>Multiplication of a scalar and a tensor.</summary>
        public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
        /// <summary>Multiplication by a scalar.</summary>
        public static Tensor operator *(Tensor left, int right) => left.mul((Scalar)right);
        /// <summary>Multiplication of a scalar and a tensor.</summary>
        public static Tensor operator *(int left, Tensor right) => (Scalar)left * right;
        /// <summary>Multiplication by a scalar.</summary>
        public static Tensor operator *(Tensor left, long right) => left.mul((Scalar)right);
        /// <summary>Multiplication of a scalar and a tensor.</summary>
        public static Tensor operator *(long left, Tensor right) => (Scalar)left * right;
        /// <summary>Multiplication by a scalar.</summary>
        public static Tensor operator *(Tensor left, float right) => left.mul((Scalar)right);
        /// <summary>Multiplication of a scalar and a tensor.</summary>
        public static Tensor operator *(float left, Tensor right) => (Scalar)left * right;
        /// <summary>Multiplication by a scalar.</summary>
        public static Tensor operator *(Tensor left, double right) => left.mul((Scalar)right);
        /// <summary>Multiplication of a scalar and a tensor.</summary>
        public static Tensor operator *(double left, Tensor right) => (Scalar)left * right;
        /// <summary>Division, element-wise with broadcasting.</summary>
        public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
        /// <summary>Division by a scalar.</summary>
        public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
        /// <summary>Division of a scalar and a tensor.</summary>
        public static Tensor operator /(Scalar left, Tensor right) => Wrap(Native.ets_rdiv_scalar(right.HandleChecked, left.ToNative()));
        /// <summary>Division by a scalar.</summary>
        public static Tensor operator /(Tensor left, int right) => left.div((Scalar)right);
        /// <summary>Division of a scalar and a tensor.</summary>
        public static Tensor operator /(int left, Tensor right) => (Scalar)left / right;
        /// <summary>Division by a scalar.</summary>
        public static Tensor operator /(Tensor left, long right) => left.div((Scalar)right);
        /// <summary>Division of a scalar and a tensor.</summary>
        public static Tensor operator /(long left, Tensor right) => (Scalar)left / right;
        /// <summary>Division by a scalar.</summary>
        public static Tensor operator /(Tensor left, float right) => left.div((Scalar)right);
        /// <summary>Division of a scalar and a tensor.</summary>
        public static Tensor operator /(float left, Tensor right) => (Scalar)left / right;
        /// <summary>Division by a scalar.</summary>
        public static Tensor operator /(Tensor left, double right) => left.div((Scalar)right);
        /// <summary>Division of a scalar and a tensor.</summary>
        public static Tensor operator /(double left, Tensor right) => (Scalar)left / right;
        /// <summary>Python-style remainder.</summary>
        public static Tensor operator %(Tensor left, Tensor right) => left.remainder(right);
        /// <summary>Python-style remainder by a scalar.</summary>
        public static Tensor operator %(Tensor left, Scalar right) => left.remainder(right);
        /// <summary>Python-style remainder by a scalar.</summary>
        public static Tensor operator %(Tensor left, int right) => left.remainder((Scalar)right);
        /// <summary>Python-style remainder by a scalar.</summary>
        public static Tensor operator %(Tensor left, long right) => left.remainder((Scalar)right);
        /// <summary>Python-style remainder by a scalar.</summary>
        public static Tensor operator %(Tensor left, float right) => left.remainder((Scalar)right);
        /// <summary>Python-style remainder by a scalar.</summary>
        public static Tensor operator %(Tensor left, double right) => left.remainder((Scalar)right);
        /// <summary>Negation.</summary>
        public static Tensor operator -(Tensor tensor) => tensor.neg();
        /// <summary>Bitwise (or logical, for bool) and.</summary>
        public static Tensor operator &(Tensor left, Tensor right) => left.bitwise_and(right);
        /// <summary>Bitwise (or logical, for bool) or.</summary>
        public static Tensor operator |(Tensor left, Tensor right) => left.bitwise_or(right);
        /// <summary>Bitwise (or logical, for bool) xor.</summary>
        public static Tensor operator ^(Tensor left, Tensor right) => left.bitwise_xor(right);
        /// <summary>Bitwise (or logical, for bool) not.</summary>
        public static Tensor operator ~(Tensor left) => left.bitwise_not();
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator ==(Tensor left, Tensor right) => left.eq(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator ==(Tensor left, Scalar right) => left.eq(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator ==(Scalar left, Tensor right) => right.eq(left);
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator !=(Tensor left, Tensor right) => left.ne(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator !=(Tensor left, Scalar right) => left.ne(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator !=(Scalar left, Tensor right) => right.ne(left);
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator <(Tensor left, Tensor right) => left.lt(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator <(Tensor left, Scalar right) => left.lt(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator <(Scalar left, Tensor right) => right.gt(left);
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator <=(Tensor left, Tensor right) => left.le(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator <=(Tensor left, Scalar right) => left.le(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator <=(Scalar left, Tensor right) => right.ge(left);
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator >(Tensor left, Tensor right) => left.gt(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator >(Tensor left, Scalar right) => left.gt(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator >(Scalar left, Tensor right) => right.lt(left);
        /// <summary>Element-wise comparison; returns a bool tensor.</summary>
        public static Tensor operator >=(Tensor left, Tensor right) => left.ge(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator >=(Tensor left, Scalar right) => left.ge(right);
        /// <summary>Element-wise comparison with a scalar; returns a bool tensor.</summary>
        public static Tensor operator >=(Scalar left, Tensor right) => right.le(left);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(byte value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(sbyte value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(short value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(int value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(long value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(float value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(double value) => tensor(value);
        /// <summary>A 0-d tensor holding the value.</summary>
        public static implicit operator Tensor(bool value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(byte[] value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(int[] value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(long[] value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(float[] value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(double[] value) => tensor(value);
        /// <summary>A 1-D tensor holding a copy of the array.</summary>
        public static implicit operator Tensor(bool[] value) => tensor(value);
        /// <summary>A 0-d tensor holding the scalar.</summary>
        public static implicit operator Tensor(Scalar scalar) => ScalarTensor(scalar, null, null, false);
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator float(Tensor value) => value.ToSingle();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator double(Tensor value) => value.ToDouble();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator sbyte(Tensor value) => value.ToSByte();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator byte(Tensor value) => value.ToByte();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator short(Tensor value) => value.ToInt16();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator int(Tensor value) => value.ToInt32();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator long(Tensor value) => value.ToInt64();
        /// <summary>The value of a one-element tensor, converted.</summary>
        public static explicit operator bool(Tensor value) => value.ToBoolean();
    }
}
