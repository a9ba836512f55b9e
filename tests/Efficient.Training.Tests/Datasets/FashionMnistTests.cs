using System.IO;
using System.IO.Compression;
using Efficient.Training.Datasets;

namespace Efficient.Training.Tests.Datasets;

public class FashionMnistTests
{
    [Fact]
    public void LoadsTheDebianTestSplit()
    {
        var (images, labels) = FashionMnist.Load(train: false, normalize: false);
        using var _ = images;
        using var __ = labels;
        using var scope = NewDisposeScope();
        images.shape.Should().Equal(10000, 1, 28, 28);
        labels.shape.Should().Equal(10000);
        images.dtype.Should().Be(ScalarType.Float32);
        labels.dtype.Should().Be(ScalarType.Int64);
        images.min().item<float>().Should().Be(0);
        images.max().item<float>().Should().Be(1);
        // The test split is balanced: 1,000 images per class.
        for (var c = 0; c < 10; c++) labels.eq(c).sum().item<long>().Should().Be(1000);
        // Known first label of the t10k split: an ankle boot.
        labels[0].item<long>().Should().Be(9);
    }

    [Fact]
    public void NormalisesWithTheTrainingStatistics()
    {
        var (images, labels) = FashionMnist.Load(train: true, limit: 6000);
        using var _ = images;
        using var __ = labels;
        images.shape[0].Should().Be(6000);
        images.mean().item<float>().Should().BeApproximately(0f, 0.02f);
        images.std().item<float>().Should().BeApproximately(1f, 0.02f);
    }

    [Fact]
    public void MissingFilesNameTheInstallCommand()
    {
        var act = () => FashionMnist.Load(train: true, folder: "/nonexistent");
        act.Should().Throw<FileNotFoundException>().WithMessage("Fashion-MNIST file '/nonexistent/train-images-idx3-ubyte.gz' is missing. Install the data set with 'sudo apt-get install dataset-fashion-mnist' (or pass the folder that holds train-*-ubyte.gz).");
    }

    [Fact]
    public void TruncatedAndForeignFilesAreRejected()
    {
        var dir = Path.Combine(Path.GetTempPath(), "idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var truncated = Path.Combine(dir, "t.idx");
            File.WriteAllBytes(truncated, new byte[] { 0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3 });
            var act = () => Idx.ReadBytes(truncated);
            act.Should().Throw<InvalidDataException>().WithMessage($"'{truncated}' is truncated: it ends inside the data (3 of 10 bytes read).");

            var foreign = Path.Combine(dir, "f.idx");
            File.WriteAllBytes(foreign, new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4 });
            var act2 = () => Idx.ReadBytes(foreign);
            act2.Should().Throw<InvalidDataException>().WithMessage($"'{foreign}' is not an IDX file: it starts with 0x8950, expected 0x0000.");

            var gz = Path.Combine(dir, "ok.idx.gz");
            using (var f = File.Create(gz))
            using (var z = new GZipStream(f, CompressionLevel.Fastest))
                z.Write(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6 });
            var (dims, data) = Idx.ReadBytes(gz);
            dims.Should().Equal(2, 3);
            data.Should().Equal(1, 2, 3, 4, 5, 6);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
