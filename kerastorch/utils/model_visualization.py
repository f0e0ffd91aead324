"""``keras.utils.model_to_dot`` and ``keras.utils.plot_model``: a model's layer graph in Graphviz's DOT language.

One node per layer (an HTML-like table: name and class, optionally the activation, input and output shapes,
output dtype, trainability) and one edge per connection, read from the model's functional graph: the
layers of a Functional or Sequential model and the nodes their calls recorded. A subclassed model, which
has no recorded graph, is one node. With ``expand_nested=True`` a Functional or Sequential model used as a
layer becomes a dashed cluster holding its own layers. The graph matches Keras 3's (same attributes,
labels and node ids, ``str(id(layer))``).

``plot_model(model, "model.dot")`` writes the DOT text itself and needs no other package. Other formats
(``.png``, ``.svg``, ``.pdf`` ...) are drawn from that text by Graphviz's ``dot`` program, which must be
installed (pydot is not needed). ``model_to_dot`` returns a ``pydot.Dot`` and so needs pydot
(``pip install pydot``); its ``to_string()`` is the text ``plot_model`` writes.

Example:
    >>> import kerastorch as keras
    >>> inputs = keras.Input((4,), name="features")
    >>> hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    >>> model = keras.Model(inputs, keras.layers.Dense(1, name="score")(hidden))
    >>> plot_model(model, "model.dot", show_shapes=True, show_layer_names=True)
    >>> text = open("model.dot").read()
    >>> text.splitlines()[:3]
    ['digraph G {', 'rankdir=TB;', 'concentrate=true;']
    >>> "<b>hidden</b> (Dense)" in text, "Output shape: <b>(None, 8)</b>" in text, text.count(" -> ")
    (True, True, 2)
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

from kerastorch.layers.input_layer import InputLayer
from kerastorch.models.model import Model
from kerastorch.saving.file_utils import atomic_write

if TYPE_CHECKING:
    import pydot

__all__ = ["model_to_dot", "plot_model"]

_RANKDIRS = ("TB", "LR", "BT", "RL")
_SPLINES = ("ortho", "curved", "polyline", "spline", "line", "none", "true", "false")
_PYDOT_HINT = "pip install pydot"
_GRAPHVIZ_HINT = "install Graphviz (https://graphviz.org/download/) so that its `dot` program is on the PATH"
_ID = re.compile(r"^[A-Za-z_\x80-\U0010ffff][0-9A-Za-z_\x80-\U0010ffff]*$")
_NUMERAL = re.compile(r"^-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


# ----------------------------------------------------------------------------- the graph description
class _Graph:
    """A DOT graph or cluster: ``attributes`` (ordered pairs), ``items`` (``("node", id, attrs)`` and
    ``("cluster", _Graph)`` in layer order) and ``edges`` (``(source id, target id)``), written after them."""

    def __init__(self, name, attributes, cluster=False):
        self.name = name
        self.attributes = attributes
        self.cluster = cluster
        self.items = []
        self.edges = []


def _quote(value):
    """A DOT ID: HTML labels and plain identifiers or numerals as they are, anything else double-quoted."""
    value = str(value)
    if value.startswith("<") and value.endswith(">"):
        return value
    if (_ID.match(value) and value.lower() not in _KEYWORDS) or _NUMERAL.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attribute_list(attributes):
    return ", ".join(f"{key}={_quote(value)}" for key, value in attributes)


def _to_text(graph, lines):
    head = f"subgraph {_quote('cluster_' + graph.name)}" if graph.cluster else f"digraph {_quote(graph.name)}"
    lines.append(head + " {")
    lines.extend(f"{key}={_quote(value)};" for key, value in graph.attributes)
    if not graph.cluster:
        lines.append("node [shape=record];")
    for item in graph.items:
        if item[0] == "node":
            lines.append(f"{_quote(item[1])} [{_attribute_list(item[2])}];")
        else:
            _to_text(item[1], lines)
    lines.extend(f"{_quote(source)} -> {_quote(target)} [penwidth=2];" for source, target in graph.edges)
    lines.append("}")
    return lines


def _dot_text(graph):
    """The DOT source of ``graph`` (what ``pydot.Dot.to_string()`` gives for the same graph)."""
    return "\n".join(_to_text(graph, [])) + "\n"


def _import_pydot(what):
    try:
        import pydot  # optional dependency: only model_to_dot needs it
    except ImportError:
        raise ImportError(
            f"{what} needs pydot: {_PYDOT_HINT} (and, to draw images, {_GRAPHVIZ_HINT}). "
            'plot_model(model, "model.dot") writes the graph in the DOT language without either.'
        ) from None
    return pydot


def _to_pydot(graph, pydot):
    if graph.cluster:
        result = pydot.Cluster(graph_name=graph.name)
    else:
        result = pydot.Dot(graph_name=graph.name, graph_type="digraph")
    for key, value in graph.attributes:
        result.set(key, value)
    if not graph.cluster:
        result.set_node_defaults(shape="record")
    for item in graph.items:
        if item[0] == "node":
            result.add_node(pydot.Node(item[1], **dict(item[2])))
        else:
            result.add_subgraph(_to_pydot(item[1], pydot))
    for source, target in graph.edges:
        result.add_edge(pydot.Edge(source, target, penwidth="2"))
    return result


# ----------------------------------------------------------------------------- reading the model
def _is_model(layer):
    return isinstance(layer, Model)


def _model_graph(model):
    """The functional graph of a Functional or built Sequential model; None for a subclassed one."""
    return getattr(model, "_graph", None) if _is_model(model) else None


def _expandable(layer, expand_nested):
    return expand_nested and _model_graph(layer) is not None


def _shown_layers(model):
    """The nodes of ``model``'s drawing: its layers (a Functional model's include its InputLayers, a
    Sequential model's do not, as in Keras); a subclassed model is drawn as itself."""
    return list(model.layers) if _model_graph(model) is not None else [model]


