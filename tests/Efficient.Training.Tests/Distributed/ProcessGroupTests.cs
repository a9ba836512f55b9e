using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Efficient.Training.Tests.Distributed;

/// <summary>The binding in this process (a world of one rank); the multi-rank behaviour is in <see cref="MultiProcessTests"/>.</summary>
[Collection(ProcessGroupCollection.Name)]
public class ProcessGroupTests
{
    [Fact]
    public void BindingReportsItsBackends()
    {
        distributed.is_available().Should().BeTrue();
        distributed.is_backend_available("gloo").Should().BeTrue();
        distributed.is_backend_available("nccl").Should().BeFalse("Debian's libtorch has no NCCL");
    }

    [Fact]
    public void CollectivesWithoutAProcessGroupThrowAClearError()
    {
        distributed.is_initialized().Should().BeFalse();
        var rank = () => distributed.get_rank();
        rank.Should().Throw<InvalidOperationException>().WithMessage("The default process group is not initialized: call torch.distributed.init_process_group first.");
        using var t = ones(2);
        var reduce = () => distributed.all_reduce(t);
        reduce.Should().Throw<InvalidOperationException>();
        var ddp = () => new DistributedDataParallel(nn.Linear(2, 2));
        ddp.Should().Throw<InvalidOperationException>().WithMessage("*init_process_group*");
    }

    [Fact]
    public void InitArgumentsAreValidated()
    {
        var unknownBackend = () => distributed.init_process_group("mpi", "tcp://127.0.0.1:29500", world_size: 1, rank: 0);
        unknownBackend.Should().Throw<ArgumentException>().WithMessage("Backend 'mpi' is not available in this libtorch (expected 'gloo')*");
        var noRank = () => distributed.init_process_group("gloo", "tcp://127.0.0.1:29500");
        noRank.Should().Throw<ArgumentException>().WithMessage("With init_method 'tcp://127.0.0.1:29500', world_size and rank must be given*");
        var badPort = () => distributed.init_process_group("gloo", "tcp://127.0.0.1:99999", world_size: 1, rank: 0);
        badPort.Should().Throw<ArgumentException>().WithMessage("The port of init_method 'tcp://127.0.0.1:99999' is '99999', expected a port in [1, 65535].*");
        var badRank = () => distributed.init_process_group("gloo", "tcp://127.0.0.1:29500", world_size: 2, rank: 2);
        badRank.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rank");
        var scheme = () => distributed.init_process_group("gloo", "file:///tmp/x", world_size: 1, rank: 0);
        scheme.Should().Throw<ArgumentException>().WithMessage("init_method 'file:///tmp/x' is not supported*");
        if (Environment.GetEnvironmentVariable("MASTER_ADDR") is null)
        {
            var env = () => distributed.init_process_group();
            env.Should().Throw<ArgumentException>().WithMessage("Environment variable MASTER_ADDR is not set*");
        }
        distributed.is_initialized().Should().BeFalse();
    }

    [Fact]
    public void AWorldOfOneRankRunsTheWholeApi()
    {
        distributed.init_process_group("gloo", $"tcp://127.0.0.1:{FreePort()}", TimeSpan.FromSeconds(30), world_size: 1, rank: 0);
        try
        {
            distributed.is_initialized().Should().BeTrue();
            distributed.get_rank().Should().Be(0);
            distributed.get_world_size().Should().Be(1);
            var again = () => distributed.init_process_group("gloo", "tcp://127.0.0.1:29500", world_size: 1, rank: 0);
            again.Should().Throw<InvalidOperationException>().WithMessage("*already initialized*");

            using var t = tensor(new float[] { 1, 2 });
            distributed.all_reduce(t, distributed.ReduceOp.AVG);
            t.ToArray<float>().Should().Equal(1f, 2f);
            var ints = tensor(new long[] { 1 });
            var avgInt = () => distributed.all_reduce(ints, distributed.ReduceOp.AVG);
            avgInt.Should().Throw<ArgumentException>().WithMessage("ReduceOp.AVG needs a floating-point tensor*");
            var badSrc = () => distributed.broadcast(t, 1);
            badSrc.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("src");
            var gather = () => distributed.all_gather(new[] { zeros(2), zeros(2) }, t);
            gather.Should().Throw<ArgumentException>().WithMessage("all_gather needs one output tensor per rank (1), got 2.*");
            distributed.barrier(TimeSpan.FromSeconds(10));

            // A native c10d error surfaces as ExternalException with libtorch's message.
            var mismatched = new[] { zeros(3) };
            var native = () => distributed.all_gather(mismatched, t);
            native.Should().Throw<ExternalException>().WithMessage("all_gather*");

            // Buckets: reverse parameter order (b.bias 16 B, b.weight 64 B, a.bias 16 B, a.weight 64 B),
            // a new bucket when the 100-byte cap would be exceeded.
            using var model = nn.Sequential(("a", nn.Linear(4, 4)), ("b", nn.Linear(4, 4)));
            using var ddp = new DistributedDataParallel(model, bucketCapMB: 100.0 / (1024 * 1024));
            ddp.Buckets.Select(b => b.ToArray()).Should().BeEquivalentTo(new[] { new[] { 3, 2, 1 }, new[] { 0 } }, o => o.WithStrictOrdering());
            var badCap = () => new DistributedDataParallel(model, bucketCapMB: 0);
            badCap.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("bucketCapMB");

            // With one rank the synchronized gradient is the local one.
            using var x = randn(3, 4);
            ddp.call(x).sum().backward();
            var local = model.parameters().Select(p => p.grad!.clone()).ToList();
            ddp.FinishGradientSync();
            model.parameters().Select(p => p.grad!).Zip(local).Should().OnlyContain(pair => pair.First.equal(pair.Second));
        }
        finally
        {
            distributed.destroy_process_group();
        }
        distributed.is_initialized().Should().BeFalse();
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
        fit.Should().Throw<InvalidOperationException>().WithMessage("TrainerOptions.Distributed is set but the default process group is not initialized*");
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Tests that touch this process's (single, global) default process group run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class ProcessGroupCollection
{
    public const string Name = "torch.distributed process group";
}
