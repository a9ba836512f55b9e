using System;
using System.IO;

namespace Efficient.Training.Datasets;

/// <summary>
/// Fashion-MNIST (70,000 28×28 grayscale images of 10 clothing classes) from Debian's
/// <c>dataset-fashion-mnist</c> package, as tensors: images float32 [N, 1, 28, 28] scaled to
/// [0, 1] and optionally normalised, labels int64 [N].
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian installs the files.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The mean pixel value of the training images (after scaling to [0, 1]).</summary>
    public const double Mean = 0.2860;

    /// <summary>The standard deviation of the training pixels (after scaling to [0, 1]).</summary>
    public const double Std = 0.3530;

    /// <summary>The class names, by label.</summary>
    public static readonly string[] Classes = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>
    /// Loads the training (60,000) or test (10,000) split, optionally only the first
    /// <paramref name="limit"/> samples. Throws <see cref="FileNotFoundException"/> with the
    /// install command when the files are missing.
    /// </summary>
    public static (Tensor images, Tensor labels) Load(bool train, string? folder = null, int? limit = null, bool normalize = true)
    {
        folder ??= DefaultFolder;
        if (limit is <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be positive when given.");
        var prefix = train ? "train" : "t10k";
        var imagesPath = Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (var p in new[] { imagesPath, labelsPath })
            if (!File.Exists(p))
                throw new FileNotFoundException($"Fashion-MNIST file '{p}' is missing. Install the data set with 'sudo apt-get install dataset-fashion-mnist' (or pass the folder that holds {prefix}-*-ubyte.gz).", p);

        var (imageDims, pixels) = Idx.ReadBytes(imagesPath);
        var (labelDims, labelBytes) = Idx.ReadBytes(labelsPath);
        if (imageDims.Length != 3 || imageDims[1] != 28 || imageDims[2] != 28)
            throw new InvalidDataException($"'{imagesPath}' has shape [{string.Join(", ", imageDims)}]; expected [N, 28, 28].");
        if (labelDims.Length != 1 || labelDims[0] != imageDims[0])
            throw new InvalidDataException($"'{labelsPath}' has shape [{string.Join(", ", labelDims)}]; expected [{imageDims[0]}] to match the images.");
        var n = Math.Min(imageDims[0], limit ?? int.MaxValue);
        foreach (var b in labelBytes.AsSpan(0, n))
            if (b > 9) throw new InvalidDataException($"'{labelsPath}' contains label {b}; expected 0 to 9.");

        using var scope = NewDisposeScope();
        var raw = tensor(pixels.AsSpan(0, n * 28 * 28).ToArray(), new long[] { n, 1, 28, 28 });
        var images = raw.to_type(ScalarType.Float32).div_(255.0);
        if (normalize) images = images.sub_(Mean).div_(Std);
        var labels = tensor(labelBytes.AsSpan(0, n).ToArray(), new long[] { n }).to_type(ScalarType.Int64);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
