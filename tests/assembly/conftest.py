import secrets

import pytest

from interlink.assembly.ballot_box import SEAL_KEY_BYTES, BallotSealer
from interlink.assembly.keys import SealKeyFile
from interlink.config import Settings
from tests.assembly.support import Assembly
from tests.support import World


@pytest.fixture
def sealer() -> BallotSealer:
    return BallotSealer(secrets.token_bytes(SEAL_KEY_BYTES))


@pytest.fixture
def assembly(world: World, settings: Settings) -> Assembly:
    """A General Assembly over the test database, with the app's seal key file."""
    return Assembly(world, SealKeyFile(settings.ballot_seal_key_file))
