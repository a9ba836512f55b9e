using System;
using System.IO;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Writes the run's curves as TensorBoard event files (TorchSharp's <c>SummaryWriter</c>):
/// <c>train/loss</c> and <c>train/lr</c> (the first parameter group's learning rate) every
/// <c>every</c> batches, and <c>eval/{metric}</c> after each evaluation, with the batch count as the
/// step. In data-parallel runs only rank 0 writes. Open with <c>tensorboard --logdir DIR</c>.
/// </summary>
public sealed class TensorBoardLogger : ITrainingCallback
{
    private readonly int _every;
    private TorchSharp.Modules.SummaryWriter? _writer;

    /// <summary>Creates the logger; the folder is created at fit start.</summary>
    /// <param name="logDir">The folder for the event files.</param>
    /// <param name="every">Write the training scalars every this many batches (default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is below 1.</exception>
    public TensorBoardLogger(string logDir, int every = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "TensorBoardLogger: write the scalars every 1 or more batches.");
        LogDir = logDir;
        _every = every;
    }

    /// <summary>The folder the event files go to.</summary>
    public string LogDir { get; }

    /// <inheritdoc />
    public void OnEvent(TrainingEvent trainingEvent, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.IsRankZero) return;
        switch (trainingEvent)
        {
            case TrainingEvent.FitStart:
                Directory.CreateDirectory(LogDir);
                _writer ??= torch.utils.tensorboard.SummaryWriter(LogDir, "", createRunName: false);
                break;
            case TrainingEvent.BatchEnd when _writer is not null && state.Timestamp.Batch % _every == 0:
                var step = Step(state);
                if (state.LastBatchLoss is { } loss) _writer.add_scalar("train/loss", (float)loss, step);
                if (state.Optimizer.ParamGroups.FirstOrDefault() is { } group) _writer.add_scalar("train/lr", (float)group.LearningRate, step);
                break;
            case TrainingEvent.EvalEnd when _writer is not null:
                foreach (var (name, value) in state.Metrics) _writer.add_scalar($"eval/{name}", (float)value, Step(state));
                break;
        }
    }

    private static int Step(TrainingState state) => (int)Math.Min(int.MaxValue, state.Timestamp.Batch);
}
