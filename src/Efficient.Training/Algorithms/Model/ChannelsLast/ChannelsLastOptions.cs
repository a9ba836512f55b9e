namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="ChannelsLastAlgorithm"/>: none today (Composer's ChannelsLast has no hyper-parameters); kept for a uniform API.</summary>
public sealed class ChannelsLastOptions : IValidatableOptions
{
    /// <inheritdoc />
    public void Validate() => new OptionsValidator(nameof(ChannelsLastOptions)).ThrowIfInvalid();
}
