using Xunit;

// The samples seed libtorch's process-wide generator: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
