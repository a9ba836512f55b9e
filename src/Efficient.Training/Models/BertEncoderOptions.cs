namespace Efficient.Training.Models;

/// <summary>
/// Options of <see cref="BertEncoder"/>. The defaults are BERT-base (Devlin et al., 2019); small
/// models for tests and samples set every size explicitly.
/// </summary>
public sealed class BertEncoderOptions : IValidatableOptions
{
    /// <summary>Vocabulary size (token ids are in [0, VocabSize)). Default 30522 (BERT's WordPiece); range ≥ 1.</summary>
    public long VocabSize { get; set; } = 30522;

    /// <summary>Hidden (model) dimension H. Default 768; range ≥ 1 and a multiple of <see cref="Heads"/>.</summary>
    public long HiddenSize { get; set; } = 768;

    /// <summary>Number of encoder layers. Default 12; range ≥ 1.</summary>
    public int Layers { get; set; } = 12;

    /// <summary>Attention heads per layer. Default 12; range ≥ 1, dividing <see cref="HiddenSize"/>.</summary>
    public int Heads { get; set; } = 12;

    /// <summary>Inner dimension of the feed-forward blocks. Default 3072 (4·H); range ≥ 1.</summary>
    public long IntermediateSize { get; set; } = 3072;

    /// <summary>Maximum sequence length (rows of the learned position embedding). Default 512; range ≥ 1.</summary>
    public long MaxLength { get; set; } = 512;

    /// <summary>Dropout on the embeddings and on each residual branch. Default 0.1; range [0, 1).</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>Dropout on the attention probabilities. Default 0.1; range [0, 1).</summary>
    public double AttentionDropout { get; set; } = 0.1;

    /// <summary>
    /// False (default, as BERT): post-LN layers, <c>x = LN(x + f(x))</c>. True: pre-LN layers,
    /// <c>x = x + f(LN(x))</c>, with a final LayerNorm after the last layer (more stable at high
    /// learning rates; the layout progressive layer dropping was designed for).
    /// </summary>
    public bool PreLayerNorm { get; set; }

    /// <summary>
    /// True (default, as BERT): the MLM decoder reuses the token-embedding matrix (plus its own
    /// bias). False: the decoder is a separate <c>Linear(H, VocabSize)</c>.
    /// </summary>
    public bool TieWordEmbeddings { get; set; } = true;

    /// <summary>Epsilon of every LayerNorm. Default 1e-12 (BERT); range &gt; 0.</summary>
    public double LayerNormEps { get; set; } = 1e-12;

    /// <summary>Standard deviation of the normal initialisation of weights and embeddings. Default 0.02 (BERT); range &gt; 0.</summary>
    public double InitializerRange { get; set; } = 0.02;

    /// <inheritdoc />
    public void Validate()
    {
        var v = new OptionsValidator(nameof(BertEncoderOptions));
        v.Require(VocabSize >= 1, nameof(VocabSize), VocabSize, "an integer >= 1");
        v.Require(HiddenSize >= 1 && (Heads < 1 || HiddenSize % Heads == 0), nameof(HiddenSize), HiddenSize, $"a positive multiple of Heads ({Heads})");
        v.Require(Layers >= 1, nameof(Layers), Layers, "an integer >= 1");
        v.Require(Heads >= 1, nameof(Heads), Heads, "an integer >= 1");
        v.Require(IntermediateSize >= 1, nameof(IntermediateSize), IntermediateSize, "an integer >= 1");
        v.Require(MaxLength >= 1, nameof(MaxLength), MaxLength, "an integer >= 1");
        v.Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "a probability in [0, 1)");
        v.Require(AttentionDropout >= 0 && AttentionDropout < 1, nameof(AttentionDropout), AttentionDropout, "a probability in [0, 1)");
        v.Positive(LayerNormEps, nameof(LayerNormEps));
        v.Positive(InitializerRange, nameof(InitializerRange));
        v.ThrowIfInvalid();
    }
}
