namespace Efficient.Training;

/// <summary>
/// Observes the training loop (progress, logging, profiling, checkpointing, early stopping). It is
/// told every <see cref="TrainingEvent"/> in order; it may read the state and request a stop, but
/// must not change the model or optimizer (that is what algorithms are for).
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Called at each event.</summary>
    void OnEvent(TrainingEvent trainingEvent, TrainingState state);
}
