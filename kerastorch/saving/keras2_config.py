"""tf.keras 2 configs translated to Keras 3's, so a Keras 2 model file rebuilds as a kerastorch model.

Keras 3 renamed or dropped a few things that tf.keras 2 files hold; :func:`translate_model_config` rewrites
a Keras 2 ``model_config`` (from a whole-model ``.h5`` file or a SavedModel's ``keras_metadata.pb``) into the
Keras 3 config format that :func:`kerastorch.saving.deserialize_keras_object` reads, and
:func:`compile_from_training_config` compiles a rebuilt model from Keras 2's ``training_config``.

What is translated:

- Keras 2's JSON encodings: ``{"class_name": "__tuple__", "items": [...]}`` becomes a list; ``shared_object_id``
  markers are dropped; a dtype policy object becomes its name.
- Functional models: Keras 2's ``inbound_nodes`` (``[[["dense", 0, 0, {kwargs}], ...]]``, one list per call, a
  list of several tensors meaning the layer was called on a list) become Keras 3's ``{"args", "kwargs"}``
  nodes; a one-element ``input_layers`` / ``output_layers`` list is a single input / output, as Keras 2 treated it.
- Arguments Keras 3 dropped, where the Keras 2 value changes nothing: ``fused``, ``implementation`` (RNN
  kernels: the same math), ``time_major=False``, ``virtual_batch_size=None``, ``adjustment=None``,
  ``ragged=False``, ``causal=False`` (``Attention``), ``query_shape``/``key_shape``/``value_shape``
  (``MultiHeadAttention`` builds from its inputs), ``input_length``; a one-element ``axis`` list of
  ``BatchNormalization``. A value that would change the computation (``time_major=True``, ``ragged=True``,
  ``virtual_batch_size=8``, ``causal=True``) is refused with an error naming the layer.
- ``Lambda`` layers: Keras 2's ``[code, defaults, closure]`` byte-code form becomes Keras 3's ``__lambda__``; it is
  refused in safe mode (like any stored byte code), and refused always when its code uses TensorFlow
  (``tf.``), which kerastorch cannot run. tf.keras's recorded TensorFlow ops (``TFOpLambda``,
  ``SlicingOpLambda``, ``TensorFlowOpLayer``) are refused with an error naming the layer and the op.
- Optimizers: the ``Custom>`` prefix of tf.keras 2.11+'s optimizers is dropped, as are ``jit_compile`` and
  ``is_legacy_optimizer``; a legacy optimizer's ``decay`` (the learning rate ``lr / (1 + decay * step)``)
  becomes the equivalent ``InverseTimeDecay`` schedule. Losses: ``reduction="auto"`` is Keras 3's
  ``"sum_over_batch_size"``. Metrics: Keras 2's per-output lists.

Classes resolve only through kerastorch's registry and ``custom_objects``, as for every file kerastorch reads.

Example:
    >>> keras2 = {"class_name": "Sequential", "config": {"name": "mlp", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
    ...                                             "sparse": False, "ragged": False, "name": "input_1"}},
    ...     {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "relu"}}]}}
    >>> config = translate_model_config(keras2, "an example")
    >>> config["config"]["layers"][0]["config"]
    {'batch_input_shape': [None, 3], 'dtype': 'float32', 'sparse': False, 'name': 'input_1'}
    >>> model = model_from_keras2_config(keras2, "an example")
    >>> model.name, [type(layer).__name__ for layer in model.layers]
    ('mlp', ['Dense'])
"""

from __future__ import annotations

import base64
import copy
import marshal
import types
from typing import Any

from kerastorch.serialization.object_registration import builtin_objects, custom_object_scope
from kerastorch.serialization.serialization_lib import SafeModeScope, deserialize_keras_object, in_safe_mode

__all__ = [
    "translate_model_config",
    "translate_optimizer_config",
    "model_from_keras2_config",
    "compile_from_training_config",
]

_MODEL_CLASSES = ("Sequential", "Functional", "Model")
_TF_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer", "TFClassMethodDispatcher")
# argument -> the Keras 2 values that Keras 3 expresses by leaving it out (None: any value)
_DROPPED = {
    "fused": None,
    "implementation": None,
    "time_major": (False,),
    "virtual_batch_size": (None,),
    "adjustment": (None,),
    "ragged": (False,),
    "causal": (False,),
    "query_shape": None,
    "key_shape": None,
    "value_shape": None,
    "input_length": None,
}
_NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell", "forward_layer")
_TF_NAMES = {"tf", "tensorflow"}
_OPTIMIZER_DROPPED = ("jit_compile", "is_legacy_optimizer")


class _Refused(ValueError):
    pass


