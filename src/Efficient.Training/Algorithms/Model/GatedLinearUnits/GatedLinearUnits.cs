using System;
using Efficient.Training.Models;

namespace Efficient.Training.Algorithms;

/// <summary>The activation applied to the gated branch of a gated linear unit.</summary>
public enum GluActivation
{
    /// <summary>Exact GELU (GEGLU; Composer's default for BERT).</summary>
    Gelu,

    /// <summary>GELU with the tanh approximation.</summary>
    GeluTanh,

    /// <summary>ReLU (ReGLU).</summary>
    Relu,

    /// <summary>SiLU / Swish (SwiGLU).</summary>
    Silu,

    /// <summary>Sigmoid (the original GLU of Dauphin et al.).</summary>
    Sigmoid,
}

/// <summary>
/// Gated linear units in the feed-forward blocks (Shazeer, 2020; Composer's <c>GatedLinearUnits</c>):
/// <c>FFN(x) = W₂ (act(W_g x) ⊙ W_n x)</c> instead of <c>W₂ act(W₁ x)</c>.
/// </summary>
public static class GatedLinearUnits
{
    /// <summary>
    /// The gated feed-forward output <c>linear(act(linear(x, gatedWeight, gatedBias)) ⊙ linear(x, nonGatedWeight, nonGatedBias), outputWeight, outputBias)</c>.
    /// </summary>
    /// <param name="input">Inputs <c>[..., H]</c>.</param>
    /// <param name="gatedWeight">Weight of the gated (activated) branch <c>[F, H]</c>.</param>
    /// <param name="gatedBias">Its bias <c>[F]</c> or null.</param>
    /// <param name="nonGatedWeight">Weight of the linear branch <c>[F, H]</c>.</param>
    /// <param name="nonGatedBias">Its bias <c>[F]</c> or null.</param>
    /// <param name="outputWeight">The output projection <c>[H_out, F]</c>.</param>
    /// <param name="outputBias">Its bias <c>[H_out]</c> or null.</param>
    /// <param name="activation">The activation of the gated branch (default GELU).</param>
    public static Tensor Forward(Tensor input, Tensor gatedWeight, Tensor? gatedBias, Tensor nonGatedWeight, Tensor? nonGatedBias,
        Tensor outputWeight, Tensor? outputBias, GluActivation activation = GluActivation.Gelu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(gatedWeight);
        ArgumentNullException.ThrowIfNull(nonGatedWeight);
        ArgumentNullException.ThrowIfNull(outputWeight);
        if (gatedWeight.dim() != 2 || nonGatedWeight.dim() != 2 || !gatedWeight.shape.AsSpan().SequenceEqual(nonGatedWeight.shape))
            throw new ArgumentException($"The gated and non-gated weights must both be [F, H] (got [{string.Join(", ", gatedWeight.shape)}] and [{string.Join(", ", nonGatedWeight.shape)}]).", nameof(nonGatedWeight));
        if (input.dim() < 1 || input.shape[^1] != gatedWeight.shape[1])
            throw new ArgumentException($"The input's last dimension must be H = {gatedWeight.shape[1]} (got [{string.Join(", ", input.shape)}]).", nameof(input));
        if (outputWeight.dim() != 2 || outputWeight.shape[1] != gatedWeight.shape[0])
            throw new ArgumentException($"The output weight must be [H_out, {gatedWeight.shape[0]}] (got [{string.Join(", ", outputWeight.shape)}]).", nameof(outputWeight));
        var gated = Activate(nn.functional.linear(input, gatedWeight, gatedBias), activation);
        return nn.functional.linear(gated * nn.functional.linear(input, nonGatedWeight, nonGatedBias), outputWeight, outputBias);
    }

    /// <summary>Applies <paramref name="activation"/> to <paramref name="x"/>.</summary>
    public static Tensor Activate(Tensor x, GluActivation activation) => activation switch
    {
        GluActivation.Gelu => nn.functional.gelu(x),
        GluActivation.GeluTanh => nn.functional.gelu(x, GELU.Approximate.tanh),
        GluActivation.Relu => nn.functional.relu(x),
        GluActivation.Silu => nn.functional.silu(x),
        GluActivation.Sigmoid => nn.functional.sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected a defined GluActivation."),
    };

