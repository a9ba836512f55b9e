using System;

namespace Efficient.Training.Algorithms;

/// <summary>
/// ColOut (Composer): drops a random subset of rows and columns from every image of a batch (the
/// same ones for the whole batch), giving smaller images and so cheaper steps, like a resize that
/// keeps pixel values. Targets with the input's spatial size (segmentation masks) lose the same rows
/// and columns.
/// </summary>
public static class ColOut
{
    /// <summary>
    /// Keeps rows <paramref name="keptRows"/> and columns <paramref name="keptColumns"/> (1-d integer
    /// index tensors, kept in the order given) of the last two dimensions of <paramref name="input"/>.
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor keptRows, Tensor keptColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(keptRows);
        ArgumentNullException.ThrowIfNull(keptColumns);
        if (input.dim() < 2) throw new ArgumentException($"ColOut expects images [..., H, W] (got [{string.Join(", ", input.shape)}]).", nameof(input));
        using var scope = NewDisposeScope();
        var rows = input.index_select(input.dim() - 2, keptRows.to_type(ScalarType.Int64));
        return rows.index_select(input.dim() - 1, keptColumns.to_type(ScalarType.Int64)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws which rows and columns to keep, as Composer does: <c>int((1 - pRow) * H)</c> rows and
    /// <c>int((1 - pCol) * W)</c> columns (at least one each), chosen by a random permutation from
    /// <paramref name="generator"/> and sorted so the image keeps its orientation.
    /// </summary>
    public static (Tensor rows, Tensor columns) DrawKept(long height, long width, double pRow = 0.15, double pCol = 0.15, Generator? generator = null)
    {
        if (!(pRow >= 0 && pRow < 1)) throw new ArgumentOutOfRangeException(nameof(pRow), pRow, "The row drop probability must be in [0, 1).");
        if (!(pCol >= 0 && pCol < 1)) throw new ArgumentOutOfRangeException(nameof(pCol), pCol, "The column drop probability must be in [0, 1).");
        using var scope = NewDisposeScope();
        var keepRows = Math.Max(1, (long)((1 - pRow) * height));
        var keepCols = Math.Max(1, (long)((1 - pCol) * width));
        var rows = randperm(height, generator: generator).narrow(0, 0, keepRows).sort().Values;
        var cols = randperm(width, generator: generator).narrow(0, 0, keepCols).sort().Values;
        return (rows.MoveToOuterDisposeScope(), cols.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Applies ColOut to a batch: the input loses the drawn rows and columns, and so does the target
    /// when its last two dimensions equal the input's (dense targets); other targets are unchanged.
    /// </summary>
    public static Batch Apply(Batch batch, double pRow = 0.15, double pCol = 0.15, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var input = batch.Input;
        if (input.dim() < 3) throw new ArgumentException($"ColOut expects a batch of images [B, ..., H, W] (got [{string.Join(", ", input.shape)}]).", nameof(batch));
        long h = input.shape[^2], w = input.shape[^1];
        var (rows, cols) = DrawKept(h, w, pRow, pCol, generator);
        var target = batch.Target;
        var denseTarget = target.dim() >= 3 && target.shape[^2] == h && target.shape[^1] == w;
        return batch.With(input: Apply(input, rows, cols), target: denseTarget ? Apply(target, rows, cols) : null);
    }
}
