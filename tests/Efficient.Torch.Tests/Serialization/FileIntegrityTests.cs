using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace Efficient.Torch.Tests.Serialization;

public class FileIntegrityTests
{
    private static string SaveSample(TempFolder folder, string name = "t.etts")
    {
        using var scope = NewDisposeScope();
        var path = folder.File(name);
        save(arange(10, ScalarType.Float32).reshape(2, 5), path);
        return path;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(60)]
    [InlineData(-20)]
    [InlineData(-1)]
    public void ATruncatedFileIsRejectedNamingTheFile(int keep)
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var act = () => load(path);
        var message = act.Should().Throw<InvalidDataException>().Which.Message;
        message.Should().Contain($"'{path}'");
        if (keep == 0) message.Should().Contain("is empty");
        else message.Should().Contain("is truncated").And.Contain("needs").And.Contain("bytes at offset");
    }

    [Fact]
    public void EveryFlippedByteIsDetected()
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        var original = File.ReadAllBytes(path);
        var corrupted = folder.File("corrupted.etts");
        for (var i = 0; i < original.Length; i++)
        {
            var bytes = (byte[])original.Clone();
            bytes[i] ^= 0x10;
            File.WriteAllBytes(corrupted, bytes);
            var act = () =>
            {
                using var scope = NewDisposeScope();
                load(corrupted);
            };
            act.Should().Throw<InvalidDataException>($"flipping a bit of byte {i} must be detected").Which.Message.Should().Contain($"'{corrupted}'");
        }
    }

    [Fact]
    public void AFlippedDataByteIsReportedAsAChecksumMismatchOfThatEntry()
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        var bytes = File.ReadAllBytes(path);
        bytes[^(16 + 4 + 3)] ^= 0xFF; // inside the last entry's data, before its checksum and the trailer
        File.WriteAllBytes(path, bytes);
        var act = () => load(path);
        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' is corrupted: the checksum of the data of entry 0 of 1 ('') does not match (stored 0x*, computed 0x*).");
    }

    [Fact]
    public void AForeignFileIsRejectedWithTheExpectedMagic()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.pt");
        File.WriteAllBytes(path, new byte[] { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22 });
        var act = () => load(path);
        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' is not an Efficient.Torch tensor file: expected the magic bytes 89455454530D0A1A at offset 0 but found 504B030401020304.*");
    }

    [Fact]
    public void ANewerFormatVersionIsRejectedWithBothVersions()
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        File.WriteAllBytes(path, bytes);
        var act = () => load(path);
        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' uses tensor file format version 2, but this build of Efficient.Torch reads versions 1 to 1. It was written by a newer Efficient.Torch*");
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var folder = new TempFolder();
        var path = folder.File("nope.etts");
        var act = () => load(path);
        act.Should().Throw<FileNotFoundException>().WithMessage($"Cannot load '{path}': the file does not exist.").Which.FileName.Should().Be(path);

        using var module = new SmallNet();
        var moduleAct = () => module.load(path);
        moduleAct.Should().Throw<FileNotFoundException>().Which.FileName.Should().Be(path);
    }

    [Fact]
    public void BytesAfterTheRecordAreRejected()
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        File.AppendAllText(path, "junk");
        var act = () => load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*is corrupted: 4 unexpected bytes follow the end of the record*");
    }

    [Fact]
    public void AFailedSaveOfADisposedTensorKeepsThePreviousFile()
    {
        using var folder = new TempFolder();
        var path = SaveSample(folder);
        var before = File.ReadAllBytes(path);
        var gone = ones(3);
        gone.Dispose();
        var act = () => save(gone, path);
        act.Should().Throw<IOException>()
            .WithMessage($"Saving '{path}' failed (the existing file was left unchanged): *")
            .WithInnerException<ObjectDisposedException>();
        File.ReadAllBytes(path).Should().Equal(before);
        folder.Files().Should().Equal("t.etts");
    }

    [Fact]
    public void AModuleSaveThatFailsMidwayKeepsThePreviousFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("net.etts");
        using var net = new SmallNet();
        net.save(path);
        var before = File.ReadAllBytes(path);

        // The second entry's tensor is disposed: the first entry has been written when the save fails.
        using var scope = NewDisposeScope();
        var disposed = ones(2);
        disposed.Dispose();
        var sd = new Dictionary<string, Tensor> { ["fc.weight"] = ones(4, 3), ["fc.bias"] = disposed };
        var act = () => TensorFile.Save(sd, path);
        act.Should().Throw<IOException>().WithMessage("*the existing file was left unchanged*").WithInnerException<ObjectDisposedException>().WithMessage("*'fc.bias'*");
        File.ReadAllBytes(path).Should().Equal(before);
        folder.Files().Should().Equal("net.etts");
    }

    [Fact]
    public void SavingIntoAMissingFolderNamesTheFolder()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var missing = Path.Combine(folder.Path, "no-such-folder");
        var act = () => save(ones(1), Path.Combine(missing, "t.etts"));
        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"Cannot save '{Path.Combine(missing, "t.etts")}': the folder '{missing}' does not exist. Create it first.");
    }
}
