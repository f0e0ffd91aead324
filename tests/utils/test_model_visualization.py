"""keras.utils.model_to_dot / plot_model: the DOT graph (nodes, labels, edges, nested clusters) of Functional,
Sequential and subclassed models, Keras 3's exact output, .dot files without pydot, images through Graphviz, and
argument / dependency errors."""

import re
import shutil
import sys

import pytest

import kerastorch as keras
from kerastorch import layers
from kerastorch.utils import model_visualization

HAS_DOT = shutil.which("dot") is not None


def _dot(model, tmp_path, **kwargs):
    """The DOT text plot_model writes (no pydot needed)."""
    target = tmp_path / "graph.dot"
    assert keras.utils.plot_model(model, to_file=str(target), **kwargs) is None
    return target.read_text()


def _edges(text):
    return re.findall(r"^(\S+) -> (\S+) \[penwidth=2\];$", text, re.M)


def _node_ids(text):
    return re.findall(r"^(\S+) \[label=<", text, re.M)


def _ids(*objects):
    return [str(id(o)) for o in objects]


def _residual(api):
    inputs = api.Input((4,), name="x")
    hidden = api.layers.Dense(8, activation="relu", name="hidden")(inputs)
    out = api.layers.Dense(1, name="out")(hidden)
    merged = api.layers.Add(name="add")([out, api.layers.Dense(1, name="skip")(inputs)])
    return api.Model(inputs, merged, name="m")


def _nested(api):
    a, b = api.Input((2,), name="a"), api.Input((2,), name="b")
    s = api.layers.Add(name="s")([a, b])
    inner = api.Model([a, b], [s, api.layers.Dense(3, name="id")(s)], name="inner")
    x, y = api.Input((2,), name="x1"), api.Input((2,), name="y1")
    p, q = inner([x, y])
    return api.Model([x, y], [api.layers.Add(name="t")([p, p]), q], name="outer")


def _nested_sequential(api):
    inner = api.Sequential(
        [api.Input((4,)), api.layers.Dense(3, name="i1"), api.layers.Dense(2, name="i2")], name="inner"
    )
    x = api.Input((4,), name="xx")
    return api.Model(x, api.layers.Dense(1, name="o3")(inner(x)), name="ns")


def _lstm(api):
    inputs = api.Input((None, 4), name="x3")
    sequence, state_h, _ = api.layers.LSTM(3, return_state=True, name="lstm")(inputs)
    frozen = api.layers.Dense(2, name="frozen", activation="gelu")
    frozen.trainable = False
    out = api.layers.Activation("tanh", name="act")(frozen(sequence))
    return api.Model(inputs, [out, state_h], name="lm")


def _shared(api):
    inputs = api.Input((2,), name="q")
    dense = api.layers.Dense(2, name="dd")
    return api.Model(inputs, dense(dense(inputs)), name="shared")


def _sequential(api):
    return api.Sequential(
        [api.Input((3,)), api.layers.Dense(2, name="d"), api.layers.Dropout(0.1, name="dr")], name="seq"
    )


def _quoted(api):
    inner = api.Sequential([api.Input((3,)), api.layers.Dense(2, name="a-b c")], name="my model-1")
    x = api.Input((3,), name="i4")
    return api.Model(x, inner(x), name="qm")


BUILDERS = {
    "residual": _residual,
    "nested": _nested,
    "nested_sequential": _nested_sequential,
    "lstm": _lstm,
    "shared": _shared,
    "sequential": _sequential,
    "quoted": _quoted,
}
OPTIONS = [
    {},
    {"show_shapes": True},
    {"show_shapes": True, "show_dtype": True, "show_trainable": True, "show_layer_activations": True},
    {"show_dtype": True},
    {"show_trainable": True},
    {"expand_nested": True, "show_shapes": True},
    {"show_layer_names": False, "rankdir": "LR", "dpi": 96, "splines": "curved"},
]


def _normalized(text):
    """Node ids (``id(layer)``) replaced by their order of appearance."""
    ids = {}
    return re.sub(r"\b\d{6,}\b", lambda m: ids.setdefault(m.group(), f"N{len(ids)}"), text)


