using System;

namespace Efficient.Training.Algorithms;

/// <summary>What the model-block functional forms share: replacing submodules outside a Trainer.</summary>
internal static class SurgeryHelpers
{
    /// <summary>Runs <see cref="ModelSurgery.ReplaceAll"/> on <paramref name="model"/> (the root itself is never replaced).</summary>
    public static int ReplaceAll(nn.Module model, Func<string, nn.Module, nn.Module?> select)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelSurgery(model).ReplaceAll(select);
    }

    /// <summary>"1 conv" / "2 convs".</summary>
    public static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
