"""Jupyter kernels as the doctor and the class report handle them (``xentlearn._jupyter_kernels``).

The stopping is checked on stand-in managers (a blocking one and an asynchronous one,
each recording what it was asked), including ones that raise; one real kernel is
started, asked and stopped. Both commands use this module and no copy of their own.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from xentlearn import _jupyter_kernels as kernels

PACKAGE = Path(kernels.__file__).parent


def _msg(kind: str, **content) -> dict:
    return {"header": {"msg_type": kind}, "content": content}


def test_error_text_prefers_what_the_notebook_shows_and_keeps_to_the_limit():
    reply = {"status": "error", "ename": "ValueError", "evalue": "from the reply"}
    assert kernels.error_text(reply) == "ValueError: from the reply"
    outputs = [_msg("stream", text="hello"),
               _msg("error", ename="ZeroDivisionError", evalue="division by zero"),
               _msg("error", ename="Later", evalue="not this one")]
    assert kernels.error_text(reply, outputs) == "ZeroDivisionError: division by zero"
    assert kernels.error_text(reply, outputs, limit=4) == "Zero"
    assert kernels.error_text({}) == "Error: "


def test_spec_manager_knows_its_kernel_and_writes_the_spec_once(tmp_path):
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    ksm = kernels.spec_manager(tmp_path / "specs", "mine", argv, "Mine",
                               {"supported_encryption": ["curve"]})
    assert set(ksm.find_kernel_specs()) <= {"mine", "python3"}  # ipykernel's own besides
    assert ksm.find_kernel_specs()["mine"] == str(tmp_path / "specs" / "mine")
    spec = ksm.get_kernel_spec("mine")
    assert spec.argv == argv and spec.display_name == "Mine"
    assert spec.metadata == {"supported_encryption": ["curve"]}
    file = tmp_path / "specs" / "mine" / "kernel.json"
    data = json.loads(file.read_text())
    data["display_name"] = "kept"
    file.write_text(json.dumps(data))
    again = kernels.spec_manager(tmp_path / "specs", "mine", argv, "Mine")
    assert again.get_kernel_spec("mine").display_name == "kept"


class _Blocking:
    """A stand-in for a blocking kernel manager and client; ``fail`` names what raises."""

    def __init__(self, alive=True, fail=()):
        self.calls: list[str] = []
        self._alive, self.fail = alive, set(fail)

    def _call(self, name):
        self.calls.append(name)
        if name in self.fail:
            raise RuntimeError(f"simulated: {name} failed")

    def is_alive(self):
        self._call("is_alive")
        return self._alive

    def shutdown_kernel(self, now=False):
        self._call(f"shutdown_kernel(now={now})")

    def cleanup_resources(self):
        self._call("cleanup_resources")

    def stop_channels(self):
        self._call("stop_channels")


class _Async(_Blocking):
    async def is_alive(self):
        return super().is_alive()

    async def shutdown_kernel(self, now=False):
        super().shutdown_kernel(now)

    async def cleanup_resources(self):
        super().cleanup_resources()


@pytest.mark.parametrize("manager", [_Blocking, _Async])
def test_stop_kills_closes_and_releases_with_either_kind_of_manager(manager):
    km, kc = manager(), _Blocking()
    asyncio.run(kernels.stop(km, kc))
    assert km.calls == ["is_alive", "shutdown_kernel(now=True)", "cleanup_resources"]
    assert kc.calls == ["stop_channels"]

    km, kc = manager(alive=False), _Blocking()
    kernels.stop_now(km, kc)
    assert km.calls == ["is_alive", "cleanup_resources"] and kc.calls == ["stop_channels"]


@pytest.mark.parametrize("manager", [_Blocking, _Async])
def test_stop_never_raises(manager):
    km = manager(fail={"is_alive"})
    kc = _Blocking(fail={"stop_channels"})
    asyncio.run(kernels.stop(km, kc))  # no exception
    assert km.calls == ["is_alive"] and kc.calls == ["stop_channels"]
    km = manager(fail={"shutdown_kernel(now=True)", "cleanup_resources"})
    kernels.stop_now(km, None)
    assert km.calls == ["is_alive", "shutdown_kernel(now=True)", "cleanup_resources"]


def test_stop_client_stops_a_kernel_once():
    class Client:
        km, kc = _Async(), _Blocking()

    client = Client()
    asyncio.run(kernels.stop_client(client))
    asyncio.run(kernels.stop_client(client))
    assert client.km.calls == ["is_alive", "shutdown_kernel(now=True)", "cleanup_resources"]
    client.km = _Async()  # a new kernel (a second attempt to start): stopped in turn
    asyncio.run(kernels.stop_client(client))
    assert client.km.calls == ["is_alive", "shutdown_kernel(now=True)", "cleanup_resources"]


def test_stop_now_refuses_to_run_inside_an_event_loop():
    async def inside():
        kernels.stop_now(_Blocking(), None)

    with pytest.raises(RuntimeError, match="await stop"):
        asyncio.run(inside())


def test_a_real_kernel_starts_answers_and_is_gone_after_close():
    kernel = kernels.Kernel("python3")
    folder = Path(kernel.folder)
    try:
        kernel.start(timeout=60)
        assert kernel.alive()
        assert Path(kernel.spec_folder(), "kernel.json").is_file()
        content, outputs = kernel.execute("import os\nprint(os.getcwd())\n1+1", timeout=30)
        assert content["status"] == "ok"
        assert [m["content"]["data"]["text/plain"] for m in outputs
                if m["header"]["msg_type"] == "execute_result"] == ["2"]
        printed = "".join(m["content"]["text"] for m in outputs
                          if m["header"]["msg_type"] == "stream").strip()
        assert Path(printed).resolve() == folder.resolve()  # it runs in a folder of its own
        content, outputs = kernel.execute("import sys\nprint('oops', file=sys.stderr)\n1/0", 30)
        assert content["status"] == "error"
        assert kernels.error_text(content, outputs) == "ZeroDivisionError: division by zero"
    finally:
        kernel.close()
    assert not kernel.alive() and not folder.exists()
    kernel.close()  # a second close does nothing
    with pytest.raises(RuntimeError, match="closed"):
        kernel.start(timeout=5)


def test_a_kernel_that_dies_leaves_its_last_words(tmp_path, monkeypatch):
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    code = "import sys\nsys.exit('simulated: the last line of stderr')"
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", code],
                                                  "display_name": "x", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    kernel = kernels.Kernel("python3")
    try:
        with pytest.raises(RuntimeError):
            kernel.start(timeout=20)
        deadline = time.monotonic() + 5
        while kernel.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kernel.stderr_tail() == "simulated: the last line of stderr"
        assert kernel.spec_folder() == str(spec)
    finally:
        kernel.close()


def test_the_doctor_and_the_class_report_stop_kernels_here_only(tmp_path):
    """One copy of the job: neither command shuts a kernel down or formats an error itself."""
    from xentlearn.report import run as class_report

    doctor_sources = "".join(p.read_text(encoding="utf-8")
                             for p in (PACKAGE / "doctor").glob("*.py"))
    report = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "report").glob("*.py"))
    for source in (doctor_sources, report):
        assert "shutdown_kernel(" not in source and "stop_channels" not in source
        assert "get('ename'" not in source and 'get("ename"' not in source
    assert "stop_client(client)" in report and "spec_manager(" in report
    ksm = class_report._kernel_spec_manager(tmp_path)  # the report's own kernel, through here
    spec = ksm.get_kernel_spec(class_report.KERNEL_NAME)
    assert ksm.find_kernel_specs()[class_report.KERNEL_NAME] == str(tmp_path /
                                                                    class_report.KERNEL_NAME)
    assert spec.argv == [sys.executable, "-c", class_report.KERNEL_CODE, "-f",
                         "{connection_file}"]
