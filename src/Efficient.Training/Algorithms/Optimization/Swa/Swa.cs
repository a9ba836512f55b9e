using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>How the SWA learning rate moves from the current value to the SWA value.</summary>
public enum SwaAnnealStrategy
{
    /// <summary>Linearly (Composer's default, <c>'linear'</c>).</summary>
    Linear,
    /// <summary>Along half a cosine (<c>'cos'</c>, PyTorch's SWALR default).</summary>
    Cos,
}

/// <summary>
/// Stochastic weight averaging (Izmailov et al., 2018): an equal-weight running average of the
/// weights visited late in training, a constant or annealed "SWA" learning rate while averaging,
/// and BatchNorm statistics recomputed for the averaged weights with one pass over the training
/// data — the parts of <c>torch.optim.swa_utils</c> (<c>AveragedModel</c>, <c>SWALR</c>,
/// <c>update_bn</c>). In a hand-written loop:
/// <code>
/// using var average = ShadowWeights.Of(model, includeBuffers: false);
/// long n = 0;
/// // after each epoch from the SWA start on:
/// Swa.UpdateAverage(average, model, n++);
/// // at the end:
/// average.CopyTo(model);
/// Swa.UpdateBatchNorm(model, trainInputs);
/// </code>
/// </summary>
public static class Swa
{
    /// <summary>
    /// Adds the model's parameters to the running average of <paramref name="averagedCount"/> models
    /// (PyTorch's <c>AveragedModel.update_parameters</c>): the first update copies, later ones compute
    /// <c>avg + (θ − avg) / (n + 1)</c>.
    /// </summary>
    /// <param name="average">The average (from <see cref="ShadowWeights.Of"/> on the same model).</param>
    /// <param name="model">The model being trained.</param>
    /// <param name="averagedCount">How many models the average already holds (≥ 0).</param>
    public static void UpdateAverage(ShadowWeights average, nn.Module model, long averagedCount)
    {
        ArgumentNullException.ThrowIfNull(average);
        ArgumentNullException.ThrowIfNull(model);
        if (averagedCount < 0) throw new ArgumentOutOfRangeException(nameof(averagedCount), averagedCount, "The number of averaged models must be >= 0.");
        if (average.IsSwappedIn) throw new InvalidOperationException("The average is swapped into the model; call SwapOut before updating it.");
        var pairs = average.Pairs(model);
        using (NewDisposeScope())
        using (no_grad())
        {
            foreach (var (_, avg, live) in pairs)
            {
                if (averagedCount == 0 || !avg.is_floating_point()) avg.copy_(live);
                else avg.copy_(avg + (live - avg) / (double)(averagedCount + 1));
            }
        }
    }

    /// <summary>
    /// The SWA learning rate after <paramref name="step"/> scheduler steps (PyTorch's <c>SWALR</c> in
    /// closed form): <c>α·swaLr + (1 − α)·initialLr</c> with α the anneal function of
    /// <c>t = min(1, step / annealSteps)</c> (with <c>annealSteps = 0</c>, the SWA LR from the start).
    /// </summary>
    /// <param name="initialLr">The learning rate when SWA started.</param>
    /// <param name="swaLr">The learning rate to anneal to (≥ 0).</param>
    /// <param name="step">Scheduler steps since SWA started (≥ 0).</param>
    /// <param name="annealSteps">Steps to reach <paramref name="swaLr"/> (≥ 0).</param>
    /// <param name="strategy">Linear or cosine annealing.</param>
    public static double AnnealedLearningRate(double initialLr, double swaLr, long step, long annealSteps, SwaAnnealStrategy strategy)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be >= 0.");
        if (annealSteps < 0) throw new ArgumentOutOfRangeException(nameof(annealSteps), annealSteps, "The number of anneal steps must be >= 0.");
        if (!Enum.IsDefined(strategy)) throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Expected Linear or Cos.");
        if (annealSteps == 0) step = Math.Max(1, step);
        var t = Math.Clamp((double)step / Math.Max(1, annealSteps), 0, 1);
        var alpha = strategy == SwaAnnealStrategy.Linear ? t : (1 - Math.Cos(Math.PI * t)) / 2;
        return swaLr * alpha + initialLr * (1 - alpha);
    }

    /// <summary>
    /// Recomputes the running statistics of every BatchNorm layer of <paramref name="model"/> with one
    /// pass over <paramref name="inputs"/> (PyTorch's <c>swa_utils.update_bn</c>): the statistics are
    /// reset, each layer's momentum is set to a cumulative average for the pass and restored after,
    /// the model runs in training mode without gradients, and its mode is restored. Returns the
    /// number of BatchNorm layers updated (the pass is skipped when there are none).
    /// </summary>
    /// <param name="model">The model (normally holding the averaged weights).</param>
    /// <param name="inputs">The training inputs, batch by batch (each forward runs in its own dispose scope).</param>
    public static int UpdateBatchNorm(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var layers = model.modules().OfType<BatchNorm>().Where(b => b.track_running_stats).ToList();
        if (layers.Count == 0) return 0;
        var momenta = layers.Select(b => b.momentum).ToList();
        var wasTraining = model.training;
        try
        {
            foreach (var b in layers)
            {
                b.reset_running_stats();
                b.momentum = null;
            }
            model.train();
            using var e = inputs.GetEnumerator();
            while (true)
            {
                using var scope = NewDisposeScope();
                if (!e.MoveNext()) break;
                using (no_grad()) model.call(e.Current);
            }
        }
        finally
        {
            for (var i = 0; i < layers.Count; i++) layers[i].momentum = momenta[i];
            model.train(wasTraining);
        }
        return layers.Count;
    }
}
