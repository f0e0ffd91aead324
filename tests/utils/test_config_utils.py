"""keras.utils.Config: attribute and item access, the dict interface, freezing every mutation, JSON, copies,
and Keras 3 parity."""

import copy
import json
import pickle

import pytest

import kerastorch as keras
from kerastorch.utils.config_utils import Config


def test_reachable_from_keras_utils():
    assert keras.utils.Config is Config


def test_attribute_and_item_access_share_entries():
    config = Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.learning_rate == config["learning_rate"] == 0.1
    assert config.seed == config["seed"] == 123 and config["use_ema"] is True
    assert list(config) == list(config.keys()) == ["learning_rate", "momentum", "use_ema", "seed"]
    assert list(config.values()) == [0.1, 0.9, True, 123]
    assert list(config.items())[0] == ("learning_rate", 0.1)
    assert len(config) == 4 and "seed" in config and "other" not in config
    assert repr(Config(a=1)) == "<Config {'a': 1}>"


def test_missing_entries():
    config = Config(a=1)
    with pytest.raises(AttributeError, match=r"Config has no entry 'b'. Its entries are: \['a'\]"):
        config.b
    with pytest.raises(KeyError):
        config["b"]
    assert config.get("b") is None and config.get("b", 5) == 5 and config.get("a") == 1
    assert not hasattr(config, "b")


def test_pop_update_and_delete():
    config = Config(a=1, b=2)
    assert config.pop("a") == 1 and "a" not in config
    assert config.pop("zz", 7) == 7
    with pytest.raises(KeyError):
        config.pop("zz")
    config.update({"c": 3}, d=4)
    config.update([("e", 5)])
    assert config.as_dict() == {"b": 2, "c": 3, "d": 4, "e": 5}
    del config["b"]
    del config.c
    assert config.as_dict() == {"d": 4, "e": 5}
    with pytest.raises(KeyError):
        del config["b"]
    with pytest.raises(AttributeError, match="no entry 'c'"):
        del config.c


@pytest.mark.parametrize(
    "mutation",
    [
        lambda c: setattr(c, "a", 9),
        lambda c: c.__setitem__("a", 9),
        lambda c: c.__setitem__("new", 1),
        lambda c: delattr(c, "a"),
        lambda c: c.__delitem__("a"),
        lambda c: c.pop("a"),
        lambda c: c.pop("zz", None),
        lambda c: c.update(a=2),
        lambda c: c.update({"new": 1}),
    ],
)
def test_frozen_config_refuses_every_mutation(mutation):
    config = Config(a=1)
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="frozen"):
        mutation(config)
    assert config.as_dict() == {"a": 1}
    config.unfreeze()
    assert not config.frozen
    mutation(config)  # allowed again: no error


def test_frozen_config_still_reads():
    config = Config(a=1)
    config.freeze()
    assert config.a == 1 and config["a"] == 1 and config.get("a") == 1 and config.as_dict() == {"a": 1}


def test_reserved_method_names_are_items_only():
    config = Config()
    with pytest.raises(AttributeError, match="name of a Config method"):
        config.items = 5
    with pytest.raises(AttributeError, match="name of a Config method"):
        config.frozen = True
    config["items"] = 5
    assert config["items"] == 5 and callable(config.items) and not config.frozen
    assert Config(keys=1)["keys"] == 1


def test_as_dict_is_a_new_plain_dict():
    config = Config(a=[1])
    plain = config.as_dict()
    assert type(plain) is dict and plain == {"a": [1]}
    plain["b"] = 2
    assert "b" not in config
    assert plain["a"] is config.a  # values are not copied


def test_to_json_including_nested_configs():
    config = Config(lr=0.1, name="adam", nested=Config(k=1, deeper=Config(z=[1, 2])))
    assert json.loads(config.to_json()) == {"lr": 0.1, "name": "adam", "nested": {"k": 1, "deeper": {"z": [1, 2]}}}
    with pytest.raises(TypeError, match="type object is not JSON serializable"):
        Config(bad=object()).to_json()


def test_only_keyword_arguments():
    with pytest.raises(TypeError):
        Config({"a": 1})


def test_equality_with_configs_and_dicts():
    assert Config(a=1) == Config(a=1) and Config(a=1) == {"a": 1}
    assert Config(a=1) != Config(a=2) and Config(a=1) != [("a", 1)]


def test_copy_deepcopy_and_pickle_keep_entries_and_frozen_state():
    config = Config(a=[1], b=2)
    config.freeze()
    for clone in (copy.copy(config), copy.deepcopy(config), pickle.loads(pickle.dumps(config))):
        assert clone.as_dict() == {"a": [1], "b": 2} and clone.frozen
        clone.unfreeze()
        clone.c = 3
        assert "c" not in config  # a copy owns its entries
    assert copy.deepcopy(config).a is not config.a and copy.copy(config).a is config.a


@pytest.mark.parity
def test_parity_with_keras(keras3):
    for cls in (Config, keras3.utils.Config):
        config = cls(learning_rate=0.1, momentum=0.9)
        config.use_ema = True
        config["seed"] = 123
        assert config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True, "seed": 123}
        assert json.loads(config.to_json()) == config.as_dict()
        assert list(config.items()) == list(config.as_dict().items()) and len(config) == 4
        assert config.pop("seed") == 123 and config.get("seed", "none") == "none"
        config.freeze()
        for mutation in (
            lambda: setattr(config, "x", 1),
            lambda: config.__setitem__("x", 1),
            lambda: config.update(x=1),
            lambda: config.pop("momentum"),
        ):
            with pytest.raises(ValueError):
                mutation()
        config.unfreeze()
        config.x = 1
        assert config.x == 1 and not config.frozen
        with pytest.raises(AttributeError):
            config.missing
