namespace Efficient.Training.Tests.Distributed;

/// <summary>
/// What works in this (test host) process, which never joins a process group: MPI can be initialized
/// only once per process, so everything with ranks runs in <see cref="MultiProcessTests"/>.
/// </summary>
public class ProcessGroupTests
{
    [Fact]
    public void WithoutInitializationEveryCallSaysWhatToDo()
    {
        ProcessGroup.IsInitialized.Should().BeFalse();
        const string expected = "The process group is not initialized: call ProcessGroup.Initialize() first (and launch the ranks with mpirun, see docs/distributed.md).";
        var rank = () => ProcessGroup.Rank;
        rank.Should().Throw<InvalidOperationException>().WithMessage(expected);
        var world = () => ProcessGroup.WorldSize;
        world.Should().Throw<InvalidOperationException>().WithMessage(expected);
        using var t = ones(2);
        var reduce = () => ProcessGroup.AllReduce(t);
        reduce.Should().Throw<InvalidOperationException>().WithMessage(expected);
        var broadcast = () => ProcessGroup.Broadcast(t);
        broadcast.Should().Throw<InvalidOperationException>().WithMessage(expected);
        var barrier = () => ProcessGroup.Barrier();
        barrier.Should().Throw<InvalidOperationException>().WithMessage(expected);
        var ddp = () => new DistributedDataParallel(nn.Linear(2, 2));
        ddp.Should().Throw<InvalidOperationException>().WithMessage("DistributedDataParallel needs the process group: call ProcessGroup.Initialize() first*");
        ProcessGroup.Shutdown(); // nothing to do
    }

    [Fact]
    public void InitializeRejectsANonPositiveTimeout()
    {
        var act = () => ProcessGroup.Initialize(TimeSpan.Zero);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("timeout");
        ProcessGroup.IsInitialized.Should().BeFalse();
    }

    [Fact]
    public void OpenMpiIsInstalled()
    {
        MpiNative.TryLoad(out var error).Should().BeTrue(error);
        MpiNative.CommWorld.Should().NotBe(IntPtr.Zero);
        MpiNative.Float.Should().NotBe(MpiNative.Double);
    }

    [Fact]
    public void BucketsFollowReverseParameterOrderUnderTheByteCap()
    {
        // Reverse order: b.bias 16 B, b.weight 64 B, a.bias 16 B, a.weight 64 B; a new bucket when the
        // 100-byte cap would be exceeded.
        using var model = nn.Sequential(("a", nn.Linear(4, 4)), ("b", nn.Linear(4, 4)));
        using var reducer = new GradientReducer(model, model.parameters().ToList(), 100.0 / (1024 * 1024), worldSize: 1, timeout: null);
        reducer.Buckets.Select(b => b.ToArray()).Should().BeEquivalentTo(new[] { new[] { 3, 2, 1 }, new[] { 0 } }, o => o.WithStrictOrdering());
        using var big = new GradientReducer(model, model.parameters().ToList(), 25, worldSize: 1, timeout: null);
        big.Buckets.Should().ContainSingle().Which.Should().Equal(3, 2, 1, 0);
    }

    [Fact]
    public void MpiCannotReduceEveryType()
    {
        var act = () => ProcessGroup.ReduceType(ScalarType.Bool, "tensor");
        act.Should().Throw<ArgumentException>().WithMessage("Cannot reduce a Bool tensor; expected float32, float64, float16, bfloat16, int32 or int64.*")
            .Which.ParamName.Should().Be("tensor");
        ProcessGroup.ReduceType(ScalarType.BFloat16, "tensor").Wire.Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void TrainerOptionsValidateTheDistributedOptions()
    {
        var options = new TrainerOptions
        {
            Model = nn.Linear(2, 2),
            Optimizer = p => optim.SGD(p, 0.1),
            TrainData = new TensorTrainingData(zeros(4, 2), zeros(4, ScalarType.Int64), 2),
            Distributed = new DistributedOptions { BucketCapMB = 0, Timeout = TimeSpan.Zero },
        };
        var act = () => options.Validate();
        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Property Distributed.BucketCapMB: 0 is invalid; expected a positive number of MiB",
            "Property Distributed.Timeout: 00:00:00 is invalid; expected a positive time span or null");
    }

    [Fact]
    public void TrainerWithDistributedOptionsNeedsAProcessGroup()
    {
        var trainer = new Trainer(new TrainerOptions
        {
            Model = nn.Linear(2, 2),
            Optimizer = p => optim.SGD(p, 0.1),
            TrainData = new TensorTrainingData(zeros(4, 2), zeros(4, ScalarType.Int64), 2),
            MaxDuration = Duration.Batches(1),
            Distributed = new DistributedOptions(),
        });
        var fit = () => trainer.Fit();
        fit.Should().Throw<InvalidOperationException>().WithMessage("TrainerOptions.Distributed is set but the process group is not initialized: call ProcessGroup.Initialize() first*");
    }
}
