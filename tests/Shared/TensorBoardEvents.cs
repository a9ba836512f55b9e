using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;

namespace Efficient.Training.TestSupport;

/// <summary>
/// Reads TensorBoard event files as TensorBoard does: TFRecord framing (length, masked CRC-32C of the
/// length, data, masked CRC-32C of the data) around serialized <c>tensorboard.Event</c> protobufs.
/// Shared by the test projects (linked into each).
/// </summary>
internal static class TensorBoardEvents
{
    /// <summary>Every scalar in the event files under <paramref name="folder"/>, by step; throws on a bad checksum.</summary>
    public static List<(string Tag, long Step, float Value)> ReadScalars(string folder)
    {
        var result = new List<(string, long, float)>();
        var files = Directory.GetFiles(folder, "events.out.tfevents.*", SearchOption.AllDirectories);
        if (files.Length == 0) throw new InvalidDataException($"No event file under '{folder}'.");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            for (var at = 0; at < bytes.Length;)
            {
                var header = bytes.AsSpan(at, 8);
                var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
                if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)) != MaskedCrc(header))
                    throw new InvalidDataException($"{file}: bad length checksum at byte {at}.");
                var data = bytes.AsSpan(at + 12, length);
                if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length, 4)) != MaskedCrc(data))
                    throw new InvalidDataException($"{file}: bad record checksum at byte {at}.");
                var e = Tensorboard.Event.Parser.ParseFrom(data.ToArray());
                if (e.Summary is { } summary)
                    foreach (var v in summary.Value) result.Add((v.Tag, e.Step, v.SimpleValue));
                at += 12 + length + 4;
            }
        }
        return result.OrderBy(s => s.Item2).ToList();
    }

    // TFRecord's masked CRC-32C (Castagnoli): rotate right by 15 and add a constant.
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }
}
