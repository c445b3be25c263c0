"""The Google-managed service agents the module names: spelled in one place, as Google documents them.

A service agent's address is fixed by the project number and the service. A wrong one is not
caught by any check short of `terraform apply`, which fails on the binding: the module once
granted roles/iam.serviceAccountTokenCreator to service-N@gcp-pubsub.iam.gserviceaccount.com,
an address that does not exist (the Pub/Sub agent is service-N@gcp-sa-pubsub...).
So terraform/modules/rotator/service_agents.tf alone spells them (as templates of the project
number; the rotated secret takes the members from the rotator's outputs), and they are held here
to Google's documentation.
"""

from __future__ import annotations

import re

from rotation.core.agents import service_agent
from tests.terraform.hcl import ROTATOR, SECRET_MODULE, TERRAFORM, load_module, tf_files

SERVICE_AGENTS_FILE = ROTATOR / "service_agents.tf"

# API -> the address of its service agent, with the source that documents it. All three are also
# on Google's list of every service agent, https://cloud.google.com/iam/docs/service-agents.
DOCUMENTED_AGENTS = {
    "artifactregistry.googleapis.com": (
        "service-PROJECT_NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com",
        "https://cloud.google.com/artifact-registry/docs/ar-service-account",
    ),
    "pubsub.googleapis.com": (
        "service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com",
        "google/pubsub/v1/pubsub.proto, DeadLetterPolicy.dead_letter_topic: "
        '"service-{project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"',
    ),
    "secretmanager.googleapis.com": (
        "service-PROJECT_NUMBER@gcp-sa-secretmanager.iam.gserviceaccount.com",
        "https://cloud.google.com/iam/docs/service-agents (Secret Manager Service Agent)",
    ),
}

# The IAM member local of each agent.
MEMBER_LOCALS = {
    "artifact_registry_agent": "artifactregistry.googleapis.com",
    "pubsub_agent": "pubsub.googleapis.com",
    "secret_manager_agent": "secretmanager.googleapis.com",
}

# What marks a Google-managed account's address.
AGENT_ADDRESS = re.compile(r"gserviceaccount\.com|@gcp-sa-|gcp-sa-[a-z]|@gcp-[a-z]")


def module_agents() -> dict[str, str]:
    """API -> address pattern (PROJECT_NUMBER for the number) of the rotator's service_agents.tf."""
    agents = load_module(ROTATOR).locals["service_agent_templates"]
    assert isinstance(agents, dict), agents
    return dict(agents)


def test_the_module_names_the_documented_addresses() -> None:
    documented = {api: address for api, (address, _) in DOCUMENTED_AGENTS.items()}
    assert module_agents() == documented


def test_the_addresses_are_spelled_only_in_service_agents_tf() -> None:
    spelled = [
        f"{path.relative_to(TERRAFORM)}:{number}: {line.strip()}"
        for path in tf_files()
        if path != SERVICE_AGENTS_FILE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if AGENT_ADDRESS.search(line)
    ]
    assert not spelled, (
        "service agent addresses belong in terraform/modules/rotator/service_agents.tf:\n"
        + ("\n".join(spelled))
    )
    assert AGENT_ADDRESS.search(SERVICE_AGENTS_FILE.read_text(encoding="utf-8"))


def test_members_are_built_from_the_one_table() -> None:
    local_values = load_module(ROTATOR).locals
    assert local_values["service_agents"] == (
        "${{for api, template in local.service_agent_templates : api => "
        'replace(template, "PROJECT_NUMBER", local.project_number)}}'
    )
    for name, api in MEMBER_LOCALS.items():
        assert local_values[name] == f'serviceAccount:${{local.service_agents["{api}"]}}', name


def test_every_agent_exists_before_it_is_granted_a_role() -> None:
    """Each agent has its google_project_service_identity, and each grant to it waits for it: in
    the rotator by depends_on; in the rotated secret through the rotator's output, which waits."""
    module = load_module(ROTATOR)
    identities = {
        body["service"]: name
        for name, body in module.of_type("google_project_service_identity").items()
        if body.get("project") == "${var.project_id}"
    }
    assert set(identities) == set(module_agents())
    granted = set()
    for address, body in module.resources.items():
        member = body.get("member", "")
        for local_name, api in MEMBER_LOCALS.items():
            if member == f"${{local.{local_name}}}":
                granted.add(api)
                identity = f"${{google_project_service_identity.{identities[api]}}}"
                assert identity in body.get("depends_on", []), f"{address} does not wait for {api}"
    assert granted == {"pubsub.googleapis.com", "secretmanager.googleapis.com"}

    # The Artifact Registry agents (this project's and the repository projects'): the rotator's
    # output waits for every one of them, and the rotated secret grants only through it.
    output = module.outputs["artifact_registry_agents"]
    assert set(output["depends_on"]) == {
        "${google_project_service_identity.artifact_registry}",
        "${google_project_service_identity.artifact_registry_elsewhere}",
    }
    elsewhere = module.resource("google_project_service_identity.artifact_registry_elsewhere")
    assert elsewhere["service"] == "artifactregistry.googleapis.com"
    secret_grants = [
        body["member"]
        for body in load_module(SECRET_MODULE).resources.values()
        if "artifact_registry_agents" in str(body.get("member", ""))
    ]
    assert len(secret_grants) == 2, secret_grants  # the rotator's project, and the others


def test_pubsub_agent_creates_the_trigger_tokens() -> None:
    binding = load_module(ROTATOR).resource(
        "google_service_account_iam_member.pubsub_token_creator"
    )
    assert binding["role"] == "roles/iam.serviceAccountTokenCreator"
    assert binding["member"] == "${local.pubsub_agent}"


def test_the_function_checks_the_same_artifact_registry_agent() -> None:
    address, _ = DOCUMENTED_AGENTS["artifactregistry.googleapis.com"]
    assert service_agent("123456789012") == "serviceAccount:" + address.replace(
        "PROJECT_NUMBER", "123456789012"
    )


def test_readme_documents_the_table() -> None:
    readme = (TERRAFORM / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Service agents", 1)[1].split("\n#", 1)[0]
    rows = {
        cells[1].strip("` "): cells[2].strip("` ")
        for line in section.splitlines()
        if line.startswith("|")
        and (cells := [cell.strip() for cell in line.strip("|").split("|")])
        and cells[1].startswith("`")
    }
    assert rows == {api: address for api, (address, _) in DOCUMENTED_AGENTS.items()}
