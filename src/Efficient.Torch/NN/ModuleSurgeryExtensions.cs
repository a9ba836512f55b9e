using System;
using System.Linq;

namespace Efficient.Torch;

/// <summary>
/// Model surgery that TorchSharp does not offer: swapping a submodule in place by its dotted name
/// (the parent's registration and the field that holds it are both updated).
/// </summary>
public static class ModuleSurgeryExtensions
{
    /// <summary>
    /// Replaces the submodule at <paramref name="path"/> (e.g. <c>"layer1.0.conv1"</c>) with
    /// <paramref name="replacement"/> and returns the module that was there. The caller owns the
    /// returned module. Optimizers that hold the old module's parameters must be told about the
    /// new ones (the Trainer does this for model-surgery algorithms).
    /// </summary>
    public static torch.nn.Module ReplaceModule(this torch.nn.Module root, string path, torch.nn.Module replacement)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(replacement);
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("The module path must not be empty.", nameof(path));
        var parts = path.Split('.');
        var parent = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var next = parent.named_children().FirstOrDefault(c => c.name == parts[i]).module;
            parent = next ?? throw new ArgumentException($"No submodule '{string.Join('.', parts.Take(i + 1))}' on the way to '{path}' in {root.GetName()}.", nameof(path));
        }
        var leaf = parts[^1];
        var old = parent.named_children().FirstOrDefault(c => c.name == leaf).module
            ?? throw new ArgumentException($"No submodule '{path}' in {root.GetName()}.", nameof(path));
        parent.ReplaceChild(leaf, replacement);
        return old;
    }
}
