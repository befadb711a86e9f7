import pytest
from django.core.management import call_command

from apps.organisations.models import Organisation, PostcodeDistrict


@pytest.mark.django_db
def test_load_reference_twice_leaves_153_local_authorities():
    call_command("load_reference", verbosity=0)
    call_command("load_reference", verbosity=0)
    assert Organisation.objects.local_authorities().count() == 153
    assert PostcodeDistrict.objects.count() == 2973
    assert PostcodeDistrict.objects.get(code="M1").la.name == "Manchester"
    assert PostcodeDistrict.objects.get(code="CF10").la is None
