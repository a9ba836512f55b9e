using System;

namespace Efficient.Training.Algorithms;

/// <summary>Options of <see cref="StochasticDepthAlgorithm"/> and <see cref="StochasticDepth.Apply(nn.Module, StochasticDepthOptions?, Generator?)"/> (Composer's names and defaults).</summary>
public sealed class StochasticDepthOptions : IValidatableOptions
{
    /// <summary>
    /// The type name (or module name) of the residual blocks to target; they must implement
    /// <see cref="IResidualBlock"/>. Default <c>"BasicBlock"</c> (the library's
    /// <see cref="Efficient.Training.Models.BasicBlock"/>; Composer has no default and targets its
    /// <c>ResNetBottleneck</c>).
    /// </summary>
    public string TargetLayerName { get; set; } = "BasicBlock";

    /// <summary>Block-wise (default, the paper) or sample-wise (timm's drop path) dropping.</summary>
    public StochasticDepthMethod StochasticMethod { get; set; } = StochasticDepthMethod.Block;

    /// <summary>The drop probability p (of the deepest layer with the linear distribution). Range [0, 1]; default 0.2.</summary>
    public double DropRate { get; set; } = 0.2;

    /// <summary>How p is spread over the target layers. Default linear.</summary>
    public StochasticDepthDistribution DropDistribution { get; set; } = StochasticDepthDistribution.Linear;

    /// <summary>The fraction of training over which p grows linearly from 0 to <see cref="DropRate"/>. Range [0, 1]; default 0 (no warm-up).</summary>
    public double DropWarmup { get; set; }

    /// <inheritdoc />
    public void Validate() =>
        new OptionsValidator(nameof(StochasticDepthOptions))
            .Require(!string.IsNullOrWhiteSpace(TargetLayerName), nameof(TargetLayerName), TargetLayerName, "the type name of the residual blocks to target (e.g. 'BasicBlock')")
            .Require(Enum.IsDefined(StochasticMethod), nameof(StochasticMethod), StochasticMethod, "Block or Sample")
            .InRange(DropRate, 0, 1, nameof(DropRate))
            .Require(Enum.IsDefined(DropDistribution), nameof(DropDistribution), DropDistribution, "Linear or Uniform")
            .InRange(DropWarmup, 0, 1, nameof(DropWarmup))
            .ThrowIfInvalid();
}
