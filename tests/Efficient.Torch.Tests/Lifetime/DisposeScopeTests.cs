namespace Efficient.Torch.Tests.Lifetime;

public class DisposeScopeTests
{
    [Fact]
    public void TensorsCreatedInAScopeAreDisposedWithIt()
    {
        Tensor a, b;
        using (var scope = NewDisposeScope())
        {
            a = ones(3);
            b = a + 1;
            scope.DisposablesCount.Should().Be(2);
            scope.Contains(a).Should().BeTrue();
        }
        a.IsInvalid.Should().BeTrue();
        b.IsInvalid.Should().BeTrue();
    }

    [Fact]
    public void MovedOutTensorSurvivesAndBelongsToTheOuterScope()
    {
        using var outer = NewDisposeScope();
        Tensor kept, dropped;
        using (var inner = NewDisposeScope())
        {
            kept = ones(2).MoveToOuterDisposeScope();
            dropped = zeros(2);
            inner.Contains(kept).Should().BeFalse();
            outer.Contains(kept).Should().BeTrue();
        }
        kept.IsInvalid.Should().BeFalse();
        dropped.IsInvalid.Should().BeTrue();
        kept.sum().item<float>().Should().Be(2);
        outer.Dispose();
        kept.IsInvalid.Should().BeTrue();
    }

    [Fact]
    public void DetachedTensorIsNotDisposedByAnyScope()
    {
        Tensor detached;
        using (NewDisposeScope())
        {
            detached = ones(2).DetachFromDisposeScope();
        }
        detached.IsInvalid.Should().BeFalse();
        detached.Dispose();
        detached.IsInvalid.Should().BeTrue();
    }

    [Fact]
    public void MoveToOuterWithoutOuterScopeDetaches()
    {
        Tensor t;
        using (var scope = NewDisposeScope())
        {
            t = scope.MoveToOuter(ones(1));
        }
        t.IsInvalid.Should().BeFalse();
        t.Dispose();
    }

    [Fact]
    public void ManualDisposeRemovesFromScope()
    {
        using var scope = NewDisposeScope();
        var t = ones(1);
        t.Dispose();
        scope.DisposablesCount.Should().Be(0);
    }

    [Fact]
    public void DisposeEverythingButKeepsTheGivenTensors()
    {
        using var scope = NewDisposeScope();
        var a = ones(1);
        var b = ones(1);
        var c = ones(1);
        scope.DisposeEverythingBut(b);
        a.IsInvalid.Should().BeTrue();
        c.IsInvalid.Should().BeTrue();
        b.IsInvalid.Should().BeFalse();
        scope.DisposablesCount.Should().Be(1);
    }

    [Fact]
    public void WrappedTensorDisposeScopeReturnsOnlyTheResult()
    {
        using var outer = NewDisposeScope();
        var before = outer.DisposablesCount;
        var result = WrappedTensorDisposeScope(() => (ones(3) * 2 + 1).sum());
        outer.DisposablesCount.Should().Be(before + 1);
        result.item<float>().Should().Be(9);
    }

    [Fact]
    public void GradGetterRegistersInTheCurrentScope()
    {
        using var outer = NewDisposeScope();
        var w = ones(3).requires_grad_();
        (w * 2).sum().backward();
        Tensor g;
        using (var inner = NewDisposeScope())
        {
            g = w.grad!;
            inner.Contains(g).Should().BeTrue();
        }
        g.IsInvalid.Should().BeTrue();
        w.grad!.data<float>().ToArray().Should().Equal(2, 2, 2);
    }

    [Fact]
    public void ScopesAreIndependentPerThread()
    {
        using var scope = NewDisposeScope();
        Tensor? fromOtherThread = null;
        var thread = new System.Threading.Thread(() => fromOtherThread = ones(1));
        thread.Start();
        thread.Join();
        scope.Contains(fromOtherThread!).Should().BeFalse();
        fromOtherThread!.Dispose();
    }

}

[Collection(SequentialCollection.Name)]
public class NativeMemoryTests
{
    [Fact]
    public void NativeMemoryStaysFlatOver10000ScopedOps()
    {
        using var a = randn(64);
        using var b = randn(64);
        void Run(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                var c = a.add(b).mul(2).relu();
                _ = c.sum();
            }
        }

        Run(1000); // warm up allocator caches
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var nativeBefore = Tensor.NativeLiveCount;
        var managedBefore = Tensor.TotalCount;
        var rssBefore = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;

        Run(10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Tensor.NativeLiveCount.Should().Be(nativeBefore, "every native tensor created in a scope is freed with it");
        Tensor.TotalCount.Should().Be(managedBefore);
        var growth = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 - rssBefore;
        growth.Should().BeLessThan(16L << 20, "40,000 scoped ops must not grow the process by more than noise");
    }
}
