using Efficient.Torch.Modules;

namespace Efficient.Torch.Tests.Lifetime;

/// <summary>A training loop with modules, an optimizer and a scheduler keeps native memory flat.</summary>
[Collection(SequentialCollection.Name)]
public class TrainingLoopMemoryTests
{
    private sealed class SmallNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv;
        private readonly BatchNorm2d bn;
        private readonly Linear head;

        public SmallNet() : base(nameof(SmallNet))
        {
            conv = nn.Conv2d(1, 8, 3, padding: 1);
            bn = nn.BatchNorm2d(8);
            head = nn.Linear(8, 4);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            head.call(nn.functional.adaptive_avg_pool2d(bn.call(conv.call(x)).relu(), 1).flatten(1));
    }

    [Fact]
    public void NativeTensorCountAndMemoryStayFlatOver1000Steps()
    {
        using var model = new SmallNet();
        using var x = randn(16, 1, 8, 8);
        using var y = randint(0, 4, new long[] { 16 });
        var opt = optim.AdamW(model.parameters(), lr: 1e-3);
        var scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, 1000);

        void Steps(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                opt.step();
                scheduler.step();
            }
        }

        Steps(50); // optimizer state is created on the first step
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var native = Tensor.NativeLiveCount;
        var managed = Tensor.TotalCount;
        var rss = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;

        Steps(1000);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Tensor.NativeLiveCount.Should().Be(native, "each step's tensors are freed by its dispose scope");
        Tensor.TotalCount.Should().Be(managed);
        (System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 - rss).Should().BeLessThan(32L << 20);
    }
}
