#!/usr/bin/python3
"""Writes the tiny Hugging Face checkpoints the HF importer's tests run.

Each model is random, built in plain PyTorch with Hugging Face's parameter
names and layouts, and saved as config.json + model.safetensors (written here;
no `safetensors` package needed) next to input ids (ids.npy) and the logits
of a float64 forward pass in PyTorch (logits.npy, float32). The forward
passes below are written from the architectures' published math, not from
Hugging Face's code; the importer's output must match them.

Run with Debian's interpreter (it has torch and numpy):
  /usr/bin/python3 test/Frontends/hf/make_fixtures.py
"""

import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs")
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int32: "I32", torch.int64: "I64"}


def safetensors_bytes(tensors):
    """tensors: list of (name, torch tensor); returns the file's bytes."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors:
        t = t.contiguous()
        # Reinterpret as bytes (numpy has no bfloat16).
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 \
            else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def mamba_backbone(mixer, L, eps):
    """The forward pass of Mamba-1/2 models around `mixer`: embedding, L
    pre-norm residual blocks, final RMS norm, tied head."""
    def forward(w, ids):
        x = w["backbone.embeddings.weight"][ids]
        for l in range(L):
            s = "backbone.layers.%d." % l
            x = x + mixer(w, s + "mixer.", rms_norm(x, w[s + "norm.weight"], eps))
        return rms_norm(x, w["backbone.norm_f.weight"], eps) @ w["backbone.embeddings.weight"].T
    return forward


def write_checkpoint(name, config, params, dtype, ids, logits, shards=1):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    items = [(k, v.to(dtype)) for k, v in params.items()]
    if shards == 1:
        with open(os.path.join(d, "model.safetensors"), "wb") as f:
            f.write(safetensors_bytes(items))
    else:
        weight_map = {}
        per = math.ceil(len(items) / shards)
        for s in range(shards):
            file = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            part = items[s * per:(s + 1) * per]
            with open(os.path.join(d, file), "wb") as f:
                f.write(safetensors_bytes(part))
            weight_map.update({k: file for k, _ in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2)
            f.write("\n")
    if ids is not None:
        np.save(os.path.join(d, "ids.npy"), ids.numpy())
        np.save(os.path.join(d, "logits.npy"), logits.float().numpy())


def stored(params, dtype):
    """The parameters as the checkpoint holds them, in float64 for the reference."""
    return {k: v.to(dtype).double() for k, v in params.items()}


def rand(*shape, std=0.2):
    return torch.randn(*shape) * std


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def causal_attention(q, k, v):
    """q [B,H,T,D], k/v [B,Hkv,T,D]; query head h reads kv head h // (H/Hkv)."""
    rep = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    T = q.shape[2]
    s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    return torch.softmax(s, -1) @ v


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x * torch.sigmoid(x)


def softplus(x):
    return torch.log1p(torch.exp(x))


# GPT-2: Conv1D weights are [in, out] (y = x·W + b); the LM head is tied to wte.
def gpt2(name="gpt2", shards=1, prefix=""):
    torch.manual_seed(1)
    V, P, D, H, L = 96, 32, 32, 4, 2
    M = 4 * D
    cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V,
           "n_positions": P, "n_embd": D, "n_layer": L, "n_head": H, "n_inner": None,
           "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
           "tie_word_embeddings": True, "torch_dtype": "float32"}
    p = {"wte.weight": rand(V, D, std=0.5), "wpe.weight": rand(P, D, std=0.1)}
    for l in range(L):
        s = "h.%d." % l
        p[s + "ln_1.weight"] = 1 + rand(D, std=0.1)
        p[s + "ln_1.bias"] = rand(D, std=0.1)
        p[s + "attn.c_attn.weight"] = rand(D, 3 * D)
        p[s + "attn.c_attn.bias"] = rand(3 * D, std=0.05)
        p[s + "attn.c_proj.weight"] = rand(D, D)
        p[s + "attn.c_proj.bias"] = rand(D, std=0.05)
        p[s + "ln_2.weight"] = 1 + rand(D, std=0.1)
        p[s + "ln_2.bias"] = rand(D, std=0.1)
        p[s + "mlp.c_fc.weight"] = rand(D, M)
        p[s + "mlp.c_fc.bias"] = rand(M, std=0.05)
        p[s + "mlp.c_proj.weight"] = rand(M, D, std=0.1)
        p[s + "mlp.c_proj.bias"] = rand(D, std=0.05)
    p["ln_f.weight"] = 1 + rand(D, std=0.1)
    p["ln_f.bias"] = rand(D, std=0.1)

    def forward(w, ids):
        B, T = ids.shape
        x = w["wte.weight"][ids] + w["wpe.weight"][:T]
        for l in range(L):
            s = "h.%d." % l
            h = layer_norm(x, w[s + "ln_1.weight"], w[s + "ln_1.bias"], 1e-5)
            qkv = h @ w[s + "attn.c_attn.weight"] + w[s + "attn.c_attn.bias"]
            q, k, v = (t.reshape(B, T, H, D // H).transpose(1, 2) for t in qkv.split(D, -1))
            a = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, D)
            x = x + a @ w[s + "attn.c_proj.weight"] + w[s + "attn.c_proj.bias"]
            h = layer_norm(x, w[s + "ln_2.weight"], w[s + "ln_2.bias"], 1e-5)
            m = gelu_tanh(h @ w[s + "mlp.c_fc.weight"] + w[s + "mlp.c_fc.bias"])
            x = x + m @ w[s + "mlp.c_proj.weight"] + w[s + "mlp.c_proj.bias"]
        x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], 1e-5)
        return x @ w["wte.weight"].T

    ids = torch.randint(0, V, (2, 7))
    w = stored(p, torch.float32)
    write_checkpoint(name, cfg, {prefix + k: v for k, v in p.items()}, torch.float32, ids,
                     forward(w, ids), shards)
    if shards == 1:
        greedy(name, lambda t: forward(w, t), torch.randint(0, V, (1, 5)), 6)


