using System.Collections.Generic;
using F = Efficient.Torch.torch.nn.functional;

namespace Efficient.Torch.Tests.Autograd;

/// <summary>
/// Gradients of composite expressions, of nn.functional ops and losses, autograd.grad (with
/// grad_outputs and create_graph for a second derivative), retain_graph, retain_grad and
/// backward(inputs:) against PyTorch (Reference/ref_autograd.json).
/// </summary>
public class AutogradTests
{
    private const string File = "ref_autograd.json";

    private static RefCase Case(string name) => Ref.Case(File, name);

    [Fact]
    public void CompositeExpressionWithBroadcasting()
    {
        using var scope = NewDisposeScope();
        var c = Case("composite");
        var (x, w, b, fw) = (c.Leaf("x"), c.Leaf("w"), c.Leaf("b"), c.T("fw"));
        var h = tanh(x.matmul(w) + b) * sigmoid(x.sum(1, keepdim: true));
        var output = h.pow(2) + exp(-h) / (1 + x.abs().mean());
        var loss = (output * fw).sum();
        loss.backward();
        c.Check(loss, "loss");
        c.Check(x.grad!, "x_grad");
        c.Check(w.grad!, "w_grad");
        c.Check(b.grad!, "b_grad");
    }

    [Fact]
    public void ElementwiseMathChain()
    {
        using var scope = NewDisposeScope();
        var c = Case("math_chain");
        var (p, q, fw) = (c.Leaf("p"), c.Leaf("q"), c.T("fw"));
        var y = log(p) * sqrt(p) + sin(q) * cos(p) - maximum(p, q) + where(q > 0, q * q, -q);
        y = y + clamp(q, -0.5, 0.5) + (p / (q.abs() + 1)).softmax(1) + q.logsumexp(1, keepdim: true);
        var loss = (y * fw).sum();
        loss.backward();
        c.Check(loss, "loss");
        c.Check(p.grad!, "p_grad");
        c.Check(q.grad!, "q_grad");
    }

    [Fact]
    public void ShapeAndIndexingOpsInTheGraph()
    {
        using var scope = NewDisposeScope();
        var c = Case("shape_chain");
        var (s, fw, idx) = (c.Leaf("s"), c.T("fw"), c.T("idx"));
        var z = s.permute(2, 1, 0).reshape(4, 6)[.., 1..4] * 2;
        z = z + s.sum(new long[] { 0 }).t() + s[1].t().flip(0);
        var g = s[0].gather(1, idx);
        var m = s.masked_fill(s > 1, 0).mean(new long[] { 0 });
        var loss = (z * fw).sum() + g.sum() * 0.5 + m.pow(2).sum() + stack(new[] { s[0, 0], s[1, 2] }).prod();
        loss.backward();
        c.Check(loss, "loss");
        c.Check(s.grad!, "s_grad");
    }

    [Fact]
    public void SmallNetworkOfFunctionalOps()
    {
        using var scope = NewDisposeScope();
        var c = Case("network");
        var names = new[] { "cw", "cb", "bnw", "bnb", "lnw", "lnb", "fcw", "fcb", "emb" };
        var p = names.ToDictionary(n => n, c.Leaf);
        var img = c.T("img");
        var runningMean = zeros(4);
        var runningVar = ones(4);

        var h = F.conv2d(img, p["cw"], p["cb"], padding: new long[] { 1 });
        h = F.batch_norm(h, runningMean, runningVar, p["bnw"], p["bnb"], training: true, momentum: 0.1);
        h = F.relu(h);
        h = F.max_pool2d(h, new long[] { 2 });
        h = F.group_norm(h, 2);
        h = F.gelu(h);
        h = F.avg_pool2d(h, new long[] { 3 }, new long[] { 1 }, new long[] { 1 });
        h = F.adaptive_avg_pool2d(h, new long[] { 1, 2 }).flatten(1);
        var e = F.embedding(c.T("tokens"), p["emb"], padding_idx: 0).reshape(2, 2, 8).mean(new long[] { 1 });
        h = F.layer_norm(h + e, new long[] { 8 }, p["lnw"], p["lnb"]);
        h = F.silu(h);
        var logits = F.linear(h, p["fcw"], p["fcb"]);
        var target = c.T("target");
        var loss = F.cross_entropy(logits, target, label_smoothing: 0.1) + 0.1 * F.mse_loss(softmax(logits, 1), F.one_hot(target, 5).@float());
        loss.backward();

        c.Check(loss, "loss");
        c.Check(runningMean, "running_mean");
        c.Check(runningVar, "running_var");
        foreach (var n in names) c.Check(p[n].grad!, n + "_grad");
    }

