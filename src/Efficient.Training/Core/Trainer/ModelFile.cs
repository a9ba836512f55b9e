using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Efficient.Training;

/// <summary>
/// Saves and loads a module's parameters and buffers in TorchSharp's own format
/// (<c>Module.save</c>/<c>Module.load</c>), whatever their memory layout: TorchSharp 0.107 reads and
/// writes only contiguous tensors, and <see cref="Algorithms.ChannelsLast"/> leaves 4-D weights in
/// channels-last layout. Files are written to a temporary name and renamed into place.
/// </summary>
public static class ModelFile
{
    /// <summary>Writes <paramref name="model"/>'s state dictionary to <paramref name="path"/> (readable by TorchSharp's <c>Module.load</c>).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using var scope = NewDisposeScope();
        try
        {
            var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.is_contiguous() ? kv.Value : kv.Value.contiguous());
            using (var stream = File.Create(temp))
            using (var writer = new BinaryWriter(stream))
                nn.Module.save_state_dict(writer, state);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="model"/> in place (parameters keep their
    /// identity and their memory layout).
    /// </summary>
    /// <param name="model">The module to load into.</param>
    /// <param name="path">A file written by <see cref="Save"/> or TorchSharp's <c>Module.save</c>.</param>
    /// <param name="strict">Whether the file must hold exactly the module's entries.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dictionary of this module (damaged, truncated, or another model's).</exception>
    public static void Load(nn.Module model, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ModelFile.Load: no model file at '{path}'.", path);
        // Make every non-contiguous entry contiguous for the load, then put its layout back.
        var relaid = new List<Tensor>();   // channels-last entries, restored after the load
        using (no_grad())
        {
            foreach (var t in model.state_dict().Values)
            {
                if (t.is_contiguous()) continue;
                if (Algorithms.ChannelsLast.IsChannelsLast(t)) relaid.Add(t);
                using var copy = t.detach().contiguous();
                t.set_(copy);
            }
        }
        try
        {
            model.load(path, strict: strict);
        }
        catch (Exception e) when (e is ArgumentException or EndOfStreamException or IOException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"ModelFile.Load: '{path}' is not a state dictionary of this {model.GetType().Name} ({e.Message}); expected a file written by ModelFile.Save or Module.save for the same architecture.", e);
        }
        finally
        {
            using var noGrad = no_grad();
            foreach (var t in relaid)
            {
                using var channelsLast = Algorithms.ChannelsLast.ToChannelsLast(t.detach());
                t.set_(channelsLast);
            }
        }
    }
}
