using System;
using Efficient.Torch.Interop;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>Linear algebra (<c>torch.linalg</c>): the subset the library needs.</summary>
    public static class linalg
    {
        /// <summary>
        /// The singular value decomposition A = U · diag(S) · Vh of a matrix (or a batch of matrices
        /// [*, m, n]), as <c>torch.linalg.svd</c>. The singular values S are real, non-negative and in
        /// descending order. Singular vectors are unique only up to sign.
        /// </summary>
        /// <param name="input">A floating-point tensor [*, m, n].</param>
        /// <param name="fullMatrices">True: U is [*, m, m] and Vh [*, n, n]; false (the reduced SVD): U is [*, m, k], Vh [*, k, n] with k = min(m, n).</param>
        /// <returns>U, S [*, k] and Vh.</returns>
        /// <exception cref="ArgumentException">The input has fewer than two dimensions or is not floating point.</exception>
        public static (Tensor U, Tensor S, Tensor Vh) svd(Tensor input, bool fullMatrices = true)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 2)
                throw new ArgumentException($"linalg.svd: the input has shape [{string.Join(", ", input.shape)}]; expected a matrix or a batch of matrices [*, m, n].", nameof(input));
            var rc = Native.ets_linalg_svd(input.HandleChecked, fullMatrices ? 1 : 0, out var u, out var s, out var vh);
            if (rc < 0) Native.ThrowLastError();
            return (new Tensor(new TensorHandle(u)), new Tensor(new TensorHandle(s)), new Tensor(new TensorHandle(vh)));
        }

        /// <summary>The singular values of a matrix (or a batch [*, m, n]) in descending order, as <c>torch.linalg.svdvals</c>.</summary>
        /// <param name="input">A floating-point tensor [*, m, n].</param>
        /// <returns>S [*, min(m, n)].</returns>
        /// <exception cref="ArgumentException">The input has fewer than two dimensions.</exception>
        public static Tensor svdvals(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.dim() < 2)
                throw new ArgumentException($"linalg.svdvals: the input has shape [{string.Join(", ", input.shape)}]; expected a matrix or a batch of matrices [*, m, n].", nameof(input));
            return Tensor.Wrap(Native.ets_linalg_svdvals(input.HandleChecked));
        }
    }
}