def _graph_nodes(layer, graph):
    """The calls of ``layer`` recorded in ``graph`` (all its calls when ``graph`` is None)."""
    if graph is None:
        return list(layer._inbound_nodes)
    return [node for node in layer._inbound_nodes if any(node is n for n in graph.nodes)]


def _shapes_text(tensors):
    shapes = [tuple(t.shape) for t in tensors]
    if not shapes:
        return "?"
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _dtypes_text(tensors):
    dtypes = [str(t.dtype) for t in tensors]
    if not dtypes:
        return "?"
    return dtypes[0] if len(dtypes) == 1 else str(dtypes)


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None or not (callable(activation) or isinstance(activation, str)):
        return None
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", None) or type(activation).__name__


class _Options:
    def __init__(self, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
        self.show_shapes = show_shapes
        self.show_dtype = show_dtype
        self.show_layer_names = show_layer_names
        self.show_layer_activations = show_layer_activations
        self.show_trainable = show_trainable
        self.colspan = max(1, 2 * show_shapes + show_dtype + show_trainable)


def _cell(text, bold):
    return f'<td bgcolor="white"><font point-size="14">{text}: <b>{html.escape(bold, quote=False)}</b></font></td>'


def _label(layer, graph, options):
    class_name = html.escape(type(layer).__name__, quote=False)
    title = (
        f"<b>{html.escape(layer.name, quote=False)}</b> ({class_name})"
        if options.show_layer_names
        else f"<b>{class_name}</b>"
    )
    span = options.colspan
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" color="white">{title}</font></td></tr>']
    activation = _activation_name(layer) if options.show_layer_activations else None
    if activation is not None:
        rows.append(
            f'<tr><td bgcolor="white" colspan="{span}"><font point-size="14">Activation: '
            f"<b>{html.escape(activation, quote=False)}</b></font></td></tr>"
        )
    nodes = _graph_nodes(layer, graph)
    node = nodes[0] if nodes else None
    cells = []
    if options.show_shapes:
        if not isinstance(layer, InputLayer):
            cells.append(_cell("Input shape", _shapes_text(node.input_tensors if node else [])))
        cells.append(_cell("Output shape", _shapes_text(node.outputs if node else [])))
    if options.show_dtype:
        cells.append(_cell("Output dtype", _dtypes_text(node.outputs if node else [])))
    if options.show_trainable and layer.weights:
        color, text = ("forestgreen", "Trainable") if layer.trainable else ("firebrick", "Non-trainable")
        cells.append(f'<td bgcolor="{color}"><font point-size="14" color="white"><b>{text}</b></font></td>')
    if cells:
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = '<table border="0" cellborder="1" bgcolor="black" cellpadding="10">' + "".join(rows) + "</table>"
    return [("label", f"<{table}>"), ("fontname", "Helvetica"), ("border", "0"), ("margin", "0")]


def _exit_ids(layer, tensor_index, expand_nested):
    """The drawn node an edge leaves from, for output ``tensor_index`` of ``layer``."""
    if not _expandable(layer, expand_nested):
        return [str(id(layer))]
    graph = _model_graph(layer)
    output = graph.outputs[min(tensor_index, len(graph.outputs) - 1)]
    producer, _, index = output._keras_history
    return _exit_ids(producer, index, expand_nested)


def _entry_ids(layer, position, expand_nested):
    """The drawn nodes an edge enters, for input ``position`` of ``layer``."""
    if not _expandable(layer, expand_nested):
        return [str(id(layer))]
    graph = _model_graph(layer)
    if not graph.inputs:
        return []
    source = graph.inputs[min(position, len(graph.inputs) - 1)]
    input_layer = source._keras_history[0]
    if any(input_layer is shown for shown in _shown_layers(layer)):
        return [str(id(input_layer))]
    ids = []  # a Sequential model does not draw its InputLayer: enter the layers that read the input
    for consumer in _shown_layers(layer):
        for node in _graph_nodes(consumer, graph):
            for index, tensor in enumerate(node.input_tensors):
                if tensor is source:
                    ids.extend(_entry_ids(consumer, index, expand_nested))
    return ids


def _add_model(model, target, options, expand_nested, seen_edges):
    graph = _model_graph(model)
    shown = _shown_layers(model)
    for layer in shown:
        if _expandable(layer, expand_nested):
            cluster = _Graph(layer.name, [("style", "dashed"), ("label", layer.name), ("labeljust", "l")], cluster=True)
            _add_model(layer, cluster, options, expand_nested, seen_edges)
            target.items.append(("cluster", cluster))
        else:
            target.items.append(("node", str(id(layer)), _label(layer, graph, options)))
    if graph is None:
        return
    for layer in shown:
        for node in _graph_nodes(layer, graph):
            for position, tensor in enumerate(node.input_tensors):
                producer, _, tensor_index = tensor._keras_history
                if not any(producer is other for other in shown):
                    continue
                for source in _exit_ids(producer, tensor_index, expand_nested):
                    for destination in _entry_ids(layer, position, expand_nested):
                        if (source, destination) not in seen_edges:
                            seen_edges.add((source, destination))
                            target.edges.append((source, destination))


def _describe(
    model,
    show_shapes,
    show_dtype,
    show_layer_names,
    rankdir,
    expand_nested,
    dpi,
    subgraph,
    show_layer_activations,
    show_trainable,
    splines,
    kwargs,
    what,
):
    """Check the arguments and build the :class:`_Graph` of ``model``."""
    layer_range = kwargs.pop("layer_range", None)
    if layer_range is not None:
        raise ValueError(
            f"{what}: argument `layer_range` is no longer supported (as in Keras 3). "
            f"Received: layer_range={layer_range!r}"
        )
    if kwargs:
        raise ValueError(f"{what}: unrecognized keyword arguments: {sorted(kwargs)}")
    if not _is_model(model):
        raise TypeError(
            f"{what}: expected a Keras model (Functional, Sequential or a Model subclass), "
            f"received {type(model).__name__}"
        )
    if not model.built:
        raise ValueError(
            f'{what}: model "{model.name}" has not yet been built. Build the model first by calling '
            "`build()`, by calling it on a batch of data, or by starting it with keras.Input()."
        )
    if rankdir not in _RANKDIRS:
        raise ValueError(f"{what}: argument `rankdir` must be one of {list(_RANKDIRS)}. Received: rankdir={rankdir!r}")
    if splines not in _SPLINES:
        raise ValueError(f"{what}: argument `splines` must be one of {list(_SPLINES)}. Received: splines={splines!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
        raise ValueError(f"{what}: argument `dpi` must be a positive number. Received: dpi={dpi!r}")
    options = _Options(
        bool(show_shapes), bool(show_dtype), bool(show_layer_names), bool(show_layer_activations), bool(show_trainable)
    )
    if subgraph:
        graph = _Graph(model.name, [("style", "dashed"), ("label", model.name), ("labeljust", "l")], cluster=True)
    else:
        graph = _Graph("G", [("rankdir", rankdir), ("concentrate", "true"), ("dpi", str(dpi)), ("splines", splines)])
    _add_model(model, graph, options, bool(expand_nested), set())
    return graph


# ----------------------------------------------------------------------------- public functions
def model_to_dot(
    model: Model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: float = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> pydot.Dot | pydot.Cluster:
    """Convert a Keras model to a ``pydot`` graph (Graphviz's DOT format).

    Each layer is a node labelled with its name and class (and, as asked, its activation, input and output
    shapes, output dtype and whether it is trainable); each connection between layers is an edge. Needs
    pydot (``pip install pydot``); ``plot_model(model, "model.dot")`` writes the same graph as DOT text
    without it.

    Args:
        model: A Keras model instance (Functional, Sequential or a built Model subclass, which is drawn as
            one node).
        show_shapes: bool, default ``False``. Whether to display input and output shapes.
        show_dtype: bool, default ``False``. Whether to display the output dtypes.
        show_layer_names: bool, default ``True``. Whether to display layer names (else only class names).
        rankdir: str, default ``"TB"``. ``rankdir`` argument passed to PyDot: ``"TB"`` draws a vertical
            plot, ``"LR"`` a horizontal one (``"BT"`` and ``"RL"`` reverse them).
        expand_nested: bool, default ``False``. Whether to expand nested Functional and Sequential models
            into clusters of their layers.
        dpi: int or float, default ``200``. Image resolution in dots per inch.
        subgraph: bool, default ``False``. Whether to return a ``pydot.Cluster`` (the model as a dashed
            cluster, for inclusion in another graph) instead of a ``pydot.Dot``.
        show_layer_activations: bool, default ``False``. Display the activations of layers that have an
            ``activation`` attribute.
        show_trainable: bool, default ``False``. Display whether each layer with weights is trainable.
        splines: str, default ``"ortho"``. How edges are drawn: ``"ortho"`` (right angles), ``"curved"``,
            ``"polyline"``, ``"spline"``, ``"line"``, ``"none"``, ``"true"`` or ``"false"``.
        **kwargs: only the legacy ``layer_range=None`` is accepted.

    Returns:
        A ``pydot.Dot`` representing the model, or a ``pydot.Cluster`` when ``subgraph=True``.

    Raises:
        ImportError: pydot is not installed.
        TypeError: ``model`` is not a Keras model.
        ValueError: the model is not built, an argument has an unsupported value, ``layer_range`` is given
            or an unknown keyword argument is passed.

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="out")])
        >>> try:
        ...     graph = model_to_dot(model, show_shapes=True)  # a pydot.Dot, where pydot is installed
        ... except ImportError:
        ...     graph = None                                   # without pydot: an ImportError naming it
        >>> graph is None or [node.get_name() for node in graph.get_nodes()][1:] == [str(id(model.layers[0]))]
        True
    """
    graph = _describe(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        rankdir,
        expand_nested,
        dpi,
        subgraph,
        show_layer_activations,
        show_trainable,
        splines,
        dict(kwargs),
        "model_to_dot",
    )
    return _to_pydot(graph, _import_pydot("model_to_dot"))


def _render(graph, to_file, extension):
    """Draw ``graph`` into ``to_file`` with Graphviz's ``dot`` program (``dot -T<extension>``)."""
    program = shutil.which("dot")
    if program is None:
        raise ImportError(
            f"plot_model: writing a .{extension} file needs Graphviz: {_GRAPHVIZ_HINT}. (pydot, "
            f"`{_PYDOT_HINT}`, is what keras.utils.model_to_dot needs.) "
            'plot_model(model, "model.dot") writes the graph in the DOT language without either.'
        )
    with atomic_write(to_file) as tmp_path:  # a failed drawing leaves no partial file
        result = subprocess.run(
            [program, f"-T{extension}", "-o", tmp_path],
            input=_dot_text(graph).encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise ValueError(f"plot_model: Graphviz could not write {to_file!r} as .{extension}: {message}")


def _notebook_image(to_file, extension):
    """An IPython image object for notebooks, when IPython is installed (else None)."""
    try:
        from IPython import display  # optional dependency: inline display in notebooks
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=to_file)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=to_file)
    return None


def plot_model(
    model: Model,
    to_file: str | os.PathLike[str] = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: float = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> Any:
    """Converts a Keras model to dot format and saves it to a file.

    The folder of ``to_file`` is created when missing, and the file is written atomically. The file's
    extension picks the format: ``.dot`` (or ``.gv``) writes the DOT source text, which needs
    no other package; any other extension (``png``, ``svg``, ``pdf``, ``jpg`` ...; ``png`` when there is
    none) is drawn from that text by Graphviz's ``dot`` program (``dot -T<extension>``), which must be
    installed; pydot is not needed.

    Args:
        model: A Keras model instance (Functional, Sequential or a built Model subclass).
        to_file: str or path-like, default ``"model.png"``. File name of the plot image.
        show_shapes: bool, default ``False``. Whether to display input and output shapes.
        show_dtype: bool, default ``False``. Whether to display the output dtypes.
        show_layer_names: bool, default ``False``. Whether to display layer names.
        rankdir: str, default ``"TB"``. ``"TB"`` draws a vertical plot, ``"LR"`` a horizontal one (``"BT"``
            and ``"RL"`` reverse them).
        expand_nested: bool, default ``False``. Whether to expand nested Functional and Sequential models
            into clusters.
        dpi: int or float, default ``200``. Image resolution in dots per inch.
        show_layer_activations: bool, default ``False``. Display the activations of layers that have an
            ``activation`` attribute.
        show_trainable: bool, default ``False``. Display whether each layer with weights is trainable.
        splines: str, default ``"ortho"``. How edges are drawn: ``"ortho"`` (right angles), ``"curved"``,
            ``"polyline"``, ``"spline"``, ``"line"``, ``"none"``, ``"true"`` or ``"false"``.
        **kwargs: only the legacy ``layer_range=None`` is accepted.

    Returns:
        For an image format, an IPython ``Image`` (``SVG`` for ``.svg``) showing the file when IPython is
        installed, for inline display in notebooks; otherwise ``None``.

    Raises:
        ImportError: an image format is asked for and Graphviz's ``dot`` program is not installed (the
            message says how to install Graphviz, and names ``pip install pydot`` for ``model_to_dot``).
        TypeError: ``model`` is not a Keras model.
        ValueError: the model is not built, an argument has an unsupported value, ``layer_range`` is given,
            an unknown keyword argument is passed, or Graphviz cannot write the format (an unknown
            extension).

    Example:
        >>> import kerastorch as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="relu")])
        >>> plot_model(model, to_file="model.dot", show_layer_activations=True, rankdir="LR")
        >>> text = open("model.dot").read()
        >>> "rankdir=LR;" in text, "Activation: <b>relu</b>" in text
        (True, True)
    """
    graph = _describe(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        rankdir,
        expand_nested,
        dpi,
        False,
        show_layer_activations,
        show_trainable,
        splines,
        dict(kwargs),
        "plot_model",
    )
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension in ("dot", "gv"):
        with atomic_write(to_file) as tmp_path:
            with open(tmp_path, "w", encoding="utf-8") as f:
                f.write(_dot_text(graph))
        return None
    _render(graph, to_file, extension)
    return _notebook_image(to_file, extension)
