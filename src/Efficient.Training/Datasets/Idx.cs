using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Efficient.Training.Datasets;

/// <summary>Reads IDX files (the MNIST family's format), optionally gzip-compressed.</summary>
public static class Idx
{
    /// <summary>The dimensions and raw unsigned bytes of an IDX file holding uint8 data.</summary>
    public static (int[] dims, byte[] data) ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            Span<byte> header = stackalloc byte[4];
            ReadExactly(stream, header, path, "the header");
            if (header[0] != 0 || header[1] != 0)
                throw new InvalidDataException($"'{path}' is not an IDX file: it starts with 0x{header[0]:X2}{header[1]:X2}, expected 0x0000.");
            if (header[2] != 0x08)
                throw new InvalidDataException($"'{path}' holds IDX element type 0x{header[2]:X2}; only unsigned bytes (0x08) are supported.");
            int rank = header[3];
            if (rank is < 1 or > 4) throw new InvalidDataException($"'{path}' declares {rank} dimensions; expected 1 to 4.");
            var dims = new int[rank];
            long count = 1;
            Span<byte> four = stackalloc byte[4];
            for (var i = 0; i < rank; i++)
            {
                ReadExactly(stream, four, path, $"dimension {i}");
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(four);
                if (dims[i] <= 0) throw new InvalidDataException($"'{path}' declares dimension {i} of size {dims[i]}; expected a positive size.");
                count *= dims[i];
            }
            if (count > int.MaxValue) throw new InvalidDataException($"'{path}' declares {count} elements; at most {int.MaxValue} are supported.");
            var data = new byte[count];
            ReadExactly(stream, data, path, "the data");
            return (dims, data);
        }
        catch (InvalidDataException e) when (e.InnerException is null && e.Message.StartsWith("The archive", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not valid gzip data: {e.Message}", e);
        }
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string path, string what)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = s.Read(buffer[read..]);
            if (n == 0) throw new InvalidDataException($"'{path}' is truncated: it ends inside {what} ({read} of {buffer.Length} bytes read).");
            read += n;
        }
    }
}
