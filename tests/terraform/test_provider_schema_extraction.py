"""tests/terraform/cdktf_extraction.py (which `make provider-schema` runs) reads the cdktf
packages' generated sources correctly.

`make provider-schema` needs npm and 650 MB, so `make test` cannot run it against the packages.
These tests run it against a trimmed copy of one generated file (lib/secret-manager-secret of
@cdktf/provider-google 16.12.1, in the generator's own layout), wrapped in an index.js with the
inline source map the real packages carry.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.terraform.cdktf_extraction import ExtractionError, _index, extract

FIELD = """
  // {name} - computed: {computed}, optional: {optional}, required: {required}
{code}
"""

HCL = """    {name}: {{
      value: cdktf.stringToHclTerraform(this._{name}),
      isBlock: {block},
      type: "{kind}",
      storageClassType: "{storage}",
    }},
"""


def _field(name: str, flags: str, code: str) -> str:
    computed, optional, required = (flag == "1" for flag in flags)
    return FIELD.format(
        name=name,
        computed=str(computed).lower(),
        optional=str(optional).lower(),
        required=str(required).lower(),
        code=code,
    )


def _hcl(name: str, block: bool, kind: str, storage: str) -> str:
    return HCL.format(name=name, block=str(block).lower(), kind=kind, storage=storage)


def generated_source(extra_synthesized: str = "") -> str:
    """The shape of a generated resource: a MaxItems 1 block, a list block, plain attributes."""
    return "\n".join(
        [
            "export function secretRotationToHclTerraform(struct?: SecretRotation): any {",
            "  const attrs = {",
            _hcl("rotation_period", False, "simple", "string"),
            "  };",
            "}",
            "export class SecretRotationOutputReference extends cdktf.ComplexObject {",
            _field(
                "rotation_period",
                "010",
                "  public get rotationPeriod() {\n"
                "    return this.getStringAttribute('rotation_period');\n  }",
            ),
            _field(
                "next_time",
                "100",
                "  public get nextTime() {\n    return this.getStringAttribute('next_time');\n  }",
            ),
            "}",
            "export function secretTopicsToHclTerraform(struct?: SecretTopics): any {",
            "  const attrs = {",
            _hcl("name", False, "simple", "string"),
            "  };",
            "}",
            "export class SecretTopicsOutputReference extends cdktf.ComplexObject {",
            _field(
                "name",
                "001",
                "  public get name() {\n    return this.getStringAttribute('name');\n  }",
            ),
            "}",
            "export class SecretTopicsList extends cdktf.ComplexList {",
            "}",
            "export class Secret extends cdktf.TerraformResource {",
            '  public static readonly tfResourceType = "google_secret";',
            _field(
                "create_time",
                "100",
                "  public get createTime() {\n"
                "    return this.getStringAttribute('create_time');\n  }",
            ),
            _field(
                "labels",
                "010",
                "  private _labels?: { [key: string]: string }; \n"
                "  public get labels() {\n    return this.getStringMapAttribute('labels');\n  }",
            ),
            _field(
                "secret_id",
                "001",
                "  public get secretId() {\n    return this.getStringAttribute('secret_id');\n  }",
            ),
            _field(
                "rotation",
                "010",
                '  private _rotation = new SecretRotationOutputReference(this, "rotation");',
            ),
            _field(
                "topics", "001", '  private _topics = new SecretTopicsList(this, "topics", true);'
            ),
            "  protected synthesizeHclAttributes(): { [name: string]: any } {",
            "    const attrs = {",
            _hcl("labels", False, "map", "stringMap"),
            _hcl("secret_id", False, "simple", "string"),
            _hcl("rotation", True, "list", "SecretRotationList"),
            _hcl("topics", True, "set", "SecretTopicsList"),
            extra_synthesized,
            "    };",
            "  }",
            "}",
            'Secret.tfResourceType = "google_secret";',
        ]
    )


def _package(directory: Path, source: str) -> Path:
    source_map = {"version": 3, "sources": ["index.ts"], "sourcesContent": [source]}
    encoded = base64.b64encode(json.dumps(source_map).encode()).decode()
    index_js = directory / "lib" / "secret" / "index.js"
    index_js.parent.mkdir(parents=True)
    index_js.write_text(
        "class Secret extends cdktf.TerraformResource {}\n"
        'Secret.tfResourceType = "google_secret";\n'
        f"//# sourceMappingURL=data:application/json;base64,{encoded}\n",
        encoding="utf-8",
    )
    return directory


def test_extracts_arguments_blocks_and_their_flags(tmp_path: Path) -> None:
    index = _index(_package(tmp_path, generated_source()))
    assert set(index) == {("resource", "google_secret")}
    schema = extract(index[("resource", "google_secret")], "resource", "google_secret")
    assert schema["attributes"] == {
        "create_time": {"computed": True, "type": "string"},
        "labels": {"optional": True, "type": "map"},
        "secret_id": {"required": True, "type": "string"},
    }
    rotation = schema["blocks"]["rotation"]
    assert (rotation["nesting"], rotation["min_items"], rotation["max_items"]) == ("list", 0, 1)
    assert rotation["block"]["attributes"] == {
        "next_time": {"computed": True, "type": "string"},
        "rotation_period": {"optional": True, "type": "string"},
    }
    topics = schema["blocks"]["topics"]
    assert (topics["nesting"], topics["min_items"]) == ("set", 1)
    assert "max_items" not in topics
    assert topics["block"]["attributes"] == {"name": {"required": True, "type": "string"}}


def test_a_changed_generator_template_is_refused(tmp_path: Path) -> None:
    """An argument synthesized but never annotated means the template changed: stop, not guess."""
    source = generated_source(extra_synthesized=_hcl("ttl", False, "simple", "string"))
    index = _index(_package(tmp_path, source))
    with pytest.raises(ExtractionError, match="differ from the synthesized ones"):
        extract(index[("resource", "google_secret")], "resource", "google_secret")
