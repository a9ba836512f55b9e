using System;
using System.Collections.Generic;

namespace Efficient.Torch;

public static partial class torch
{
    /// <summary>Utilities with TorchSharp's names (<c>torch.utils.data</c>).</summary>
    public static partial class utils
    {
        /// <summary>Datasets and data loaders (<c>torch.utils.data</c>).</summary>
        public static partial class data
        {
            /// <summary>
            /// A map-style dataset whose samples are dictionaries of named tensors; batch it with
            /// <see cref="Modules.DataLoader"/>.
            /// </summary>
            public abstract class Dataset : Dataset<Dictionary<string, Tensor>>
            {
            }

            /// <summary>
            /// A map-style dataset whose samples are lists of tensors (e.g. input and label); batch it
            /// with <see cref="Modules.IterableDataLoader"/>.
            /// </summary>
            public abstract class IterableDataset : Dataset<IList<Tensor>>
            {
            }

            /// <summary>
            /// A collection of <see cref="Count"/> samples addressed by index. A data loader with
            /// more than one worker calls <see cref="GetTensor"/> from several threads at once, so
            /// implementations must be safe for concurrent reads (or be used with <c>num_worker: 0</c>).
            /// Tensors a sample creates are disposed by the loader once the batch is collated.
            /// </summary>
            /// <typeparam name="T">The type of one sample.</typeparam>
            public abstract class Dataset<T> : IDisposable
            {
                /// <summary>Releases what the dataset owns.</summary>
                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                /// <summary>The number of samples.</summary>
                public abstract long Count { get; }

                /// <summary>The sample at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
                public abstract T GetTensor(long index);

                /// <summary>Releases what the dataset owns; the base implementation owns nothing.</summary>
                protected virtual void Dispose(bool disposing)
                {
                }
            }

            /// <summary>
            /// A dataset over tensors that share their first dimension: sample <c>i</c> is the list of
            /// each tensor's row <c>i</c>. The dataset references the tensors; it does not dispose them.
            /// </summary>
            /// <param name="tensors">Tensors with the same size in dimension 0.</param>
            public static Modules.TensorDataset TensorDataset(params Tensor[] tensors) => new(tensors);

            /// <summary>A loader over a dictionary dataset, drawing sample indices from <paramref name="shuffler"/>.</summary>
            /// <param name="dataset">The samples.</param>
            /// <param name="batchSize">Samples per batch (at least 1).</param>
            /// <param name="shuffler">The sample order; enumerated once per epoch.</param>
            /// <param name="device">Where batches are placed (default: CPU).</param>
            /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
            /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
            /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
            /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
            public static Modules.DataLoader DataLoader(Dataset dataset, int batchSize, IEnumerable<long> shuffler, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
                => new(dataset, batchSize, shuffler, device, num_worker, drop_last, disposeBatch, disposeDataset);

            /// <summary>A loader over a dictionary dataset, in order or shuffled.</summary>
            /// <param name="dataset">The samples.</param>
            /// <param name="batchSize">Samples per batch (at least 1).</param>
            /// <param name="shuffle">Draw a new random order every epoch.</param>
            /// <param name="device">Where batches are placed (default: CPU).</param>
            /// <param name="seed">Seed of the shuffle order (default: drawn from the default generator).</param>
            /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
            /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
            /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
            /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
            public static Modules.DataLoader DataLoader(Dataset dataset, int batchSize, bool shuffle = false, Device? device = null, int? seed = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
                => new(dataset, batchSize, shuffle, device, seed, num_worker, drop_last, disposeBatch, disposeDataset);

            /// <summary>A loader over a list dataset, drawing sample indices from <paramref name="shuffler"/>.</summary>
            /// <param name="dataset">The samples.</param>
            /// <param name="batchSize">Samples per batch (at least 1).</param>
            /// <param name="shuffler">The sample order; enumerated once per epoch.</param>
            /// <param name="device">Where batches are placed (default: CPU).</param>
            /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
            /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
            /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
            /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
            public static Modules.IterableDataLoader DataLoader(IterableDataset dataset, int batchSize, IEnumerable<long> shuffler, Device? device = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
                => new(dataset, batchSize, shuffler, device, num_worker, drop_last, disposeBatch, disposeDataset);

            /// <summary>A loader over a list dataset, in order or shuffled.</summary>
            /// <param name="dataset">The samples.</param>
            /// <param name="batchSize">Samples per batch (at least 1).</param>
            /// <param name="shuffle">Draw a new random order every epoch.</param>
            /// <param name="device">Where batches are placed (default: CPU).</param>
            /// <param name="seed">Seed of the shuffle order (default: drawn from the default generator).</param>
            /// <param name="num_worker">Background threads preparing batches; 0 prepares them on the consumer's thread.</param>
            /// <param name="drop_last">Drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
            /// <param name="disposeBatch">Dispose each batch's tensors when the next batch is requested.</param>
            /// <param name="disposeDataset">Dispose the dataset with the loader.</param>
            public static Modules.IterableDataLoader DataLoader(IterableDataset dataset, int batchSize, bool shuffle = false, Device? device = null, int? seed = null, int num_worker = 1, bool drop_last = false, bool disposeBatch = true, bool disposeDataset = true)
                => new(dataset, batchSize, shuffle, device, seed, num_worker, drop_last, disposeBatch, disposeDataset);
        }
    }
}
