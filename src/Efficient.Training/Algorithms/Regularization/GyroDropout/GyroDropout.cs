using System;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Gyro dropout (Lee et al., 2022; Composer's <c>gyro_dropout</c>): instead of a fresh random dropout
/// mask per sample and iteration, σ subnetwork masks over the features are pre-selected once
/// (<see cref="PreselectMasks"/>); each iteration trains τ of them (<see cref="SelectIndices"/>), the batch
/// split into τ consecutive groups, each multiplied by one mask (<see cref="Forward"/>); the τ masks are
/// re-selected every <see cref="IterationsPerSelection"/> iterations. At evaluation the layer is the
/// identity, as dropout. <see cref="Apply"/> replaces the model's <c>Dropout</c> modules by
/// <see cref="GyroDropoutLayer"/>s.
/// </summary>
public static class GyroDropout
{
    /// <summary>
    /// σ masks over <paramref name="features"/> features: each element is 1 (kept) when a uniform draw
    /// exceeds <paramref name="p"/>, else 0, as Composer's <c>(torch.rand(sigma, C) &gt; p).float()</c>.
    /// Returns a float32 tensor [σ, features].
    /// </summary>
    /// <param name="sigma">σ, the number of pre-selected subnetworks (≥ 1).</param>
    /// <param name="features">The size of the feature dimension (dim 1 of the layer's input, ≥ 1).</param>
    /// <param name="p">The dropout probability in [0, 1).</param>
    /// <param name="generator">The random generator (null: the global one).</param>
    /// <param name="device">Where the masks live (default CPU).</param>
    public static Tensor PreselectMasks(int sigma, long features, double p, Generator? generator = null, Device? device = null)
    {
        if (sigma < 1) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be >= 1.");
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "The number of features must be >= 1.");
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        using var scope = NewDisposeScope();
        var draws = rand(new long[] { sigma, features }, generator: generator);
        return draws.gt(p).to_type(ScalarType.Float32).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The indices of the τ masks trained next: τ draws, uniform over [0, σ) and with replacement, as
    /// Composer's <c>np.random.choice(sigma, tau)</c>. Returns an int64 tensor [τ].
    /// </summary>
    /// <param name="sigma">σ (≥ 1).</param>
    /// <param name="tau">τ, the number of subnetworks trained concurrently (≥ 1).</param>
    /// <param name="generator">The random generator (null: the global one).</param>
    public static Tensor SelectIndices(int sigma, int tau, Generator? generator = null)
    {
        if (sigma < 1) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be >= 1.");
        if (tau < 1) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Tau must be >= 1.");
        return randint(0, sigma, new long[] { tau }, dtype: ScalarType.Int64, generator: generator);
    }

    /// <summary>
    /// How many training iterations pass between two re-selections: Composer's
    /// <c>int(iters_per_epoch · max_epoch / sigma) · tau</c> with the run's total iterations, at least 1
    /// (Composer divides by zero when the run has fewer iterations than σ).
    /// </summary>
    /// <param name="totalIterations">The iterations (forward passes in training) of the whole run (≥ 0).</param>
    /// <param name="sigma">σ (≥ 1).</param>
    /// <param name="tau">τ (≥ 1).</param>
    public static long IterationsPerSelection(long totalIterations, int sigma, int tau)
    {
        if (totalIterations < 0) throw new ArgumentOutOfRangeException(nameof(totalIterations), totalIterations, "The total iterations must be >= 0.");
        if (sigma < 1) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be >= 1.");
        if (tau < 1) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Tau must be >= 1.");
        return Math.Max(1, totalIterations / sigma * tau);
    }

    /// <summary>
    /// The training forward of gyro dropout: row i of the batch (of size B) is multiplied by mask
    /// ⌊i · τ / B⌋ of <paramref name="selectedMasks"/> and by 1 / (1 − p). When τ divides B this is
    /// Composer's <c>x * repeat_interleave(selected_masks, B // tau, dim=0) / (1 - p)</c>. The masks act on
    /// dim 1 and are broadcast over the dimensions after it ([B, C, H, W]: whole channels).
    /// </summary>
    /// <param name="input">The input [B, C, ...] (at least two dimensions).</param>
    /// <param name="selectedMasks">The τ masks [τ, C] (1 kept, 0 dropped).</param>
    /// <param name="p">The dropout probability in [0, 1) (for the 1 / (1 − p) scale).</param>
    public static Tensor Forward(Tensor input, Tensor selectedMasks, double p)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(selectedMasks);
        if (input.dim() < 2) throw new ArgumentException($"The input has shape [{string.Join(", ", input.shape)}]; expected [batch, features, ...] (at least two dimensions).", nameof(input));
        if (selectedMasks.dim() != 2 || selectedMasks.shape[1] != input.shape[1] || selectedMasks.shape[0] < 1)
            throw new ArgumentException($"The selected masks have shape [{string.Join(", ", selectedMasks.shape)}]; expected [tau, {input.shape[1]}] (the input's dim 1).", nameof(selectedMasks));
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        using var scope = NewDisposeScope();
        var batch = input.shape[0];
        var tau = selectedMasks.shape[0];
        var group = arange(batch, dtype: ScalarType.Int64, device: input.device).mul(tau).div(batch, rounding_mode: RoundingMode.floor);
        var rows = selectedMasks.to(input.device).to_type(input.dtype).index_select(0, group);
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = batch;
        shape[1] = input.shape[1];
        return input.mul(rows.view(shape)).mul(1 / (1 - p)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Replaces every <c>Dropout</c> module of <paramref name="model"/> by a <see cref="GyroDropoutLayer"/>
    /// (Composer uses the algorithm's p, not the replaced layer's) and returns how many were replaced.
    /// </summary>
    /// <param name="model">The model (its Dropout modules must be held in fields of a base type, e.g. <c>nn.Module&lt;Tensor, Tensor&gt;</c>, or in containers).</param>
    /// <param name="options">p, σ and τ (default Composer's 0.5, 256, 16).</param>
    /// <param name="totalIterations">The run's training iterations, for <see cref="IterationsPerSelection"/>.</param>
    /// <param name="generator">The generator the layers draw from (null: the global one).</param>
    public static int Apply(nn.Module model, GyroDropoutOptions? options, long totalIterations, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new GyroDropoutOptions();
        options.Validate();
        var iterations = IterationsPerSelection(totalIterations, options.Sigma, options.Tau);
        return new ModelSurgery(model).ReplaceAll((_, m) => m is Dropout
            ? new GyroDropoutLayer(options.P, options.Sigma, options.Tau) { IterationsPerSelection = iterations, Generator = generator }
            : null);
    }
}

/// <summary>
/// Gyro dropout as a module (see <see cref="GyroDropout"/>). The pre-selected masks are drawn at the
/// first training forward pass (the feature count is known only then); every
/// <see cref="IterationsPerSelection"/> training forward passes, starting with the first, τ of them are
/// selected. In evaluation mode the input is returned unchanged.
/// </summary>
public sealed class GyroDropoutLayer : nn.Module<Tensor, Tensor>
{
    private Tensor? _masks;
    private Tensor? _indices;
    private Tensor? _selected;
    private long _iterations = 1;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">The dropout probability in [0, 1).</param>
    /// <param name="sigma">σ, the number of pre-selected subnetworks (≥ 1).</param>
    /// <param name="tau">τ, the number trained concurrently (≥ 1).</param>
    public GyroDropoutLayer(double p = 0.5, int sigma = 256, int tau = 16) : base(nameof(GyroDropoutLayer))
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        if (sigma < 1) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be >= 1.");
        if (tau < 1) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Tau must be >= 1.");
        P = p;
        Sigma = sigma;
        Tau = tau;
    }

    /// <summary>The dropout probability.</summary>
    public double P { get; }

    /// <summary>σ, the number of pre-selected subnetworks.</summary>
    public int Sigma { get; }

    /// <summary>τ, the number of subnetworks trained concurrently.</summary>
    public int Tau { get; }

    /// <summary>How many training forward passes pass between re-selections (≥ 1; see <see cref="GyroDropout.IterationsPerSelection"/>). Default 1.</summary>
    public long IterationsPerSelection
    {
        get => _iterations;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "IterationsPerSelection must be >= 1.");
            _iterations = value;
        }
    }

    /// <summary>The generator masks and selections are drawn from (null: the global one).</summary>
    public Generator? Generator { get; set; }

    /// <summary>The pre-selected masks [σ, features] (null before the first training forward pass).</summary>
    public Tensor? PreselectedMasks => _masks;

    /// <summary>The indices [τ] of the masks trained now (null before the first training forward pass).</summary>
    public Tensor? SelectedIndices => _indices;

    /// <summary>How many training forward passes the layer has run.</summary>
    public long TrainingStep { get; private set; }

    /// <summary>
    /// Restores the layer's state (from a checkpoint): the pre-selected masks, the selected indices (both
    /// null, or both given) and the training step.
    /// </summary>
    /// <param name="masks">[σ, features] masks, or null.</param>
    /// <param name="indices">[τ] int64 indices in [0, σ), or null.</param>
    /// <param name="trainingStep">The training forward passes run so far (≥ 0).</param>
    public void SetState(Tensor? masks, Tensor? indices, long trainingStep)
    {
        if ((masks is null) != (indices is null)) throw new ArgumentException("Give both the masks and the indices, or neither.", nameof(indices));
        if (masks is not null && (masks.dim() != 2 || masks.shape[0] != Sigma))
            throw new ArgumentException($"The masks have shape [{string.Join(", ", masks.shape)}]; expected [{Sigma}, features].", nameof(masks));
        if (indices is not null && (indices.dim() != 1 || indices.shape[0] != Tau))
            throw new ArgumentException($"The indices have shape [{string.Join(", ", indices.shape)}]; expected [{Tau}].", nameof(indices));
        if (trainingStep < 0) throw new ArgumentOutOfRangeException(nameof(trainingStep), trainingStep, "The training step must be >= 0.");
        DisposeState();
        _masks = masks?.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        _indices = indices?.to_type(ScalarType.Int64).clone().DetachFromDisposeScope();
        if (_masks is not null) _selected = _masks.index_select(0, _indices!.to(_masks.device)).DetachFromDisposeScope();
        TrainingStep = trainingStep;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!training) return input.alias();
        if (input.dim() < 2) throw new ArgumentException($"GyroDropoutLayer got an input of shape [{string.Join(", ", input.shape)}]; expected [batch, features, ...].", nameof(input));
        if (_masks is null)
            _masks = GyroDropout.PreselectMasks(Sigma, input.shape[1], P, Generator, input.device).DetachFromDisposeScope();
        else if (_masks.shape[1] != input.shape[1])
            throw new ArgumentException($"GyroDropoutLayer pre-selected masks for {_masks.shape[1]} features; the input has {input.shape[1]} (dim 1 of [{string.Join(", ", input.shape)}]).", nameof(input));
        if (TrainingStep % _iterations == 0 || _selected is null)
        {
            _indices?.Dispose();
            _selected?.Dispose();
            _indices = GyroDropout.SelectIndices(Sigma, Tau, Generator).DetachFromDisposeScope();
            _selected = _masks.index_select(0, _indices.to(_masks.device)).DetachFromDisposeScope();
        }
        TrainingStep++;
        return GyroDropout.Forward(input, _selected, P);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeState();
        base.Dispose(disposing);
    }

    private void DisposeState()
    {
        _masks?.Dispose();
        _indices?.Dispose();
        _selected?.Dispose();
        _masks = _indices = _selected = null;
    }
}