    [Fact]
    public void LossGradients()
    {
        using var scope = NewDisposeScope();
        var c = Case("losses");
        var (lg, bl, kin) = (c.Leaf("logits"), c.Leaf("bl"), c.Leaf("kin"));
        var loss = F.cross_entropy(lg, c.T("probs"), label_smoothing: 0.2)
            + F.cross_entropy(lg, tensor(new long[] { 1, -100, 4, 0 }), reduction: nn.Reduction.Sum)
            + F.binary_cross_entropy_with_logits(bl, c.T("bt"), pos_weights: tensor(new[] { 1.0f, 2.0f, 0.5f, 1.5f }))
            + F.kl_div(F.log_softmax(kin, 1), c.T("kt"), log_target: false, reduction: nn.Reduction.Sum);
        loss.backward();
        c.Check(loss, "loss");
        c.Check(lg.grad!, "logits_grad");
        c.Check(bl.grad!, "bl_grad");
        c.Check(kin.grad!, "kin_grad");
    }

    [Fact]
    public void SecondDerivativeThroughCreateGraph()
    {
        using var scope = NewDisposeScope();
        var c = Case("grad_second_order");
        var v = c.Leaf("v");
        var f = (v.pow(3) - 2 * v * sin(v)).sum();
        var first = autograd.grad(new[] { f }, new[] { v }, create_graph: true)[0];
        first.requires_grad.Should().BeTrue("create_graph records the gradient computation");
        var second = autograd.grad(new[] { first.sum() }, new[] { v })[0];
        c.Check(f, "f");
        c.Check(first, "first");
        c.Check(second, "second");
        v.grad.Should().BeNull("autograd.grad does not accumulate into .grad");
    }

    [Fact]
    public void BackwardWithCreateGraphGivesADifferentiableGradient()
    {
        using var scope = NewDisposeScope();
        var c = Case("grad_second_order");
        var v = c.Leaf("v");
        (v.pow(3) - 2 * v * sin(v)).sum().backward(create_graph: true);
        var first = v.grad!;
        first.requires_grad.Should().BeTrue();
        c.Check(first, "first");
        c.Check(autograd.grad(new[] { first.sum() }, new[] { v })[0], "second");
        v.grad = null; // breaks the parameter ↔ gradient-graph cycle
    }

    [Fact]
    public void GradWithGradOutputsAndSeveralInputs()
    {
        using var scope = NewDisposeScope();
        var c = Case("grad_outputs");
        var u = c.Leaf("u");
        var g = autograd.grad(new[] { u * u.exp() }, new[] { u }, new[] { c.T("go") });
        g.Should().HaveCount(1);
        c.Check(g[0], "grad");
        g[0].requires_grad.Should().BeFalse();

        var t = Case("grad_two_inputs");
        var (a, b) = (t.Leaf("a"), t.Leaf("c"));
        var fa = (a * b).sum() + a.pow(2).sum();
        var both = autograd.grad(new[] { fa }, new[] { a, b }, retain_graph: true);
        t.Check(both[0], "ga");
        t.Check(both[1], "gc");
        t.Check(autograd.grad(new[] { fa }, new[] { a })[0], "ga_again");
        Action freed = () => autograd.grad(new[] { fa }, new[] { a });
        freed.Should().Throw<Exception>("the graph was freed by the previous call");
    }

