from google.api_core import exceptions

from rotation.core.errors import PermanentError
from rotation.gcp.errors import from_google
from rotation.gcp.permissions import permission_denied_remedy


def test_the_remedy_names_the_permission_the_resource_and_roles_holding_it():
    message = (
        "Permission 'artifactregistry.repositories.update' denied for resource "
        "'projects/p/locations/l/repositories/r' (or it may not exist)."
    )
    error = from_google(exceptions.PermissionDenied(message), "repointing r")
    assert isinstance(error, PermanentError)
    assert error.remedy == (
        "grant the function's service account artifactregistry.repositories.update on "
        "projects/p/locations/l/repositories/r: the terraform module's custom role "
        "<role_id_prefix>Repository (tokenRotatorRepository by default) or the predefined role "
        "roles/artifactregistry.admin holds it; if it holds that already, check that "
        "projects/p/locations/l/repositories/r exists"
    )


def test_without_may_not_exist_the_remedy_is_only_the_grant():
    remedy = permission_denied_remedy(
        "Permission 'secretmanager.versions.add' denied for resource 'projects/p/secrets/s'"
    )
    assert remedy.startswith("grant the function's service account secretmanager.versions.add")


def test_an_unknown_permission_is_named_without_roles():
    remedy = permission_denied_remedy("Permission 'storage.objects.get' denied on resource 'b'")
    assert remedy == "grant the function's service account storage.objects.get on b"


def test_a_message_without_a_permission_keeps_the_general_remedy():
    assert "permission named above" in permission_denied_remedy(
        "The caller does not have permission"
    )
