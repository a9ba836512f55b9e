using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Batch-size ramp-up: train the first steps on small batches and grow the batch on a schedule — a linear ramp
/// (GPT-3, Brown et al. 2020; Megatron-LM/DeepSpeed's <c>rampup-batch-size</c>) or a growth factor at milestones instead
/// of decaying the learning rate (Smith, Kindermans, Ying, Le 2018, "Don't Decay the Learning Rate, Increase the Batch
/// Size"). Each step is one optimizer step on the current batch size; the epoch's samples are cut into steps of the
/// scheduled sizes in their order.
/// </summary>
public static class BatchSizeRampUp
{
    /// <summary>
    /// The batch size of a linear ramp after <paramref name="elapsed"/> of <paramref name="rampLength"/> (any one unit), as
    /// Megatron-LM computes it: the ramp has <c>n = ⌈(full − start) / increment⌉</c> increments, one every
    /// <c>rampLength / n</c>; the size is <c>min(full, start + ⌊elapsed / (rampLength / n)⌋ · increment)</c>, and
    /// <paramref name="fullBatchSize"/> once <c>elapsed &gt; rampLength</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or increment below 1, start above full, a negative elapsed or a ramp length ≤ 0.</exception>
    public static long LinearBatchSize(double elapsed, double rampLength, long startBatchSize, long fullBatchSize, long increment)
    {
        if (startBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(startBatchSize), startBatchSize, "The start batch size must be >= 1.");
        if (fullBatchSize < startBatchSize) throw new ArgumentOutOfRangeException(nameof(fullBatchSize), fullBatchSize, $"The full batch size must be >= the start batch size ({startBatchSize}).");
        if (increment < 1) throw new ArgumentOutOfRangeException(nameof(increment), increment, "The batch size increment must be >= 1.");
        if (!(rampLength > 0)) throw new ArgumentOutOfRangeException(nameof(rampLength), rampLength, "The ramp length must be > 0.");
        if (!(elapsed >= 0)) throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "The elapsed time must be >= 0.");
        if (elapsed > rampLength || fullBatchSize == startBatchSize) return fullBatchSize;
        var increments = (fullBatchSize - startBatchSize + increment - 1) / increment;
        var perIncrement = rampLength / increments;
        var steps = (long)(elapsed / perIncrement);
        return Math.Min(fullBatchSize, startBatchSize + steps * increment);
    }

    /// <summary>
    /// The batch size after <paramref name="milestonesReached"/> milestones (Smith et al.):
    /// <c>round(start · factor^k)</c> (halves away from zero), capped at <paramref name="maxBatchSize"/> when given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative milestone count, a start below 1, a factor ≤ 1 or a cap below 1.</exception>
    public static long MilestoneBatchSize(int milestonesReached, long startBatchSize, double growthFactor, long? maxBatchSize = null)
    {
        if (milestonesReached < 0) throw new ArgumentOutOfRangeException(nameof(milestonesReached), milestonesReached, "The number of milestones reached must be >= 0.");
        if (startBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(startBatchSize), startBatchSize, "The start batch size must be >= 1.");
        if (!(growthFactor > 1) || double.IsInfinity(growthFactor)) throw new ArgumentOutOfRangeException(nameof(growthFactor), growthFactor, "The growth factor must be a finite value > 1.");
        if (maxBatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, "The maximum batch size must be >= 1.");
        var size = Math.Round(startBatchSize * Math.Pow(growthFactor, milestonesReached), MidpointRounding.AwayFromZero);
        var cap = maxBatchSize ?? long.MaxValue / 2;
        return size >= cap ? cap : (long)size;
    }

    /// <summary>The factor a step's learning rate is multiplied by: 1 (<see cref="BatchSizeLearningRate.Fixed"/>) or <c>batchSize / referenceBatchSize</c> (<see cref="BatchSizeLearningRate.Linear"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or an unknown rule.</exception>
    public static double LearningRateScale(long batchSize, long referenceBatchSize, BatchSizeLearningRate rule)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be >= 1.");
        if (referenceBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(referenceBatchSize), referenceBatchSize, "The reference batch size must be >= 1.");
        return rule switch
        {
            BatchSizeLearningRate.Fixed => 1.0,
            BatchSizeLearningRate.Linear => (double)batchSize / referenceBatchSize,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Expected Fixed or Linear."),
        };
    }

    /// <summary>
    /// The steps of a run from its start, for a hand-written loop: the samples of epoch <c>e</c> in the order
    /// <paramref name="epochOrders"/>[e] (int64 sample indices, e.g. a <c>randperm</c>) cut into consecutive batches of the
    /// scheduled sizes (an epoch's last batch holds what is left; batches do not cross epochs). The schedule is evaluated
    /// before each step on the run's clock — epochs (whole epochs plus the fraction of this epoch's samples done), steps,
    /// samples, or the fraction of <paramref name="maxDuration"/> — exactly as <see cref="BatchSizeRampUpAlgorithm"/> does.
    /// </summary>
    /// <param name="epochOrders">One order per epoch (its length is the epoch's sample count).</param>
    /// <param name="options">The schedule.</param>
    /// <param name="dataBatchSize">The batch size the run was configured with (the default full size of a linear ramp and start of milestones).</param>
    /// <param name="maxDuration">The run's maximum duration, needed for <c>dur</c> durations (in ep, ba or sp).</param>
    /// <returns>Per step, the sample indices of its batch.</returns>
    /// <exception cref="OptionsValidationException">Invalid options.</exception>
    /// <exception cref="ArgumentException">A bad order, batch size or a <c>dur</c> duration without a usable maximum.</exception>
    public static IReadOnlyList<long[]> Plan(IReadOnlyList<Tensor> epochOrders, BatchSizeRampUpOptions options, long dataBatchSize, Duration? maxDuration = null)
    {
        ArgumentNullException.ThrowIfNull(epochOrders);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (dataBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(dataBatchSize), dataBatchSize, "The data's batch size must be >= 1 (the default full size of a linear ramp and start size of milestones).");
        var schedule = new RampSchedule(options, dataBatchSize, maxDuration, "BatchSizeRampUp");
        var steps = new List<long[]>();
        long batches = 0, samples = 0;
        for (var e = 0; e < epochOrders.Count; e++)
        {
            var order = epochOrders[e] ?? throw new ArgumentNullException(nameof(epochOrders), $"The order of epoch {e} is null.");
            if (order.dim() != 1 || order.dtype != ScalarType.Int64)
                throw new ArgumentException($"The order of epoch {e} must be an int64 tensor of shape [n] (got {order.dtype} [{string.Join(", ", order.shape)}]).", nameof(epochOrders));
            var values = order.contiguous().data<long>().ToArray();
            long start = 0;
            foreach (var (size, _) in schedule.EpochSizes(e, batches, samples, values.Length))
            {
                steps.Add(values.AsSpan((int)start, (int)size).ToArray());
                start += size;
            }
            batches = steps.Count;
            samples += values.Length;
        }
        return steps;
    }
}

