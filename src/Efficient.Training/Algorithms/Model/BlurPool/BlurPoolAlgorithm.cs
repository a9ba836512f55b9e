namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="BlurPool"/>: in the model block, replaces strided convolutions and
/// max-pools by their anti-aliased versions at fit start (and again on resume, before the weights
/// are loaded) and reports how many it replaced.
/// </summary>
public sealed class BlurPoolAlgorithm : IModelAlgorithm
{
    private readonly BlurPoolOptions _options;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    /// <exception cref="OptionsValidationException">Some options are invalid.</exception>
    public BlurPoolAlgorithm(BlurPoolOptions? options = null)
    {
        options ??= new BlurPoolOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "BlurPool";

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        System.ArgumentNullException.ThrowIfNull(surgery);
        var (convs, pools) = BlurPool.Apply(surgery, _options);
        surgery.Note($"replaced {convs} strided conv{(convs == 1 ? "" : "s")}, {pools} max-pool{(pools == 1 ? "" : "s")}");
    }
}
