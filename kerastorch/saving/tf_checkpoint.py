"""tf.keras 2's checkpoint form: ``model.save_weights("ckpt")`` / ``model.load_weights("ckpt")`` without TensorFlow.

A TensorFlow checkpoint (:mod:`kerastorch.saving.tensor_bundle`) stores each variable under the path by which it
is reached from the saved object, through the *object graph* it also stores (a ``TrackableObjectGraph`` in the
string tensor ``_CHECKPOINTABLE_OBJECT_GRAPH``): ``layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE``.

Names, as tf.keras 2 writes them:

- a Sequential or functional model's children are ``layer_with_weights-<i>``, its ``i``-th layer that has
  weights (nested models the same way, one level each); a subclassed model's and a layer's children are their
  attribute names (``cell``, ``_query_dense``, a list attribute's items ``<name>/0``, ``<name>/1``), and a
  variable is the child named after its attribute (``kernel``, ``moving_mean``);
- the optimizer is the model's child ``optimizer``: ``_iterations``, ``_learning_rate``, its variable list
  ``_variables`` (``0`` is the iteration counter, then the slots) and one list per slot kind (``_momentums``,
  ``_velocities``, SGD's ``momentums``...), item ``i`` being the slot of the ``i``-th trainable variable.
  Keras 2's legacy optimizers (``tf.keras.optimizers.legacy``) record their slots as the object graph's slot
  variables (keys ``<variable>/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE``); both are read.

Loading walks the object graph from the model's node (the root, or the ``model`` child of a
``tf.train.Checkpoint``), never trusting key names: a variable is found by the children names above, then,
within a layer, by its recorded full name (``dense/kernel`` relative to the layer), its unique attribute name, or
its position among the layer's variables when the counts and shapes agree. Every value is checked (shape, a
safe dtype cast) before any weight is written. The optimizer's state loads into ``model.optimizer`` (built on the
model's trainable weights first, as its first step would) when the checkpoint holds it.

Writing produces the same graph and keys, so tf.keras 2 reads what kerastorch writes; the data file, the index,
then the ``checkpoint`` file beside them (``model_checkpoint_path: "ckpt"``), each replaced atomically. A crash
between the data file and the index leaves an index whose checksums do not match the data: loading reports
the corruption instead of loading wrong weights.

Example:
    >>> import kerastorch as keras
    >>> def make():
    ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> model = make()
    >>> save_checkpoint(model, "ckpt")
    >>> sorted(os.listdir("."))
    ['checkpoint', 'ckpt.data-00000-of-00001', 'ckpt.index']
    >>> load_checkpoint(make(), "ckpt").assert_consumed()
    >>> latest_checkpoint(".")
    './ckpt'
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any, Literal

import torch

from kerastorch.layers.base import Layer
from kerastorch.optimizers.base import Optimizer
from kerastorch.saving import protobuf_wire as pb
from kerastorch.saving.file_utils import write_bytes
from kerastorch.saving.load_status import LoadStatus, weight_keys
from kerastorch.saving.tensor_bundle import BundleReader, write_bundle

__all__ = [
    "save_checkpoint",
    "load_checkpoint",
    "is_checkpoint",
    "latest_checkpoint",
    "read_checkpoint_state",
    "write_checkpoint_state",
    "ObjectGraph",
    "KERAS2_SLOTS",
    "MAX_NODES",
]

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_SUFFIX = ".ATTRIBUTES/VARIABLE_VALUE"
STATE_FILE = "checkpoint"
MAX_NODES = 10_000_000
MAX_STATE_BYTES = 1024**2
# kerastorch optimizer -> {kerastorch slot: (tf.keras 2 slot list attribute, variable label, legacy slot name)}
_ADAM = {
    "momentum": ("_momentums", "m", "m"),
    "velocity": ("_velocities", "v", "v"),
    "velocity_hat": ("_velocity_hats", "vhat", "vhat"),
}
KERAS2_SLOTS = {
    "Adam": _ADAM,
    "AdamW": _ADAM,
    "Nadam": {"momentum": ("_momentums", "m", "m"), "velocity": ("_velocities", "v", "v")},
    "SGD": {"momentum": ("momentums", "m", "momentum")},
    "RMSprop": {
        "velocity": ("_velocities", "velocity", "rms"),
        "momentum": ("_momentums", "momentum", "momentum"),
        "average_gradient": ("_average_gradients", "average_gradient", "mg"),
    },
    "Adagrad": {"accumulator": ("_accumulators", "accumulator", "accumulator")},
    "Adadelta": {
        "accumulated_grad": ("_accumulated_grads", "accumulated_grad", "accum_grad"),
        "accumulated_delta_var": ("_accumulated_delta_vars", "accumulated_delta_var", "accum_var"),
    },
    "Adamax": {"momentum": ("_m", "m", "m"), "norm": ("_u", "u", "v")},
    "Ftrl": {
        "accumulator": ("_accumulators", "accumulator", "accumulator"),
        "linear": ("_linears", "linear", "linear"),
    },
    "Lion": {"momentum": ("momentums", "m", None)},
}
_SCALARS = {
    "iterations": ("_iterations", "iter"),
    "learning_rate": ("_learning_rate", "learning_rate"),
    "u_product": ("_u_product", None),
}
_IGNORED_KEYS = ("save_counter/" + VARIABLE_SUFFIX,)  # tf.train.Checkpoint's own counter


# --------------------------------------------------------------------------- the object graph
class ObjectGraph:
    """A ``TrackableObjectGraph``: per node, its named children, its tensors and its slot variables.

    Attributes:
        children: list (per node) of lists of ``(local name, node id)``.
        attributes: list (per node) of lists of ``(name, full name, checkpoint key)``.
        slots: list (per node) of lists of ``(original variable node, slot name, slot node)``.
    """

    def __init__(self) -> None:
        self.children: list[list[tuple[str, int]]] = []
        self.attributes: list[list[tuple[str, str, str]]] = []
        self.slots: list[list[tuple[int, str, int]]] = []

    def add_node(self) -> int:
        """Append an empty node; returns its id."""
        self.children.append([])
        self.attributes.append([])
        self.slots.append([])
        return len(self.children) - 1

    @classmethod
    def parse(cls, data: bytes, what: str) -> ObjectGraph:
        """Parse the bytes of a ``TrackableObjectGraph``; node references are checked.

        Raises:
            ValueError: malformed bytes, or a reference to a node that does not exist.
        """
        graph = cls()
        nodes = pb.parse(data, what).messages(1)
        if not nodes or len(nodes) > MAX_NODES:
            raise ValueError(f"{what} is corrupt: its object graph has {len(nodes)} nodes")
        for node in nodes:
            graph.add_node()
            graph.children[-1] = [(child.string(2), child.int(1)) for child in node.messages(1)]
            graph.attributes[-1] = [(a.string(1), a.string(2), a.string(3)) for a in node.messages(2)]
            graph.slots[-1] = [(s.int(1), s.string(2), s.int(3)) for s in node.messages(3)]
        count = len(nodes)
        for node_id in range(count):
            ids = [i for _, i in graph.children[node_id]] + [i for s in graph.slots[node_id] for i in (s[0], s[2])]
            if any(i >= count for i in ids):
                raise ValueError(
                    f"{what} is corrupt: node {node_id} of its object graph refers to a node past the "
                    f"last ({count - 1})"
                )
        return graph

    def encode(self) -> bytes:
        """The bytes of the graph (the inverse of :meth:`parse`)."""
        nodes = []
        for children, attributes, slots in zip(self.children, self.attributes, self.slots):
            body = b"".join(pb.bytes_field(1, pb.varint_field(1, i) + pb.bytes_field(2, name)) for name, i in children)
            body += b"".join(
                pb.bytes_field(2, pb.bytes_field(1, n) + pb.bytes_field(2, f) + pb.bytes_field(3, k))
                for n, f, k in attributes
            )
            body += b"".join(
                pb.bytes_field(3, pb.varint_field(1, o) + pb.bytes_field(2, s) + pb.varint_field(3, v))
                for o, s, v in slots
            )
            nodes.append(pb.bytes_field(1, body))
        return b"".join(nodes)

    def child(self, node: int, name: str) -> int | None:
        """The id of ``node``'s child ``name``, or None."""
        for local, child in self.children[node]:
            if local == name:
                return child
        return None

    def variable(self, node: int) -> tuple[str, str] | None:
        """``(checkpoint key, full name)`` of a variable node, or None for other nodes."""
        for name, full_name, key in self.attributes[node]:
            if name == "VARIABLE_VALUE":
                return key, full_name
        return None

    def variables_below(self, node: int) -> list[tuple[str, int]]:
        """``[(relative path, node)]`` of the variable nodes reachable from ``node`` (breadth first, each once)."""
        seen, out, queue = {node}, [], [(node, "")]
        while queue:
            current, path = queue.pop(0)
            for name, child in self.children[current]:
                if child in seen:
                    continue
                seen.add(child)
                child_path = f"{path}/{name}" if path else name
                if self.variable(child) is not None:
                    out.append((child_path, child))
                queue.append((child, child_path))
        return out


