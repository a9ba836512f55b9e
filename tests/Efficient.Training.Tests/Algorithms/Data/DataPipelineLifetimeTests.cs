using Efficient.Training.Algorithms;
using Efficient.Training.Tests.Core;

namespace Efficient.Training.Tests.Algorithms.Data;

/// <summary>DataEchoing and BatchSizeRampUp hold fresh batches across the trainer's per-batch scopes: nothing may stay behind.</summary>
public class DataPipelineLifetimeTests
{
    private static long Steps(Func<long, ITrainingData> epochSource, long steps)
    {
        long done = 0;
        for (long epoch = 0; done < steps; epoch++)
        {
            // As the trainer iterates: each MoveNext and its batch in one dispose scope.
            using var batches = epochSource(epoch).GetEpoch(epoch).GetEnumerator();
            while (done < steps)
            {
                using var scope = NewDisposeScope();
                if (!batches.MoveNext()) break;
                (batches.Current.Input.sum() + batches.Current.Target.sum()).item<float>();
                done++;
            }
        }
        return done;
    }

    [Fact]
    public void EchoedAndRampedSourcesLeakNoTensorOverAThousandSteps()
    {
        using var x = rand(18, 3);
        using var y = arange(18, dtype: ScalarType.Float32);
        var data = new TensorTrainingData(x, y, 4, seed: 1);
        var ramp = new BatchSizeRampUpOptions { StartBatchSize = 1, FullBatchSize = 7, Increment = 2, RampDuration = "400sp" };
        var schedule = new RampSchedule(ramp, 4, null, "test");
        var before = LiveTensors.Count();
        Steps(e => new EchoedTrainingData(data, 2, DataEchoingMode.Batch, 8, 3, e), 1000).Should().Be(1000);
        Steps(e => new EchoedTrainingData(data, 2.5, DataEchoingMode.Example, 2, 3, e), 1000).Should().Be(1000);
        long batches = 0;
        Steps(e =>
        {
            var source = new RampedTrainingData(data, schedule, e, batches, e * 18, "test");
            batches += source.BatchesPerEpoch!.Value;
            return source;
        }, 1000).Should().Be(1000);
        var after = LiveTensors.Count();
        (after - before).Should().BeLessThan(50);
    }
}
