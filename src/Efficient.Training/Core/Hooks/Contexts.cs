using System;
using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>What the forward and loss hooks of one microbatch share.</summary>
public sealed class MicrobatchContext
{
    internal MicrobatchContext(TrainingState state, Batch batch, int index, int count)
    {
        State = state;
        Batch = batch;
        Index = index;
        Count = count;
    }

    /// <summary>The run's state.</summary>
    public TrainingState State { get; }

    /// <summary>The microbatch; regularization hooks may replace it before the forward pass.</summary>
    public Batch Batch { get; set; }

    /// <summary>Which microbatch of the batch this is (0-based).</summary>
    public int Index { get; }

    /// <summary>How many microbatches the batch was split into.</summary>
    public int Count { get; }

    /// <summary>Scratch values shared between the hooks of this microbatch (e.g. MixUp's λ and permutation).</summary>
    public IDictionary<string, object> Items { get; } = new Dictionary<string, object>();
}

/// <summary>What the optimization hooks of one step see.</summary>
public sealed class StepContext
{
    internal StepContext(TrainingState state, Func<Tensor> recompute)
    {
        State = state;
        _recompute = recompute;
    }

    private readonly Func<Tensor> _recompute;

    /// <summary>The run's state (model, optimizer, batch, ...).</summary>
    public TrainingState State { get; }

    /// <summary>
    /// Zeroes the gradients, then runs forward, loss and backward again over the whole current
    /// batch (all microbatches, with the loss and regularization hooks) and returns the mean loss.
    /// Used by two-pass methods such as SAM.
    /// </summary>
    public Tensor RecomputeGradients() => _recompute();
}
