"""Backup and restore (issue 11 §6), on the suite's engine: a database of the test's own with uploaded attachments,
an online backup taken while a uvicorn process serves and writes, a restore into another fresh database, then row
counts, attachment bytes and a download from the restored portal; a non-empty target and a tampered archive are refused."""
from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests import samples
from tests.integration.ops_helpers import (
    PY,
    clone_test_database,
    hx_token,
    new_database,
    rmtree,
    run,
    sign_in,
    start_server,
)

pytestmark = pytest.mark.integration

ATTACH_RE = re.compile(r'href="/attachments/(\d+)"')


def _upload(client: httpx.Client, unit: int, name: str, data: bytes, token: str) -> list[int]:
    r = client.post(f"/attachments/pl_unit/{unit}", files=[("files", (name, data, "application/pdf"))],
                    headers={"HX-Request": "true", "x-csrftoken": token}, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:800])
    return [int(i) for i in ATTACH_RE.findall(r.text)]


class Writer(threading.Thread):
    """Uploads a new PDF every few hundred milliseconds, round-robin over units, until stopped; remembers what was
    acknowledged and when."""

    def __init__(self, base: str, cookie: str, units: list[int]):
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base, cookies={"id": cookie}, timeout=60)
        self.units, self.stop_flag, self.acked, self.errors = units, threading.Event(), [], []
        self.token = hx_token(self.client)

    def run(self) -> None:
        i = 0
        while not self.stop_flag.is_set():
            i += 1
            payload = samples.pdf(f"writer {i} {time.time()}")
            try:
                _upload(self.client, self.units[i % len(self.units)], f"并发写入{i}.pdf", payload, self.token)
                self.acked.append((time.time(), payload))
            except Exception as e:  # noqa: BLE001  (reported by the test)
                self.errors.append(repr(e))
            time.sleep(0.2)
        self.client.close()


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _tampered(archive: Path, out: Path) -> Path:
    """The same manifest with one byte of the database member changed."""
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(out, "w:gz") as dst:
        for m in tar.getmembers():
            data = tar.extractfile(m).read()
            if m.name != "manifest.json":
                data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
            dst.addfile(m, io.BytesIO(data))
    return out


def test_online_backup_and_restore_round_trip(app):  # `app` prepares the shared test database that is cloned here
    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="ops-backup-"))
    server_url = os.environ.get("DATABASE_URL")
    source = clone_test_database(tmp, "src", server_url, None if server_url else Path(os.environ["SQLITE_PATH"]))
    target = new_database(tmp, "dst", server_url)
    servers = []
    try:
        units = [r["id"] for r in source.rows("SELECT u.id AS id FROM unit u JOIN project p ON p.id = u.project "
                                              "WHERE p.code = 'JC01' ORDER BY u.id LIMIT 20")]
        assert units
        src = start_server(source.env(), tmp / "src.log")
        servers.append(src)
        existing = set(source.attachment_bytes())  # the cloned test database's own files (other tests', other users')
        with httpx.Client(base_url=src.base) as c:
            cookie = sign_in(c, "contract")
            token = hx_token(c)
            originals = {"购房合同.pdf": samples.pdf("backup original"), "身份证复印件.jpg": samples.jpeg_with_gps((640, 480)),
                         "补充协议.docx": samples.docx()}
            for name, data in originals.items():
                _upload(c, units[0], name, data, token)
        before = source.attachment_bytes()
        assert len(before) >= len(originals)

        writer = Writer(src.base, cookie, units[1:])
        writer.start()
        while len(writer.acked) < 3 and not writer.errors:
            time.sleep(0.1)
        backup_started = time.time()
        acked_before = {p for t, p in writer.acked if t < backup_started}
        archive = tmp / "backups" / "nightly.tar.gz"
        done = run([PY, "-m", "app.ops.backup", str(archive)], source.env())
        backup_ended = time.time()
        time.sleep(0.5)
        writer.stop_flag.set()
        writer.join(timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "备份完成" in done.stdout and archive.is_file()
        assert not writer.errors, writer.errors[:3]
        written_during = [t for t, _ in writer.acked if backup_started <= t <= backup_ended]
        after_backup = [t for t, _ in writer.acked if t > backup_ended]
        assert written_during and after_backup, "the portal must keep writing during and after the backup"

        manifest = _manifest(archive)
        assert manifest["engine"] == source.engine
        assert set(manifest["files"]) == {"database.sqlite" if source.engine == "sqlite" else "database.pgdump"}

        restored = run([PY, "-m", "app.ops.restore", str(archive)], target.env())
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "恢复完成" in restored.stdout and "校验一致" in restored.stdout

        # row counts: exactly the manifest's, plus the restore's own audit row
        counts = target.counts()
        want = dict(manifest["tables"])
        want["audit_log"] += 1
        assert counts == want
        assert target.rows("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0]["action"] == "ops.restore"
        assert source.rows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'ops.backup'")[0]["n"] == 1

        # attachment bytes: everything uploaded before the backup, identical; nothing the source lacks
        got, now_src = target.attachment_bytes(), source.attachment_bytes()
        assert manifest["attachments"]["count"] == len(got) >= len(before) + len(acked_before)
        for aid, data in before.items():
            assert got[aid] == data
        for aid, data in got.items():
            assert now_src[aid] == data
        assert acked_before <= set(got.values())
        assert len(now_src) > len(got)  # the writes after the snapshot are not in it

        # a non-empty target is refused; a tampered archive is refused before anything is written, even with --force
        again = run([PY, "-m", "app.ops.restore", str(archive)], target.env())
        assert again.returncode == 1 and "不是空的" in again.stderr and "--force" in again.stderr
        bad = run([PY, "-m", "app.ops.restore", str(_tampered(archive, tmp / "bad.tar.gz")), "--force"], target.env())
        assert bad.returncode == 1 and "校验失败" in bad.stderr, bad.stderr
        assert target.counts() == want

        # the restored portal serves the attachment (the session came back with the database)
        dst = start_server(target.env(), tmp / "dst.log")
        servers.append(dst)
        # one of this test's own uploads (the clone also holds other tests' files, e.g. the fuzzer's pending uploads by
        # other users, which `contract` may not open)
        first = min(set(before) - existing)
        with httpx.Client(base_url=dst.base, cookies={"id": cookie}) as c:
            r = c.get(f"/attachments/{first}")
            assert r.status_code == 200 and r.content == before[first]
            assert c.get("/").status_code == 200

        forced = run([PY, "-m", "app.ops.restore", str(archive), "--force"], target.env())
        assert forced.returncode == 0, forced.stderr
    finally:
        for s in servers:
            s.stop()
        source.drop()
        target.drop()
        rmtree(tmp)
        print(f"backup/restore round trip on {source.engine}: {time.time() - started:.1f} s")
