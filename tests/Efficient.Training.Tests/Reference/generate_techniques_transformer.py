"""Reference values for the transformer model and techniques (BertEncoder, GatedLinearUnits,
ALiBi, progressive layer dropping), computed with PyTorch 1.13. Run with /usr/bin/python3:

    /usr/bin/python3 tests/Efficient.Training.Tests/Reference/generate_techniques_transformer.py

Writes techniques_transformer.json next to this file. Weights and inputs are stored, so the C#
tests load the same numbers instead of depending on a random number generator. Attention is
computed with torch.nn.MultiheadAttention (batch_first), an implementation independent of ours."""
import json
import math
import os

import torch
import torch.nn.functional as F
from reference_common import flat

torch.manual_seed(0)
out = {}


def alibi_slopes(n):
    # Press et al. (2022), github.com/ofirpress/attention_with_linear_biases (and Composer).
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][:n - closest]


def alibi_bias(heads, s):
    # Composer's bidirectional (BERT) form: -slope * |i - j|.
    pos = torch.arange(s)
    rel = (pos[None, :] - pos[:, None]).abs()
    return torch.tensor(alibi_slopes(heads)).view(heads, 1, 1) * -rel.unsqueeze(0).float()


def mha(x, w, prefix, heads, key_padding_mask=None, attn_mask=None):
    h = x.shape[-1]
    m = torch.nn.MultiheadAttention(h, heads, batch_first=True)
    with torch.no_grad():
        m.in_proj_weight.copy_(w[prefix + "qkv.weight"])
        m.in_proj_bias.copy_(w[prefix + "qkv.bias"])
        m.out_proj.weight.copy_(w[prefix + "output.weight"])
        m.out_proj.bias.copy_(w[prefix + "output.bias"])
    m.eval()
    return m(x, x, x, key_padding_mask=key_padding_mask, attn_mask=attn_mask, need_weights=False)[0]


def ffn(x, w, prefix, glu=None):
    if glu is None:
        return F.linear(F.gelu(F.linear(x, w[prefix + "intermediate.weight"], w[prefix + "intermediate.bias"])),
                        w[prefix + "output.weight"], w[prefix + "output.bias"])
    gated = glu(F.linear(x, w[prefix + "gated_layer.weight"], w.get(prefix + "gated_layer.bias")))
    return F.linear(gated * F.linear(x, w[prefix + "non_gated_layer.weight"], w.get(prefix + "non_gated_layer.bias")),
                    w[prefix + "wo.weight"], w[prefix + "wo.bias"])


def bert(w, cfg, ids, mask=None, glu=None, alibi=False, keep=None, keep_probs=None):
    h, heads, eps = cfg["hidden"], cfg["heads"], 1e-12
    ln = lambda x, p: F.layer_norm(x, (h,), w[p + ".weight"], w[p + ".bias"], eps)
    s = ids.shape[1]
    x = w["embeddings.token.weight"][ids]
    if not alibi:
        x = x + w["embeddings.position.weight"][:s]
    x = ln(x, "embeddings.norm")
    kpm = None if mask is None else mask == 0
    attn_mask = alibi_bias(heads, s).repeat(ids.shape[0], 1, 1) if alibi else None
    for i in range(cfg["layers"]):
        if keep is not None and not keep[i]:
            continue
        p = f"layers.{i}."
        # DeepSpeed's progressive layer drop scales a kept layer's residual branches by 1 / keep_prob.
        k = 1.0 if keep_probs is None else 1 / keep_probs[i]
        if cfg["pre_ln"]:
            x = x + mha(ln(x, p + "attention_norm"), w, p + "attention.", heads, kpm, attn_mask) * k
            x = x + ffn(ln(x, p + "feed_forward_norm"), w, p + "feed_forward.", glu) * k
        else:
            x = ln(x + mha(x, w, p + "attention.", heads, kpm, attn_mask) * k, p + "attention_norm")
            x = ln(x + ffn(x, w, p + "feed_forward.", glu) * k, p + "feed_forward_norm")
    if cfg["pre_ln"]:
        x = ln(x, "final_norm")
    x = ln(F.gelu(F.linear(x, w["head.transform.weight"], w["head.transform.bias"])), "head.transform_norm")
    if cfg["tied"]:
        return F.linear(x, w["embeddings.token.weight"], w["head.bias"])
    return F.linear(x, w["head.decoder.weight"], w["head.decoder.bias"])


