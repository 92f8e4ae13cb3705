#!/usr/bin/env python3
"""Random-initialised Hugging Face `transformers` checkpoints and their logits.

Run where `transformers` is installed (the GPU machine; this build machine has
none). For each of GPT2LMHeadModel, LlamaForCausalLM, MambaForCausalLM and
Mamba2ForCausalLM it builds a tiny config, initialises the model with a fixed
seed (transformers' own initialisation), saves it with save_pretrained
(config.json + model.safetensors) and writes fixed input ids and the model's
float32 logits, computed on the CPU in float64 so that icl's f32 result is
compared against an exact reference.

    python3 make_transformers_fixtures.py OUT_DIR
writes OUT_DIR/hf-<arch>/{config.json, model.safetensors, ids.npy, logits.npy}.
"""
import os
import sys

import numpy as np
import torch
import transformers as tf

VOCAB = 96


def configs():
    common = dict(vocab_size=VOCAB, num_hidden_layers=2)
    return {
        "gpt2": (tf.GPT2LMHeadModel,
                 tf.GPT2Config(n_positions=32, n_embd=32, n_layer=2, n_head=4, vocab_size=VOCAB,
                               resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)),
        "llama": (tf.LlamaForCausalLM,
                  tf.LlamaConfig(hidden_size=32, intermediate_size=64, num_attention_heads=4,
                                 num_key_value_heads=2, max_position_embeddings=64,
                                 rope_theta=10000.0, tie_word_embeddings=False, **common)),
        "mamba": (tf.MambaForCausalLM,
                  tf.MambaConfig(hidden_size=32, state_size=8, expand=2, conv_kernel=4,
                                 **common)),
        "mamba2": (tf.Mamba2ForCausalLM,
                   tf.Mamba2Config(hidden_size=32, state_size=16, expand=2, head_dim=16,
                                   num_heads=4, n_groups=1, conv_kernel=4, chunk_size=16,
                                   **common)),
    }


def main():
    out = sys.argv[1]
    print("transformers", tf.__version__, "torch", torch.__version__)
    for name, (cls, config) in configs().items():
        torch.manual_seed(0)
        model = cls(config).eval()
        path = os.path.join(out, "hf-" + name)
        model.save_pretrained(path, safe_serialization=True)
        ids = torch.randint(0, VOCAB, (1, 9), generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            logits = model.double()(ids).logits.float()
        np.save(os.path.join(path, "ids.npy"), ids.numpy().astype(np.int64))
        np.save(os.path.join(path, "logits.npy"), logits.numpy())
        print(name, "logits", tuple(logits.shape), "max |logit| %.3g" % logits.abs().max())


if __name__ == "__main__":
    main()
