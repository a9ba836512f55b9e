namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="SqueezeExcite"/>: in the model block, adds a squeeze-and-excitation
/// gate after every qualifying convolution at fit start (and again on resume, before the weights
/// are loaded) and reports how many.
/// </summary>
public sealed class SqueezeExciteAlgorithm : IModelAlgorithm
{
    private readonly SqueezeExciteOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public SqueezeExciteAlgorithm(SqueezeExciteOptions? options = null)
    {
        options ??= new SqueezeExciteOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "SqueezeExcite";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        System.ArgumentNullException.ThrowIfNull(surgery);
        var count = SqueezeExcite.Apply(surgery, _options);
        surgery.Note($"replaced {count} conv{(count == 1 ? "" : "s")} with conv + squeeze-excite");
    }
}
