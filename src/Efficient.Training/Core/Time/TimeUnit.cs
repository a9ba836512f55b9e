namespace Efficient.Training;

/// <summary>The units training time is counted in.</summary>
public enum TimeUnit
{
    /// <summary>Passes over the training set (<c>ep</c>).</summary>
    Epoch,
    /// <summary>Optimizer steps, one per (possibly accumulated) batch (<c>ba</c>).</summary>
    Batch,
    /// <summary>Training examples seen (<c>sp</c>).</summary>
    Sample,
    /// <summary>Tokens seen, for sequence models (<c>tok</c>).</summary>
    Token,
    /// <summary>A fraction of the whole run's length (<c>dur</c>), only meaningful relative to a maximum duration.</summary>
    Duration,
}
