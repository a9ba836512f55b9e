using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training;

/// <summary>Records the learning rate of each parameter group after every optimizer step.</summary>
public sealed class LearningRateMonitor : ITrainingCallback
{
    private readonly List<(long batch, double[] rates)> _history = new();

    /// <summary>(batch, learning rate per group) after each step.</summary>
    public IReadOnlyList<(long batch, double[] rates)> History => _history;

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent == TrainingEvent.BatchEnd)
            _history.Add((state.Timestamp.Batch, state.Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray()));
    }
}
