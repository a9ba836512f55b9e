using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="ChannelsLast"/>: converts the model's convolution weights at fit
/// start (model block) and every 4-D training batch input (data block) to channels-last.
/// </summary>
public sealed class ChannelsLastAlgorithm : IModelAlgorithm, IDataAlgorithm
{
    /// <summary>Creates the algorithm; <paramref name="options"/> has nothing to set today and may be null.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public ChannelsLastAlgorithm(ChannelsLastOptions? options = null)
    {
        (options ?? new ChannelsLastOptions()).Validate();
    }

    /// <inheritdoc />
    public string Name => "ChannelsLast";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        var count = ChannelsLast.Apply(model);
        surgery.Note($"replaced 0 modules; converted {count} 4-D parameter{(count == 1 ? "" : "s")} to channels-last");
    }

    /// <inheritdoc />
    public Batch Transform(Batch batch, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Input.dim() == 4 ? batch.With(input: ChannelsLast.ToChannelsLast(batch.Input)) : batch;
    }
}
