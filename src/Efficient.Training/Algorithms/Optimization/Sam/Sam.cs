using System;
using System.Collections.Generic;
using System.Linq;

namespace Efficient.Training.Algorithms;

/// <summary>
/// Sharpness-aware minimization (Foret et al., 2021; as Composer's SAM): the gradient is taken at
/// the worst nearby point <c>w + e(w)</c>, <c>e(w) = ρ·g / (‖g‖ + ε)</c> (‖g‖ the global L2 norm),
/// and the base optimizer then steps from <c>w</c> with that gradient. Two forward/backward passes per
/// step. In a hand-written loop:
/// <code>
/// loss.backward();                                   // gradients at w
/// Sam.Step(model.parameters(), () => { optimizer.zero_grad(); var l = lossFn(model.call(x), y); l.backward(); return l; },
///          () => optimizer.step(), rho: 0.05);
/// </code>
/// </summary>
public static class Sam
{
    /// <summary>
    /// Moves every parameter that has a gradient to <c>w + ρ·g / (‖g‖ + ε)</c> and returns the
    /// perturbation, to be undone with <see cref="SamPerturbation.Restore"/> once the gradients at the
    /// perturbed point are computed.
    /// </summary>
    /// <param name="parameters">The parameters (with gradients at <c>w</c>).</param>
    /// <param name="rho">ρ ≥ 0, the radius of the neighbourhood.</param>
    /// <param name="epsilon">ε ≥ 0, added to the gradient norm.</param>
    public static SamPerturbation Perturb(IEnumerable<Parameter> parameters, double rho = 0.05, double epsilon = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(rho >= 0) || double.IsInfinity(rho)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be a finite value >= 0.");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite value >= 0.");
        var withGrad = new List<(Parameter p, Tensor g)>();
        foreach (var p in parameters)
        {
            if (p is null) throw new ArgumentException("A parameter is null.", nameof(parameters));
            if (p.grad is { } g) withGrad.Add((p, g));
        }
        var perturbations = new List<(Parameter p, Tensor e)>();
        if (withGrad.Count == 0) return new SamPerturbation(perturbations, 0);
        double norm;
        using (NewDisposeScope())
        using (no_grad())
        {
            var normTensor = stack(withGrad.Select(x => x.g.norm())).norm();
            norm = normTensor.ToDouble();
            var scale = rho / (normTensor + epsilon);
            foreach (var (p, g) in withGrad)
            {
                var e = (g * scale).DetachFromDisposeScope();
                p.add_(e);
                perturbations.Add((p, e));
            }
        }
        return new SamPerturbation(perturbations, norm);
    }

    /// <summary>
    /// One SAM step: perturbs the parameters (<see cref="Perturb"/>), recomputes the gradients there with
    /// <paramref name="recomputeGradients"/> (which must zero them and run forward and backward),
    /// restores the parameters and calls <paramref name="optimizerStep"/>. Returns the loss at the
    /// perturbed point.
    /// </summary>
    /// <param name="parameters">The parameters, with gradients at the current point.</param>
    /// <param name="recomputeGradients">Zeroes the gradients, runs forward and backward, returns the loss.</param>
    /// <param name="optimizerStep">The base optimizer's step.</param>
    /// <param name="rho">ρ ≥ 0 (Composer's default 0.05).</param>
    /// <param name="epsilon">ε ≥ 0 (default 1e-12).</param>
    public static Tensor Step(IEnumerable<Parameter> parameters, Func<Tensor> recomputeGradients, Action optimizerStep, double rho = 0.05, double epsilon = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(recomputeGradients);
        ArgumentNullException.ThrowIfNull(optimizerStep);
        Tensor loss;
        using (var perturbation = Perturb(parameters, rho, epsilon))
        {
            loss = recomputeGradients();
            perturbation.Restore();
        }
        optimizerStep();
        return loss;
    }
}

/// <summary>A SAM perturbation applied to parameters; <see cref="Restore"/> (or disposal) moves them back.</summary>
public sealed class SamPerturbation : IDisposable
{
    private readonly List<(Parameter p, Tensor e)> _perturbations;
    private bool _restored;

    internal SamPerturbation(List<(Parameter p, Tensor e)> perturbations, double gradientNorm)
    {
        _perturbations = perturbations;
        GradientNorm = gradientNorm;
    }

    /// <summary>The global L2 norm of the gradients the perturbation was computed from.</summary>
    public double GradientNorm { get; }

    /// <summary>Subtracts the perturbation from the parameters (once; later calls do nothing).</summary>
    public void Restore()
    {
        if (_restored) return;
        _restored = true;
        using (no_grad())
        {
            foreach (var (p, e) in _perturbations)
            {
                p.sub_(e);
                e.Dispose();
            }
        }
    }

    /// <summary>Restores the parameters if <see cref="Restore"/> was not called.</summary>
    public void Dispose() => Restore();
}
