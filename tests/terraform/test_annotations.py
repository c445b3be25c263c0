"""The module's settings match the `token-rotator.*` annotations and sources the function knows."""

from __future__ import annotations

import re

from rotation.core.annotation_values import PREFIX, STATE_KEY
from rotation.core.config import known_keys
from rotation.sources import SOURCE_KEYS, SOURCES
from tests.terraform.hcl import SECRET_MODULE, TERRAFORM, load_module

# Annotations the module writes from their own variables rather than from rotation_settings.
DEDICATED_KEYS = {"source", "repositories", "username", "grant-access"}
KNOWN_KEYS = known_keys(SOURCE_KEYS)
# The dockerhub source's keys, as the module names them (terraform/modules/rotated-secret/main.tf).
DOCKERHUB_KEYS = set(load_module(SECRET_MODULE).locals["dockerhub_keys"].values())


def _quoted_list_in_validation(variable: str, marker: str) -> set[str]:
    for validation in load_module(SECRET_MODULE).variables[variable]["validation"]:
        condition = validation["condition"]
        if marker in condition:
            listed = re.search(r"contains\(\[([^\]]*)\]", condition)
            assert listed, condition
            return set(re.findall(r'"([^"]+)"', listed.group(1)))
    raise AssertionError(f"no validation of var.{variable} lists its values")


def module_setting_keys() -> set[str]:
    return _quoted_list_in_validation("rotation_settings", "keys(var.rotation_settings)")


def test_prefix_and_state_key() -> None:
    assert PREFIX == "token-rotator."
    assert STATE_KEY == PREFIX + "state"
    annotations = load_module(SECRET_MODULE).locals["annotations"]
    assert '"token-rotator.${key}" => value' in annotations
    for key in DEDICATED_KEYS:
        assert f'"{PREFIX}{key}"' in annotations


def test_every_annotation_the_code_reads_can_be_set() -> None:
    settable = module_setting_keys() | DEDICATED_KEYS
    missing = (KNOWN_KEYS - {"state"}) - settable
    assert not missing, f"the module cannot set these annotations: {sorted(missing)}"
    assert "state" not in settable, "token-rotator.state belongs to the function"
    assert not module_setting_keys() & DEDICATED_KEYS


def test_the_module_sets_no_annotation_the_code_rejects() -> None:
    unknown = (module_setting_keys() | DEDICATED_KEYS) - KNOWN_KEYS
    assert not unknown, f"the function rejects these annotations: {sorted(unknown)}"


def test_token_sources() -> None:
    offered = _quoted_list_in_validation("token_source", "var.token_source")
    assert offered == set(SOURCES), "the module and the function offer different sources"


def test_the_dockerhub_keys_are_named_once_and_offered() -> None:
    """local.dockerhub_keys is where the module names them; rotation_settings' validation lists
    them too, and they are the dockerhub source's own keys."""
    assert len(DOCKERHUB_KEYS) == 6, DOCKERHUB_KEYS  # distinct names
    assert module_setting_keys() >= DOCKERHUB_KEYS
    variables = load_module(SECRET_MODULE).variables
    validations = " ".join(v["error_message"] for v in variables["rotation_settings"]["validation"])
    description = " ".join(variables["rotation_settings"]["description"].split())
    for key in DOCKERHUB_KEYS:
        assert key in validations and key in description, key
    assert SOURCE_KEYS["dockerhub"] == DOCKERHUB_KEYS


def test_take_over_from_is_known_and_settable() -> None:
    assert "take-over-from" in KNOWN_KEYS
    assert "take-over-from" in module_setting_keys()


def test_the_wrapper_takes_the_secret_settings_as_the_module_does() -> None:
    """terraform/variables.tf repeats the rotated-secret module's variables for the single-secret
    wrapper: the same types, defaults and validations, so neither accepts what the other refuses."""
    wrapper = load_module(TERRAFORM).variables
    module = load_module(SECRET_MODULE).variables
    shared = set(wrapper) & set(module)
    assert {"secret_id", "token_source", "rotation_settings", "repository_format"} <= shared
    for name in shared:
        for key in ("type", "default", "validation"):
            assert wrapper[name].get(key) == module[name].get(key), f"{name}: {key} differs"
