using System.Threading;
using Efficient.Training;

namespace Efficient.Samples;

/// <summary>
/// Cancels the run once the given number of batches is trained (the trainer then stops after that
/// batch, as on Ctrl+C). Shared by the ResNet and BERT samples (linked into each project).
/// </summary>
internal sealed class StopAfterBatches(long batches, CancellationTokenSource source) : ITrainingCallback
{
    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent == TrainingEvent.BatchEnd && state.Timestamp.Batch >= batches) source.Cancel();
    }
}
