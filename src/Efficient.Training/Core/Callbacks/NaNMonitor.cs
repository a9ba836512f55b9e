using System.Globalization;

namespace Efficient.Training;

/// <summary>Stops training when the loss becomes NaN or infinite, naming the step and the last finite loss.</summary>
public sealed class NaNMonitor : ITrainingCallback
{
    private double? _lastFinite;

    /// <summary>The message of the stop, once it happened.</summary>
    public string? Message { get; private set; }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        if (trainingEvent != TrainingEvent.BatchEnd || state.LastBatchLoss is not { } loss) return;
        if (double.IsFinite(loss))
        {
            _lastFinite = loss;
            return;
        }
        Message = string.Create(CultureInfo.InvariantCulture,
            $"NaNMonitor: the loss became {loss} at batch {state.Timestamp.Batch} (epoch {state.Timestamp.Epoch}); the last finite loss was {(_lastFinite is { } f ? f.ToString("G6", CultureInfo.InvariantCulture) : "none (first batch)")}. Lower the learning rate, clip gradients or check the data.");
        state.RequestStop(Message);
    }
}