# ----------------------------------------------------------------------------- structure
def test_reachable_from_keras_utils():
    assert keras.utils.model_to_dot is model_visualization.model_to_dot
    assert keras.utils.plot_model is model_visualization.plot_model


def test_functional_nodes_edges_and_graph_attributes(tmp_path):
    model = _residual(keras)
    text = _dot(model, tmp_path, show_layer_names=True)
    x, hidden, out, skip, add = model.layers
    assert text.splitlines()[:6] == [
        "digraph G {",
        "rankdir=TB;",
        "concentrate=true;",
        "dpi=200;",
        "splines=ortho;",
        "node [shape=record];",
    ]
    assert _node_ids(text) == _ids(x, hidden, out, skip, add)
    assert sorted(_edges(text)) == sorted(
        [
            tuple(_ids(x, hidden)),
            tuple(_ids(hidden, out)),
            tuple(_ids(x, skip)),
            tuple(_ids(out, add)),
            tuple(_ids(skip, add)),
        ]
    )
    assert "<b>hidden</b> (Dense)" in text and text.endswith("}\n")


def test_label_matches_keras_layout_exactly(tmp_path):
    """A label with every option, as Keras 3 draws it (copied from Keras's output for this layer)."""
    text = _dot(
        _residual(keras),
        tmp_path,
        show_shapes=True,
        show_dtype=True,
        show_trainable=True,
        show_layer_activations=True,
        show_layer_names=True,
    )
    expected = (
        '[label=<<table border="0" cellborder="1" bgcolor="black" cellpadding="10"><tr><td colspan="4" '
        'bgcolor="black"><font point-size="16" color="white"><b>hidden</b> (Dense)</font></td></tr><tr><td '
        'bgcolor="white" colspan="4"><font point-size="14">Activation: <b>relu</b></font></td></tr><tr><td '
        'bgcolor="white"><font point-size="14">Input shape: <b>(None, 4)</b></font></td><td bgcolor="white">'
        '<font point-size="14">Output shape: <b>(None, 8)</b></font></td><td bgcolor="white"><font '
        'point-size="14">Output dtype: <b>float32</b></font></td><td bgcolor="forestgreen"><font point-size="14" '
        'color="white"><b>Trainable</b></font></td></tr></table>>, fontname=Helvetica, border=0, margin=0];'
    )
    assert expected in text
    # An InputLayer shows no input shape, a layer without weights no trainability.
    assert '<b>x</b> (InputLayer)</font></td></tr><tr><td bgcolor="white"><font point-size="14">Output shape:' in text
    add_label = text[text.index("<b>add</b>") :].split("\n")[0]
    assert "Trainable" not in add_label and "Input shape: <b>[(None, 1), (None, 1)]</b>" in add_label


@pytest.mark.parametrize(
    "options, colspan",
    [
        ({}, 1),
        ({"show_shapes": True}, 2),
        ({"show_dtype": True}, 1),
        ({"show_shapes": True, "show_dtype": True}, 3),
        ({"show_shapes": True, "show_dtype": True, "show_trainable": True}, 4),
    ],
)
def test_header_colspan(tmp_path, options, colspan):
    text = _dot(_residual(keras), tmp_path, **options)
    assert set(re.findall(r'<td colspan="(\d+)" bgcolor="black">', text)) == {str(colspan)}


def test_frozen_layer_multi_output_shapes_and_activation_names(tmp_path):
    model = _lstm(keras)
    text = _dot(
        model,
        tmp_path,
        show_shapes=True,
        show_dtype=True,
        show_trainable=True,
        show_layer_activations=True,
        show_layer_names=True,
    )
    frozen = text[text.index("<b>frozen</b>") :].split("\n")[0]
    assert 'bgcolor="firebrick"' in frozen and "<b>Non-trainable</b>" in frozen and "Activation: <b>gelu</b>" in frozen
    lstm = text[text.index("<b>lstm</b>") :].split("\n")[0]
    assert "Output shape: <b>[(None, 3), (None, 3), (None, 3)]</b>" in lstm
    assert "Output dtype: <b>['float32', 'float32', 'float32']</b>" in lstm
    assert "Activation: <b>tanh</b>" in text[text.index("<b>act</b>") :].split("\n")[0]


