using System;
using System.IO;
using Efficient.Torch.Interop;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Optim;

/// <summary>
/// Helpers for optimizer state tensors: adopting handles created by the native update loops,
/// deep copies, device moves and a simple binary format (dtype, rank, sizes, raw row-major bytes
/// from host memory). State tensors are owned by their optimizer, never by a dispose scope.
/// </summary>
internal static class StateTensors
{
    /// <summary>Wraps a handle the native side created for the caller, outside any dispose scope.</summary>
    internal static Tensor Adopt(IntPtr handle) => new Tensor(new TensorHandle(handle)).DetachFromDisposeScope();

    /// <summary>An independent copy (own storage, no autograd history), outside any dispose scope.</summary>
    internal static Tensor? Copy(Tensor? source)
    {
        if (source is null) return null;
        using (no_grad()) return source.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Replaces <paramref name="target"/> with a copy of <paramref name="source"/>, disposing the old tensor.</summary>
    internal static void Assign(ref Tensor? target, Tensor? source)
    {
        if (ReferenceEquals(target, source)) return;
        var copy = Copy(source);
        target?.Dispose();
        target = copy;
    }

    /// <summary>Moves <paramref name="t"/> to <paramref name="device"/> (disposing the old tensor) unless it is already there.</summary>
    internal static void MoveTo(ref Tensor? t, Device device)
    {
        if (t is null) return;
        if (t.device_type == device.type && (device.index < 0 || t.device_index == device.index)) return;
        var moved = t.to(device).DetachFromDisposeScope();
        t.Dispose();
        t = moved;
    }

    /// <summary>Whether a state tensor fits a parameter (same shape), null always fits.</summary>
    internal static bool Fits(Tensor? state, long[] shape) => state is null || state.shape.AsSpan().SequenceEqual(shape);

    internal static unsafe void Write(BinaryWriter writer, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var host = tensor.detach().cpu().contiguous();
        var shape = host.shape;
        writer.Write((int)host.dtype);
        writer.Write(shape.Length);
        foreach (var d in shape) writer.Write(d);
        var numel = host.numel();
        var bytes = new byte[checked(numel * host.ElementSize)];
        fixed (byte* p = bytes) Native.Check(Native.ets_copy_to_buffer(host.HandleChecked, p, numel, (int)host.dtype));
        writer.Write(bytes);
    }

    internal static unsafe Tensor Read(BinaryReader reader)
    {
        var dtype = reader.ReadInt32();
        var ndim = reader.ReadInt32();
        if (ndim < 0 || ndim > 64) throw new InvalidDataException($"Invalid optimizer state: a tensor of rank {ndim}.");
        var shape = new long[ndim];
        long numel = 1;
        for (var i = 0; i < ndim; i++)
        {
            shape[i] = reader.ReadInt64();
            if (shape[i] < 0) throw new InvalidDataException($"Invalid optimizer state: dimension {i} has size {shape[i]}.");
            numel = checked(numel * shape[i]);
        }
        var elementSize = (ScalarType)dtype switch
        {
            ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
            ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Int32 or ScalarType.Float32 => 4,
            ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
            ScalarType.ComplexFloat64 => 16,
            _ => throw new InvalidDataException($"Invalid optimizer state: unsupported dtype number {dtype}."),
        };
        var bytes = reader.ReadBytes(checked((int)(numel * elementSize)));
        if (bytes.Length != numel * elementSize) throw new EndOfStreamException("Invalid optimizer state: the stream ended inside a tensor.");
        fixed (byte* p = bytes)
        fixed (long* s = shape)
            return Tensor.Wrap(Native.ets_from_buffer(p, s, ndim, dtype, -1, -1, 0)).DetachFromDisposeScope();
    }

    internal static void WriteConditional(BinaryWriter writer, Tensor? tensor)
    {
        writer.Write(tensor is not null);
        if (tensor is not null) Write(writer, tensor);
    }

    internal static void ReadConditional(BinaryReader reader, ref Tensor? result)
    {
        var loaded = reader.ReadBoolean() ? Read(reader) : null;
        if (loaded is not null && result is not null && result.device_type != DeviceType.CPU)
        {
            var device = result.device;
            MoveTo(ref loaded, device);
        }
        result?.Dispose();
        result = loaded;
    }
}
