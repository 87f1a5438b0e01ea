"""The backup archive's rules (app/ops/archive.py): the password never on a command line, a damaged or foreign
archive refused before anything is restored, and every difference from the manifest named."""
from __future__ import annotations

import io
import json
import tarfile

import pytest

from app.ops.archive import FORMAT, Manifest, OpsError, build_manifest, compare, open_archive, pg_env, write_archive

pytestmark = pytest.mark.unit


def test_the_password_goes_to_the_environment_not_the_command_line():
    url, extra = pg_env("postgresql://portal:s%40cret@db1:5433/portal?sslmode=require")
    assert url == "postgresql://portal@db1:5433/portal?sslmode=require" and extra == {"PGPASSWORD": "s@cret"}
    assert pg_env("postgresql://postgres@127.0.0.1:55446/portal") == ("postgresql://postgres@127.0.0.1:55446/portal", {})


def _archive(tmp_path, member_bytes=b"SQLite format 3\0data", tamper=None):
    member = tmp_path / "database.sqlite"
    member.write_bytes(member_bytes)
    manifest = build_manifest("sqlite", "2026-12-02T18:00:00+08:00", member, {"unit": 3}, [
        {"id": 1, "blob": 1, "size": 3, "sha256": "ab", "recorded_sha256": "ab"}])
    out = tmp_path / "b.tar.gz"
    write_archive(out, manifest, member)
    if tamper:
        tamper(out, manifest)
    return out, manifest


def _rewrite(out, manifest, data):
    with tarfile.open(out, "w:gz") as tar:
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        info = tarfile.TarInfo("database.sqlite")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def test_a_sound_archive_opens(tmp_path):
    out, manifest = _archive(tmp_path)
    work = tmp_path / "w"
    work.mkdir()
    m, member = open_archive(out, work)
    assert m.engine == "sqlite" and member.read_bytes() == b"SQLite format 3\0data" and m.data["format"] == FORMAT
    assert not (tmp_path / "b.tar.gz.partial").exists()


@pytest.mark.parametrize("tamper, message", [
    (lambda out, m: _rewrite(out, m, b"SQLite format 3\0dat4"), "校验失败"),
    (lambda out, m: _rewrite(out, {**m, "format": "other/9"}, b"SQLite format 3\0data"), "不受支持"),
    (lambda out, m: out.write_bytes(out.read_bytes()[:40]), "已损坏"),
])
def test_a_damaged_or_foreign_archive_is_refused(tmp_path, tamper, message):
    out, _ = _archive(tmp_path, tamper=tamper)
    work = tmp_path / "w"
    work.mkdir()
    with pytest.raises(OpsError, match=message):
        open_archive(out, work)


def test_compare_names_every_difference():
    m = Manifest({"engine": "sqlite", "tables": {"unit": 3, "deal": 2},
                  "attachments": {"items": [{"id": 1, "size": 3, "sha256": "ab"}, {"id": 2, "size": 4, "sha256": "cd"}]}})
    assert compare(m, {"unit": 3, "deal": 2}, [{"id": 1, "size": 3, "sha256": "ab"}, {"id": 2, "size": 4, "sha256": "cd"}]) == []
    problems = compare(m, {"unit": 3, "deal": 1, "extra": 0}, [{"id": 1, "size": 3, "sha256": "ff"}])
    assert any("deal" in p for p in problems) and any("extra" in p for p in problems)
    assert any("#1" in p for p in problems) and any("#2" in p for p in problems)
