"""``save_weights`` / ``load_weights``: safetensors files keyed by weight path.

Keys are the weights' Keras paths (``dense_1/kernel``). Loading matches by path; a
model whose paths differ but whose weights have the same shapes in the same order
(the same architecture built under other names) loads by position, as Keras does.
Shapes are checked for every weight before anything is written.

Example:
    >>> model.save_weights("model.weights.safetensors")
    >>> clone.load_weights("model.weights.safetensors")
"""
import json

import torch

from kerastorch.saving.file_utils import atomic_write


def weight_keys(model):
    """``(key, weight)`` pairs in ``model.weights`` order; repeated paths get ``#n`` suffixes."""
    seen = {}
    pairs = []
    for weight in model.weights:
        key = getattr(weight, "path", None) or "weight"
        count = seen.get(key, 0)
        seen[key] = count + 1
        pairs.append((key if count == 0 else f"{key}#{count}", weight))
    return pairs


def save_weights(model, filepath):
    """Write every weight of ``model`` to a safetensors file, atomically."""
    from safetensors.torch import save_file

    if not str(filepath).endswith(".safetensors"):
        raise ValueError(f'save_weights: the file name must end in ".safetensors", received {filepath!r}')
    pairs = weight_keys(model)
    tensors = {key: weight.detach().cpu().contiguous() for key, weight in pairs}
    metadata = {"format": "kerastorch.weights", "order": json.dumps([key for key, _ in pairs])}
    with atomic_write(str(filepath)) as tmp_path:
        save_file(tensors, tmp_path, metadata=metadata)


def load_weights(model, filepath, skip_mismatch=False):
    """Read a file written by :func:`save_weights` into ``model``."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(filepath), framework="pt") as f:
            order = json.loads((f.metadata() or {}).get("order", "null")) or sorted(f.keys())
            stored = {key: f.get_tensor(key) for key in order}
    except (SafetensorError, OSError, ValueError, KeyError) as error:
        raise ValueError(f"load_weights: {filepath!r} is not a readable safetensors weights file ({error})") from None
    pairs = weight_keys(model)
    keys = [key for key, _ in pairs]
    if set(keys) == set(stored):
        values = [stored[key] for key in keys]
    elif len(stored) == len(pairs):
        values = list(stored.values())  # same architecture, other names: by position
    else:
        missing = sorted(set(keys) - set(stored))[:5]
        raise ValueError(f'load_weights: the file has {len(stored)} weights and model "{model.name}" has '
                         f"{len(pairs)}; weights missing from the file include {missing}")
    updates = []
    for (key, weight), value in zip(pairs, values):
        if tuple(value.shape) != tuple(weight.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"load_weights: weight {key} has shape {tuple(weight.shape)} in the model but "
                             f"{tuple(value.shape)} in the file")
        updates.append((weight, value))
    with torch.no_grad():
        for weight, value in updates:
            weight.copy_(value.to(weight.dtype))