    /// <summary>
    /// How GatedLinearUnits changes feed-forward blocks: a policy returns the gated block to put in a
    /// module's place (<see cref="CreateFeedForward"/>). Built in: every <see cref="IFeedForward"/>
    /// (the library's <see cref="BertFeedForward"/>), replaced with a block of the same sizes (or
    /// <see cref="GatedLinearUnitsOptions.IntermediateSize"/>). Register a policy for your own
    /// feed-forward type to give it gated linear units.
    /// </summary>
    public static SurgeryPolicyRegistry<GatedLinearUnitsOptions> Policies { get; } = NewPolicies();

    /// <summary>
    /// A gated feed-forward block <c>wo(act(gated_layer(x)) ⊙ non_gated_layer(x))</c> <c>[..., H] → [..., H]</c>
    /// with fresh weights (initialised as PyTorch's <c>nn.Linear</c>; parameter names as Composer's
    /// <c>BERTGatedFFOutput</c>): the building block of a policy.
    /// </summary>
    /// <param name="hiddenSize">H (≥ 1).</param>
    /// <param name="intermediateSize">The inner dimension (≥ 1).</param>
    /// <param name="options">Activation and biases (default options when null).</param>
    public static nn.Module<Tensor, Tensor> CreateFeedForward(long hiddenSize, long intermediateSize, GatedLinearUnitsOptions? options = null)
    {
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be at least 1.");
        if (intermediateSize < 1) throw new ArgumentOutOfRangeException(nameof(intermediateSize), intermediateSize, "The intermediate size must be at least 1.");
        options ??= new GatedLinearUnitsOptions();
        options.Validate();
        return new GatedFeedForward(hiddenSize, intermediateSize, options);
    }

    /// <summary>
    /// Replaces every feed-forward block of <paramref name="model"/> that has a policy in
    /// <see cref="Policies"/> (every <see cref="IFeedForward"/>, such as <see cref="BertFeedForward"/>)
    /// by a gated block (fresh weights, see the options) and returns how many were replaced.
    /// Call it before creating the optimizer.
    /// </summary>
    public static int Apply(nn.Module model, GatedLinearUnitsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GatedLinearUnitsOptions();
        options.Validate();
        return Policies.Apply(new ModelSurgery(model), options);
    }

    private static SurgeryPolicyRegistry<GatedLinearUnitsOptions> NewPolicies()
    {
        var registry = new SurgeryPolicyRegistry<GatedLinearUnitsOptions>();
        registry.Register<IFeedForward>((ffn, context) =>
            new GatedFeedForward(ffn.HiddenSize, context.Options.IntermediateSize ?? ffn.IntermediateSize, context.Options));
        registry.MarkConverted<GatedFeedForward>();
        return registry;
    }
}

/// <summary>
/// The gated feed-forward block: <c>wo(act(gated_layer(x)) ⊙ non_gated_layer(x))</c>, parameters
/// named as Composer's <c>BERTGatedFFOutput</c>. Initialised as PyTorch's <c>nn.Linear</c>.
/// </summary>
internal sealed class GatedFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear gated_layer;
    private readonly Linear non_gated_layer;
    private readonly Linear wo;
    private readonly GluActivation _activation;

    public GatedFeedForward(long hidden, long intermediate, GatedLinearUnitsOptions options) : base(nameof(GatedFeedForward))
    {
        gated_layer = nn.Linear(hidden, intermediate, options.GatedLayerBias);
        non_gated_layer = nn.Linear(hidden, intermediate, options.NonGatedLayerBias);
        wo = nn.Linear(intermediate, hidden);
        _activation = options.Activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        GatedLinearUnits.Forward(input, gated_layer.weight, gated_layer.bias, non_gated_layer.weight, non_gated_layer.bias, wo.weight, wo.bias, _activation);
}
