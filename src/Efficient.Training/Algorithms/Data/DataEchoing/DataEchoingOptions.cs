using System;

namespace Efficient.Training.Algorithms;

/// <summary>Where data echoing repeats the data: whole batches, or single examples shuffled within a buffer.</summary>
public enum DataEchoingMode
{
    /// <summary>Batch echoing (Choi et al.): each fresh batch is served <c>e</c> times in a row.</summary>
    Batch,

    /// <summary>
    /// Example echoing (Choi et al.): each example is repeated <c>e</c> times, then the echoed examples of a
    /// buffer of <see cref="DataEchoingOptions.ShuffleBufferBatches"/> fresh batches are shuffled and re-batched.
    /// </summary>
    Example,
}

/// <summary>Options of data echoing (<see cref="DataEchoing"/>, <see cref="DataEchoingAlgorithm"/>).</summary>
public sealed class DataEchoingOptions : IValidatableOptions
{
    /// <summary>
    /// The echo factor <c>e</c>: how many times each fresh batch (or example) is used. A fractional part is the
    /// probability of one more use: each fresh batch is served ⌊e⌋ times, plus once more with probability
    /// e − ⌊e⌋. Default 2; range [1, 64] (1 = no echoing).
    /// </summary>
    public double EchoFactor { get; set; } = 2;

    /// <summary>Batch or example echoing. Default <see cref="DataEchoingMode.Batch"/>.</summary>
    public DataEchoingMode Mode { get; set; } = DataEchoingMode.Batch;

    /// <summary>
    /// Example echoing only: the shuffle buffer, in fresh batches; the echoed examples of each consecutive
    /// group of this many fresh batches are shuffled together. Default 8; range [1, 4096]. Larger buffers
    /// spread the copies of an example over more steps and hold more batches in memory.
    /// </summary>
    public int ShuffleBufferBatches { get; set; } = 8;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(DataEchoingOptions));
        v.Require(EchoFactor >= 1 && EchoFactor <= 64, nameof(EchoFactor), EchoFactor, "a value in [1, 64]");
        v.Require(Enum.IsDefined(Mode), nameof(Mode), Mode, "Batch or Example");
        v.Require(ShuffleBufferBatches >= 1 && ShuffleBufferBatches <= 4096, nameof(ShuffleBufferBatches), ShuffleBufferBatches, "an integer in [1, 4096]");
        v.ThrowIfInvalid();
    }
}