    [Fact]
    public void AllowUnusedGivesNull()
    {
        using var scope = NewDisposeScope();
        var a = ones(2).requires_grad_();
        var unused = ones(2).requires_grad_();
        var g = autograd.grad(new[] { (a * 3).sum() }, new[] { a, unused }, allow_unused: true);
        g[0].data<float>().ToArray().Should().Equal(3f, 3f);
        g[1].Should().BeNull();
    }

    [Fact]
    public void RetainGraphLetsBackwardRunTwiceAndGradientsAccumulate()
    {
        using var scope = NewDisposeScope();
        var c = Case("retain_graph");
        var k = c.Leaf("k");
        var loss = (k.exp() * k).sum();
        loss.backward(retain_graph: true);
        c.Check(k.grad!, "first");
        loss.backward();
        c.Check(k.grad!, "second");
        Action again = () => loss.backward();
        again.Should().Throw<Exception>("the graph was freed by the second backward");

        k.grad = null;
        k.grad.Should().BeNull();
        (k.exp() * k).sum().backward();
        c.Check(k.grad!, "first");
    }

    [Fact]
    public void RetainGradOnAnIntermediate()
    {
        using var scope = NewDisposeScope();
        var c = Case("retain_grad");
        var n = c.Leaf("n");
        var hidden = n * 3 + 1;
        hidden.is_leaf.Should().BeFalse();
        hidden.retain_grad();
        (hidden.sigmoid() * tensor(new[] { 1f, 2f, 3f, 4f }, new long[] { 2, 2 })).sum().backward();
        c.Check(hidden.grad!, "hidden_grad");
        c.Check(n.grad!, "n_grad");
    }

    [Fact]
    public void BackwardWithInputsAndWithASeedGradient()
    {
        using var scope = NewDisposeScope();
        var c = Case("backward_inputs");
        var (i1, i2) = (c.Leaf("i1"), c.Leaf("i2"));
        (i1 * i2).sum().backward(inputs: new[] { i1 });
        c.Check(i1.grad!, "i1_grad");
        i2.grad.Should().BeNull("only the listed inputs accumulate");

        var s = Case("backward_with_gradient");
        var x = s.Leaf("x");
        (x * x).backward(new[] { s.T("seed") });
        s.Check(x.grad!, "grad");
        x.grad = null;
        autograd.backward(x * x, s.T("seed"));
        s.Check(x.grad!, "grad");
    }

    [Fact]
    public void NoGradAndDetachCutTheGraph()
    {
        using var scope = NewDisposeScope();
        var x = ones(3).requires_grad_();
        using (no_grad())
        {
            is_grad_enabled().Should().BeFalse();
            (x * 2).requires_grad.Should().BeFalse();
        }
        is_grad_enabled().Should().BeTrue();
        (x * 2).requires_grad.Should().BeTrue();
        var d = (x * 2).detach();
        d.requires_grad.Should().BeFalse();
        d.is_leaf.Should().BeTrue();
        using (set_grad_enabled(false)) (x + 1).requires_grad.Should().BeFalse();
        using (inference_mode()) (x + 1).requires_grad.Should().BeFalse();

        // Updating a leaf in place under no_grad (the optimizer pattern) keeps it a leaf.
        var w = full(3, 2.0f).requires_grad_();
        (w * w).sum().backward();
        using (no_grad()) w.sub_(w.grad!, 0.25);
        w.is_leaf.Should().BeTrue();
        w.data<float>().ToArray().Should().Equal(1f, 1f, 1f);
    }

    [Fact]
    public void EveryReferenceCaseIsExercised()
    {
        // Keep in step with the tests above when cases are added to generate_reference.py.
        var covered = new HashSet<string>
        {
            "composite", "math_chain", "shape_chain", "network", "losses", "grad_second_order",
            "grad_outputs", "grad_two_inputs", "retain_graph", "retain_grad", "backward_inputs", "backward_with_gradient",
        };
        Ref.File(File).EnumerateObject().Select(p => p.Name).Where(n => !covered.Contains(n)).Should().BeEmpty();
    }
}
