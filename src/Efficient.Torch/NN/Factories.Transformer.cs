using Efficient.Torch.Modules;

namespace Efficient.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Multi-head attention over sequence-first input, initialised like PyTorch (Xavier-uniform
        /// input projection, zero biases, Kaiming-uniform output projection).
        /// </summary>
        /// <param name="embedded_dim">The model dimension E.</param>
        /// <param name="num_heads">The number of heads (divides E).</param>
        /// <param name="dropout">Dropout on the attention weights in training mode.</param>
        /// <param name="bias">Whether the projections have biases.</param>
        /// <param name="add_bias_kv">Append a learned bias to the key and value sequences.</param>
        /// <param name="add_zero_attn">Append a zero key and value.</param>
        /// <param name="kdim">The key dimension (default E).</param>
        /// <param name="vdim">The value dimension (default E).</param>
        public static MultiheadAttention MultiheadAttention(long embedded_dim, long num_heads, double dropout = 0.0, bool bias = true, bool add_bias_kv = false, bool add_zero_attn = false, long? kdim = null, long? vdim = null)
            => new(embedded_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn, kdim ?? embedded_dim, vdim ?? embedded_dim, null, null);

        /// <summary>A post-norm transformer encoder layer over sequence-first input [S, N, E], initialised like PyTorch.</summary>
        /// <param name="d_model">The model dimension E.</param>
        /// <param name="nhead">The number of attention heads (divides E).</param>
        /// <param name="dim_feedforward">The hidden size of the feed-forward block.</param>
        /// <param name="dropout">The dropout probability.</param>
        /// <param name="activation">The feed-forward activation.</param>
        public static TransformerEncoderLayer TransformerEncoderLayer(long d_model = 512, long nhead = 8, long dim_feedforward = 2048, double dropout = 0.1, Activations activation = nn.Activations.ReLU)
            => new(d_model, nhead, dim_feedforward, dropout, activation);

        /// <summary>A stack of <paramref name="num_layers"/> copies of <paramref name="encoder_layer"/> (which stays the caller's).</summary>
        /// <param name="encoder_layer">The layer to copy.</param>
        /// <param name="num_layers">The number of copies.</param>
        public static TransformerEncoder TransformerEncoder(TransformerEncoderLayer encoder_layer, long num_layers) => new(encoder_layer, num_layers);
    }
}
