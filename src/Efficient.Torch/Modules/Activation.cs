using System;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>max(0, x), optionally in place.</summary>
public sealed class ReLU : ParameterLessModule<Tensor, Tensor>
{
    internal ReLU(bool inplace) : base(nameof(ReLU)) => this.inplace = inplace;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.relu(tensor, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }
}

/// <summary>Gaussian error linear unit x·Φ(x), exact or with the tanh approximation.</summary>
public sealed class GELU : ParameterLessModule<Tensor, Tensor>
{
    /// <summary>How Φ is computed.</summary>
    public enum Approximate
    {
        /// <summary>Exactly, with erf.</summary>
        none,
        /// <summary>With 0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
        tanh,
    }

    internal GELU(Approximate approximate, bool inplace) : base(nameof(GELU))
    {
        this.approximate = approximate;
        this.inplace = inplace;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.gelu(tensor, approximate, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }

    /// <summary>The approximation used.</summary>
    public Approximate approximate { get; set; }
}

/// <summary>Sigmoid linear unit (swish) x·σ(x).</summary>
public sealed class SiLU : ParameterLessModule<Tensor, Tensor>
{
    internal SiLU(bool inplace) : base(nameof(SiLU)) => this.inplace = inplace;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.silu(tensor, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : ParameterLessModule<Tensor, Tensor>
{
    internal Tanh(bool inplace) : base(nameof(Tanh)) => this.inplace = inplace;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.tanh(tensor, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }
}

/// <summary>Logistic sigmoid 1 / (1 + e⁻ˣ).</summary>
public sealed class Sigmoid : ParameterLessModule<Tensor, Tensor>
{
    internal Sigmoid(bool inplace) : base(nameof(Sigmoid)) => this.inplace = inplace;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.sigmoid(tensor, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }
}

/// <summary>Softmax along <see cref="dim"/>.</summary>
public sealed class Softmax : ParameterLessModule<Tensor, Tensor>
{
    internal Softmax(long dim) : base(nameof(Softmax)) => this.dim = dim;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.softmax(tensor, dim);

    /// <summary>The dimension that sums to one.</summary>
    public long dim { get; set; }
}

/// <summary>Log-softmax along <see cref="dim"/>.</summary>
public sealed class LogSoftmax : ParameterLessModule<Tensor, Tensor>
{
    internal LogSoftmax(long dim) : base(nameof(LogSoftmax)) => this.dim = dim;

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.log_softmax(tensor, dim);

    /// <summary>The dimension normalised over.</summary>
    public long dim { get; set; }
}

/// <summary>Returns its input unchanged (as a new tensor object sharing the same data).</summary>
public sealed class Identity : ParameterLessModule<Tensor, Tensor>
{
    internal Identity() : base(nameof(Identity)) { }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => tensor.alias();
}

/// <summary>Zeroes elements with probability <see cref="p"/> in training mode, scaling the rest by 1 / (1 − p).</summary>
public sealed class Dropout : ParameterLessModule<Tensor, Tensor>
{
    internal Dropout(double p, bool inplace) : base(nameof(Dropout))
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"Dropout: p is {p}; expected a probability in [0, 1].", nameof(p));
        this.p = p;
        this.inplace = inplace;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor) => nn.functional.dropout(tensor, p, training, inplace);

    /// <summary>Whether the input is overwritten.</summary>
    public bool inplace { get; set; }

    /// <summary>The probability of zeroing an element.</summary>
    public double p { get; set; }
}

/// <summary>Flattens dimensions <see cref="start_dim"/> to <see cref="end_dim"/> into one.</summary>
public sealed class Flatten : ParameterLessModule<Tensor, Tensor>
{
    internal Flatten(long start_dim, long end_dim) : base(nameof(Flatten))
    {
        this.start_dim = start_dim;
        this.end_dim = end_dim;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);

    /// <summary>The first dimension flattened.</summary>
    public long start_dim { get; set; }

    /// <summary>The last dimension flattened.</summary>
    public long end_dim { get; set; }
}
