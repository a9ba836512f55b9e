using System;

namespace Efficient.Training;

/// <summary>
/// Where a run is: completed epochs, batches (optimizer steps), samples and tokens, both in total
/// and within the current epoch, and the wall-clock time spent training. Immutable.
/// </summary>
public sealed record Timestamp
{
    /// <summary>Completed epochs.</summary>
    public long Epoch { get; init; }
    /// <summary>Completed batches (optimizer steps).</summary>
    public long Batch { get; init; }
    /// <summary>Samples trained on.</summary>
    public long Sample { get; init; }
    /// <summary>Tokens trained on.</summary>
    public long Token { get; init; }
    /// <summary>Completed batches in the current epoch.</summary>
    public long BatchInEpoch { get; init; }
    /// <summary>Samples trained on in the current epoch.</summary>
    public long SampleInEpoch { get; init; }
    /// <summary>Tokens trained on in the current epoch.</summary>
    public long TokenInEpoch { get; init; }
    /// <summary>Wall-clock time spent in training (excluding evaluation), accumulated across resumes.</summary>
    public TimeSpan TotalWallClock { get; init; }

    /// <summary>The start of a run.</summary>
    public static Timestamp Zero { get; } = new();

    /// <summary>The count in the given unit.</summary>
    public long Get(TimeUnit unit) => unit switch
    {
        TimeUnit.Epoch => Epoch,
        TimeUnit.Batch => Batch,
        TimeUnit.Sample => Sample,
        TimeUnit.Token => Token,
        _ => throw new ArgumentException("A timestamp has no count in 'dur'; compare against the maximum duration instead.", nameof(unit)),
    };

    /// <summary>After one more batch of <paramref name="samples"/> samples and <paramref name="tokens"/> tokens.</summary>
    public Timestamp AfterBatch(long samples, long tokens = 0, TimeSpan elapsed = default)
    {
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "A batch cannot have a negative number of samples.");
        if (tokens < 0) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "A batch cannot have a negative number of tokens.");
        return this with
        {
            Batch = Batch + 1,
            Sample = Sample + samples,
            Token = Token + tokens,
            BatchInEpoch = BatchInEpoch + 1,
            SampleInEpoch = SampleInEpoch + samples,
            TokenInEpoch = TokenInEpoch + tokens,
            TotalWallClock = TotalWallClock + elapsed,
        };
    }

    /// <summary>At the end of the current epoch (the in-epoch counters restart).</summary>
    public Timestamp AfterEpoch() => this with { Epoch = Epoch + 1, BatchInEpoch = 0, SampleInEpoch = 0, TokenInEpoch = 0 };

    /// <summary>
    /// How far the run is through <paramref name="max"/>, as a fraction in [0, 1] (1 once reached).
    /// Within an epoch, progress in epochs is interpolated with <paramref name="batchesPerEpoch"/> when known.
    /// </summary>
    public double Progress(Duration max, long? batchesPerEpoch = null)
    {
        if (max.Unit == TimeUnit.Duration) throw new ArgumentException("The maximum duration must be in ep, ba, sp or tok, not dur.", nameof(max));
        if (max.Value <= 0) return 1.0;
        double done = max.Unit == TimeUnit.Epoch && batchesPerEpoch is > 0
            ? Epoch + (double)BatchInEpoch / batchesPerEpoch.Value
            : Get(max.Unit);
        return Math.Min(1.0, done / max.Value);
    }

    /// <summary>Whether <paramref name="limit"/> is reached (a <c>dur</c> limit is taken relative to <paramref name="max"/>).</summary>
    public bool HasReached(Duration limit, Duration max, long? batchesPerEpoch = null)
    {
        if (limit.Unit == TimeUnit.Duration) return Progress(max, batchesPerEpoch) >= limit.Value - 1e-12;
        return Get(limit.Unit) >= limit.Value;
    }
}