/// <summary>A <see cref="BatchSizeRampUpOptions"/> schedule with its sizes resolved, evaluated on the run's clock.</summary>
internal sealed class RampSchedule
{
    private readonly BatchSizeRampUpOptions _options;
    private readonly Duration? _max;

    public RampSchedule(BatchSizeRampUpOptions options, long dataBatchSize, Duration? max, string who)
    {
        _options = options;
        _max = max;
        if (options.Schedule == BatchSizeSchedule.Linear)
        {
            Full = options.FullBatchSize ?? Need(dataBatchSize, who, nameof(BatchSizeRampUpOptions.FullBatchSize));
            Start = options.StartBatchSize ?? Math.Max(1, Full.Value / 8);
            if (Start > Full) throw new ArgumentException($"{who}: the start batch size {Start} is larger than the full batch size {Full}; expected start <= full.", nameof(options));
            Increment = options.Increment ?? Start;
            Reference = Full.Value;
        }
        else
        {
            Start = options.StartBatchSize ?? Need(dataBatchSize, who, nameof(BatchSizeRampUpOptions.StartBatchSize));
            Full = options.FullBatchSize;
            if (Start > Full) throw new ArgumentException($"{who}: the start batch size {Start} is larger than the full batch size {Full}; expected start <= full.", nameof(options));
            Increment = 0;
            Reference = Start;
        }
        var durations = options.Schedule == BatchSizeSchedule.Linear ? new[] { options.RampDuration } : options.Milestones;
        if (durations.Any(d => d.Unit == TimeUnit.Duration))
        {
            if (max is not { } m || m.Unit is TimeUnit.Token or TimeUnit.Duration)
                throw new ArgumentException($"{who}: a duration in 'dur' needs the run's maximum duration in ep, ba or sp (got {(max is null ? "none" : max.ToString())}).", nameof(max));
        }
    }