# --------------------------------------------------------------------------- the model's objects
def _graph_model(obj):
    """Functional and Sequential models: tf.keras 2 tracks their weighted layers as ``layer_with_weights-<i>``."""
    return getattr(obj, "_saving_layout", None) == "graph"


def _object_children(obj):
    """tf.keras 2's named children of ``obj``: ``("weight", name, tensor)``, ``("object", name, layer)`` and
    ``("list", name, [layer, ...])``, in tracking order."""
    if _graph_model(obj):
        weighted = [layer for layer in obj.layers if layer.weights]
        return [("object", f"layer_with_weights-{i}", layer) for i, layer in enumerate(weighted)]
    entries = [("weight", name, param) for name, param in obj._parameters.items() if param is not None]
    for name, module in obj._modules.items():
        if isinstance(module, Layer):
            entries.append(("object", name, module))
        elif isinstance(module, (torch.nn.ModuleList, torch.nn.Sequential)):
            entries.append(("list", name, list(module)))
        elif isinstance(module, torch.nn.ModuleDict):
            entries.append(("list", name, list(module.values())))
    return entries


def _escape(name):
    """TensorFlow's escaping of a local name inside a checkpoint key."""
    return name.replace(".", "..").replace("/", ".S")


def _name_variants(name):
    return (name, name.lstrip("_"), "_" + name)


