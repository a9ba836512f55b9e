using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Efficient.Torch.Tests.Serialization;

/// <summary>Reads a saved file with an independent reader written from docs/serialization-format.md.</summary>
public class FormatDocumentationTests
{
    /// <summary>Bitwise CRC-32C (reflected polynomial 0x82F63B78), as the document specifies.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void TheCheckVectorMatchesTheDocument() => Crc32C("123456789"u8).Should().Be(0xE3069283u);

    [Fact]
    public void ASavedStateDictionaryHasTheDocumentedLayout()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("doc.etts");
        var w = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        var bf = tensor(new float[] { 1.5f }).to_type(ScalarType.BFloat16).requires_grad_();
        TensorFile.Save(new System.Collections.Generic.Dictionary<string, Tensor> { ["w"] = w, ["bf"] = bf }, path);
        var f = File.ReadAllBytes(path).AsSpan();

        // Header
        f[..8].ToArray().Should().Equal(0x89, 0x45, 0x54, 0x54, 0x53, 0x0D, 0x0A, 0x1A);
        BinaryPrimitives.ReadUInt32LittleEndian(f[8..]).Should().Be(1u, "format version");
        BinaryPrimitives.ReadUInt32LittleEndian(f[12..]).Should().Be(2u, "kind = state dictionary");
        BinaryPrimitives.ReadUInt32LittleEndian(f[16..]).Should().Be(2u, "entry count");
        BinaryPrimitives.ReadUInt32LittleEndian(f[20..]).Should().Be(Crc32C(f[..20]));
        var at = 24;

        // Entry 0: "w", Float32 (6), flags 0, shape [2, 3], 24 bytes
        var start = at;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(1u); at += 4;
        Encoding.UTF8.GetString(f.Slice(at, 1)).Should().Be("w"); at += 1;
        BinaryPrimitives.ReadInt32LittleEndian(f[at..]).Should().Be(6); at += 4;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(0u); at += 4;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(2u); at += 4;
        BinaryPrimitives.ReadInt64LittleEndian(f[at..]).Should().Be(2); at += 8;
        BinaryPrimitives.ReadInt64LittleEndian(f[at..]).Should().Be(3); at += 8;
        BinaryPrimitives.ReadInt64LittleEndian(f[at..]).Should().Be(24); at += 8;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(Crc32C(f[start..at])); at += 4;
        var payload = f.Slice(at, 24);
        BinaryPrimitives.ReadSingleLittleEndian(payload[20..]).Should().Be(6f);
        at += 24;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(Crc32C(payload)); at += 4;

        // Entry 1: "bf", BFloat16 (15), flags 1 (requires_grad), shape [1], 2 bytes: 1.5 = 0x3FC0
        start = at;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(2u); at += 4 + 2;
        BinaryPrimitives.ReadInt32LittleEndian(f[at..]).Should().Be(15); at += 4;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(1u); at += 4;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(1u); at += 4;
        BinaryPrimitives.ReadInt64LittleEndian(f[at..]).Should().Be(1); at += 8;
        BinaryPrimitives.ReadInt64LittleEndian(f[at..]).Should().Be(2); at += 8;
        BinaryPrimitives.ReadUInt32LittleEndian(f[at..]).Should().Be(Crc32C(f[start..at])); at += 4;
        BinaryPrimitives.ReadUInt16LittleEndian(f[at..]).Should().Be(0x3FC0);
        BinaryPrimitives.ReadUInt32LittleEndian(f[(at + 2)..]).Should().Be(Crc32C(f.Slice(at, 2))); at += 2 + 4;

        // Trailer
        Encoding.ASCII.GetString(f.Slice(at, 8)).Should().Be("ETTS-END");
        BinaryPrimitives.ReadUInt32LittleEndian(f[(at + 8)..]).Should().Be(2u);
        BinaryPrimitives.ReadUInt32LittleEndian(f[(at + 12)..]).Should().Be(Crc32C(f.Slice(at, 12)));
        (at + 16).Should().Be(f.Length);
    }

    [Fact]
    public void HardwareAndDocumentedChecksumsAgreeOnLargePayloads()
    {
        // A payload of odd length exercises the 8-byte and the byte-wise paths of the library's CRC.
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = folder.File("big.etts");
        var data = randint(0, 256, new long[] { 100_003 }, ScalarType.Byte);
        save(data, path);
        var f = File.ReadAllBytes(path).AsSpan();
        var payload = f.Slice(f.Length - 16 - 4 - 100_003, 100_003);
        BinaryPrimitives.ReadUInt32LittleEndian(f[(f.Length - 16 - 4)..]).Should().Be(Crc32C(payload));
        load(path).equal(data).Should().BeTrue();
    }
}