def _plain(value):
    """Keras 2's JSON encodings replaced: ``__tuple__`` objects become lists, ``shared_object_id`` markers go."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and "items" in value:
            return [_plain(item) for item in value["items"]]
        return {
            key: _plain(item)
            for key, item in value.items()
            if key not in ("shared_object_id", "__passive_serialization__")
        }
    return value


def _where(layer_config, where):
    name = layer_config.get("config", {}).get("name") if isinstance(layer_config.get("config"), dict) else None
    return f"{where}: layer {name!r} ({layer_config.get('class_name')})"


def _dtype(value):
    if isinstance(value, dict) and value.get("class_name") in ("Policy", "DTypePolicy", "PolicyV1"):
        inner = value.get("config") or {}
        return inner.get("name", "float32")
    return value


def _code_names(code):
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _code_names(constant)
    return names


def _function(value, kind, layer_where):
    """A Keras 2 Lambda function entry (with its ``*_type``) in Keras 3's form."""
    if kind == "lambda":
        if not isinstance(value, (list, tuple)) or not value or not isinstance(value[0], str):
            raise _Refused(f"{layer_where}: its function is not Keras 2's [code, defaults, closure] form")
        if in_safe_mode():
            raise _Refused(
                f"{layer_where} is a Keras 2 Lambda whose Python function is stored as byte code; "
                "loading it could run arbitrary code, so it is refused in safe mode (pass "
                "safe_mode=False if you trust the file, or rebuild the layer and load the weights)"
            )
        try:
            code = marshal.loads(base64.decodebytes(value[0].encode("ascii")))
        except (ValueError, EOFError, TypeError) as error:
            raise _Refused(f"{layer_where}: its stored byte code cannot be read by this Python ({error})") from None
        used = _code_names(code) & _TF_NAMES if isinstance(code, types.CodeType) else set()
        if used:
            raise _Refused(
                f"{layer_where} is a Lambda whose code uses TensorFlow ({', '.join(sorted(used))}), which "
                "kerastorch cannot run; rebuild this layer with keras.ops and load the weights"
            )
        defaults = value[1] if len(value) > 1 else None
        closure = value[2] if len(value) > 2 else None
        return {"class_name": "__lambda__", "config": {"code": value[0], "defaults": defaults, "closure": closure}}
    if kind == "function":
        return {"class_name": "function", "config": value}
    return value  # "raw": a value (an output shape), or None


