using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Efficient.Torch.Interop;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Serialization;

/// <summary>What a record holds.</summary>
internal enum RecordKind : uint
{
    /// <summary>One unnamed tensor (<c>torch.save</c>).</summary>
    Tensor = 1,
    /// <summary>Named tensors (<c>Module.save</c>, <c>save_state_dict</c>, <see cref="TensorFile"/>).</summary>
    StateDict = 2,
}

/// <summary>
/// Reads and writes one record of the Efficient.Torch tensor format (docs/serialization-format.md):
/// a checksummed header, entries (name, dtype, shape, raw little-endian data, each part checksummed
/// with CRC-32C) and a trailer. Reading never consumes more bytes than the record holds.
/// </summary>
internal static class TensorFileFormat
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const uint Version = 1;

    public const int HeaderSize = 24;
    public const int TrailerSize = 16;
    public const int MaxNameBytes = 1 << 16;
    public const int MaxDimensions = 64;
    private const int ChunkBytes = 1 << 26;

    /// <summary>The first 8 bytes of every record.</summary>
    public static ReadOnlySpan<byte> Magic => new byte[] { 0x89, (byte)'E', (byte)'T', (byte)'T', (byte)'S', 0x0D, 0x0A, 0x1A };

    /// <summary>The first 8 bytes of the trailer.</summary>
    public static ReadOnlySpan<byte> EndMagic => "ETTS-END"u8;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Bytes per element of a dtype the format stores, or 0 for one it cannot store.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => 0,
    };

    /// <summary>How a stream is named in messages: the file's path, or "the stream".</summary>
    public static string Describe(Stream stream) => stream is FileStream fs ? $"'{fs.Name}'" : "the stream";

    // ---- writing ------------------------------------------------------------------------------

    /// <summary>
    /// Writes one record. Each tensor is copied to a contiguous CPU tensor (when it is not one already)
    /// just before it is written, so at most one copy is alive at a time.
    /// </summary>
    public static void Write(Stream stream, RecordKind kind, IReadOnlyList<KeyValuePair<string, Tensor>> entries)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(entries);
        CheckEndianness();
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));

        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)kind);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], checked((uint)entries.Count));
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], Crc32C.Compute(header[..20]));
        stream.Write(header);

        foreach (var (name, tensor) in entries) WriteEntry(stream, name, tensor);

        Span<byte> trailer = stackalloc byte[TrailerSize];
        EndMagic.CopyTo(trailer);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[8..], (uint)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], Crc32C.Compute(trailer[..12]));
        stream.Write(trailer);
        stream.Flush();
    }

    private static unsafe void WriteEntry(Stream stream, string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (tensor is null) throw new ArgumentNullException(nameof(tensor), $"The tensor '{name}' is null.");
        if (tensor.IsInvalid) throw new ObjectDisposedException(nameof(Tensor), $"The tensor '{name}' has been disposed and cannot be saved.");
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > MaxNameBytes)
            throw new ArgumentException($"The name '{name[..Math.Min(name.Length, 40)]}...' is {nameBytes.Length} bytes long in UTF-8; names are limited to {MaxNameBytes} bytes.", nameof(name));

        using var scope = NewDisposeScope();
        var requiresGrad = tensor.requires_grad;
        var data = tensor.detach();
        if (data.device_type != DeviceType.CPU) data = data.cpu();
        if (!data.is_contiguous()) data = data.contiguous();
        var dtype = data.dtype;
        var elementSize = ElementSize(dtype);
        if (elementSize == 0) throw new NotSupportedException($"The tensor '{name}' has dtype {dtype}, which the tensor file format cannot store.");
        var shape = data.shape;
        if (shape.Length > MaxDimensions) throw new NotSupportedException($"The tensor '{name}' has {shape.Length} dimensions; the format stores at most {MaxDimensions}.");
        var numel = data.numel();
        var payloadBytes = checked(numel * elementSize);

        var meta = new byte[4 + nameBytes.Length + 12 + 8 * shape.Length + 8 + 4];
        var span = meta.AsSpan();
        var at = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)nameBytes.Length); at += 4;
        nameBytes.CopyTo(span[at..]); at += nameBytes.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], (int)dtype); at += 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], requiresGrad ? 1u : 0u); at += 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)shape.Length); at += 4;
        foreach (var d in shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], d);
            at += 8;
        }
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], payloadBytes); at += 8;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        stream.Write(meta);

        uint crc = 0;
        if (payloadBytes > 0)
        {
            var p = Native.ets_data_ptr(data.HandleChecked);
            if (p == IntPtr.Zero) Native.ThrowLastError();
            for (long offset = 0; offset < payloadBytes; offset += ChunkBytes)
            {
                var chunk = new ReadOnlySpan<byte>((byte*)p + offset, (int)Math.Min(ChunkBytes, payloadBytes - offset));
                crc = Crc32C.Append(crc, chunk);
                stream.Write(chunk);
            }
        }
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crcBytes, crc);
        stream.Write(crcBytes);
        GC.KeepAlive(data);
    }

    // ---- reading ------------------------------------------------------------------------------

    /// <summary>
    /// Reads one record. The tensors are created on the CPU in the caller's current dispose scope; when
    /// reading fails, every tensor read so far is disposed and an <see cref="InvalidDataException"/> names
    /// <paramref name="source"/>, what was wrong and what was expected.
    /// </summary>
    public static List<KeyValuePair<string, Tensor>> Read(Stream stream, string source, RecordKind expectedKind)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckEndianness();
        var reader = new RecordReader(stream, source);
        var count = reader.ReadHeader(expectedKind);
        var result = new List<KeyValuePair<string, Tensor>>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var scope = NewDisposeScope())
        {
            for (var i = 0; i < count; i++)
            {
                var (name, tensor) = reader.ReadEntry(i, count);
                if (!names.Add(name)) throw reader.Corrupted($"entry {i} repeats the name '{name}'");
                result.Add(new(name, tensor));
            }
            reader.ReadTrailer(count);
            foreach (var (_, t) in result) scope.MoveToOuter(t);
        }
        return result;
    }

    private static void CheckEndianness()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The tensor file format is little-endian; big-endian machines are not supported.");
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "(nothing)" : Convert.ToHexString(bytes);

    private sealed class RecordReader
    {
        private readonly Stream _stream;
        private readonly string _source;
        private readonly long _start;
        private long _offset;

        public RecordReader(Stream stream, string source)
        {
            _stream = stream;
            _source = source;
            _start = stream.CanSeek ? stream.Position : 0;
        }

        private string Where => (_start + _offset).ToString(CultureInfo.InvariantCulture);

        public InvalidDataException Corrupted(string what) => new($"{_source} is corrupted: {what}.");

        private InvalidDataException Truncated(string what, long needed, long got) =>
            new($"{_source} is truncated: {what} needs {needed.ToString(CultureInfo.InvariantCulture)} bytes at offset {Where} " +
                $"but only {got.ToString(CultureInfo.InvariantCulture)} remain. The file was cut short (an interrupted copy or download?) or is corrupted.");

        /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns how many were read (fewer only at the end).</summary>
        private int ReadUpTo(Span<byte> buffer)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = _stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
            return total;
        }

        private void ReadExact(Span<byte> buffer, string what)
        {
            var n = ReadUpTo(buffer);
            if (n < buffer.Length) throw Truncated(what, buffer.Length, n);
            _offset += n;
        }

        private long Remaining => _stream.CanSeek ? Math.Max(0, _stream.Length - _stream.Position) : long.MaxValue;

        public int ReadHeader(RecordKind expectedKind)
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            var n = ReadUpTo(header);
            if (n == 0)
                throw new InvalidDataException($"{_source} is empty at offset {Where}: expected an Efficient.Torch tensor record starting with the magic bytes {Hex(Magic)}.");
            var magicLength = Math.Min(n, Magic.Length);
            if (!header[..magicLength].SequenceEqual(Magic[..magicLength]))
                throw new InvalidDataException(
                    $"{_source} is not an Efficient.Torch tensor file: expected the magic bytes {Hex(Magic)} at offset {Where} but found {Hex(header[..magicLength])}. " +
                    "Only files written by torch.save / Module.save of Efficient.Torch can be loaded (PyTorch .pt files and TorchSharp .dat files use other formats).");
            if (n < 12) throw Truncated("the header", HeaderSize, n);
            var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            if (version == 0 || version > Version)
                throw new InvalidDataException(
                    $"{_source} uses tensor file format version {version.ToString(CultureInfo.InvariantCulture)}, but this build of Efficient.Torch reads versions 1 to {Version.ToString(CultureInfo.InvariantCulture)}. " +
                    "It was written by a newer Efficient.Torch (upgrade to load it) or its header is corrupted.");
            if (n < HeaderSize) throw Truncated("the header", HeaderSize, n);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            var computed = Crc32C.Compute(header[..20]);
            if (stored != computed) throw Corrupted($"the header checksum does not match (stored 0x{stored:X8}, computed 0x{computed:X8})");
            _offset += HeaderSize;

            var kind = (RecordKind)BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            if (kind is not (RecordKind.Tensor or RecordKind.StateDict)) throw Corrupted($"the record kind {(uint)kind} is unknown");
            if (count > int.MaxValue) throw Corrupted($"the entry count {count} is too large");
            if (kind == RecordKind.Tensor && count != 1) throw Corrupted($"a single-tensor record holds {count} entries");
            if (kind != expectedKind)
            {
                throw new InvalidDataException(kind == RecordKind.StateDict
                    ? $"{_source} holds a state dictionary of {count} named tensors, not a single tensor: load it with Module.load or TensorFile.Load, not torch.load."
                    : $"{_source} holds a single tensor (written by torch.save), not a state dictionary: load it with torch.load.");
            }
            return (int)count;
        }

        public unsafe (string name, Tensor tensor) ReadEntry(int index, int count)
        {
            var entry = $"entry {index.ToString(CultureInfo.InvariantCulture)} of {count.ToString(CultureInfo.InvariantCulture)}";
            var entryStart = _offset;
            Span<byte> four = stackalloc byte[4];
            ReadExact(four, $"the name length of {entry}");
            var nameLength = BinaryPrimitives.ReadUInt32LittleEndian(four);
            if (nameLength > MaxNameBytes) throw Corrupted($"{entry} has a name of {nameLength} bytes (at most {MaxNameBytes} are allowed)");

            var fixedPart = new byte[4 + (int)nameLength + 12];
            BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, nameLength);
            ReadExact(fixedPart.AsSpan(4), $"the name, dtype and rank of {entry}");
            var at = 4 + (int)nameLength;
            var dtypeNumber = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(at));
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(at + 4));
            var ndim = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(at + 8));
            if (ndim > MaxDimensions) throw Corrupted($"{entry} claims {ndim} dimensions (at most {MaxDimensions} are allowed)");

            var rest = new byte[8 * (int)ndim + 8 + 4];
            ReadExact(rest, $"the shape of {entry}");
            var crc = Crc32C.Append(Crc32C.Compute(fixedPart), rest.AsSpan(0, rest.Length - 4));
            var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan(rest.Length - 4));
            if (crc != storedCrc)
                throw Corrupted($"the checksum of the description (name, dtype, shape) of {entry} at offset {(_start + entryStart).ToString(CultureInfo.InvariantCulture)} does not match (stored 0x{storedCrc:X8}, computed 0x{crc:X8})");

            string name;
            try { name = s_strictUtf8.GetString(fixedPart, 4, (int)nameLength); }
            catch (DecoderFallbackException) { throw Corrupted($"the name of {entry} is not valid UTF-8"); }
            var label = $"{entry} ('{name}')";

            var dtype = (ScalarType)dtypeNumber;
            var elementSize = dtypeNumber is >= sbyte.MinValue and <= sbyte.MaxValue ? ElementSize(dtype) : 0;
            if (elementSize == 0) throw Corrupted($"{label} has the unknown dtype number {dtypeNumber}");
            var shape = new long[ndim];
            long numel = 1;
            for (var d = 0; d < ndim; d++)
            {
                shape[d] = BinaryPrimitives.ReadInt64LittleEndian(rest.AsSpan(8 * d));
                if (shape[d] < 0) throw Corrupted($"{label} has the negative size {shape[d]} in dimension {d}");
                try { numel = checked(numel * shape[d]); }
                catch (OverflowException) { throw Corrupted($"{label} has a shape whose element count overflows"); }
            }
            var payloadBytes = BinaryPrimitives.ReadInt64LittleEndian(rest.AsSpan(8 * (int)ndim));
            long expectedBytes;
            try { expectedBytes = checked(numel * elementSize); }
            catch (OverflowException) { throw Corrupted($"{label} has a shape whose byte size overflows"); }
            if (payloadBytes != expectedBytes)
                throw Corrupted($"{label} declares {payloadBytes} bytes of data but its shape [{string.Join(", ", shape)}] of {dtype} needs {expectedBytes}");
            if (payloadBytes + 4 > Remaining) throw Truncated($"the data of {label}", payloadBytes + 4, Remaining);

            var tensor = empty(shape, dtype, CPU);
            uint payloadCrc = 0;
            if (payloadBytes > 0)
            {
                var p = Native.ets_data_ptr(tensor.HandleChecked);
                if (p == IntPtr.Zero) Native.ThrowLastError();
                for (long offset = 0; offset < payloadBytes; offset += ChunkBytes)
                {
                    var chunk = new Span<byte>((byte*)p + offset, (int)Math.Min(ChunkBytes, payloadBytes - offset));
                    ReadExact(chunk, $"the data of {label}");
                    payloadCrc = Crc32C.Append(payloadCrc, chunk);
                }
                GC.KeepAlive(tensor);
            }
            ReadExact(four, $"the data checksum of {label}");
            var storedPayloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(four);
            if (storedPayloadCrc != payloadCrc)
                throw Corrupted($"the checksum of the data of {label} does not match (stored 0x{storedPayloadCrc:X8}, computed 0x{payloadCrc:X8})");
            if ((flags & 1) != 0 && tensor.is_floating_point()) tensor.requires_grad_(true);
            return (name, tensor);
        }

        public void ReadTrailer(int count)
        {
            Span<byte> trailer = stackalloc byte[TrailerSize];
            ReadExact(trailer, "the end-of-record trailer");
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer[12..]);
            if (!trailer[..8].SequenceEqual(EndMagic) || BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]) != (uint)count || stored != Crc32C.Compute(trailer[..12]))
                throw Corrupted($"the end-of-record trailer after {count} entries is not {Hex(EndMagic)} followed by the entry count and its checksum (found {Hex(trailer)})");
        }
    }
}