def greedy(name, forward, prompt, n):
    """Writes prompt.npy and greedy.txt: the n ids generated greedily after it."""
    ids = prompt.clone()
    for _ in range(n):
        nxt = forward(ids)[0, -1].argmax()
        ids = torch.cat([ids, nxt.view(1, 1)], 1)
    d = os.path.join(HERE, name)
    np.save(os.path.join(d, "prompt.npy"), prompt.numpy())
    with open(os.path.join(d, "greedy.txt"), "w") as f:
        f.write(" ".join(str(int(t)) for t in ids[0, prompt.shape[1]:]) + "\n")


def rotate_half_rope(x, theta):
    """HF's Llama convention: channel i pairs with i + D/2."""
    T, Dh = x.shape[2], x.shape[3]
    inv = 1.0 / theta ** (torch.arange(0, Dh, 2, dtype=torch.float64) / Dh)
    f = torch.arange(T, dtype=torch.float64)[:, None] * inv[None]
    emb = torch.cat([f, f], -1)
    x1, x2 = x[..., :Dh // 2], x[..., Dh // 2:]
    return x * emb.cos() + torch.cat([-x2, x1], -1) * emb.sin()


# Llama: RMSNorm, RoPE (rotate_half), SwiGLU, GQA; bf16 weights, untied head.
def llama():
    torch.manual_seed(2)
    V, D, Hq, Hkv, L, I = 96, 64, 4, 2, 2, 96
    hd = D // Hq
    theta, eps = 500000.0, 1e-5
    cfg = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": V,
           "hidden_size": D, "intermediate_size": I, "num_hidden_layers": L,
           "num_attention_heads": Hq, "num_key_value_heads": Hkv, "hidden_act": "silu",
           "max_position_embeddings": 64, "rms_norm_eps": eps, "rope_theta": theta,
           "rope_scaling": None, "attention_bias": False, "mlp_bias": False,
           "tie_word_embeddings": False, "torch_dtype": "bfloat16"}
    p = {"model.embed_tokens.weight": rand(V, D, std=0.5)}
    for l in range(L):
        s = "model.layers.%d." % l
        p[s + "input_layernorm.weight"] = 1 + rand(D, std=0.1)
        p[s + "self_attn.q_proj.weight"] = rand(Hq * hd, D)
        p[s + "self_attn.k_proj.weight"] = rand(Hkv * hd, D)
        p[s + "self_attn.v_proj.weight"] = rand(Hkv * hd, D)
        p[s + "self_attn.o_proj.weight"] = rand(D, Hq * hd)
        p[s + "post_attention_layernorm.weight"] = 1 + rand(D, std=0.1)
        p[s + "mlp.gate_proj.weight"] = rand(I, D)
        p[s + "mlp.up_proj.weight"] = rand(I, D)
        p[s + "mlp.down_proj.weight"] = rand(D, I)
    p["model.norm.weight"] = 1 + rand(D, std=0.1)
    p["lm_head.weight"] = rand(V, D)

    def forward(w, ids):
        B, T = ids.shape
        x = w["model.embed_tokens.weight"][ids]
        for l in range(L):
            s = "model.layers.%d." % l
            h = rms_norm(x, w[s + "input_layernorm.weight"], eps)
            heads = lambda t, n: t.reshape(B, T, n, hd).transpose(1, 2)
            q = rotate_half_rope(heads(h @ w[s + "self_attn.q_proj.weight"].T, Hq), theta)
            k = rotate_half_rope(heads(h @ w[s + "self_attn.k_proj.weight"].T, Hkv), theta)
            v = heads(h @ w[s + "self_attn.v_proj.weight"].T, Hkv)
            a = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, D)
            x = x + a @ w[s + "self_attn.o_proj.weight"].T
            h = rms_norm(x, w[s + "post_attention_layernorm.weight"], eps)
            g = silu(h @ w[s + "mlp.gate_proj.weight"].T) * (h @ w[s + "mlp.up_proj.weight"].T)
            x = x + g @ w[s + "mlp.down_proj.weight"].T
        return rms_norm(x, w["model.norm.weight"], eps) @ w["lm_head.weight"].T

    # int32 ids: the entry point takes int64, the tools convert.
    ids = torch.randint(0, V, (1, 9))
    w = stored(p, torch.bfloat16)
    write_checkpoint("llama", cfg, p, torch.bfloat16, ids.int(), forward(w, ids))
    greedy("llama", lambda t: forward(w, t), torch.randint(0, V, (1, 4)), 5)


