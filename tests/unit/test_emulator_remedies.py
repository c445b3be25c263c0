"""A gcloud remedy says what to do on the emulator too, only when the command line runs there."""

from __future__ import annotations

from rotation.cli.emulator_remedies import EMULATOR_WAYS, with_emulator_way
from rotation.core.agents import grant_command

GRANT = "run: " + grant_command("projects/p/secrets/s", "serviceAccount:agent@example.com")
ON_EMULATOR = {"SECRET_MANAGER_EMULATOR_HOST": "127.0.0.1:8085"}


def test_in_the_cloud_a_remedy_is_left_as_it_is():
    assert with_emulator_way(GRANT, {}) == GRANT
    assert with_emulator_way(GRANT, {"SECRET_MANAGER_EMULATOR_HOST": ""}) == GRANT


def test_on_the_emulator_each_gcloud_command_gets_its_way_there():
    shown = with_emulator_way(GRANT, ON_EMULATOR)
    assert shown.startswith(GRANT + "; on the emulator, where gcloud does not reach: ")
    assert "[[grants]] entry in playground/playground.toml" in shown
    both = with_emulator_way(
        "gcloud secrets versions enable 2 --secret=s; gcloud auth application-default login",
        {"EMULATOR_HTTP": "http://127.0.0.1:8086"},
    )
    assert both.count("; ") >= 3 and "source .playground/env" in both


def test_a_remedy_without_gcloud_is_left_as_it_is_on_the_emulator_too():
    assert with_emulator_way("republish it", ON_EMULATOR) == "republish it"
    assert all(command.startswith("gcloud ") for command, _ in EMULATOR_WAYS)
