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
