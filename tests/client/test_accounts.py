"""QiskitRuntimeService's official constructor: environment, saved accounts, channel and URLs."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from qiskit_rest_primitives import QiskitRuntimeService, RuntimeService
from qiskit_rest_primitives.exceptions import (
    AccountAlreadyExistsError,
    AccountNotFoundError,
    APIConnectionError,
    ConfigurationError,
    IBMInputValueError,
    InvalidAccountError,
)
from qiskit_rest_primitives.local import LocalRuntimeServer

from ..conftest import FAST_POLL, FAST_RETRY

BACKEND = "ibmq_manila"


def _env(monkeypatch: pytest.MonkeyPatch, server: LocalRuntimeServer, **extra: str) -> None:
    """Point the official environment variables at the local server."""
    monkeypatch.setenv("QISKIT_IBM_URL", server.base_url)
    monkeypatch.setenv("IAM_URL", server.base_url)
    monkeypatch.setenv("QISKIT_IBM_TOKEN", server.api_key)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", server.instance)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def test_environment_alone_reaches_the_server(server: LocalRuntimeServer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, server)
    with QiskitRuntimeService() as service:
        assert service.url == server.url  # {QISKIT_IBM_URL}/api/v1
        assert service.instance == server.instance
        assert service.channel == "ibm_quantum_platform"
        assert BACKEND in [b.name for b in service.backends()]
        usage = service.usage()
    assert isinstance(usage, dict)
    paths = [r.path for r in server.requests]
    assert "/identity/token" in paths  # {IAM_URL}/identity/token
    assert any(p.startswith("/api/v1/backends") for p in paths)


def test_channel_from_environment(server: LocalRuntimeServer,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, server, QISKIT_IBM_CHANNEL="ibm_cloud")
    assert QiskitRuntimeService().channel == "ibm_cloud"


def test_official_keywords(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_URL", server.base_url)
    service = QiskitRuntimeService(channel="ibm_cloud", token=server.api_key,
                                   url=server.base_url, instance=server.instance, verify=True,
                                   retry=FAST_RETRY, poll=FAST_POLL)
    assert service.channel == "ibm_cloud"
    assert service.backend(BACKEND).num_qubits == 5
    account = service.active_account()
    assert account["channel"] == "ibm_cloud" and account["instance"] == server.instance
    assert account["token"] == server.api_key
    assert server.api_key not in repr(account) and server.api_key not in str(account)


def test_url_resolver_decides_the_api_base(server: LocalRuntimeServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_URL", server.base_url)
    seen: list[tuple[str, str, bool | None, str]] = []

    def resolver(url: str, instance: str, private: bool | None, channel: str) -> str:
        seen.append((url, instance, private, channel))
        return server.url

    service = QiskitRuntimeService(token=server.api_key, instance=server.instance,
                                   url_resolver=resolver)
    assert service.url == server.url
    assert seen == [("https://cloud.ibm.com", server.instance, False, "ibm_quantum_platform")]
    assert service.backends()


def test_earlier_keywords_still_work(server: LocalRuntimeServer) -> None:
    assert RuntimeService is QiskitRuntimeService
    service = RuntimeService(api_key=server.api_key, instance=server.instance, url=server.url,
                             iam_url=server.iam_url)
    assert service.backends()
    token = service._auth.bearer_token()
    ready = RuntimeService(bearer_token=token, instance=server.instance, url=server.url)
    assert ready.backends()
    with pytest.raises(ConfigurationError, match="once"):
        RuntimeService(token="a", api_key="b")


@pytest.mark.parametrize("channel", ["ibm_quantum", "local", "cloud"])
def test_unknown_channel_is_a_clear_error(channel: str) -> None:
    with pytest.raises(InvalidAccountError, match="ibm_quantum_platform") as info:
        QiskitRuntimeService(channel=channel, token="k")
    assert isinstance(info.value, ValueError) and isinstance(info.value, IBMInputValueError)


def test_url_alone_is_refused() -> None:
    with pytest.raises(InvalidAccountError, match="token"):
        QiskitRuntimeService(url="https://cloud.ibm.com")


def test_no_credentials_anywhere() -> None:
    with pytest.raises(AccountNotFoundError, match="QISKIT_IBM_TOKEN"):
        QiskitRuntimeService()


# --- saved accounts ----------------------------------------------------------------------------
def _account_file() -> Path:
    return Path.home() / ".qiskit" / "qiskit-ibm.json"


def test_saved_default_account_is_used(server: LocalRuntimeServer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    QiskitRuntimeService.save_account(token=server.api_key, instance=server.instance,
                                      url=server.base_url, set_as_default=True)
    path = _account_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved == {"default-ibm-quantum-platform": {
        "channel": "ibm_quantum_platform", "instance": server.instance,
        "is_default_account": True, "private_endpoint": False, "token": server.api_key,
        "url": server.base_url, "verify": True}}
    assert path.read_text() == json.dumps(saved, sort_keys=True, indent=4)
    monkeypatch.setenv("IAM_URL", server.base_url)
    with QiskitRuntimeService() as service:
        assert service.instance == server.instance
        assert service.backends()


def test_environment_wins_over_the_saved_default(server: LocalRuntimeServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    QiskitRuntimeService.save_account(token="saved-key", url="http://127.0.0.1:1",
                                      set_as_default=True)
    _env(monkeypatch, server)
    assert QiskitRuntimeService().url == server.url


def test_named_accounts_and_channels(tmp_path: Path) -> None:
    filename = str(tmp_path / "accounts.json")
    QiskitRuntimeService.save_account(token="k1", name="work", filename=filename,
                                      instance="crn:v1:bluemix:public:quantum-computing:eu-de:a/x:y::")
    # With an instance CRN: without one, construction searches the account's instances.
    QiskitRuntimeService.save_account(token="k2", channel="ibm_cloud", filename=filename,
                                      instance="crn:v1:bluemix:public:quantum-computing:us-east:a/x:z::")
    names = QiskitRuntimeService.saved_accounts(filename=filename)
    assert set(names) == {"work", "default-ibm-cloud"}
    assert set(QiskitRuntimeService.saved_accounts(filename=filename, default=True)) == {
        "default-ibm-cloud"}
    assert set(QiskitRuntimeService.saved_accounts(filename=filename, channel="ibm_cloud")) == {
        "default-ibm-cloud"}
    work = QiskitRuntimeService(name="work", filename=filename)
    assert work.url == "https://eu-de.quantum.cloud.ibm.com/api/v1"  # region from the CRN
    assert work.region == "eu-de"
    cloud = QiskitRuntimeService(channel="ibm_cloud", filename=filename)
    assert cloud.channel == "ibm_cloud" and cloud.url == "https://quantum.cloud.ibm.com/api/v1"
    with pytest.raises(AccountNotFoundError, match="home"):
        QiskitRuntimeService(name="home", filename=filename)
    assert QiskitRuntimeService.delete_account(filename=filename, name="work") is True
    assert QiskitRuntimeService.delete_account(filename=filename, name="work") is False
    assert set(QiskitRuntimeService.saved_accounts(filename=filename)) == {"default-ibm-cloud"}


def test_overwrite_and_second_default(tmp_path: Path) -> None:
    filename = str(tmp_path / "a.json")
    save = QiskitRuntimeService.save_account
    save(token="k1", name="one", filename=filename, set_as_default=True)
    with pytest.raises(AccountAlreadyExistsError, match="overwrite"):
        save(token="k2", name="one", filename=filename)
    save(token="k2", name="one", filename=filename, overwrite=True, set_as_default=True)
    assert QiskitRuntimeService.saved_accounts(filename=filename)["one"]["token"] == "k2"
    with pytest.raises(AccountAlreadyExistsError, match="default"):
        save(token="k3", name="two", filename=filename, set_as_default=True)
    save(token="k3", name="two", filename=filename, set_as_default=True, overwrite=True,
         instance="crn:v1:bluemix:public:quantum-computing:us-east:a/x:z::")
    data = json.loads(Path(filename).read_text())
    assert "is_default_account" not in data["one"] and data["two"]["is_default_account"]
    assert QiskitRuntimeService(filename=filename).active_account()["token"] == "k3"


def test_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    filename = tmp_path / "deep" / "a.json"
    old = os.umask(0)
    try:
        QiskitRuntimeService.save_account(token="k", filename=str(filename))
        QiskitRuntimeService.save_account(token="k", name="b", filename=str(filename))
    finally:
        os.umask(old)
    assert stat.S_IMODE(filename.stat().st_mode) == 0o600
    assert sorted(p.name for p in filename.parent.iterdir()) == ["a.json"]  # no temporaries


def test_bad_accounts_are_refused_before_saving(tmp_path: Path) -> None:
    filename = str(tmp_path / "a.json")
    with pytest.raises(InvalidAccountError, match="region"):
        QiskitRuntimeService.save_account(token="k", region="mars-1", filename=filename)
    with pytest.raises(InvalidAccountError, match="NTLM"):
        QiskitRuntimeService.save_account(token="k", filename=filename, proxies={
            "urls": {"https": "http://p:1"}, "username_ntlm": "u", "password_ntlm": "p"})
    with pytest.raises(InvalidAccountError, match="token"):
        QiskitRuntimeService.save_account(filename=filename)
    assert not Path(filename).exists()


def test_key_never_logged_or_shown(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch,
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = server.api_key
    QiskitRuntimeService.save_account(token=secret, instance=server.instance,
                                      url=server.base_url, name="n")
    monkeypatch.setenv("IAM_URL", server.base_url)
    service = QiskitRuntimeService(name="n", channel="ibm_cloud")  # channel ignored, warned
    service.backends()
    shown = [repr(service), repr(service.active_account()),
             repr(QiskitRuntimeService.saved_accounts()), caplog.text]
    assert not any(secret in text for text in shown)
    assert "ignored" in caplog.text


def test_proxies_are_used(server: LocalRuntimeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAM_URL", server.base_url)
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback
    service = QiskitRuntimeService(token=server.api_key, url=server.base_url,
                                   instance=server.instance, retry=FAST_RETRY,
                                   proxies={"urls": {"http": closed}})
    with pytest.raises(APIConnectionError):
        service.backends()
    assert not server.requests  # neither IAM nor the API was reached directly


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_file_as_the_official_client(tmp_path: Path) -> None:
    from qiskit_ibm_runtime import QiskitRuntimeService as Official

    crn = "crn:v1:bluemix:public:quantum-computing:us-east:a/x:y::"
    ours, theirs = str(tmp_path / "ours.json"), str(tmp_path / "theirs.json")
    for cls, filename in ((QiskitRuntimeService, ours), (Official, theirs)):
        cls.save_account(token="key-1", instance=crn, filename=filename, set_as_default=True,
                         region="us-east", plans_preference=["open"], tags=["t"])
        cls.save_account(token="key-2", channel="ibm_cloud", name="other", filename=filename)
    # Each reads the other's file to the same accounts.
    assert Official.saved_accounts(filename=ours) == Official.saved_accounts(filename=theirs)
    assert QiskitRuntimeService.saved_accounts(filename=theirs) == \
        QiskitRuntimeService.saved_accounts(filename=ours)
    assert QiskitRuntimeService(filename=theirs).active_account()["token"] == "key-1"
