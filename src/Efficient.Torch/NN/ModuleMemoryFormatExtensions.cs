using System;
using System.Linq;

namespace Efficient.Torch;

/// <summary>
/// Memory-format conversion of a whole module, which TorchSharp does not offer (PyTorch's
/// <c>module.to(memory_format=torch.channels_last)</c>).
/// </summary>
public static class ModuleMemoryFormatExtensions
{
    /// <summary>
    /// Re-lays out every 4-D parameter of <paramref name="module"/> and its descendants (convolution
    /// weights) in <paramref name="memory_format"/>, in place: the parameters keep their identity (so
    /// optimizers built before stay valid) and their values; only the strides change. Other
    /// parameters and all buffers are left as they are.
    /// </summary>
    /// <param name="module">The module to convert.</param>
    /// <param name="memory_format"><see cref="torch.MemoryFormat.ChannelsLast"/> or <see cref="torch.MemoryFormat.Contiguous"/>.</param>
    /// <returns>The number of parameters converted.</returns>
    /// <exception cref="ArgumentException">The memory format is not ChannelsLast or Contiguous.</exception>
    public static int ToMemoryFormat(this torch.nn.Module module, torch.MemoryFormat memory_format)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (memory_format is not (torch.MemoryFormat.ChannelsLast or torch.MemoryFormat.Contiguous))
            throw new ArgumentException($"memory_format is {memory_format}; expected ChannelsLast or Contiguous for 4-D parameters.", nameof(memory_format));
        var converted = 0;
        foreach (var p in module.parameters().Where(p => p.dim() == 4))
        {
            if (p.is_contiguous(memory_format)) continue;
            using var relaid = p.detach().contiguous(memory_format);
            using (torch.no_grad()) p.SetData(relaid);
            converted++;
        }
        return converted;
    }
}
