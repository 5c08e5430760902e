from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from sandbox import services

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_it_lists_a_page_of_children_in_constant_queries(
    call, token_for, django_assert_num_queries
):
    services.sandbox_seed_bulk(250)
    token = token_for("mcn-network")["access_token"]
    fields = "id,username,created_time,revenues_video_total,revenues_claim_last_week"
    # faults, token, the parent, count, page: the same for 10 or 100 children.
    for limit in (10, 100):
        with django_assert_num_queries(5, using="sandbox"):
            body = call("GET", "/user/x0mcn01/children", token, fields=fields, limit=limit).json()
        assert len(body["list"]) == limit


def test_it_renders_the_staff_page_in_constant_queries(
    client, sandbox, django_assert_max_num_queries
):
    services.sandbox_seed_bulk(100)
    with django_assert_max_num_queries(14, using="sandbox"):
        assert client.get("/sandbox/?page=3").status_code == 200


def test_the_crawl_command_says_when_the_portal_is_not_there(sandbox, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="ingestion endpoints are not available yet"):
        call_command("sandbox_crawl", "--fail-share", "0")
