using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Layer freezing (Composer's <c>freeze_layers</c>, after FreezeOut, Brock et al., 2017): as training
/// progresses, the layers nearest the input stop training, which saves their backward pass and
/// optimizer update. The layers are, as Composer's <c>_get_layers</c> finds them, the model's leaf
/// modules that hold parameters, in definition order (activations, pooling and dropout are not
/// layers); the last of them (the head) is never frozen, even when parameterless modules follow it. Frozen parameters get <c>requires_grad = false</c> and no gradient, so every
/// optimizer skips them (no update, no weight decay, no momentum).
/// </summary>
public static class LayerFreezing
{
    /// <summary>
    /// The fraction of the freezable layers to freeze at <paramref name="progress"/> (Composer's
    /// <c>_freeze_schedule</c>): 0 until <paramref name="freezeStart"/>, then growing linearly to
    /// <paramref name="freezeLevel"/> at the end of training.
    /// </summary>
    /// <param name="progress">The fraction of training done, in [0, 1].</param>
    /// <param name="freezeStart">When freezing starts, in [0, 1).</param>
    /// <param name="freezeLevel">The fraction frozen at the end, in [0, 1].</param>
    public static double FreezeFraction(double progress, double freezeStart = 0.5, double freezeLevel = 1.0)
    {
        CheckUnit(progress, nameof(progress));
        if (!(freezeStart >= 0 && freezeStart < 1)) throw new ArgumentOutOfRangeException(nameof(freezeStart), freezeStart, "The freeze start must be in [0, 1).");
        CheckUnit(freezeLevel, nameof(freezeLevel));
        if (progress <= freezeStart) return 0;
        return freezeLevel * (progress - freezeStart) / (1 - freezeStart);
    }

    /// <summary>
    /// The layers freezing works on: the submodules of <paramref name="model"/> without children that
    /// hold parameters, in definition order, with their dotted names (Composer's <c>_get_layers</c>:
    /// a depth-first walk of the children keeping parameter-bearing leaves).
    /// </summary>
    public static IReadOnlyList<(string Name, nn.Module Layer)> Layers(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.named_modules()
            .Where(m => m.name.Length > 0 && !m.module.children().Any() && m.module.parameters().Any())
            .ToList();
    }

    /// <summary>How many layers are frozen at <paramref name="progress"/>: <c>floor(fraction · (layers − 1))</c> (the head is never frozen).</summary>
    /// <param name="layerCount">The number of layers (see <see cref="Layers"/>).</param>
    /// <param name="progress">The fraction of training done, in [0, 1].</param>
    /// <param name="freezeStart">When freezing starts, in [0, 1).</param>
    /// <param name="freezeLevel">The fraction frozen at the end, in [0, 1].</param>
    public static int FreezeDepth(int layerCount, double progress, double freezeStart = 0.5, double freezeLevel = 1.0)
    {
        if (layerCount < 0) throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "The layer count must be >= 0.");
        var freezable = Math.Max(0, layerCount - 1);
        // The small epsilon keeps exact products (0.5 · 4 = 2) from flooring to one less.
        return Math.Min(freezable, (int)Math.Floor(FreezeFraction(progress, freezeStart, freezeLevel) * freezable + 1e-9));
    }

    /// <summary>
    /// Freezes the first <see cref="FreezeDepth"/> layers of <paramref name="model"/> for <paramref name="progress"/>:
    /// their parameters get <c>requires_grad = false</c> and their gradients are cleared. Layers
    /// already frozen stay frozen (the schedule only grows), so the frozen set is a function of the
    /// progress and a resumed run reproduces it.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="progress">The fraction of training done, in [0, 1].</param>
    /// <param name="freezeStart">When freezing starts, in [0, 1).</param>
    /// <param name="freezeLevel">The fraction frozen at the end, in [0, 1].</param>
    /// <returns>The number of frozen layers and the names of the layers frozen by this call.</returns>
    public static (int Depth, IReadOnlyList<string> NewlyFrozen) Freeze(nn.Module model, double progress, double freezeStart = 0.5, double freezeLevel = 1.0)
    {
        var layers = Layers(model);
        var depth = FreezeDepth(layers.Count, progress, freezeStart, freezeLevel);
        var newly = new List<string>();
        for (var i = 0; i < depth; i++)
        {
            var changed = false;
            foreach (var p in layers[i].Layer.parameters())
            {
                if (!p.requires_grad) continue;
                p.requires_grad = false;
                p.grad = null;
                changed = true;
            }
            if (changed) newly.Add(layers[i].Name);
        }
        return (depth, newly);
    }

    private static void CheckUnit(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(name, value, $"The {name} must be in [0, 1].");
    }
}
