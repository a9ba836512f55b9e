using System;

namespace Efficient.Training;

/// <summary>What a <see cref="SurgeryPolicy{TModule, TOptions}"/> is told about the module it is applied to.</summary>
/// <typeparam name="TOptions">The technique's options.</typeparam>
public sealed class SurgeryPolicyContext<TOptions>
{
    internal SurgeryPolicyContext(string path, int index, TOptions options, ModelSurgery surgery)
    {
        Path = path;
        Index = index;
        Options = options;
        Surgery = surgery;
    }

    /// <summary>The module's dotted path in the model ("" for the root).</summary>
    public string Path { get; }

    /// <summary>How many modules the registry changed before this one in this pass (0 for the first; Composer's <c>module_index</c>).</summary>
    public int Index { get; }

    /// <summary>The technique's (validated) options.</summary>
    public TOptions Options { get; }

    /// <summary>The surgery in progress, for policies that replace a child of the module in place.</summary>
    public ModelSurgery Surgery { get; }

    /// <summary>The dotted path of the module's child <paramref name="name"/>, for <see cref="ModelSurgery.Replace"/>.</summary>
    /// <param name="name">The child's name below the module.</param>
    public string Child(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Path.Length == 0 ? name : $"{Path}.{name}";
    }
}
