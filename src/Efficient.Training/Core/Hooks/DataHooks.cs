namespace Efficient.Training;

/// <summary>
/// The data block: changes each training batch after it is loaded (resize, crop, erase, mix,
/// select, truncate sequences, ...). Runs once per batch before it is split into microbatches,
/// in registration order, each receiving the previous one's result.
/// </summary>
public interface IDataAlgorithm : IAlgorithm
{
    /// <summary>Returns the batch to train on (the input batch when nothing changes).</summary>
    Batch Transform(Batch batch, TrainingState state);
}

/// <summary>
/// The data block, at the level of the data source: chooses what the trainer iterates (order,
/// pacing, a subset of the samples) instead of changing single batches. The trainer consults it
/// once at fit start, before the schedulers are built (so they see the epoch size the run trains
/// on), at the start of every epoch — and when a resumed run continues inside an epoch — before
/// <see cref="TrainingEvent.EpochStart"/>, in registration order, each receiving the previous one's
/// result (the first receives <see cref="TrainerOptions.TrainData"/>), and then iterates the returned
/// source's <see cref="ITrainingData.GetEpoch"/>. <see cref="TrainingState.BatchesPerEpoch"/> and
/// <see cref="TrainingState.SamplesPerEpoch"/> follow the returned source.
/// </summary>
/// <remarks>
/// For exact resume, the returned source must depend only on what a checkpoint restores (the
/// model, the timestamp and the algorithm's own state through <see cref="IStatefulAlgorithm"/>).
/// </remarks>
public interface IDataSourceAlgorithm : IAlgorithm
{
    /// <summary>Returns the source to train on this epoch (<paramref name="data"/> when nothing changes).</summary>
    ITrainingData Source(ITrainingData data, TrainingState state);
}