def weights(cfg, glu_biases=None):
    v, h, f, n = cfg["vocab"], cfg["hidden"], cfg["ffn"], cfg["max_length"]
    shapes = {"embeddings.token.weight": [v, h], "embeddings.norm.weight": [h], "embeddings.norm.bias": [h]}
    if not cfg.get("alibi"):
        shapes["embeddings.position.weight"] = [n, h]
    for i in range(cfg["layers"]):
        p = f"layers.{i}."
        shapes.update({p + "attention.qkv.weight": [3 * h, h], p + "attention.qkv.bias": [3 * h],
                       p + "attention.output.weight": [h, h], p + "attention.output.bias": [h],
                       p + "attention_norm.weight": [h], p + "attention_norm.bias": [h],
                       p + "feed_forward_norm.weight": [h], p + "feed_forward_norm.bias": [h]})
        if glu_biases is None:
            shapes.update({p + "feed_forward.intermediate.weight": [f, h], p + "feed_forward.intermediate.bias": [f],
                           p + "feed_forward.output.weight": [h, f], p + "feed_forward.output.bias": [h]})
        else:
            shapes.update({p + "feed_forward.gated_layer.weight": [f, h], p + "feed_forward.non_gated_layer.weight": [f, h],
                           p + "feed_forward.wo.weight": [h, f], p + "feed_forward.wo.bias": [h]})
            if glu_biases[0]:
                shapes[p + "feed_forward.gated_layer.bias"] = [f]
            if glu_biases[1]:
                shapes[p + "feed_forward.non_gated_layer.bias"] = [f]
    if cfg["pre_ln"]:
        shapes.update({"final_norm.weight": [h], "final_norm.bias": [h]})
    shapes.update({"head.transform.weight": [h, h], "head.transform.bias": [h],
                   "head.transform_norm.weight": [h], "head.transform_norm.bias": [h]})
    if cfg["tied"]:
        shapes["head.bias"] = [v]
    else:
        shapes.update({"head.decoder.weight": [v, h], "head.decoder.bias": [v]})
    w = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight"):
            w[name] = 1 + 0.1 * torch.randn(shape)
        else:
            w[name] = 0.3 * torch.randn(shape)
    return w


def case(cfg, w, ids, mask, logits):
    return {"config": cfg, "weights": {k: flat(t) for k, t in w.items()},
            "shapes": {k: list(t.shape) for k, t in w.items()},
            "ids": flat(ids), "ids_shape": list(ids.shape),
            "mask": None if mask is None else flat(mask), "logits": flat(logits)}