# Mamba-1: in_proj -> (x, z); depthwise causal conv + SiLU; x_proj -> (dt, B, C);
# dt_proj; selective scan with D skip and SiLU(z) gate; f16 weights, tied head.
def mamba():
    torch.manual_seed(3)
    V, D, N, L, W, expand = 96, 32, 8, 2, 4, 2
    I, R, eps = expand * D, math.ceil(D / 16), 1e-5
    cfg = {"model_type": "mamba", "architectures": ["MambaForCausalLM"], "vocab_size": V,
           "hidden_size": D, "state_size": N, "num_hidden_layers": L, "expand": expand,
           "conv_kernel": W, "time_step_rank": "auto", "use_bias": False, "use_conv_bias": True,
           "hidden_act": "silu", "layer_norm_epsilon": eps, "residual_in_fp32": True,
           "tie_word_embeddings": True, "torch_dtype": "float16"}
    p = {"backbone.embeddings.weight": rand(V, D, std=0.5)}
    for l in range(L):
        s = "backbone.layers.%d." % l
        p[s + "norm.weight"] = 1 + rand(D, std=0.1)
        p[s + "mixer.in_proj.weight"] = rand(2 * I, D)
        p[s + "mixer.conv1d.weight"] = rand(I, 1, W, std=0.4)
        p[s + "mixer.conv1d.bias"] = rand(I, std=0.1)
        p[s + "mixer.x_proj.weight"] = rand(R + 2 * N, I)
        p[s + "mixer.dt_proj.weight"] = rand(I, R, std=0.5)
        p[s + "mixer.dt_proj.bias"] = rand(I, std=0.5) - 1.0
        p[s + "mixer.A_log"] = torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(I, 1)
        p[s + "mixer.D"] = 1 + rand(I, std=0.1)
        p[s + "mixer.out_proj.weight"] = rand(D, I)
    p["backbone.norm_f.weight"] = 1 + rand(D, std=0.1)

    def mixer(w, s, h):
        B, T, _ = h.shape
        xz = (h @ w[s + "in_proj.weight"].T).transpose(1, 2)
        x, z = xz[:, :I], xz[:, I:]
        x = torch.nn.functional.conv1d(x, w[s + "conv1d.weight"], w[s + "conv1d.bias"],
                                       padding=W - 1, groups=I)[..., :T]
        x = silu(x)
        dbc = x.transpose(1, 2) @ w[s + "x_proj.weight"].T
        dt, Bm, Cm = dbc[..., :R], dbc[..., R:R + N], dbc[..., R + N:]
        dt = softplus(dt @ w[s + "dt_proj.weight"].T + w[s + "dt_proj.bias"]).transpose(1, 2)
        A = -torch.exp(w[s + "A_log"])
        state = torch.zeros(B, I, N, dtype=torch.float64)
        ys = []
        for t in range(T):
            state = torch.exp(dt[:, :, t, None] * A) * state + \
                (dt[:, :, t] * x[:, :, t])[..., None] * Bm[:, t, None, :]
            ys.append((state * Cm[:, t, None, :]).sum(-1))
        y = torch.stack(ys, -1) + x * w[s + "D"][:, None]
        y = y * silu(z)
        return y.transpose(1, 2) @ w[s + "out_proj.weight"].T

    forward = mamba_backbone(mixer, L, eps)

    ids = torch.randint(0, V, (2, 11))
    w = stored(p, torch.float16)
    write_checkpoint("mamba", cfg, p, torch.float16, ids, forward(w, ids))


