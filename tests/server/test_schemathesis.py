"""Spec and behaviour agree: Schemathesis generates requests from the OpenAPI document and sends
them to the live app over HTTP (a real server on loopback), with every check it has (no
server errors, status codes, content types, headers and bodies as documented, negative data
refused, unsupported methods answered 405 with Allow, ...). Bounded: a few dozen examples per
operation, a few hundred in all.

One allowance, for two kinds of value no schema can describe: whether an airline or airport
code is one we know depends on the data (`/api/v1/check`), and whether a token is genuine
depends on its signature (`/api/v1/results/{token}`). For those operations a schema-valid
request may be answered 400 (a problem naming the parameter); every other check still applies
to them, and every check applies unchanged to the other operations.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from compliance.api.openapi import spec_for

pytestmark = pytest.mark.server

EXAMPLES_PER_OPERATION = 30
CONFIG = SchemathesisConfig.from_str("""
[checks]
enabled = true

[[operations]]
include-path-regex = "^/api/v1/(check|results/)"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400", "404", "429"]
""")
#: The document the app serves at /api/openapi.json (test_openapi.py checks they are one).
SCHEMA = schemathesis.openapi.from_dict(spec_for("http://127.0.0.1"), config=CONFIG)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def test_every_operation_is_covered():
    assert len(OPERATIONS) == 8


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_the_live_api_keeps_its_contract(live_server, operation, mode):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def send(case):
        case.call_and_validate(base_url=live_server)

    send()
