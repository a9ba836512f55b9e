using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

/// <summary>
/// A single number passed to tensor operations (<c>t.add(2)</c>, <c>full(..., 0.5f)</c>).
/// Created implicitly from .NET primitives; keeps the kind (floating, integral, boolean) so
/// that type promotion matches PyTorch's.
/// </summary>
public sealed class Scalar : IDisposable
{
    private readonly double _double;
    private readonly long _long;

    private Scalar(double d, long l, torch.ScalarType type)
    {
        _double = d;
        _long = l;
        Type = type;
    }

    /// <summary>The element type this scalar was created from.</summary>
    public torch.ScalarType Type { get; }

    internal bool IsFloatingPoint => Type is torch.ScalarType.Float16 or torch.ScalarType.Float32 or torch.ScalarType.Float64 or torch.ScalarType.BFloat16;

    internal EtsScalar ToNative() => Type switch
    {
        torch.ScalarType.Bool => new EtsScalar(_long, _long, 2),
        _ when IsFloatingPoint => new EtsScalar(_double, (long)_double, 0),
        _ => new EtsScalar(_long, _long, 1),
    };

    internal double AsDouble => IsFloatingPoint ? _double : _long;
    internal long AsLong => IsFloatingPoint ? (long)_double : _long;

    /// <summary>Creates a scalar from a byte.</summary>
    public static implicit operator Scalar(byte value) => new(value, value, torch.ScalarType.Byte);
    /// <summary>Creates a scalar from a signed byte.</summary>
    public static implicit operator Scalar(sbyte value) => new(value, value, torch.ScalarType.Int8);
    /// <summary>Creates a scalar from a short.</summary>
    public static implicit operator Scalar(short value) => new(value, value, torch.ScalarType.Int16);
    /// <summary>Creates a scalar from an int.</summary>
    public static implicit operator Scalar(int value) => new(value, value, torch.ScalarType.Int32);
    /// <summary>Creates a scalar from a long.</summary>
    public static implicit operator Scalar(long value) => new(value, value, torch.ScalarType.Int64);
    /// <summary>Creates a scalar from a float.</summary>
    public static implicit operator Scalar(float value) => new(value, (long)value, torch.ScalarType.Float32);
    /// <summary>Creates a scalar from a double.</summary>
    public static implicit operator Scalar(double value) => new(value, (long)value, torch.ScalarType.Float64);
    /// <summary>Creates a scalar from a bool.</summary>
    public static implicit operator Scalar(bool value) => new(value ? 1 : 0, value ? 1 : 0, torch.ScalarType.Bool);

    /// <summary>Nothing to release: the scalar lives in managed memory. Kept for TorchSharp compatibility.</summary>
    public void Dispose() { }

    /// <inheritdoc />
    public override string ToString() => IsFloatingPoint ? _double.ToString(System.Globalization.CultureInfo.InvariantCulture) : _long.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Conversions between .NET primitives and <see cref="Scalar"/>.</summary>
public static class ScalarExtensionMethods
{
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this byte value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this sbyte value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this short value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this int value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this long value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this float value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this double value) => value;
    /// <summary>Wraps the value as a scalar.</summary>
    public static Scalar ToScalar(this bool value) => value;
    /// <summary>The scalar's value as a float.</summary>
    public static float ToSingle(this Scalar value) => (float)value.AsDouble;
    /// <summary>The scalar's value as a double.</summary>
    public static double ToDouble(this Scalar value) => value.AsDouble;
    /// <summary>The scalar's value as an int.</summary>
    public static int ToInt32(this Scalar value) => (int)value.AsLong;
    /// <summary>The scalar's value as a long.</summary>
    public static long ToInt64(this Scalar value) => value.AsLong;
    /// <summary>The scalar's value as a bool (non-zero is true).</summary>
    public static bool ToBoolean(this Scalar value) => value.AsDouble != 0;
}