def _layer_config(entry, where):
    """One Keras 2 layer (or nested model) entry, translated."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise _Refused(f"{where}: a layer entry should be an object with a 'class_name', received {entry!r:.80}")
    class_name = entry["class_name"]
    if class_name in _MODEL_CLASSES:
        return _model_config(entry, where)
    layer_where = _where(entry, where)
    config = dict(entry.get("config") or {})
    if class_name in _TF_OP_LAYERS:
        op = config.get("function") or config.get("node_def", {}).get("op") if isinstance(config, dict) else None
        raise _Refused(
            f"{layer_where} is a TensorFlow op ({op}) that tf.keras recorded in the model; kerastorch "
            "cannot run TensorFlow ops. Rebuild this part of the model with kerastorch layers or "
            "keras.ops, then load the weights with load_weights"
        )
    for key, harmless in _DROPPED.items():
        if key in config:
            if harmless is not None and config[key] not in harmless:
                raise _Refused(f"{layer_where}: the Keras 2 argument {key}={config[key]!r} has no Keras 3 equivalent")
            del config[key]
    if "dtype" in config:
        config["dtype"] = _dtype(config["dtype"])
    if class_name == "BatchNormalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    if class_name == "Lambda":
        config["function"] = _function(config.get("function"), config.pop("function_type", "lambda"), layer_where)
        shape = config.get("output_shape")
        config["output_shape"] = _function(shape, config.pop("output_shape_type", "raw"), layer_where)
        for key in ("module", "output_shape_module"):
            config.pop(key, None)
        if config["output_shape"] is None:
            del config["output_shape"]
    for key in _NESTED_LAYER_KEYS:
        if isinstance(config.get(key), dict) and "class_name" in config[key]:
            config[key] = _layer_config(config[key], where)
    if isinstance(config.get("cell"), list):  # an RNN over several cells
        config["cell"] = [_layer_config(cell, where) for cell in config["cell"]]
    if class_name == "StackedRNNCells" and isinstance(config.get("cells"), list):
        config["cells"] = [_layer_config(cell, where) for cell in config["cells"]]
    out = {key: value for key, value in entry.items() if key not in ("config", "inbound_nodes")}
    out["config"] = config
    module = out.get("module")
    if not (isinstance(module, str) and module.startswith("keras")):  # Keras 2 names no module, or its own
        out["module"] = "keras.layers"
    if "inbound_nodes" in entry:
        out["inbound_nodes"] = entry["inbound_nodes"]
    return out


def _tensor_reference(item, layer_names):
    if (
        isinstance(item, list)
        and len(item) >= 3
        and isinstance(item[0], str)
        and item[0] in layer_names
        and all(isinstance(i, int) and not isinstance(i, bool) for i in item[1:3])
    ):
        return {
            "class_name": "__keras_tensor__",
            "config": {"shape": None, "dtype": None, "keras_history": [item[0], item[1], item[2]]},
        }
    return None


def _kwargs(value, layer_names):
    reference = _tensor_reference(value, layer_names)
    if reference is not None:
        return reference
    if isinstance(value, dict):
        return {key: _kwargs(item, layer_names) for key, item in value.items()}
    if isinstance(value, list):
        return [_kwargs(item, layer_names) for item in value]
    return value


def _nodes(nodes, layer_names, layer_where):
    """Keras 2's inbound nodes of one layer in Keras 3's ``{"args", "kwargs"}`` form."""
    out = []
    for node in nodes or []:
        if isinstance(node, dict):  # already Keras 3's form
            out.append(node)
            continue
        if not isinstance(node, list) or not node:
            raise _Refused(
                f"{layer_where}: an inbound node should list the call's input tensors, received {node!r:.80}"
            )
        tensors = []
        kwargs = {}
        for item in node:
            reference = _tensor_reference(item, layer_names)
            if reference is None:
                raise _Refused(
                    f"{layer_where}: inbound node entry {item!r:.80} does not name a tensor of a layer of the model"
                )
            tensors.append(reference)
            if len(item) > 3 and isinstance(item[3], dict):
                kwargs = _kwargs(item[3], layer_names)
        out.append({"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": kwargs})
    return out


def _model_config(entry, where):
    class_name = entry["class_name"]
    config = dict(entry.get("config") or {})
    if not isinstance(config.get("layers"), list):
        raise _Refused(
            f"{where}: the {class_name} config has no 'layers' list (a subclassed Keras 2 model "
            "stores no architecture: rebuild it in kerastorch and load the weights)"
        )
    name = config.get("name")
    inner_where = f"{where}: model {name!r}"
    if class_name == "Sequential":
        config["layers"] = [_layer_config(layer, inner_where) for layer in config["layers"]]
        config.pop("build_input_shape", None)
        return {"module": "keras.models", "class_name": "Sequential", "config": config, "registered_name": None}
    layers = [_layer_config(layer, inner_where) for layer in config["layers"]]
    layer_names = {layer.get("name") or layer["config"].get("name") for layer in layers}
    for layer in layers:
        layer["name"] = layer.get("name") or layer["config"].get("name")
        layer["inbound_nodes"] = _nodes(layer.get("inbound_nodes"), layer_names, _where(layer, inner_where))
    config["layers"] = layers
    for key in ("input_layers", "output_layers"):
        value = config.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            config[key] = value[0]  # Keras 2: one input (output) is the tensor itself, not a list of one
    return {"module": "keras.models", "class_name": "Functional", "config": config, "registered_name": None}


def translate_model_config(config: dict[str, Any], where: str) -> dict[str, Any]:
    """A Keras 2 ``model_config`` (``{"class_name": "Sequential" | "Functional" | "Model", "config": ...}``)
    translated into Keras 3's config format (see the module docstring).

    Args:
        config: dict: the Keras 2 model config (parsed JSON).
        where: str: what holds it (named in errors).

    Returns:
        dict: the Keras 3 config.

    Raises:
        ValueError: something that cannot be translated (the message names the layer).
    """
    if not isinstance(config, dict) or config.get("class_name") not in _MODEL_CLASSES:
        found = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        raise ValueError(f"{where}: the model config should describe a Sequential or functional model, found {found!r}")
    return _model_config(_plain(copy.deepcopy(config)), where)


def model_from_keras2_config(
    config: dict[str, Any], where: str, custom_objects: dict[str, Any] | None = None, safe_mode: bool = True
) -> Any:
    """Build a kerastorch model from a Keras 2 ``model_config`` (translated by :func:`translate_model_config`).

    Args:
        config: dict: the Keras 2 model config.
        where: str: what holds it (named in errors).
        custom_objects: dict or None: the user's classes and functions by name.
        safe_mode: bool, default True: refuse stored byte code (Lambda functions).

    Returns:
        the model (built from its inputs).

    Raises:
        ValueError: an untranslatable or unknown layer (named), or a malformed config.
    """
    with SafeModeScope(safe_mode):
        try:
            translated = translate_model_config(config, where)
        except _Refused as error:
            raise ValueError(str(error)) from None
        try:
            return deserialize_keras_object(
                translated,
                module_objects=builtin_objects("keras.models"),
                custom_objects=custom_objects,
                printable_module_name="model",
            )
        except (ValueError, TypeError) as error:
            raise type(error)(f"{where}: {error}") from error
        except (KeyError, IndexError, AttributeError, RecursionError, RuntimeError) as error:
            raise ValueError(f"{where} is malformed: {type(error).__name__}: {error}") from error


def translate_optimizer_config(config: dict[str, Any] | str, where: str) -> dict[str, Any] | str:
    """A Keras 2 optimizer config (new or legacy) as Keras 3's ``{"class_name", "config"}``.

    Args:
        config: dict: the Keras 2 optimizer config.
        where: str: names the file in error messages.

    Returns:
        dict: the Keras 3 config.

    >>> translate_optimizer_config({"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.01,
    ...                             "jit_compile": False, "is_legacy_optimizer": False}}, "demo")
    {'class_name': 'Adam', 'config': {'name': 'Adam', 'learning_rate': 0.01}, 'module': 'keras.optimizers'}
    >>> translate_optimizer_config({"class_name": "SGD", "config": {"learning_rate": 0.1, "decay": 0.5}},
    ...                            "demo")["config"]["learning_rate"]["class_name"]
    'InverseTimeDecay'
    """
    if isinstance(config, str):
        return config
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            f"{where}: the optimizer config should be an object with a 'class_name', received {config!r:.80}"
        )
    class_name = config["class_name"].split(">")[-1]
    inner = dict(_plain(config.get("config") or {}))
    for key in _OPTIMIZER_DROPPED:
        inner.pop(key, None)
    decay = inner.pop("decay", 0.0)
    if decay:
        rate = inner.get("learning_rate", inner.pop("lr", 0.01))
        if not isinstance(rate, (int, float)):
            raise ValueError(
                f"{where}: the legacy optimizer has both a learning rate schedule and decay={decay}, "
                "which Keras 3 cannot express"
            )
        inner["learning_rate"] = {
            "class_name": "InverseTimeDecay",
            "module": "keras.optimizers.schedules",
            "config": {"initial_learning_rate": rate, "decay_steps": 1, "decay_rate": decay},
        }
    elif "lr" in inner:
        inner["learning_rate"] = inner.pop("lr")
    return {"class_name": class_name, "config": inner, "module": "keras.optimizers"}


def _loss(value, where):
    if isinstance(value, dict) and "class_name" in value:
        value = dict(value)
        inner = dict(value.get("config") or {})
        if inner.get("reduction") == "auto":
            inner["reduction"] = "sum_over_batch_size"
        value["config"] = inner
        return deserialize_keras_object(
            value, module_objects=builtin_objects("keras.losses"), printable_module_name="loss"
        )
    if isinstance(value, dict):
        return {key: _loss(item, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_loss(item, where) for item in value]
    return value


def _metric(value):
    if isinstance(value, dict) and "class_name" in value:
        return deserialize_keras_object(
            value, module_objects=builtin_objects("keras.metrics"), printable_module_name="metric"
        )
    if isinstance(value, dict):
        return {key: _metric(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_metric(item) for item in value]
    return value


def _metrics(value, outputs):
    """Keras 2's ``[[metrics of output 0], ...]``: one list for a single-output model."""
    if value is None:
        return None
    value = _metric(_plain(value))
    if outputs == 1 and isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        return value[0]
    return value


