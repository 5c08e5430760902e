from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from conftest import make_creator
from ingestion import services
from ingestion.models import CatalogImport, Video

HEADER = "owner,uid,title,description,video_url,thumbnail_url,channel,tags,published_at\n"
GOOD = (
    'x2adop,v1,First & best,"Line one\nline two",https://cdn.example.com/v1.mp4,'
    'https://cdn.example.com/v1.jpg,news,"politics, world ,politics",2024-05-01T10:00:00Z\n'
    "x2adop,v2,Second,,https://cdn.example.com/v2.mp4,,Music,,2024-05-02\n"
)
BAD = (
    "x2adop,v3,,,https://cdn.example.com/v3.mp4,,news,,\n"  # no title
    "x2adop,v4,Cats,,https://cdn.example.com/v4.mp4,,cats,,\n"  # not a channel
    "x404,v5,Nobody,,https://cdn.example.com/v5.mp4,,news,,\n"  # unknown owner
    "x2adop,v6,Bad date,,file:///etc/passwd,,news,,yesterday\n"  # url and date
)


def run(tmp_path, text, name="catalog.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(path), stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_it_loads_good_rows_and_reports_bad_ones_by_line(tmp_path, adopted_creator):
    out, err = run(tmp_path, HEADER + GOOD + BAD)
    assert "6 rows: 2 created, 0 updated, 4 refused" in out
    lines = err.splitlines()
    assert lines[0].startswith("line 5: v3: title is empty")  # row 1 spans lines 2-3
    assert lines[1].startswith("line 6: v4: channel 'cats' is not a Dailymotion channel")
    assert lines[2].startswith("line 7: v5: owner 'x404' is not a creator")
    assert "video_url must be an absolute" in lines[3] and "published_at 'yesterday'" in lines[3]
    first = Video.objects.get(uid="v1")
    assert first.title == "First & best"
    assert first.description == "Line one\nline two"
    assert first.tags == ["politics", "world"]
    assert first.state == Video.State.QUEUED
    assert Video.objects.get(uid="v2").channel == "music"


def test_a_rerun_updates_and_never_duplicates(tmp_path, adopted_creator):
    run(tmp_path, HEADER + GOOD)
    Video.objects.filter(uid="v1").update(state=Video.State.IMPORTED, remote_id="x1")
    out, _ = run(tmp_path, HEADER + GOOD.replace("First & best", "Renamed"))
    assert "0 created, 2 updated" in out
    assert Video.objects.count() == 2
    video = Video.objects.get(uid="v1")
    assert (video.title, video.state, video.remote_id) == ("Renamed", "imported", "x1")


def test_the_same_uid_may_belong_to_two_creators(tmp_path, adopted_creator):
    make_creator("x8oth", "other-olga", status="adopted")
    run(tmp_path, HEADER + GOOD + GOOD.replace("x2adop", "x8oth"))
    assert Video.objects.filter(uid="v1").count() == 2


def test_it_refuses_a_file_without_the_header(tmp_path, adopted_creator):
    with pytest.raises(CommandError, match="header lacks"):
        run(tmp_path, "owner,uid,title\nx2adop,v1,t\n")


def test_it_reads_json_lines(tmp_path, adopted_creator):
    text = (
        '{"owner": "x2adop", "uid": "j1", "title": "J", "video_url": "https://e.com/j.mp4",'
        ' "channel": "fun", "tags": ["a", "b"], "is_created_for_kids": true, "duration": 90}\n'
        "not json\n"
    )
    out, err = run(tmp_path, text, name="catalog.jsonl")
    assert "1 created" in out and "line 2" in err
    video = Video.objects.get(uid="j1")
    assert video.tags == ["a", "b"] and video.is_created_for_kids and video.duration == 90


def test_it_checks_dailymotions_rules(db):
    _, problems = services.video_clean(
        {
            "owner": "x1",
            "uid": "u",
            "title": "t" * 256,
            "description": "d" * 3001,
            "video_url": "https://e.com/v.mp4",
            "channel": "news",
            "tags": ",".join(f"tag{n}" for n in range(60)),
            "language": "english",
            "is_created_for_kids": "maybe",
        }
    )
    text = " | ".join(problems)
    for expected in (
        "title has 256",
        "description has 3001",
        "60 tags",
        "two-letter",
        "true or false",
    ):
        assert expected in text


def test_it_loads_in_batches_with_a_bounded_number_of_queries(
    adopted_creator, django_assert_max_num_queries
):
    rows = (
        (
            n + 2,
            {
                "owner": "x2adop",
                "uid": f"b{n}",
                "title": f"T{n}",
                "video_url": f"https://e.com/{n}.mp4",
                "channel": "news",
            },
        )
        for n in range(250)
    )
    # per batch of 100: existing count + upsert (+ owner lookup once, + savepoints)
    with django_assert_max_num_queries(3 * 4 + 1):
        report = services.catalog_import(rows=rows, batch_size=100)
    assert report.created == 250


def test_staff_upload_the_csv_in_the_browser(client, staff_user, adopted_creator):
    client.force_login(staff_user)
    upload = io.BytesIO((HEADER + GOOD + BAD).encode())
    upload.name = "catalog.csv"
    response = client.post("/staff/videos/import/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "videos added" in html and "title is empty" in html
    assert Video.objects.count() == 2


def test_the_upload_page_needs_the_permission(client, bare_staff_user):
    client.force_login(bare_staff_user)
    assert client.get("/staff/videos/import/").status_code == 403


def _upload(text: str, name: str = "big.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = name
    return upload


def _rows(n: int, owner: str = "x2adop") -> str:
    return "".join(
        f"{owner},bulk{i},Video {i},,https://cdn.example.com/{i}.mp4,,news,,\n" for i in range(n)
    )


def test_a_big_file_is_imported_in_the_background_with_its_report(
    client, staff_user, adopted_creator, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 100
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/videos/import/", {"file": _upload(HEADER + GOOD + BAD)})
    job = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/videos/imports/{job.pk}/"
    assert Video.objects.count() == 2
    html = client.get(response["Location"]).content.decode()
    assert "Finished" in html and "title is empty" in html and "big.csv" in html
    status = client.get(f"/staff/videos/imports/{job.pk}.json").json()
    assert status == {
        "status": "finished",
        "total": 7,  # lines after the header: row 1 spans two
        "rows": 6,
        "created": 2,
        "updated": 0,
        "error_count": 4,
        "percent": 100,
        "active": False,
    }
    job.refresh_from_db()
    assert job.content == "" and job.created_by == staff_user
    assert "big.csv" in client.get("/staff/videos/import/").content.decode()


def test_a_background_import_shows_its_progress_as_it_goes(
    adopted_creator, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real_import = services.catalog_import

    def import_in_small_batches(**kwargs):
        progress = kwargs.pop("progress")

        def record(rows):
            progress(rows)
            seen.append(CatalogImport.objects.values_list("rows", "status").get())

        return real_import(progress=record, batch_size=100, **kwargs)

    monkeypatch.setattr(services, "catalog_import", import_in_small_batches)
    text = HEADER + _rows(250)
    with django_capture_on_commit_callbacks(execute=True):
        services.catalog_import_start(text=text, filename="a.csv", fmt="csv", size=len(text))
    assert seen == [(100, "running"), (200, "running"), (250, "running")]
    assert CatalogImport.objects.get().percent == 100
    assert Video.objects.count() == 250


def test_a_running_import_reports_its_percentage(client, staff_user):
    job = CatalogImport.objects.create(
        filename="a.csv", content="x", total=400, rows=100, status="running"
    )
    client.force_login(staff_user)
    status = client.get(f"/staff/videos/imports/{job.pk}.json").json()
    assert (status["percent"], status["active"]) == (25, True)
    assert 'aria-valuenow="25"' in client.get(f"/staff/videos/imports/{job.pk}/").content.decode()


def test_an_import_interrupted_by_a_killed_worker_reruns_without_duplicates(adopted_creator):
    text = HEADER + _rows(30)
    job = services.catalog_import_start(text=text, filename="a.csv", fmt="csv", size=len(text))
    services.catalog_import(file=io.StringIO(HEADER + _rows(12)))  # what ran before the kill
    CatalogImport.objects.filter(pk=job.pk).update(status="running", rows=12)
    job = services.catalog_import_run(job_id=job.pk)
    assert (job.status, job.rows, job.created, job.updated) == ("finished", 30, 18, 12)
    assert Video.objects.count() == 30
    assert services.catalog_import_run(job_id=job.pk).rows == 30  # a late redelivery: no-op


def test_a_background_file_without_the_header_fails_with_the_reason(
    client, staff_user, adopted_creator, settings, django_capture_on_commit_callbacks
):
    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 10
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/videos/import/", {"file": _upload(GOOD)})
    html = client.get(response["Location"]).content.decode()
    assert "Failed" in html and "header" in html
    assert Video.objects.count() == 0
    assert CatalogImport.objects.get().content == GOOD  # kept: nothing was imported


def test_a_file_over_the_maximum_is_refused_and_nothing_is_kept(
    client, staff_user, adopted_creator, settings
):
    settings.CATALOG_IMPORT_MAX_BYTES = 50
    client.force_login(staff_user)
    response = client.post("/staff/videos/import/", {"file": _upload(HEADER + GOOD)})
    assert response.status_code == 200
    assert "the browser import takes up to 50" in response.content.decode()
    assert not CatalogImport.objects.exists() and not Video.objects.exists()


def test_the_import_pages_need_the_permission(client, bare_staff_user):
    job = CatalogImport.objects.create(filename="a.csv")
    client.force_login(bare_staff_user)
    assert client.get(f"/staff/videos/imports/{job.pk}/").status_code == 403
    assert client.get(f"/staff/videos/imports/{job.pk}.json").status_code == 403


def test_a_post_without_a_file_says_the_file_is_missing(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/staff/videos/import/", {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
