using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Efficient.Training;

/// <summary>
/// The model preparation behind <see cref="LowPrecision.Apply"/> and <see cref="Precision.Bf16Autocast"/>:
/// lowers the matmul/convolution layers that can be replaced and guards the float32 modules.
/// </summary>
internal static class LowPrecisionSurgery
{
    // Modules that already carry the float32 input guard (so preparing twice adds nothing).
    private static readonly ConditionalWeakTable<nn.Module, object> Guarded = new();

    /// <summary>Lowers what can be lowered, guards the rest; returns how many layers compute in low precision.</summary>
    public static int Apply(ModelSurgery surgery)
    {
        var root = surgery.Root;
        surgery.ReplaceAll((path, module) => path.Length > 0 && CanReplace(root, path, module) ? Replacement(module) : null);
        var lowered = 0;
        foreach (var (_, module) in root.named_modules().Prepend(("", root)))
        {
            if (module is ILowPrecisionAware) lowered += module is LowPrecisionLinear or LowPrecisionConvolution ? 1 : 0;
            else Guard(module);
        }
        return lowered;
    }

    /// <summary>The low-precision replacement of <paramref name="module"/>, or null when it has none.</summary>
    internal static nn.Module? Replacement(nn.Module module) => module switch
    {
        Linear linear => new LowPrecisionLinear(linear),
        Conv1d conv => new LowPrecisionConvolution(conv, 1),
        Conv2d conv => new LowPrecisionConvolution(conv, 2),
        Conv3d conv => new LowPrecisionConvolution(conv, 3),
        _ => null,
    };

    /// <summary>
    /// Whether the parent of <paramref name="path"/> can take another module type there: every field
    /// of the parent that holds the module must be able to hold a replacement (a field typed
    /// <c>Linear</c> cannot, TorchSharp's layers being sealed).
    /// </summary>
    internal static bool CanReplace(nn.Module root, string path, nn.Module module)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent.named_children().FirstOrDefault(c => c.name == part).module;
            if (parent is null) return false;
        }
        for (var type = parent.GetType(); type is not null; type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!field.FieldType.IsAssignableFrom(typeof(LowPrecisionLinear)) && ReferenceEquals(field.GetValue(parent), module))
                    return false;
        return true;
    }

    // BatchNorm takes a low-precision input with float32 weights and statistics (CPU and CUDA) and
    // returns the input's precision, as under autocast; every other module with floating parameters
    // of its own gets its input in its parameters' precision.
    private static void Guard(nn.Module module)
    {
        if (module is BatchNorm1d or BatchNorm2d or BatchNorm3d) return;
        if (module is not nn.Module<Tensor, Tensor> hookable) return;
        if (!module.named_parameters(recurse: false).Any(p => p.parameter.is_floating_point())) return;
        if (Guarded.TryGetValue(module, out _)) return;
        hookable.register_forward_pre_hook(CastInputToParameters);
        Guarded.Add(module, module);
    }

    private static Tensor CastInputToParameters(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        if (!LowPrecision.IsEnabled || input is null || !LowPrecision.IsCastable(input.dtype)) return input!;
        foreach (var (_, p) in module.named_parameters(recurse: false))
        {
            if (!p.is_floating_point()) continue;
            return p.dtype == input.dtype || !LowPrecision.IsCastable(p.dtype) ? input : input.to(p.dtype);
        }
        return input;
    }
}
