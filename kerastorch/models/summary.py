"""``model.summary()``: the Keras-style table of layers, output shapes and parameters.

Example:
    >>> import kerastorch as keras
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="hidden"),
    ...                           keras.layers.BatchNormalization(name="norm"), keras.layers.Dense(1, name="out")],
    ...                          name="regressor")
    >>> model.summary()
    Model: "regressor"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓
    ┃ Layer (type)              ┃ Output Shape ┃ Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩
    │ hidden (Dense)            │ (None, 8)    │      40 │
    │ norm (BatchNormalization) │ (None, 8)    │      32 │
    │ out (Dense)               │ (None, 1)    │       9 │
    └───────────────────────────┴──────────────┴─────────┘
     Total params: 81 (324.00 B)
     Trainable params: 65 (260.00 B)
     Non-trainable params: 16 (64.00 B)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from kerastorch import tree
from kerastorch.backend.keras_tensor import KerasTensor

if TYPE_CHECKING:
    from kerastorch.models.model import Model


def readable_memory_size(num_bytes: float) -> str:
    """A byte count for people: ``1536`` -> ``"1.50 KB"``.

    Args:
        num_bytes: float, the number of bytes.

    Returns:
        str, with B, KB, MB, GB or TB.

    >>> readable_memory_size(1536)
    '1.50 KB'
    """
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    index = 0
    while num_bytes >= 1024 and index < len(units) - 1:
        num_bytes /= 1024
        index += 1
    return f"{num_bytes:.2f} {units[index]}"


def _weights_size(weights):
    return sum(w.numel() * w.element_size() for w in weights)


def _output_shape(layer, graph_nodes, traced):
    nodes = [n for n in layer._inbound_nodes if graph_nodes is None or id(n) in graph_nodes]
    if not nodes:
        return traced.get(id(layer), "?")
    shapes = [t.shape for t in nodes[-1].outputs]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _traced_output_shapes(model):
    """``{id(layer): shape text}`` for the direct sublayers of a subclassed model that has run: its ``call`` is
    traced on fake tensors of the shape it was built with (no data is computed), as Keras builds it."""
    shapes = model.__dict__.get("_build_shapes")
    if getattr(model, "_graph", None) is not None or shapes is None:
        return {}
    import torch

    runs = {}  # id(layer) -> output shapes of each fake run (a second run with another batch size finds None)

    def record(layer):
        def hook(module, args, output):
            runs.setdefault(id(layer), []).append(
                [tuple(t.shape) for t in tree.flatten(output) if isinstance(t, torch.Tensor)]
            )

        return hook

    handles = [layer.register_forward_hook(record(layer)) for layer in model.layers]
    try:
        model.compute_output_spec(tree.map_shape_structure(lambda s: KerasTensor(tuple(s)), shapes))
    # Broad on purpose: a display of a model that already ran. The fake run (float32 stand-ins of the built shapes,
    # no data) may fail where the real call did not, in as many ways as call() has; the shapes then show "?".
    except Exception:  # noqa: BLE001
        return {}
    finally:
        for handle in handles:
            handle.remove()
    traced = {}
    for key, seen in runs.items():
        merged = [tuple(a if a == b else None for a, b in zip(first, last)) for first, last in zip(seen[0], seen[-1])]
        traced[key] = str(merged[0]) if len(merged) == 1 else str(merged)
    return traced


def _connections(layer, graph):
    names = []
    for node in layer._inbound_nodes:
        if not any(node is n for n in graph.nodes):
            continue
        for tensor in node.input_tensors:
            operation, node_index, tensor_index = tensor._keras_history
            local_index = graph.node_index_in_graph(operation._inbound_nodes[node_index])
            names.append(f"{operation.name}[{local_index}][{tensor_index}]")
    return names or ["-"]


def _rows(model, show_trainable, expand_nested, depth=0):
    graph = getattr(model, "_graph", None)
    graph_nodes = None if graph is None else {id(n) for n in graph.nodes}
    functional_view = graph is not None and type(model).__name__ != "Sequential"
    layers = model.layers
    if type(model).__name__ == "Sequential" and graph is not None:
        graph_nodes = None  # each stacked layer's last node
    traced = _traced_output_shapes(model) if graph is None else {}
    rows = []
    for layer in layers:
        params = layer.count_params() if (layer.built or layer.weights) else 0
        name = ("   " * depth + ("└ " if depth else "")) + f"{layer.name} ({type(layer).__name__})"
        row = [name, _output_shape(layer, graph_nodes, traced), f"{params:,}"]
        if functional_view:
            row.append(", ".join(_connections(layer, graph)))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        rows.append(row)
        if expand_nested and hasattr(layer, "layers") and hasattr(layer, "summary"):
            nested, _ = _rows(layer, show_trainable, expand_nested, depth + 1)
            rows.extend(r[:3] + [""] * (len(row) - 3) for r in nested)
    return rows, functional_view


def print_summary(
    model: Model,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[..., Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Sequence[str] | None = None,
) -> None:
    """Print (or hand to ``print_fn``) the summary table of ``model`` (``Model.summary``).

    Args:
        model: Model, the model.
        line_length: int or None, default None: the table width (Keras's default when None).
        positions: sequence of floats or None, default None: the column boundaries (fractions or positions).
        print_fn: callable or None, default None: called with each line instead of printing.
        expand_nested: bool, default False: whether to list the layers of nested models.
        show_trainable: bool, default False: whether to add a trainable column.
        layer_range: pair of layer names or None, default None: the first and last layers to list.
    """
    print_fn = print_fn or print
    if not model.built and not model.weights:
        raise ValueError(
            f'Model "{model.name}" has not been built yet, so it has no summary. Build it first by calling '
            "build(input_shape), by calling it on a batch of data, or by starting it with keras.Input()."
        )
    rows, functional_view = _rows(model, show_trainable, expand_nested)
    if layer_range is not None:
        names = [r[0].split(" (")[0].strip() for r in rows]
        start, end = (names.index(layer_range[0]), names.index(layer_range[1]))
        rows = rows[start : end + 1]
    headers = ["Layer (type)", "Output Shape", "Param #"]
    if functional_view:
        headers.append("Connected to")
    if show_trainable:
        headers.append("Trainable")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    if line_length:
        extra = line_length - (sum(widths) + 3 * len(widths) + 1)
        widths[0] += max(extra, 0)
    elif positions:
        total = 80
        bounds = [int(p * total) if p <= 1 else int(p) for p in positions]
        widths = [max(w, b - a - 3) for w, a, b in zip(widths, [0] + bounds[:-1], bounds)]

    def line(cells, left, mid, right, aligns):
        parts = [(c.rjust(w) if a == "r" else c.ljust(w)) for c, w, a in zip(cells, widths, aligns)]
        return left + " " + f" {mid} ".join(parts) + " " + right

    aligns = ["l", "l", "r"] + ["l"] * (len(headers) - 3)
    bar = lambda ch, l, m, r: l + m.join(ch * (w + 2) for w in widths) + r
    print_fn(f'Model: "{model.name}"')
    print_fn(bar("━", "┏", "┳", "┓"))
    print_fn(line(headers, "┃", "┃", "┃", aligns))
    print_fn(bar("━", "┡", "╇", "┩"))
    for index, row in enumerate(rows):
        print_fn(line(row, "│", "│", "│", aligns))
        if functional_view and index < len(rows) - 1:
            print_fn(bar("─", "├", "┼", "┤"))
    print_fn(bar("─", "└", "┴", "┘"))
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    total_count = sum(w.numel() for w in trainable + non_trainable)
    t_count = sum(w.numel() for w in trainable)
    n_count = total_count - t_count
    print_fn(f" Total params: {total_count:,} ({readable_memory_size(_weights_size(trainable + non_trainable))})")
    print_fn(f" Trainable params: {t_count:,} ({readable_memory_size(_weights_size(trainable))})")
    print_fn(f" Non-trainable params: {n_count:,} ({readable_memory_size(_weights_size(non_trainable))})")
