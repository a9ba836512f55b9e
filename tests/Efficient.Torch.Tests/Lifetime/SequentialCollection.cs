namespace Efficient.Torch.Tests.Lifetime;

/// <summary>Tests that read process-wide counters (live tensors, memory) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialCollection
{
    public const string Name = "Sequential (process-wide counters)";
}