    public long Start { get; }

    public long? Full { get; }

    public long Increment { get; }

    /// <summary>The batch size the learning rate is given for (full for a linear ramp, start for milestones).</summary>
    public long Reference { get; }

    /// <summary>The scheduled batch size before a step, at (completed epochs, steps, samples, samples of this epoch of <paramref name="epochSamples"/>).</summary>
    public long SizeAt(long epoch, long batches, long samples, long sampleInEpoch, long? epochSamples)
    {
        if (_options.Schedule == BatchSizeSchedule.Linear)
        {
            var ramp = _options.RampDuration;
            return BatchSizeRampUp.LinearBatchSize(Elapsed(ramp.Unit, epoch, batches, samples, sampleInEpoch, epochSamples), ramp.Value, Start, Full!.Value, Increment);
        }
        var reached = _options.Milestones.Count(m => Elapsed(m.Unit, epoch, batches, samples, sampleInEpoch, epochSamples) >= m.Value);
        return BatchSizeRampUp.MilestoneBatchSize(reached, Start, _options.GrowthFactor, Full);
    }

    /// <summary>The (served, scheduled) batch sizes of one epoch of <paramref name="epochSamples"/> samples, starting at (epoch, steps, samples).</summary>
    public List<(long Size, long Scheduled)> EpochSizes(long epoch, long batchesBefore, long samplesBefore, long epochSamples)
    {
        var sizes = new List<(long, long)>();
        for (long done = 0, b = batchesBefore, s = samplesBefore; done < epochSamples; b++)
        {
            var scheduled = SizeAt(epoch, b, s, done, epochSamples);
            var size = Math.Min(scheduled, epochSamples - done);
            sizes.Add((size, scheduled));
            done += size;
            s += size;
        }
        return sizes;
    }

    private double Elapsed(TimeUnit unit, long epoch, long batches, long samples, long sampleInEpoch, long? epochSamples) => unit switch
    {
        TimeUnit.Sample => samples,
        TimeUnit.Batch => batches,
        TimeUnit.Epoch => epoch + (epochSamples is > 0 ? (double)sampleInEpoch / epochSamples.Value : 0),
        TimeUnit.Duration => Elapsed(_max!.Value.Unit, epoch, batches, samples, sampleInEpoch, epochSamples) / _max.Value.Value,
        _ => throw new ArgumentException("Batch-size ramp-up durations cannot be in tokens.", nameof(unit)),
    };

    private static long Need(long dataBatchSize, string who, string property) => dataBatchSize >= 1 ? dataBatchSize
        : throw new InvalidOperationException($"{who}: the training data's batch size is not known (only a TensorTrainingData tells it); set BatchSizeRampUpOptions.{property}.");
}
