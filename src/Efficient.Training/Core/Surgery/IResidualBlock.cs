namespace Efficient.Training;

/// <summary>
/// A residual block <c>y = post(F(x) + shortcut(x))</c> whose residual branch <c>F</c> is a
/// replaceable child module, so model surgery can wrap it generically (StochasticDepth drops it;
/// other techniques may rescale it) without knowing the block's type.
/// </summary>
/// <remarks>
/// Contract: the block adds the branch's output to the shortcut's output with broadcasting, so a
/// branch that returns a scalar zero (0-dimensional tensor) makes the block compute
/// <c>post(shortcut(x))</c> without evaluating <c>F</c>.
/// </remarks>
public interface IResidualBlock
{
    /// <summary>The name of the residual-branch child (its dotted path below the block).</summary>
    string ResidualBranchName { get; }

    /// <summary>The residual branch <c>F</c> (the child named <see cref="ResidualBranchName"/>).</summary>
    nn.Module<Tensor, Tensor> ResidualBranch { get; }
}