class _Matcher:
    """Pairs the model's weights with variable nodes of the graph."""

    def __init__(self, graph):
        self.graph = graph
        self.node_of = {}  # id(weight) -> node
        self.used_nodes = set()
        self.visited = set()

    def _child(self, node, name):
        for variant in _name_variants(name):
            child = self.graph.child(node, variant)
            if child is not None:
                return child
        return None

    def take(self, weight, node):
        if id(weight) not in self.node_of and node not in self.used_nodes and self.graph.variable(node) is not None:
            self.node_of[id(weight)] = node
            self.used_nodes.add(node)

    def match(self, obj, node):
        if id(obj) in self.visited:
            return
        self.visited.add(id(obj))
        for kind, name, value in _object_children(obj):
            child = self._child(node, name)
            if child is None:
                continue
            if kind == "weight":
                self.take(value, child)
            elif kind == "object":
                self.match(value, child)
            else:
                for index, item in enumerate(value):
                    item_node = self.graph.child(child, str(index))
                    if item_node is not None:
                        self.match(item, item_node)
        self._fallback(obj, node)

    def _fallback(self, obj, node):
        """Weights of ``obj`` that the names did not place: by full name, unique attribute name, or position."""
        if _graph_model(obj):
            return
        left = [w for w in obj.weights if id(w) not in self.node_of]
        if not left:
            return
        free = [(path, n) for path, n in self.graph.variables_below(node) if n not in self.used_nodes]
        relative = {}
        for path, n in free:
            full_name = self.graph.variable(n)[1]
            relative.setdefault(full_name.split("/", 1)[-1], []).append(n)
        for weight in left:
            candidates = relative.get(str(getattr(weight, "path", "")).split("/", 1)[-1], [])
            if len(candidates) == 1:
                self.take(weight, candidates[0])
        left = [w for w in left if id(w) not in self.node_of]
        free = [(path, n) for path, n in free if n not in self.used_nodes]
        leaves = {}
        for path, n in free:
            leaves.setdefault(path.rsplit("/", 1)[-1], []).append(n)
        names = {}
        for weight in left:
            names.setdefault(getattr(weight, "name", None), []).append(weight)
        for name, weights in names.items():
            if len(weights) == 1 and len(leaves.get(name, [])) == 1:
                self.take(weights[0], leaves[name][0])
        left = [w for w in left if id(w) not in self.node_of]
        free = [n for _, n in free if n not in self.used_nodes]
        if left and len(left) == len(free):
            for weight, n in zip(left, free):
                self.take(weight, n)


