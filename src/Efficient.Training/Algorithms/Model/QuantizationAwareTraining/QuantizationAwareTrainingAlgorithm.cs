using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of <see cref="QuantizationAwareTraining"/>. Model block: at fit start, wraps the
/// <c>Conv2d</c> and <c>Linear</c> layers in fake-quantizing layers (report line
/// <c>"QAT: wrapped 3 convs, 2 linears"</c>). Regularization block: before each forward pass, turns fake
/// quantization on once <see cref="QuantizationAwareTrainingOptions.Start"/> is reached and freezes the
/// observers from <see cref="QuantizationAwareTrainingOptions.FreezeObservers"/> on. The observers'
/// ranges and the weights' scales are module buffers, saved with the model's weights.
/// </summary>
public sealed class QuantizationAwareTrainingAlgorithm : IModelAlgorithm, IRegularizationAlgorithm
{
    private readonly QuantizationAwareTrainingOptions _options;
    private List<FakeQuantizedLayer>? _layers;

    /// <summary>Creates the algorithm; the options are validated here, once.</summary>
    public QuantizationAwareTrainingAlgorithm(QuantizationAwareTrainingOptions? options = null)
    {
        options ??= new QuantizationAwareTrainingOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
        _options.ExcludeNames = _options.ExcludeNames.ToList();   // the list too, not the caller's
    }

    /// <inheritdoc />
    public string Name => "QAT";

    /// <summary>How many convolutions and linear layers the surgery wrapped.</summary>
    public (int convolutions, int linears) Wrapped { get; private set; }

    /// <inheritdoc />
    public void Apply(nn.Module model, ModelSurgery surgery)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(surgery);
        Wrapped = QuantizationAwareTraining.Wrap(model, _options, surgery);
        _layers = QuantizationAwareTraining.Layers(model).ToList();
        // Until the first forward pass decides, the layers run in float.
        QuantizationAwareTraining.SetFakeQuantization(model, false);
    }

    /// <inheritdoc />
    public Tensor Forward(MicrobatchContext context, Func<Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var state = context.State;
        var started = state.HasReached(_options.Start);
        var frozen = _options.FreezeObservers is { } freeze && state.HasReached(freeze);
        foreach (var layer in _layers ??= QuantizationAwareTraining.Layers(state.Model).ToList())
        {
            layer.FakeQuantize = started;
            layer.Observe = !frozen;
        }
        return next();
    }
}
