"""Expected values for the layer tests (NN/LayerParityTests.cs, NN/InitTests.cs, ...):
forward outputs, input gradients and parameter gradients of every layer, loss and functional
op, computed by PyTorch 1.13 on the same libtorch. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Torch.Tests/Reference/generate_layers.py

Every case stores its inputs, the module state (state_dict, PyTorch's names and order), the
outputs and, for the backward pass, the upstream gradient `gout` of each output (the test
back-propagates sum(out * gout)) with the resulting gradients. Floats are written in their
shortest float32 form to keep the file small.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261122)
torch.set_num_threads(1)


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {"dtype": "bool", "shape": list(t.shape), "data": [bool(v) for v in t.flatten().tolist()]}
    if t.dtype in (torch.int64, torch.int32):
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in t.flatten().tolist()]}
    flat = t.float().flatten().numpy()
    return {"dtype": "float32", "shape": list(t.shape), "data": [float(repr(np.float32(v))) for v in flat]}


def rnd(*shape, scale=1.0):
    # Rounded to 3 decimals: still generic values, but short in the JSON file.
    return torch.round(torch.randn(tuple(shape)) * scale * 1000) / 1000


cases = {}


def run(name, fn, inputs, module=None, grad_inputs=None, extra=None):
    """fn(*inputs) -> tensor or tuple of tensors (None entries are skipped)."""
    inputs = [x.clone() for x in inputs]
    if grad_inputs is None:
        grad_inputs = [x.is_floating_point() for x in inputs]
    for x, g in zip(inputs, grad_inputs):
        if g:
            x.requires_grad_(True)
    if module is not None:
        module.zero_grad(set_to_none=True)
    state = {k: enc(v) for k, v in module.state_dict().items()} if module is not None else {}
    state_keys = list(module.state_dict().keys()) if module is not None else []
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    gouts = [None if o is None or not o.requires_grad else rnd(*o.shape) for o in outs]
    loss = sum((o * g).sum() for o, g in zip(outs, gouts) if g is not None)
    if isinstance(loss, torch.Tensor):
        loss.backward()
    case = {
        "inputs": [enc(x) for x in inputs],
        "grad_inputs": grad_inputs,
        "state": state,
        "state_keys": state_keys,
        "outputs": [None if o is None else enc(o) for o in outs],
        "gouts": [None if g is None else enc(g) for g in gouts],
        "input_grads": [enc(x.grad) if (g and x.grad is not None) else None for x, g in zip(inputs, grad_inputs)],
        "param_grads": {k: enc(p.grad) for k, p in module.named_parameters() if p.grad is not None} if module is not None else {},
    }
    if module is not None:
        case["buffers_after"] = {k: enc(v) for k, v in module.named_buffers()}
    if extra:
        case.update(extra)
    cases[name] = case


def randomize(module, scale=0.5):
    """Non-trivial values for every parameter (and running stats), so nothing passes by accident."""
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(rnd(*p.shape, scale=scale))
        for n, b in module.named_buffers():
            if n.endswith("running_mean"):
                b.copy_(rnd(*b.shape, scale=0.3))
            elif n.endswith("running_var"):
                b.copy_(torch.round(torch.rand(*b.shape) * 1000) / 1000 + 0.5)
    return module


# ---- convolutions --------------------------------------------------------------------------
m = randomize(nn.Conv2d(3, 4, 3, stride=1, padding=1))
run("conv2d_basic", m, [rnd(2, 3, 6, 6)], m)
m = randomize(nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(2, 1), groups=2))
run("conv2d_groups_dilation", m, [rnd(2, 4, 7, 6)], m)
for mode in ["reflect", "replicate", "circular"]:
    m = randomize(nn.Conv2d(2, 3, 3, stride=1, padding=(1, 2), padding_mode=mode))
    run(f"conv2d_{mode}", m, [rnd(2, 2, 5, 6)], m)
m = randomize(nn.Conv2d(2, 3, 4, padding="same", bias=False))
run("conv2d_same_even", m, [rnd(1, 2, 6, 5)], m)
m = randomize(nn.Conv2d(2, 4, (3, 4), padding="same", dilation=(2, 1), padding_mode="circular", groups=2))
run("conv2d_same_circular", m, [rnd(2, 2, 6, 7)], m)
m = randomize(nn.Conv2d(2, 3, 3, padding="valid"))
run("conv2d_valid", m, [rnd(2, 2, 5, 5)], m)
m = randomize(nn.Conv2d(2, 3, 3, padding=1))
run("conv2d_unbatched", m, [rnd(2, 4, 4)], m)
m = randomize(nn.Conv1d(3, 4, 3, stride=2, padding=1))
run("conv1d_basic", m, [rnd(2, 3, 9)], m)
m = randomize(nn.Conv1d(4, 2, 4, padding="same", dilation=2, padding_mode="replicate", groups=2))
run("conv1d_same_replicate", m, [rnd(2, 4, 8)], m)

# ---- normalisation --------------------------------------------------------------------------
for name, mod, shape in [("batchnorm1d_2d", nn.BatchNorm1d(3), (5, 3)), ("batchnorm1d_3d", nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
                         ("batchnorm2d", nn.BatchNorm2d(3), (2, 3, 4, 4))]:
    m = randomize(mod)
    x = rnd(*shape, scale=2.0) + 1.0
    m.train()
    run(name + "_train", m, [x], m, extra={"num_batches_tracked_after": int(m.num_batches_tracked)})
    m.eval()
    run(name + "_eval", m, [x], m)

m = randomize(nn.BatchNorm2d(2, momentum=None))
m.train()
x1, x2 = rnd(3, 2, 2, 2), rnd(3, 2, 2, 2) * 3
with torch.no_grad():
    m(x1)
run("batchnorm2d_cumulative", m, [x2], m)
m = nn.BatchNorm2d(2, affine=False, track_running_stats=False)
run("batchnorm2d_stateless", m, [rnd(3, 2, 3, 3)], m)

m = randomize(nn.GroupNorm(2, 4))
run("groupnorm", m, [rnd(2, 4, 3, 3)], m)
m = randomize(nn.LayerNorm([3, 4]))
run("layernorm", m, [rnd(2, 3, 3, 4) * 2 + 1], m)

# ---- embedding -------------------------------------------------------------------------------
m = randomize(nn.Embedding(10, 4, padding_idx=1))
run("embedding_padding", m, [torch.tensor([[1, 2, 3], [4, 1, 9]])], m)
m = randomize(nn.Embedding(6, 3, max_norm=1.0), scale=2.0)
run("embedding_max_norm", m, [torch.tensor([0, 2, 2, 5])], m, extra={"weight_after": enc(m.weight)})

# ---- activations, dropout (eval), shape ----------------------------------------------------------
x = rnd(3, 5, scale=2.0)
for name, mod in [("relu", nn.ReLU()), ("gelu", nn.GELU()), ("gelu_tanh", nn.GELU(approximate="tanh")), ("silu", nn.SiLU()),
                  ("tanh", nn.Tanh()), ("sigmoid", nn.Sigmoid()), ("softmax", nn.Softmax(dim=1)), ("log_softmax", nn.LogSoftmax(dim=-1)),
                  ("identity", nn.Identity())]:
    run(name, mod, [x], mod)
run("flatten", nn.Flatten(), [rnd(2, 3, 2, 2)])
run("flatten_1_2", nn.Flatten(1, 2), [rnd(2, 3, 2, 2)])

# ---- pooling ---------------------------------------------------------------------------------
xp = rnd(1, 2, 7, 8)
run("maxpool2d", nn.MaxPool2d(3, stride=2, padding=1), [xp])
run("maxpool2d_rect_ceil", nn.MaxPool2d((2, 3), stride=(2, 2), ceil_mode=True), [xp])
run("maxpool2d_dilation", nn.MaxPool2d(2, stride=1, dilation=2), [xp])
run("avgpool2d", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [xp])
run("avgpool2d_divisor", nn.AvgPool2d((2, 3), divisor_override=4, ceil_mode=True), [xp])
run("adaptive_avgpool2d", nn.AdaptiveAvgPool2d((2, 3)), [xp])
run("adaptive_avgpool2d_square", nn.AdaptiveAvgPool2d(3), [xp])
out, idx = F.max_pool2d(xp, 3, 2, 1, return_indices=True)
cases["maxpool2d_indices"] = {"inputs": [enc(xp)], "indices": enc(idx)}

# ---- attention -------------------------------------------------------------------------------
E, H, L, S, N = 8, 2, 4, 5, 3
m = randomize(nn.MultiheadAttention(E, H))
x = rnd(L, N, E)
causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
kpm = torch.zeros(N, L, dtype=torch.bool)
kpm[1, 3] = True
kpm[2, 2] = True
run("mha_self", lambda t, am, kp: m(t, t, t, key_padding_mask=kp, need_weights=True, attn_mask=am), [x, causal, kpm], m, grad_inputs=[True, False, False])
m = randomize(nn.MultiheadAttention(E, H, bias=False))
run("mha_cross_float_mask", lambda q, k, v, am: m(q, k, v, need_weights=True, attn_mask=am), [rnd(L, N, E), rnd(S, N, E), rnd(S, N, E), rnd(L, S, scale=0.5)], m,
    grad_inputs=[True, True, True, False])
m = randomize(nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True, kdim=6, vdim=5))
run("mha_kdim_bias_kv", lambda q, k, v: m(q, k, v, need_weights=False), [rnd(L, N, E), rnd(S, N, 6), rnd(S, N, 5)], m)
m = randomize(nn.MultiheadAttention(E, H))
run("mha_unbatched", lambda q, kv: m(q, kv, kv), [rnd(L, E), rnd(S, E)], m)

for act in ["relu", "gelu"]:
    m = randomize(nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, activation=act), scale=0.4)
    m.train()
    run(f"encoder_layer_{act}", lambda t, kp: m(t, src_key_padding_mask=kp), [x, kpm], m, grad_inputs=[True, False])
layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0)
m = randomize(nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), scale=0.4)
m.train()
run("encoder", lambda t, am: m(t, mask=am), [x, causal], m, grad_inputs=[True, False])

# ---- losses ----------------------------------------------------------------------------------
logits = rnd(6, 4)
target = torch.tensor([0, 3, 1, 1, 2, 3])
cw = torch.rand(4) + 0.5
run("cross_entropy_module", lambda a, t, w: nn.CrossEntropyLoss(weight=w, ignore_index=2, label_smoothing=0.1)(a, t), [logits, target, cw], grad_inputs=[True, False, False])
run("cross_entropy_probs", lambda a, p: nn.CrossEntropyLoss(reduction="sum")(a, p), [logits, F.softmax(rnd(6, 4), dim=1)], grad_inputs=[True, False])
run("mse_sum", lambda a, b: nn.MSELoss(reduction="sum")(a, b), [rnd(3, 4), rnd(3, 4)], grad_inputs=[True, False])
run("nll_weighted", lambda a, t, w: nn.NLLLoss(weight=w)(a, t), [F.log_softmax(logits, 1), target, cw], grad_inputs=[True, False, False])
run("kl_div_log_target", lambda a, b: nn.KLDivLoss(log_target=True, reduction="sum")(a, b), [F.log_softmax(rnd(3, 5), 1), F.log_softmax(rnd(3, 5), 1)], grad_inputs=[True, False])
run("kl_div_prob_target", lambda a, b: nn.KLDivLoss(reduction="mean")(a, b), [F.log_softmax(rnd(3, 5), 1), F.softmax(rnd(3, 5), 1)], grad_inputs=[True, False])
run("bce_with_logits", lambda a, b, w, pw: nn.BCEWithLogitsLoss(weight=w, pos_weight=pw)(a, b), [rnd(4, 3), torch.rand(4, 3).round(), torch.rand(3) + 0.5, torch.rand(3) + 1],
    grad_inputs=[True, False, False, False])

# ---- functional ------------------------------------------------------------------------------
x4 = rnd(1, 2, 4, 5)
run("pad_constant", lambda t: F.pad(t, (1, 2, 2, 1), mode="constant", value=0.5), [x4])
for mode in ["reflect", "replicate", "circular"]:
    run(f"pad_{mode}", lambda t, mode=mode: F.pad(t, (1, 2, 2, 1), mode=mode), [x4])
run("interpolate_nearest", lambda t: F.interpolate(t, scale_factor=2.0, mode="nearest"), [x4])
run("interpolate_nearest_size", lambda t: F.interpolate(t, size=(7, 3), mode="nearest"), [x4])
run("interpolate_bilinear", lambda t: F.interpolate(t, size=(5, 7), mode="bilinear", align_corners=False), [x4])
run("interpolate_bilinear_align", lambda t: F.interpolate(t, scale_factor=(1.5, 2.0), mode="bilinear", align_corners=True), [x4])
run("interpolate_area", lambda t: F.interpolate(t, size=(3, 2), mode="area"), [x4])
run("interpolate_linear_1d", lambda t: F.interpolate(t, size=9, mode="linear"), [rnd(2, 3, 5)])
run("unfold", lambda t: F.unfold(t, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [x4])
run("unfold_square", lambda t: F.unfold(t, 2), [x4])
run("normalize", lambda t: F.normalize(t, p=2.0, dim=1), [x4])
run("normalize_p1_last", lambda t: F.normalize(t, p=1.0, dim=-1, eps=1e-6), [x4])
run("cosine_similarity", lambda a, b: F.cosine_similarity(a, b, dim=1), [rnd(4, 6), rnd(4, 6)])
run("l1_loss", lambda a, b: F.l1_loss(a, b), [rnd(3, 4), rnd(3, 4)])
run("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(a, b, reduction="sum", beta=0.5), [rnd(3, 4), rnd(3, 4)])
run("gelu_tanh_functional", lambda t: F.gelu(t, approximate="tanh"), [rnd(4, 4)])


def sdpa(q, k, v, mask=None, causal=False):
    # PyTorch 2.x semantics (boolean mask: True = may attend), written out for torch 1.13.
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if causal:
        keep = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return torch.softmax(scores, -1) @ v


q, k, v = rnd(2, 2, 4, 3), rnd(2, 2, 5, 3), rnd(2, 2, 5, 2)
keep = torch.rand(4, 5) > 0.3
keep[:, 0] = True
run("sdpa_bool_mask", lambda a, b, c, mk: sdpa(a, b, c, mask=mk), [q, k, v, keep], grad_inputs=[True, True, True, False])
run("sdpa_float_mask", lambda a, b, c, mk: sdpa(a, b, c, mask=mk), [q, k, v, rnd(4, 5)], grad_inputs=[True, True, True, False])
run("sdpa_causal", lambda a, b, c: sdpa(a, b, c, causal=True), [q, rnd(2, 2, 4, 3), rnd(2, 2, 4, 2)])

# ---- initialisation with a seed (same random stream as PyTorch) -----------------------------------
init = {}


def seeded(name, shape, fn):
    torch.manual_seed(1234)
    t = torch.empty(*shape)
    fn(t)
    init[name] = enc(t)


seeded("uniform_", (5, 4), lambda t: nn.init.uniform_(t, -0.3, 0.7))
seeded("normal_", (5, 4), lambda t: nn.init.normal_(t, 0.5, 2.0))
seeded("trunc_normal_", (6, 5), lambda t: nn.init.trunc_normal_(t, mean=0.5, std=2.0, a=-1.0, b=3.0))
seeded("kaiming_uniform_", (6, 4, 3), lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)))
seeded("kaiming_normal_", (6, 4, 3), lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"))
seeded("xavier_uniform_", (5, 7), lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh")))
seeded("xavier_normal_", (5, 7), lambda t: nn.init.xavier_normal_(t, gain=2.0))
gains = {n: nn.init.calculate_gain(n) for n in ["linear", "conv2d", "sigmoid", "tanh", "relu"]}
gains["leaky_relu_0.2"] = nn.init.calculate_gain("leaky_relu", 0.2)


def default_state(name, make):
    torch.manual_seed(99)
    mod = make()
    init["module:" + name] = {k: enc(v) for k, v in mod.state_dict().items()}
    init["keys:" + name] = list(mod.state_dict().keys())


default_state("Conv2d", lambda: nn.Conv2d(3, 4, 3))
default_state("Conv1d", lambda: nn.Conv1d(2, 3, 4, bias=False))
default_state("Embedding", lambda: nn.Embedding(5, 3, padding_idx=2))
default_state("BatchNorm2d", lambda: nn.BatchNorm2d(3))
default_state("LayerNorm", lambda: nn.LayerNorm(4))
default_state("GroupNorm", lambda: nn.GroupNorm(2, 4))
default_state("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2))
default_state("MultiheadAttention_kdim", lambda: nn.MultiheadAttention(4, 2, bias=False, add_bias_kv=True, kdim=3, vdim=2))
default_state("TransformerEncoderLayer", lambda: nn.TransformerEncoderLayer(4, 2, dim_feedforward=6))
default_state("TransformerEncoder", lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, dim_feedforward=6), 2, enable_nested_tensor=False))

out = {"cases": cases, "init": init, "gains": gains}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path}: {os.path.getsize(path) / 1024:.0f} KB, {len(cases)} cases")