def _model_node(graph, model):
    """The node of the saved model: the root, or the ``model`` child of a ``tf.train.Checkpoint``."""
    if any(name.startswith(("layer_with_weights-", "layer-")) for name, _ in graph.children[0]):
        return 0
    found = graph.child(0, "model")
    if found is not None:
        return found
    candidates = [
        child
        for _, child in graph.children[0]
        if any(name.startswith("layer_with_weights-") for name, _ in graph.children[child])
    ]
    return candidates[0] if len(set(candidates)) == 1 and _graph_model(model) else 0


# --------------------------------------------------------------------------- loading
def is_checkpoint(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is the prefix of a TensorFlow checkpoint (``<path>.index`` exists).

    >>> is_checkpoint("no_such_prefix")
    False
    """
    return os.path.isfile(os.fspath(path) + ".index")


def _castable(source, target):
    if source == target or (source.is_floating_point and target.is_floating_point):
        return True
    integers = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)
    return source in integers and target in integers and torch.promote_types(source, target) == target


def _read_graph(reader, what):
    if OBJECT_GRAPH_KEY not in reader:
        raise ValueError(
            f"{what} has no object graph ({OBJECT_GRAPH_KEY}): it is a TensorFlow 1 name-based "
            "checkpoint, which is not read"
        )
    strings = reader.strings(OBJECT_GRAPH_KEY)
    if len(strings) != 1:
        raise ValueError(f"{what} is corrupt: its object graph is not one string")
    return ObjectGraph.parse(strings[0], f"{what} object graph")


def load_checkpoint(
    model: Layer,
    prefix: str | os.PathLike[str],
    skip_mismatch: bool = False,
    optimizer: Optimizer | None | Literal["auto"] = "auto",
    source: str | None = None,
) -> LoadStatus:
    """Load a TensorFlow checkpoint (written by tf.keras 2, ``tf.train.Checkpoint`` or :func:`save_checkpoint`)
    into ``model``, and its optimizer state into ``optimizer`` (by default ``model.optimizer``) when present.

    Args:
        model: the kerastorch model (built).
        prefix: str or path-like: the checkpoint prefix (``ckpt`` for ``ckpt.index``).
        skip_mismatch: bool, default False: skip (with a warning) weights whose shape or dtype does not fit,
            instead of raising.
        optimizer: a kerastorch optimizer, None, or ``"auto"`` (default): where the optimizer state goes.
        source: str or None: how messages name the checkpoint.

    Returns:
        LoadStatus: what was loaded, missing and unused, with ``assert_consumed()``,
        ``assert_existing_objects_matched()`` and ``expect_partial()``.

    Raises:
        FileNotFoundError: no checkpoint at ``prefix``.
        ValueError: a malformed or corrupt checkpoint, or weights that do not fit (nothing is then changed).
    """
    prefix = os.fspath(prefix)
    what = source or f"TensorFlow checkpoint {prefix!r}"
    name = getattr(model, "name", type(model).__name__)
    if isinstance(optimizer, str) and optimizer == "auto":
        optimizer = getattr(model, "optimizer", None)
    with BundleReader(prefix) as reader:
        graph = _read_graph(reader, what)
        root = _model_node(graph, model)
        matcher = _Matcher(graph)
        matcher.match(model, root)
        pairs = weight_keys(model)
        loaded, missing, skipped, problems, updates = {}, [], [], [], []
        for key, weight in pairs:
            node = matcher.node_of.get(id(weight))
            if node is None:
                missing.append(key)
                continue
            ckpt_key = graph.variable(node)[0]
            if ckpt_key not in reader or reader.dtype(ckpt_key) is None:
                raise ValueError(
                    f"{what} is corrupt: its object graph names tensor {ckpt_key!r}, which it does not "
                    "hold (or which is not numeric)"
                )
            shape = reader.shape(ckpt_key)
            if shape != tuple(weight.shape):
                problems.append(
                    (key, ckpt_key, f"has shape {tuple(weight.shape)} in the model but {shape} in the checkpoint")
                )
            elif not _castable(reader.dtype(ckpt_key), weight.dtype):
                problems.append(
                    (key, ckpt_key, f"is {weight.dtype} in the model but {reader.dtype(ckpt_key)} in the checkpoint")
                )
            else:
                updates.append((weight, reader.tensor(ckpt_key)))
                loaded[key] = ckpt_key
                continue
            skipped.append(key)
        if not pairs:
            raise ValueError(
                f'load_weights: model "{name}" has no weights yet; build it (call it on data, or give '
                f"it an Input) before loading {what}"
            )
        if not loaded and not problems:
            raise ValueError(
                f'load_weights: no weight of model "{name}" is in {what} (its variables: '
                f"{_shown(k for k in reader.keys() if k != OBJECT_GRAPH_KEY)})"
            )
        if problems and not skip_mismatch:
            listed = "; ".join(f"weight {key} ({ckpt_key}) {problem}" for key, ckpt_key, problem in problems[:5])
            raise ValueError(
                f'load_weights: {what} does not fit model "{name}": {listed} (pass skip_mismatch=True '
                "to skip such weights)"
            )
        for key, ckpt_key, problem in problems:
            warnings.warn(f'load_weights: skipping weight {key} of model "{name}": it {problem}', stacklevel=3)
        if missing:
            warnings.warn(
                f'load_weights: {what} lacks {len(missing)} weight(s) of model "{name}", which keep their '
                f"values: {_shown(missing)}",
                stacklevel=3,
            )
        optimizer_state, optimizer_loaded = _plan_optimizer(graph, root, reader, model, optimizer, matcher, what)
    with torch.no_grad():
        for weight, value in updates:
            weight.copy_(value.to(weight.dtype))
    if optimizer_state is not None and isinstance(optimizer, Optimizer):
        optimizer.load_state_dict(optimizer_state)
    consumed = set(loaded.values()) | set(optimizer_loaded.values()) | {OBJECT_GRAPH_KEY} | set(_IGNORED_KEYS)
    consumed |= {ckpt_key for _, ckpt_key, _ in problems}
    unused = [key for key in reader.keys() if key not in consumed]
    loaded.update({f"optimizer/{k}": v for k, v in optimizer_loaded.items()})
    return LoadStatus(name, what, loaded=loaded, missing=missing, unused=unused, skipped=skipped)


def _shown(keys, count=5):
    keys = list(keys)
    return ", ".join(keys[:count]) + (f" and {len(keys) - count} more" if len(keys) > count else "")


def _slot_table(optimizer):
    return KERAS2_SLOTS.get(type(optimizer).__name__, {})


def _plan_optimizer(graph, root, reader, model, optimizer, matcher, what):
    """The optimizer's new ``state_dict`` (or None) and ``{state key: checkpoint key}`` of what it takes."""
    node = graph.child(root, "optimizer")
    if node is None and root != 0:
        node = graph.child(0, "optimizer")
    if node is None or not isinstance(optimizer, Optimizer):
        return None, {}
    trainable = list(model.trainable_weights)
    if not optimizer.built:
        optimizer.build(trainable)  # what its first step would do; the state goes into it
    state = {key: value.detach().clone() for key, value in optimizer.state_dict().items()}
    index = {id(weight): i for i, weight in enumerate(trainable)}
    by_full_name = {}
    for weight in trainable:
        weight_node = matcher.node_of.get(id(weight))
        if weight_node is not None:
            by_full_name[graph.variable(weight_node)[1]] = weight
    found = {}  # state key -> checkpoint key

    def offer(state_key, value_node):
        entry = graph.variable(value_node) if value_node is not None else None
        if entry is None or state_key not in state or state_key in found:
            return
        ckpt_key = entry[0]
        if (
            ckpt_key in reader
            and reader.dtype(ckpt_key) is not None
            and reader.shape(ckpt_key) == tuple(state[state_key].shape)
        ):
            found[state_key] = ckpt_key

    for state_key, names in _SCALARS.items():
        for child_name in names:
            if child_name is not None:
                offer(state_key, graph.child(node, child_name))
    table = _slot_table(optimizer)
    for slot, (list_name, label, legacy) in table.items():  # tf.keras 2's optimizers: one list per slot kind
        list_node = graph.child(node, list_name)
        if list_node is None:
            continue
        for item, value_node in graph.children[list_node]:
            weight = _slot_owner(graph, value_node, by_full_name)
            position = index.get(id(weight)) if weight is not None else (int(item) if item.isdigit() else None)
            if position is not None and position < len(trainable):
                offer(f"{position}/{slot}", value_node)
    legacy_names = {legacy: slot for slot, (_, _, legacy) in table.items() if legacy}
    for original, slot_name, value_node in graph.slots[node]:  # legacy optimizers: slot variables
        weight = next((w for w in trainable if matcher.node_of.get(id(w)) == original), None)
        slot = legacy_names.get(slot_name, slot_name)
        if weight is not None:
            offer(f"{index[id(weight)]}/{slot}", value_node)
    variables = graph.child(node, "_variables")  # anything else kerastorch wrote: "<optimizer>/<slot>/<weight>"
    labels = {label: slot for slot, (_, label, _) in table.items()}
    for _, value_node in graph.children[variables] if variables is not None else []:
        entry = graph.variable(value_node)
        parts = entry[1].split("/", 2) if entry else []
        if len(parts) == 3 and parts[0] == type(optimizer).__name__ and parts[2] in by_full_name:
            offer(f"{index[id(by_full_name[parts[2]])]}/{labels.get(parts[1], parts[1])}", value_node)
    found.update(_check_hyperparameters(graph, node, reader, optimizer, set(found.values()), what))
    if not [key for key in found if not key.startswith("hyperparameter/")]:
        return None, found
    for state_key, ckpt_key in found.items():
        if state_key.startswith("hyperparameter/"):
            continue
        value = reader.tensor(ckpt_key)
        if not _castable(value.dtype, state[state_key].dtype):
            raise ValueError(
                f"{what}: optimizer variable {ckpt_key!r} is {value.dtype}; optimizer "
                f"'{optimizer.name}' keeps {state_key} as {state[state_key].dtype}"
            )
        state[state_key] = value.to(state[state_key].dtype)
    return state, found


def _check_hyperparameters(graph, node, reader, optimizer, used, what):
    """Legacy optimizers checkpoint their hyperparameters (``beta_1``, ``decay``...) as variables: compared with
    the optimizer's own (a difference warns; the optimizer keeps its configuration) and counted as read."""
    found = {}
    for name, child in graph.children[node]:
        entry = graph.variable(child)
        if (
            entry is None
            or entry[0] in used
            or entry[0] not in reader
            or reader.shape(entry[0]) != ()
            or reader.dtype(entry[0]) is None
            or not reader.dtype(entry[0]).is_floating_point
        ):
            continue
        own = 0.0 if name == "decay" else getattr(optimizer, name, None)
        if isinstance(own, bool) or not isinstance(own, (int, float)):
            continue
        value = float(reader.tensor(entry[0]))
        if abs(value - own) > 1e-6 * max(1.0, abs(own)):
            warnings.warn(
                f"load_weights: {what} records the optimizer's {name}={value:.7g}; optimizer "
                f"'{optimizer.name}' keeps its own {name}={own:.7g}",
                stacklevel=4,
            )
        found[f"hyperparameter/{name}"] = entry[0]
    return found


def _slot_owner(graph, value_node, by_full_name):
    """The model weight a tf.keras 2 slot variable belongs to, from its name ``<optimizer>/<label>/<weight>``."""
    entry = graph.variable(value_node)
    parts = entry[1].split("/", 2) if entry else []
    return by_full_name.get(parts[2]) if len(parts) == 3 else None


# --------------------------------------------------------------------------- saving
def _add_variable(graph, tensors, parent, name, path, value, full_name):
    node = graph.add_node()
    graph.children[parent].append((name, node))
    key = f"{path}/{VARIABLE_SUFFIX}"
    graph.attributes[node].append(("VARIABLE_VALUE", full_name, key))
    tensors[key] = value
    return node


def _add_objects(graph, tensors, obj, node, path, nodes_of):
    """Mirror ``obj``'s tracked children (as :func:`_object_children` names them) into the graph."""
    for kind, name, value in _object_children(obj):
        child_path = f"{path}/{_escape(name)}" if path else _escape(name)
        if kind == "weight":
            if id(value) in nodes_of:
                graph.children[node].append((name, nodes_of[id(value)]))
                continue
            nodes_of[id(value)] = _add_variable(
                graph, tensors, node, name, child_path, value.detach(), str(getattr(value, "path", name))
            )
            continue
        items = value if kind == "list" else [value]
        if kind == "list":
            list_node = graph.add_node()
            graph.children[node].append((name, list_node))
        for index, item in enumerate(items):
            if not item.weights:
                continue
            if id(item) in nodes_of:
                graph.children[list_node if kind == "list" else node].append(
                    (str(index) if kind == "list" else name, nodes_of[id(item)])
                )
                continue
            item_node = nodes_of[id(item)] = graph.add_node()
            if kind == "list":
                graph.children[list_node].append((str(index), item_node))
                _add_objects(graph, tensors, item, item_node, f"{child_path}/{index}", nodes_of)
            else:
                graph.children[node].append((name, item_node))
                _add_objects(graph, tensors, item, item_node, child_path, nodes_of)


def _add_optimizer(graph, tensors, root, model, optimizer):
    node = graph.add_node()
    graph.children[root].append(("optimizer", node))
    optimizer_name = type(optimizer).__name__
    state = optimizer.state_dict()
    trainable = list(model.trainable_weights)
    variables = graph.add_node()
    graph.children[node].append(("_variables", variables))
    listed = []
    scalar_nodes = {}
    for state_key, (child_name, _) in _SCALARS.items():
        if state_key in state:
            label = {"iterations": "iteration"}.get(state_key, state_key)
            scalar_nodes[state_key] = _add_variable(
                graph, tensors, node, child_name, f"optimizer/{child_name}", state[state_key].detach(), label
            )
    if "iterations" in scalar_nodes:
        listed.append(scalar_nodes["iterations"])
    table = _slot_table(optimizer)
    lists = {}
    for state_key, value in state.items():
        position, _, slot = state_key.partition("/")
        if not slot or not position.isdigit() or int(position) >= len(trainable):
            continue
        weight = trainable[int(position)]
        list_name, label, _ = table.get(slot, (None, slot, None))
        number = len(listed)
        value_node = _add_variable(
            graph,
            tensors,
            variables,
            str(number),
            f"optimizer/_variables/{number}",
            value.detach(),
            f"{optimizer_name}/{label}/{getattr(weight, 'path', position)}",
        )
        listed.append(value_node)
        if list_name is not None:
            if list_name not in lists:
                lists[list_name] = graph.add_node()
                graph.children[node].append((list_name, lists[list_name]))
            graph.children[lists[list_name]].append((position, value_node))
    if "iterations" in scalar_nodes:
        graph.children[variables].insert(0, ("0", scalar_nodes["iterations"]))


def save_checkpoint(
    model: Layer, prefix: str | os.PathLike[str], optimizer: Optimizer | None | Literal["auto"] = "auto"
) -> None:
    """Write ``model``'s weights (and its built optimizer's state) as a TensorFlow checkpoint tf.keras 2 reads:
    ``<prefix>.index``, ``<prefix>.data-00000-of-00001`` and the ``checkpoint`` file in the same folder.

    Args:
        model: the kerastorch model.
        prefix: str or path-like: the checkpoint prefix.
        optimizer: a kerastorch optimizer, None, or ``"auto"`` (default: ``model.optimizer`` once built).

    Raises:
        OSError: a write failed; what was there is intact (see the module docstring for the crash window).
    """
    prefix = os.fspath(prefix)
    if isinstance(optimizer, str) and optimizer == "auto":
        optimizer = getattr(model, "optimizer", None)
    graph = ObjectGraph()
    tensors: dict[str, Any] = {}
    root = graph.add_node()
    _add_objects(graph, tensors, model, root, "", {})
    if isinstance(optimizer, Optimizer) and optimizer.built:
        _add_optimizer(graph, tensors, root, model, optimizer)
    tensors[OBJECT_GRAPH_KEY] = graph.encode()
    write_bundle(prefix, tensors)
    folder, base = os.path.split(os.path.abspath(prefix))
    write_checkpoint_state(folder, base, [base])


# --------------------------------------------------------------------------- the "checkpoint" file
_FIELD = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:"((?:[^"\\\n]|\\.)*)"|([-+0-9.eE]+|inf|nan))\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text, what):
    out, i = bytearray(), 0
    raw = text.encode("utf-8")
    while i < len(raw):
        char = raw[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = raw[i + 1 : i + 2].decode("latin-1")
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt].encode()
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group()
            out.append(int(digits, 8) & 0xFF)
            i += 1 + len(digits)
        elif nxt == "x" and re.match(rb"[0-9a-fA-F]{1,2}", raw[i + 2 : i + 4]):
            digits = re.match(rb"[0-9a-fA-F]{1,2}", raw[i + 2 : i + 4]).group()
            out.append(int(digits, 16))
            i += 2 + len(digits)
        else:
            raise ValueError(f"{what} is malformed: unknown escape \\{nxt}")
    return out.decode("utf-8", "surrogateescape")