# Mamba-2: in_proj -> (z, xBC, dt); conv + SiLU over xBC; SSD with one scalar
# A per head, D skip; gated RMS norm (grouped per n_groups); f32, tied head.
def mamba2():
    torch.manual_seed(4)
    V, D, N, L, W, expand, P, G = 96, 32, 16, 2, 4, 2, 16, 1
    I = expand * D
    H, eps = I // P, 1e-5
    conv = I + 2 * G * N
    cfg = {"model_type": "mamba2", "architectures": ["Mamba2ForCausalLM"], "vocab_size": V,
           "hidden_size": D, "state_size": N, "num_hidden_layers": L, "expand": expand,
           "conv_kernel": W, "num_heads": H, "head_dim": P, "n_groups": G, "chunk_size": 8,
           "use_bias": False, "use_conv_bias": True, "hidden_act": "silu",
           "layer_norm_epsilon": eps, "time_step_limit": [0.0, float("inf")],
           "residual_in_fp32": True, "rms_norm": True, "tie_word_embeddings": True,
           "torch_dtype": "float32"}
    p = {"backbone.embeddings.weight": rand(V, D, std=0.5)}
    for l in range(L):
        s = "backbone.layers.%d." % l
        p[s + "norm.weight"] = 1 + rand(D, std=0.1)
        p[s + "mixer.in_proj.weight"] = rand(2 * I + 2 * G * N + H, D)
        p[s + "mixer.conv1d.weight"] = rand(conv, 1, W, std=0.4)
        p[s + "mixer.conv1d.bias"] = rand(conv, std=0.1)
        p[s + "mixer.dt_bias"] = rand(H, std=0.5) - 1.0
        p[s + "mixer.A_log"] = torch.log(torch.arange(1, H + 1, dtype=torch.float32))
        p[s + "mixer.D"] = 1 + rand(H, std=0.1)
        p[s + "mixer.norm.weight"] = 1 + rand(I, std=0.1)
        p[s + "mixer.out_proj.weight"] = rand(D, I)
    p["backbone.norm_f.weight"] = 1 + rand(D, std=0.1)

    def mixer(w, s, h):
        B, T, _ = h.shape
        zxd = h @ w[s + "in_proj.weight"].T
        z, xbc, dt = zxd[..., :I], zxd[..., I:I + conv], zxd[..., I + conv:]
        xbc = torch.nn.functional.conv1d(xbc.transpose(1, 2), w[s + "conv1d.weight"],
                                         w[s + "conv1d.bias"], padding=W - 1,
                                         groups=conv)[..., :T].transpose(1, 2)
        xbc = silu(xbc)
        x = xbc[..., :I].reshape(B, T, H, P)
        Bm = xbc[..., I:I + G * N].reshape(B, T, G, N)
        Cm = xbc[..., I + G * N:].reshape(B, T, G, N)
        dt = softplus(dt + w[s + "dt_bias"])
        A = -torch.exp(w[s + "A_log"])
        state = torch.zeros(B, H, P, N, dtype=torch.float64)
        ys = []
        rep = H // G
        for t in range(T):
            Bt = Bm[:, t].repeat_interleave(rep, 1)
            Ct = Cm[:, t].repeat_interleave(rep, 1)
            state = torch.exp(dt[:, t, :, None, None] * A[None, :, None, None]) * state + \
                (dt[:, t, :, None] * x[:, t])[..., None] * Bt[:, :, None, :]
            ys.append((state * Ct[:, :, None, :]).sum(-1))
        y = torch.stack(ys, 1) + x * w[s + "D"][:, None]
        y = y.reshape(B, T, I) * silu(z)
        y = y.reshape(B, T, G, I // G)
        y = y / torch.sqrt((y * y).mean(-1, keepdim=True) + eps)
        y = y.reshape(B, T, I) * w[s + "norm.weight"]
        return y @ w[s + "out_proj.weight"].T

    forward = mamba_backbone(mixer, L, eps)

    ids = torch.randint(0, V, (1, 13))
    w = stored(p, torch.float32)
    write_checkpoint("mamba2", cfg, p, torch.float32, ids, forward(w, ids))


if __name__ == "__main__":
    gpt2()
    gpt2("gpt2-sharded", shards=2, prefix="transformer.")
    llama()
    mamba()
    mamba2()
