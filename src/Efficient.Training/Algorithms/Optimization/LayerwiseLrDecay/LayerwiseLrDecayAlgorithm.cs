using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Trainer adapter of layer-wise learning-rate decay in the optimization block: around the
/// optimizer's step it scales each parameter's update by <c>Decay^(top − depth)</c>
/// (<see cref="LayerwiseLrDecay.ScaledStep"/>), so the Trainer's single optimizer and its LR
/// schedulers stay as they are. Exact for optimizers whose update is linear in the learning rate
/// (SGD with momentum, Adam, AdamW); see the method card. The factors are computed from the model's
/// parameter names at the first step (after model surgery) and whenever the model changes; the
/// algorithm keeps no state across batches, so a resumed run is exact without any.
/// </summary>
public sealed class LayerwiseLrDecayAlgorithm : IOptimizationAlgorithm
{
    private readonly LayerwiseLrDecayOptions _options;
    private nn.Module? _model;
    private List<(Tensor Parameter, double Factor)>? _factors;

    /// <summary>Creates the algorithm; the options are validated here, once, and copied.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public LayerwiseLrDecayAlgorithm(LayerwiseLrDecayOptions? options = null)
    {
        options ??= new LayerwiseLrDecayOptions();
        options.Validate();
        _options = OptionsSnapshot.Of(options);
    }

    /// <inheritdoc />
    public string Name => "LayerwiseLrDecay";

    /// <summary>The factor of each parameter name of the model the last step saw (empty before the first step).</summary>
    public IReadOnlyDictionary<string, double> Factors { get; private set; } = new Dictionary<string, double>();

    /// <inheritdoc />
    public void Step(StepContext context, Action next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var model = context.State.Model;
        var parameters = model.named_parameters().ToList();
        if (_factors is null || !ReferenceEquals(_model, model) || _factors.Count != parameters.Count
            || parameters.Where((p, i) => !ReferenceEquals(p.parameter, _factors[i].Parameter)).Any())
        {
            Factors = LayerwiseLrDecay.Factors(model, _options.Decay, _options.DepthOf);
            _factors = parameters.Select(p => ((Tensor)p.parameter, Factors[p.name])).ToList();
            _model = model;
        }
        LayerwiseLrDecay.ScaledStep(_factors, next);
    }
}
