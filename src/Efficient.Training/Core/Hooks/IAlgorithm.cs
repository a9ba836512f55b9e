using System.Collections.Generic;

namespace Efficient.Training;

/// <summary>
/// A training technique. It takes part in training by implementing one or more of the taxonomy
/// hooks (<see cref="IDataAlgorithm"/>, <see cref="IDataSourceAlgorithm"/>, <see cref="IModelAlgorithm"/>, <see cref="ILossAlgorithm"/>,
/// <see cref="IOptimizationAlgorithm"/>, <see cref="IRegularizationAlgorithm"/>) and, to observe
/// the loop, <see cref="ITrainingCallback"/>. Hooks compose in registration order: the first
/// registered algorithm is the outermost layer of each middleware chain.
/// </summary>
public interface IAlgorithm
{
    /// <summary>A short name for traces and reports (e.g. <c>"MixUp"</c>).</summary>
    string Name { get; }
}

/// <summary>An algorithm with state that must survive a checkpoint (RNG, schedules, shadow weights, ...).</summary>
public interface IStatefulAlgorithm : IAlgorithm
{
    /// <summary>The state to checkpoint: tensors are copied by the checkpointer, values must be JSON-serializable.</summary>
    AlgorithmState SaveState();

    /// <summary>Restores a state produced by <see cref="SaveState"/> (after model surgery, before training resumes).</summary>
    void LoadState(AlgorithmState state);
}

/// <summary>An algorithm's checkpointed state: named tensors and named numbers/strings.</summary>
public sealed class AlgorithmState
{
    /// <summary>Named tensors (stored in the checkpoint's tensor file).</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new();

    /// <summary>Named scalar values.</summary>
    public Dictionary<string, double> Values { get; } = new();

    /// <summary>Named strings.</summary>
    public Dictionary<string, string> Strings { get; } = new();
}
