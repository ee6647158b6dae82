import pytest

from .tables import reference


@pytest.fixture(scope="session")
def ref():
    return reference()