def test_show_layer_names_false_shows_class_names_only(tmp_path):
    text = _dot(_residual(keras), tmp_path, show_layer_names=False)
    assert "<b>Dense</b></font>" in text and "<b>hidden</b>" not in text


def test_sequential_has_no_input_node_and_chains_layers(tmp_path):
    model = _sequential(keras)
    text = _dot(model, tmp_path)
    assert _node_ids(text) == _ids(*model.layers)
    assert _edges(text) == [tuple(_ids(*model.layers))]
    assert "InputLayer" not in text


def test_subclassed_model_is_one_node_with_unknown_shapes(tmp_path):
    class Sub(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Sub(name="sub")
    model(keras.ops.ones((1, 3)))
    text = _dot(model, tmp_path, show_shapes=True, show_dtype=True, show_trainable=True, show_layer_names=True)
    assert _node_ids(text) == _ids(model) and _edges(text) == []
    assert "Input shape: <b>?</b>" in text and "Output dtype: <b>?</b>" in text and "<b>Trainable</b>" in text


def test_nested_model_collapsed_and_expanded(tmp_path):
    model = _nested(keras)
    x, y, inner, t = model.layers
    a, b, s, dense = inner.layers
    collapsed = _dot(model, tmp_path)
    assert _node_ids(collapsed) == _ids(x, y, inner, t)
    assert sorted(_edges(collapsed)) == sorted([tuple(_ids(x, inner)), tuple(_ids(y, inner)), tuple(_ids(inner, t))])
    expanded = _dot(model, tmp_path, expand_nested=True)
    assert "subgraph cluster_inner {\nstyle=dashed;\nlabel=inner;\nlabeljust=l;\n" in expanded
    assert _node_ids(expanded) == _ids(x, y, a, b, s, dense, t)
    # Edges enter the nested model's inputs by position and leave from the layer producing the used output;
    # t = Add([p, p]) gives one edge.
    assert sorted(_edges(expanded)) == sorted(
        [
            tuple(_ids(a, s)),
            tuple(_ids(b, s)),
            tuple(_ids(s, dense)),
            tuple(_ids(x, a)),
            tuple(_ids(y, b)),
            tuple(_ids(s, t)),
        ]
    )
    cluster = expanded[expanded.index("subgraph") : expanded.index("}\n") + 2]
    assert len(_edges(cluster)) == 3  # the nested model's own edges are drawn inside its cluster


def test_expanded_nested_sequential_enters_its_first_layer(tmp_path):
    model = _nested_sequential(keras)
    xx, inner, o3 = model.layers
    i1, i2 = inner.layers
    text = _dot(model, tmp_path, expand_nested=True)
    assert sorted(_edges(text)) == sorted([tuple(_ids(xx, i1)), tuple(_ids(i1, i2)), tuple(_ids(i2, o3))])


def test_shared_layer_draws_a_loop(tmp_path):
    model = _shared(keras)
    q, dense = model.layers
    assert _edges(_dot(model, tmp_path)) == [tuple(_ids(q, dense)), tuple(_ids(dense, dense))]


def test_names_are_quoted_and_escaped(tmp_path):
    inputs = keras.Input((3,), name="in")
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="a<b>&c")], name="my model-1")
    model = keras.Model(inputs, inner(inputs))
    text = _dot(model, tmp_path, expand_nested=True, show_layer_names=True)
    assert 'subgraph "cluster_my model-1" {' in text and 'label="my model-1";' in text
    assert "<b>a&lt;b&gt;&amp;c</b> (Dense)" in text


# ----------------------------------------------------------------------------- Keras parity (pydot)
@pytest.mark.parity
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_model_to_dot_equals_keras(keras3, name):
    pytest.importorskip("pydot")
    ours, theirs = BUILDERS[name](keras), BUILDERS[name](keras3)
    for options in OPTIONS:
        expected = keras3.utils.model_to_dot(theirs, **options).to_string()
        assert _normalized(keras.utils.model_to_dot(ours, **options).to_string()) == _normalized(expected), options


