using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="MixUp"/> (and, with <see cref="MixUpOptions.SwitchProbability"/>,
/// of <see cref="CutMix"/>). The regularization hook mixes each training microbatch, drawing λ, the
/// permutation (and box) from <see cref="TrainingState.Rng"/>, and stores λ and the permutation in
/// <see cref="MicrobatchContext.Items"/>; the loss hook returns
/// <c>λ·next(outputs, y) + (1 − λ)·next(outputs, y[π])</c>, so index targets and any loss work.
/// </summary>
public sealed class MixUpAlgorithm : IRegularizationAlgorithm, ILossAlgorithm
{
    private readonly MixUpOptions _options;
    private readonly MixingSchedule _schedule;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public MixUpAlgorithm(MixUpOptions? options = null)
    {
        options ??= new MixUpOptions();
        options.Validate();
        _options = new MixUpOptions
        {
            Alpha = options.Alpha,
            Probability = options.Probability,
            SwitchProbability = options.SwitchProbability,
            CutMixAlpha = options.CutMixAlpha,
            StopAt = options.StopAt,
        };
        _schedule = new MixingSchedule(Name, _options.Probability, _options.StopAt);
    }

    /// <inheritdoc />
    public string Name => "MixUp";

    /// <summary>How many microbatches were mixed with MixUp and with CutMix so far (for reports and tests).</summary>
    public (long MixUp, long CutMix) MixedCounts => (_mixUp, _cutMix);

    private long _mixUp;
    private long _cutMix;

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_schedule.ShouldMix(context)) return next();
        var batch = context.Batch;
        var rng = context.State.Rng;
        MixedBatch mixed;
        if (_options.SwitchProbability > 0 && MixingSampler.Uniform(rng) < _options.SwitchProbability)
        {
            mixed = CutMix.CutMixBatch(batch.Input, batch.Target, _options.CutMixAlpha, rng);
            _cutMix++;
        }
        else
        {
            mixed = MixUp.MixBatch(batch.Input, batch.Target, _options.Alpha, rng);
            _mixUp++;
        }
        return _schedule.Apply(context, mixed, next);
    }

    /// <inheritdoc />
    public Tensor Loss(MicrobatchContext context, Tensor outputs, Tensor target, Func<Tensor, Tensor, Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return _schedule.Loss(context, outputs, target, next);
    }
}
