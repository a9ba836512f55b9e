using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="CutMix"/>. The regularization hook pastes a random box of a
/// permuted microbatch into each training microbatch (λ, permutation and box drawn from
/// <see cref="TrainingState.Rng"/>) and stores λ (the kept area) and the permutation in
/// <see cref="MicrobatchContext.Items"/>; the loss hook returns
/// <c>λ·next(outputs, y) + (1 − λ)·next(outputs, y[π])</c>.
/// </summary>
public sealed class CutMixAlgorithm : IRegularizationAlgorithm, ILossAlgorithm
{
    private readonly double _alpha;
    private readonly MixingSchedule _schedule;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public CutMixAlgorithm(CutMixOptions? options = null)
    {
        options ??= new CutMixOptions();
        options.Validate();
        _alpha = options.Alpha;
        _schedule = new MixingSchedule(Name, options.Probability, options.StopAt);
    }

    /// <inheritdoc />
    public string Name => "CutMix";

    /// <summary>How many microbatches were mixed so far (for reports and tests).</summary>
    public long MixedCount { get; private set; }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_schedule.ShouldMix(context)) return next();
        var batch = context.Batch;
        if (batch.Input.dim() < 3)
            throw new InvalidOperationException($"CutMix needs image inputs [N, ..., H, W]; the batch input has {batch.Input.dim()} dimensions.");
        var mixed = CutMix.CutMixBatch(batch.Input, batch.Target, _alpha, context.State.Rng);
        MixedCount++;
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
