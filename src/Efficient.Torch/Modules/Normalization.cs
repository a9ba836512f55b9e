using System;
using System.Linq;
using static Efficient.Torch.torch;

namespace Efficient.Torch.Modules;

/// <summary>
/// The state of a batch normalisation layer: the affine weight and bias [num_features] and the
/// running statistics (buffers <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>,
/// named as in PyTorch's state_dict).
/// </summary>
public abstract class NormBase : nn.Module<Tensor, Tensor>
{
    private Parameter? _weight;
    private Parameter? _bias;
    private Tensor? _running_mean;
    private Tensor? _running_var;
    private Tensor? _num_batches_tracked;

    /// <summary>Validates the arguments and creates the parameters and buffers (weight 1, bias 0, mean 0, variance 1).</summary>
    private protected NormBase(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
        : base(name)
    {
        if (num_features <= 0) throw new ArgumentException($"{name}: num_features is {num_features}; expected a positive number.", nameof(num_features));
        if (!(eps > 0)) throw new ArgumentException($"{name}: eps is {eps}; expected a positive value.", nameof(eps));
        if (momentum is { } m && !(m >= 0 && m <= 1)) throw new ArgumentException($"{name}: momentum is {m}; expected a value in [0, 1] (or null for a cumulative average).", nameof(momentum));
        this.num_features = num_features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.track_running_stats = track_running_stats;
        if (affine)
        {
            _weight = Owned.Param(empty(num_features, dtype, device));
            _bias = Owned.Param(empty(num_features, dtype, device));
            register_parameter("weight", _weight);
            register_parameter("bias", _bias);
        }
        if (track_running_stats)
        {
            _running_mean = Owned.Buffer(zeros(num_features, dtype, device));
            _running_var = Owned.Buffer(ones(num_features, dtype, device));
            _num_batches_tracked = Owned.Buffer(zeros(Array.Empty<long>(), ScalarType.Int64, device));
            register_buffer("running_mean", _running_mean);
            register_buffer("running_var", _running_var);
            register_buffer("num_batches_tracked", _num_batches_tracked);
        }
        reset_parameters();
    }

    /// <summary>Zeroes the running mean and the batch count and sets the running variance to one.</summary>
    public void reset_running_stats()
    {
        if (!track_running_stats) return;
        using (no_grad())
        {
            _running_mean!.zero_();
            _running_var!.fill_(1);
            _num_batches_tracked!.zero_();
        }
    }

    /// <summary>Resets the running statistics, the weight to one and the bias to zero.</summary>
    public void reset_parameters()
    {
        reset_running_stats();
        if (!affine) return;
        nn.init.ones_(_weight!);
        nn.init.zeros_(_bias!);
    }

    /// <summary>The weight, or null when not affine.</summary>
    private protected Parameter? WeightOrNull => _weight;

    /// <summary>The additive bias [num_features] (null when not affine).</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }

    /// <summary>The scale [num_features] (null when not affine).</summary>
    public Parameter weight
    {
        get => _weight!;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }

    /// <summary>The running mean [num_features] (null without running statistics).</summary>
    public Tensor? running_mean
    {
        get => _running_mean;
        set
        {
            _running_mean = value;
            ConditionallyRegisterBuffer("running_mean", value);
        }
    }

    /// <summary>The running (unbiased) variance [num_features] (null without running statistics).</summary>
    public Tensor? running_var
    {
        get => _running_var;
        set
        {
            _running_var = value;
            ConditionallyRegisterBuffer("running_var", value);
        }
    }

    /// <summary>The number of training batches seen, an int64 scalar (null without running statistics).</summary>
    public Tensor? num_batches_tracked
    {
        get => _num_batches_tracked;
        set
        {
            _num_batches_tracked = value;
            ConditionallyRegisterBuffer("num_batches_tracked", value);
        }
    }

    /// <summary>The number of features (channels).</summary>
    public long num_features { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps { get; set; }

    /// <summary>The running-statistics update factor; null for a cumulative moving average.</summary>
    public double? momentum { get; set; }

    /// <summary>Whether the layer has a learnable weight and bias.</summary>
    public bool affine { get; }

    /// <summary>Whether running statistics are kept (and used in evaluation mode).</summary>
    public bool track_running_stats { get; }
}

/// <summary>Batch normalisation: normalises each channel by the batch's statistics (training) or the running ones (evaluation).</summary>
public abstract class BatchNorm : NormBase
{
    private protected BatchNorm(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
        : base(name, num_features, eps, momentum, affine, track_running_stats, device, dtype)
    {
    }

    /// <summary>Throws when <paramref name="input"/> does not have a shape this layer accepts.</summary>
    private protected abstract void CheckInput(Tensor input);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        var channels = input.shape[1];
        if (channels != num_features)
            throw new ArgumentException($"{GetName()}: the input has {channels} channels (shape [{string.Join(", ", input.shape)}]); expected {num_features}.", nameof(input));

        // As PyTorch's _BatchNorm.forward: count the batch, pick the update factor (cumulative
        // average when momentum is null), use batch statistics in training or without running ones.
        var factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            using (no_grad()) num_batches_tracked.add_(1);
            if (momentum is null) factor = 1.0 / num_batches_tracked.ToDouble();
        }
        var useBatchStats = training || (running_mean is null && running_var is null);
        var keepStats = !training || track_running_stats;
        return nn.functional.batch_norm(input, keepStats ? running_mean : null, keepStats ? running_var : null, WeightOrNull, bias, useBatchStats, factor, eps);
    }
}

/// <summary>Batch normalisation over [N, C] or [N, C, L] input.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    internal BatchNorm1d(long num_features, double eps, double momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
        : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, device, dtype)
    {
    }

    private protected override void CheckInput(Tensor input)
    {
        if (input.dim() is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d: the input has shape [{string.Join(", ", input.shape)}]; expected 2-D [N, C] or 3-D [N, C, L] input.", nameof(input));
    }
}

