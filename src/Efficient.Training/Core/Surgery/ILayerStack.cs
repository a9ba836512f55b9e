namespace Efficient.Training;

/// <summary>
/// A model whose body is a stack of layers that can grow by copying its own layers (progressive
/// stacking, Gong et al., 2019): <c>ModelGrowth.Stack</c> doubles the depth of any module that
/// implements it. The library's <see cref="Models.BertEncoder"/> does; a user's own encoder takes the
/// technique by implementing these two members.
/// </summary>
public interface ILayerStack
{
    /// <summary>How many layers the stack has now.</summary>
    int LayerCount { get; }

    /// <summary>Layer <paramref name="index"/> of the stack (0 = nearest the input).</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The index is outside the stack.</exception>
    nn.Module GetLayer(int index);

    /// <summary>
    /// Appends a new layer on top of the stack whose parameters and buffers are copies of layer
    /// <paramref name="index"/>'s (a deep copy: the two train independently afterwards), registered so
    /// that <c>named_parameters()</c> lists it after the existing layers, in the source layer's
    /// training or evaluation mode, on its device and with its dtype. Returns the new layer.
    /// </summary>
    /// <param name="index">The layer to copy, in [0, <see cref="LayerCount"/>).</param>
    /// <exception cref="System.ArgumentOutOfRangeException">The index is outside the stack.</exception>
    /// <exception cref="System.InvalidOperationException">The layer cannot be copied (for example, surgery changed it into a structure the stack cannot rebuild); the message says why.</exception>
    nn.Module AppendCopyOf(int index);
}