ids = torch.tensor([[1, 5, 7, 2, 12], [3, 3, 9, 0, 0]])
mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
with torch.no_grad():
    # BertEncoder: post-LN, tied decoder, with a padding mask.
    cfg = {"vocab": 13, "hidden": 8, "heads": 2, "layers": 2, "ffn": 12, "max_length": 10, "pre_ln": False, "tied": True}
    w = weights(cfg)
    out["bert_post_ln_tied"] = case(cfg, w, ids, mask, bert(w, cfg, ids, mask))
    # BertEncoder: pre-LN, untied decoder, no mask.
    cfg = dict(cfg, pre_ln=True, tied=False)
    w = weights(cfg)
    out["bert_pre_ln_untied"] = case(cfg, w, ids, None, bert(w, cfg, ids))

    # GLU feed-forward, functional form: gelu, no biases (Composer defaults) and sigmoid with biases.
    x = torch.randn(2, 3, 8)
    wg, wn, wo, bo = torch.randn(12, 8) * 0.3, torch.randn(12, 8) * 0.3, torch.randn(8, 12) * 0.3, torch.randn(8) * 0.3
    bg, bn = torch.randn(12) * 0.3, torch.randn(12) * 0.3
    out["glu"] = {"x": flat(x), "gated_weight": flat(wg), "non_gated_weight": flat(wn), "output_weight": flat(wo),
                  "output_bias": flat(bo), "gated_bias": flat(bg), "non_gated_bias": flat(bn),
                  "gelu": flat(F.linear(F.gelu(F.linear(x, wg)) * F.linear(x, wn), wo, bo)),
                  "gelu_tanh": flat(F.linear(F.gelu(F.linear(x, wg), approximate="tanh") * F.linear(x, wn), wo, bo)),
                  "sigmoid_biases": flat(F.linear(torch.sigmoid(F.linear(x, wg, bg)) * F.linear(x, wn, bn), wo, bo)),
                  "silu": flat(F.linear(F.silu(F.linear(x, wg)) * F.linear(x, wn), wo, bo)),
                  "relu": flat(F.linear(F.relu(F.linear(x, wg)) * F.linear(x, wn), wo, bo))}
    # A whole encoder after GLU surgery (Composer defaults: GELU, no gated / non-gated biases).
    cfg = {"vocab": 13, "hidden": 8, "heads": 2, "layers": 2, "ffn": 12, "max_length": 10, "pre_ln": False, "tied": True}
    w = weights(cfg, glu_biases=(False, False))
    out["bert_glu"] = case(cfg, w, ids, mask, bert(w, cfg, ids, mask, glu=F.gelu))

    # ALiBi: slopes, bias, attention with the bias as attn_mask, and a whole encoder.
    out["alibi_slopes"] = {str(n): alibi_slopes(n) for n in (1, 2, 6, 8, 12, 16)}
    out["alibi_bias"] = {"heads": 6, "length": 5, "bias": flat(alibi_bias(6, 5))}
    h, heads = 12, 6
    wa = {"qkv.weight": torch.randn(3 * h, h) * 0.3, "qkv.bias": torch.randn(3 * h) * 0.3,
          "output.weight": torch.randn(h, h) * 0.3, "output.bias": torch.randn(h) * 0.3}
    xa = torch.randn(2, 5, h)
    ya = mha(xa, wa, "", heads, attn_mask=alibi_bias(heads, 5).repeat(2, 1, 1))
    ya_masked = mha(xa, wa, "", heads, key_padding_mask=mask == 0, attn_mask=alibi_bias(heads, 5).repeat(2, 1, 1))
    out["alibi_attention"] = {"hidden": h, "heads": heads, "x": flat(xa), "weights": {k: flat(t) for k, t in wa.items()},
                              "output": flat(ya), "mask": flat(mask), "output_masked": flat(ya_masked)}
    cfg = {"vocab": 13, "hidden": 12, "heads": 6, "layers": 2, "ffn": 12, "max_length": 10, "pre_ln": False, "tied": True, "alibi": True}
    w = weights(cfg)
    # Sequences longer than the learned max_length (10) are fine with ALiBi.
    ids_long = torch.arange(24).remainder(13).view(2, 12)
    out["bert_alibi"] = case(cfg, w, ids_long, None, bert(w, cfg, ids_long, alibi=True))

    # Progressive layer dropping: theta schedule, keep probabilities, a seeded pattern, a forward.
    theta_bar, gamma = 0.5, 0.001
    steps = [0, 1, 100, 1000, 5000]
    thetas = [(1 - theta_bar) * math.exp(-gamma * t) + theta_bar for t in steps]
    layers = 4
    keep_probs = [1 - (l / layers) * (1 - thetas[3]) for l in range(1, layers + 1)]
    g = torch.Generator().manual_seed(123)
    u = torch.rand(layers, generator=g)
    low = [1 - (l / layers) * (1 - 0.5) for l in range(1, layers + 1)]
    keep = [bool(a < p) for a, p in zip(u.tolist(), low)]
    cfg = {"vocab": 13, "hidden": 8, "heads": 2, "layers": 4, "ffn": 12, "max_length": 10, "pre_ln": True, "tied": True}
    w = weights(cfg)
    fixed_keep = [True, False, True, False]
    out["pld"] = {"steps": steps, "thetas": thetas, "keep_probs_step_1000": keep_probs, "seed": 123,
                  "uniforms": flat(u), "keep_probs_theta_half": low, "keep": keep}
    out["bert_pld"] = dict(case(cfg, w, ids, mask, bert(w, cfg, ids, mask, keep=fixed_keep)), keep=fixed_keep,
                           keep_probs=low, logits_rescaled=flat(bert(w, cfg, ids, mask, keep=fixed_keep, keep_probs=low)))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "techniques_transformer.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