def _escape_text(text):
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def read_checkpoint_state(folder: str | os.PathLike[str], latest_filename: str | None = None) -> dict[str, Any] | None:
    """Parse the ``checkpoint`` file of ``folder`` (a ``CheckpointState`` in protobuf text format).

    Args:
        folder: str or path-like: the checkpoint folder.
        latest_filename: str or None, default None: the file's name (``"checkpoint"``).

    Returns:
        dict or None: ``{"model_checkpoint_path": str, "all_model_checkpoint_paths": [str, ...]}`` (paths as
        written), or None when the file does not exist.

    Raises:
        ValueError: the file is malformed or over ``MAX_STATE_BYTES``.

    >>> write_checkpoint_state(".", "ckpt-2", ["ckpt-1", "ckpt-2"])
    >>> read_checkpoint_state(".")
    {'model_checkpoint_path': 'ckpt-2', 'all_model_checkpoint_paths': ['ckpt-1', 'ckpt-2']}
    """
    path = os.path.join(os.fspath(folder), latest_filename or STATE_FILE)
    what = f"checkpoint state file {path!r}"
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_STATE_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(data) > MAX_STATE_BYTES:
        raise ValueError(f"{what} is more than MAX_STATE_BYTES={MAX_STATE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{what} is not UTF-8 text") from None
    state: dict[str, Any] = {"model_checkpoint_path": None, "all_model_checkpoint_paths": []}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FIELD.match(line)
        if match is None:
            raise ValueError(f"{what} is malformed at line {number}: {line[:80]!r}")
        field, string = match.group(1), match.group(2)
        if field == "model_checkpoint_path" and string is not None:
            state["model_checkpoint_path"] = _unescape(string, what)
        elif field == "all_model_checkpoint_paths" and string is not None:
            state["all_model_checkpoint_paths"].append(_unescape(string, what))
        elif field not in ("all_model_checkpoint_timestamps", "last_preserved_timestamp") or string is not None:
            raise ValueError(f"{what} is malformed at line {number}: unknown field {field!r}")
    if state["model_checkpoint_path"] is None:
        raise ValueError(f"{what} is malformed: it names no model_checkpoint_path")
    return state


