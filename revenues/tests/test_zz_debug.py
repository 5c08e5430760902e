import pytest
from .test_reports import CUSTOM, earners, START, TODAY  # noqa
from revenues import services

@pytest.mark.django_db
def test_dbg(client, staff_user, earners):
    p = services.Period(START, TODAY)
    qs = services.earnings_by_creator(period=p)
    print([(c.username, c.gross) for c in qs])
    print([(c.username, c.gross) for c in qs.iterator(2000)])
    print(str(qs.query))
    assert 0