def compile_from_training_config(
    model: Any, training_config: dict[str, Any], where: str, custom_objects: dict[str, Any] | None = None
) -> None:
    """Compile ``model`` as a Keras 2 ``training_config`` says (optimizer, loss, metrics, loss weights).

    Args:
        model: the kerastorch model.
        training_config: dict: the Keras 2 training config.
        where: str: what holds it (named in errors).
        custom_objects: dict or None: the user's classes and functions by name.

    Raises:
        ValueError: the training config cannot be translated.
    """
    if not isinstance(training_config, dict):
        raise ValueError(f"{where}: the training config should be a JSON object, received {training_config!r:.80}")
    try:
        with custom_object_scope(custom_objects or {}):
            optimizer_config = translate_optimizer_config(training_config.get("optimizer_config") or "rmsprop", where)
            optimizer = (
                optimizer_config
                if isinstance(optimizer_config, str)
                else deserialize_keras_object(
                    optimizer_config,
                    module_objects=builtin_objects("keras.optimizers"),
                    printable_module_name="optimizer",
                )
            )
            outputs = len(getattr(model, "outputs", None) or [None])
            model.compile(
                optimizer=optimizer,
                loss=_loss(_plain(training_config.get("loss")), where),
                metrics=_metrics(training_config.get("metrics"), outputs),
                weighted_metrics=_metrics(training_config.get("weighted_metrics"), outputs),
                loss_weights=_plain(training_config.get("loss_weights")),
            )
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}: the training config cannot be applied: {error}") from error
    except (KeyError, IndexError, AttributeError) as error:
        raise ValueError(f"{where}: the training config is malformed: {type(error).__name__}: {error}") from error