def write_checkpoint_state(folder: str | os.PathLike[str], latest: str, all_paths: list[str] | None = None) -> None:
    """Write the ``checkpoint`` file of ``folder`` atomically, as TensorFlow does (paths relative to it).

    Args:
        folder: str or path-like: the checkpoint folder.
        latest: str: the latest checkpoint's prefix.
        all_paths: list of str or None: every kept checkpoint's prefix (default: ``[latest]``).
    """
    lines = [f'model_checkpoint_path: "{_escape_text(latest)}"']
    lines += [f'all_model_checkpoint_paths: "{_escape_text(path)}"' for path in (all_paths or [latest])]
    write_bytes(os.path.join(os.fspath(folder), STATE_FILE), ("\n".join(lines) + "\n").encode("utf-8"))


def latest_checkpoint(checkpoint_dir: str | os.PathLike[str], latest_filename: str | None = None) -> str | None:
    """The prefix of the latest checkpoint in ``checkpoint_dir``, as ``tf.train.latest_checkpoint`` finds it.

    The folder's ``checkpoint`` file names it (relative to the folder, or absolute); it counts only when its
    ``.index`` file exists.

    Args:
        checkpoint_dir: str or path-like: the folder.
        latest_filename: str or None, default None: the state file's name (``"checkpoint"``).

    Returns:
        str or None: the prefix to pass to ``load_weights``, or None when there is no checkpoint.

    Raises:
        ValueError: the ``checkpoint`` file is malformed.

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> model.save_weights("training/ckpt")
        >>> latest_checkpoint("training")
        'training/ckpt'
        >>> latest_checkpoint("nowhere") is None
        True
    """
    folder = os.fspath(checkpoint_dir)
    state = read_checkpoint_state(folder, latest_filename)
    if state is None:
        return None
    path = state["model_checkpoint_path"]
    if not os.path.isabs(path):
        path = os.path.join(folder, path)
    return path if is_checkpoint(path) else None