def test_model_to_dot_returns_pydot_graph_equal_to_the_dot_file(tmp_path):
    pydot = pytest.importorskip("pydot")
    model = _nested(keras)
    for options in OPTIONS:
        graph = keras.utils.model_to_dot(model, **options)
        assert isinstance(graph, pydot.Dot)
        assert graph.to_string() == _dot(model, tmp_path, **{"show_layer_names": True, **options})
    cluster = keras.utils.model_to_dot(model, subgraph=True)
    assert isinstance(cluster, pydot.Cluster) and cluster.get_name() == "cluster_outer"


def test_model_to_dot_without_pydot_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)  # import pydot -> ImportError
    with pytest.raises(ImportError, match="pip install pydot"):
        keras.utils.model_to_dot(_residual(keras))


def test_dot_file_needs_neither_pydot_nor_graphviz(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    monkeypatch.setattr(model_visualization.shutil, "which", lambda name: None)
    text = _dot(_residual(keras), tmp_path)
    assert len(_node_ids(text)) == 5
    keras.utils.plot_model(_residual(keras), to_file=str(tmp_path / "sub" / "graph.gv"))
    assert (tmp_path / "sub" / "graph.gv").read_text().startswith("digraph G {")


# ----------------------------------------------------------------------------- images (Graphviz)
def test_image_without_graphviz_is_a_clear_import_error(tmp_path, monkeypatch):
    monkeypatch.setattr(model_visualization.shutil, "which", lambda name: None)
    with pytest.raises(ImportError, match=r"Graphviz.*pip install pydot"):
        keras.utils.plot_model(_residual(keras), to_file=str(tmp_path / "model.png"))
    assert not (tmp_path / "model.png").exists()


@pytest.mark.skipif(not HAS_DOT, reason="needs Graphviz's dot program")
def test_images_through_graphviz(tmp_path):
    model = _nested(keras)
    keras.utils.plot_model(model, to_file=str(tmp_path / "model.png"), show_shapes=True, expand_nested=True)
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keras.utils.plot_model(model, to_file=str(tmp_path / "model.svg"))
    assert "<svg" in (tmp_path / "model.svg").read_text()
    keras.utils.plot_model(model, to_file=str(tmp_path / "model.pdf"))
    assert (tmp_path / "model.pdf").read_bytes()[:4] == b"%PDF"
    keras.utils.plot_model(model, to_file=str(tmp_path / "no_extension"))  # png, as in Keras
    assert (tmp_path / "no_extension").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="Graphviz could not write"):
        keras.utils.plot_model(model, to_file=str(tmp_path / "model.nosuchformat"))
    assert not (tmp_path / "model.nosuchformat").exists()


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("function", ["model_to_dot", "plot_model"])
def test_argument_errors(tmp_path, function, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "pydot", None)  # checks come before pydot is needed
    call = getattr(keras.utils, function)
    model = _residual(keras)
    extra = {"to_file": "model.dot"} if function == "plot_model" else {}
    with pytest.raises(ValueError, match="has not yet been built"):
        call(keras.Sequential([layers.Dense(2)]), **extra)
    with pytest.raises(TypeError, match="expected a Keras model.*received Dense"):
        call(layers.Dense(2), **extra)
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        call(model, layer_range=["x", "add"], **extra)
    with pytest.raises(ValueError, match=r"unrecognized keyword arguments: \['foo'\]"):
        call(model, foo=1, **extra)
    with pytest.raises(ValueError, match="rankdir='XY'"):
        call(model, rankdir="XY", **extra)
    with pytest.raises(ValueError, match="splines='wavy'"):
        call(model, splines="wavy", **extra)
    for dpi in (0, -5, "high", True):
        with pytest.raises(ValueError, match="dpi"):
            call(model, dpi=dpi, **extra)
    assert not (tmp_path / "model.dot").exists()
    if function == "plot_model":
        call(model, layer_range=None, **extra)  # Keras's legacy default is accepted
        assert (tmp_path / "model.dot").exists()