/// <summary>Batch normalisation over [N, C, H, W] input.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    internal BatchNorm2d(long num_features, double eps, double momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
        : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, device, dtype)
    {
    }

    private protected override void CheckInput(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"BatchNorm2d: the input has shape [{string.Join(", ", input.shape)}]; expected 4-D [N, C, H, W] input.", nameof(input));
    }
}

/// <summary>Batch normalisation over [N, C, D, H, W] input.</summary>
public sealed class BatchNorm3d : BatchNorm
{
    internal BatchNorm3d(long num_features, double eps, double momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
        : base(nameof(BatchNorm3d), num_features, eps, momentum, affine, track_running_stats, device, dtype)
    {
    }

    private protected override void CheckInput(Tensor input)
    {
        if (input.dim() != 5)
            throw new ArgumentException($"BatchNorm3d: the input has shape [{string.Join(", ", input.shape)}]; expected 5-D [N, C, D, H, W] input.", nameof(input));
    }
}

/// <summary>Group normalisation: channels split into groups, each normalised over its channels and positions.</summary>
public sealed class GroupNorm : nn.Module<Tensor, Tensor>
{
    private Parameter? _weight;
    private Parameter? _bias;

    internal GroupNorm(long num_groups, long num_channels, double eps, bool affine, Device? device, ScalarType? dtype) : base(nameof(GroupNorm))
    {
        if (num_groups <= 0) throw new ArgumentException($"GroupNorm: num_groups is {num_groups}; expected a positive number.", nameof(num_groups));
        if (num_channels <= 0 || num_channels % num_groups != 0)
            throw new ArgumentException($"GroupNorm: num_channels is {num_channels}; expected a positive multiple of num_groups ({num_groups}).", nameof(num_channels));
        if (!(eps > 0)) throw new ArgumentException($"GroupNorm: eps is {eps}; expected a positive value.", nameof(eps));
        this.num_groups = num_groups;
        this.num_channels = num_channels;
        this.eps = eps;
        this.affine = affine;
        if (affine)
        {
            _weight = Owned.Param(ones(num_channels, dtype, device));
            _bias = Owned.Param(zeros(num_channels, dtype, device));
            register_parameter("weight", _weight);
            register_parameter("bias", _bias);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor)
    {
        if (tensor.dim() < 2 || tensor.shape[1] != num_channels)
            throw new ArgumentException($"GroupNorm: the input has shape [{string.Join(", ", tensor.shape)}]; expected [N, {num_channels}, ...].", nameof(tensor));
        return nn.functional.group_norm(tensor, num_groups, _weight, _bias, eps);
    }

    /// <summary>The per-channel scale (null when not affine).</summary>
    public Parameter? weight
    {
        get => _weight;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }

    /// <summary>The per-channel shift (null when not affine).</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }

    /// <summary>The number of groups.</summary>
    public long num_groups { get; }

    /// <summary>The number of channels.</summary>
    public long num_channels { get; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps { get; set; }

    /// <summary>Whether the layer has a learnable weight and bias.</summary>
    public bool affine { get; }
}

/// <summary>Layer normalisation over the trailing <see cref="normalized_shape"/> dimensions.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    private Parameter? _weight;
    private Parameter? _bias;

    internal LayerNorm(long[] normalized_shape, double eps, bool elementwise_affine, bool bias, Device? device, ScalarType? dtype) : base(nameof(LayerNorm))
    {
        ArgumentNullException.ThrowIfNull(normalized_shape);
        if (normalized_shape.Length == 0 || normalized_shape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: normalized_shape is [{string.Join(", ", normalized_shape)}]; expected one or more positive sizes.", nameof(normalized_shape));
        if (!(eps > 0)) throw new ArgumentException($"LayerNorm: eps is {eps}; expected a positive value.", nameof(eps));
        this.normalized_shape = normalized_shape.ToArray();
        this.eps = eps;
        this.elementwise_affine = elementwise_affine;
        if (elementwise_affine)
        {
            _weight = Owned.Param(empty(normalized_shape, dtype, device));
            register_parameter("weight", _weight);
            if (bias)
            {
                _bias = Owned.Param(empty(normalized_shape, dtype, device));
                register_parameter("bias", _bias);
            }
        }
        reset_parameters();
    }

    /// <summary>Sets the weight to one and the bias to zero.</summary>
    public void reset_parameters()
    {
        if (_weight is not null) nn.init.ones_(_weight);
        if (_bias is not null) nn.init.zeros_(_bias);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tensor)
    {
        var shape = tensor.shape;
        var n = normalized_shape.Length;
        if (shape.Length < n || !shape.Skip(shape.Length - n).SequenceEqual(normalized_shape))
            throw new ArgumentException($"LayerNorm: the input has shape [{string.Join(", ", shape)}]; expected it to end with [{string.Join(", ", normalized_shape)}].", nameof(tensor));
        return nn.functional.layer_norm(tensor, normalized_shape, _weight, _bias, eps);
    }

    /// <summary>The additive bias (null without elementwise affine or bias).</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }

    /// <summary>The elementwise scale (null without elementwise affine).</summary>
    public Parameter weight
    {
        get => _weight!;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }

    /// <summary>The trailing shape normalised over.</summary>
    public long[] normalized_shape { get; set; }

    /// <summary>Added to the variance for numerical stability.</summary>
    public double eps { get; set; }

    /// <summary>Whether the layer has a learnable elementwise weight (and bias).</summary>
    public bool elementwise_affine { get; set; }
}
