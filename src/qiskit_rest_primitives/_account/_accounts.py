"""Accounts: which credentials to use (arguments, environment, saved file) and the account file.

The file is the official client's, ``~/.qiskit/qiskit-ibm.json``: one JSON object of named
accounts, sorted keys, indented by four. We write it atomically (a temporary file in the same
folder, then ``os.replace``) with mode 0600, so a key is never readable by others, not even
for a moment, and an interrupted save leaves the old file whole.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .._config import CLOUD_URL, ENV_CHANNEL, ENV_INSTANCE, ENV_TOKEN, ENV_URL, REGION_URLS
from ..exceptions import AccountAlreadyExistsError, AccountNotFoundError, InvalidAccountError

logger = logging.getLogger(__name__)

CHANNELS = ("ibm_quantum_platform", "ibm_cloud")
DEFAULT_CHANNEL = "ibm_quantum_platform"
#: The official default account names: the generic one and one per channel.
DEFAULT_NAME = "default"
_CHANNEL_DEFAULT_NAMES = {"ibm_cloud": "default-ibm-cloud",
                          "ibm_quantum_platform": "default-ibm-quantum-platform"}
_PROXY_KEYS = frozenset({"urls", "username_ntlm", "password_ntlm"})
_MASK = "***"


def default_filename() -> str:
    """``~/.qiskit/qiskit-ibm.json``, read from ``HOME`` at each call (not at import)."""
    return os.path.join(os.path.expanduser("~"), ".qiskit", "qiskit-ibm.json")


def default_name(channel: str | None) -> str:
    """The default account name of a channel (official: one per channel)."""
    return _CHANNEL_DEFAULT_NAMES.get(channel or DEFAULT_CHANNEL,
                                      _CHANNEL_DEFAULT_NAMES[DEFAULT_CHANNEL])


class AccountDict(dict[str, Any]):
    """An account as a plain dict (the official shape) whose repr hides the token."""

    def __repr__(self) -> str:
        shown = {key: (_MASK if key == "token" and value else value) for key, value in self.items()}
        return repr(shown)

    __str__ = __repr__


@dataclass
class Account:
    """One account: channel, API key, URL, instance and the connection preferences."""

    channel: str = DEFAULT_CHANNEL
    token: str | None = field(default=None, repr=False)
    url: str = CLOUD_URL
    instance: str | None = None
    proxies: dict[str, Any] | None = None
    verify: bool = True
    private_endpoint: bool = False
    region: str | None = None
    plans_preference: list[str] | None = None
    tags: list[str] | None = None

    @classmethod
    def from_saved(cls, data: Mapping[str, Any]) -> Account:
        """An account from its saved form (unknown keys such as ``is_default_account`` dropped)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        return cls(**values)

    def to_saved(self) -> AccountDict:
        """The saved form: every field that is set, as the official client writes it."""
        return AccountDict({f.name: getattr(self, f.name) for f in fields(self)
                            if getattr(self, f.name) is not None})

    def validate(self) -> Account:
        """Check channel, token, region, preferences and proxies; return ``self``.

        Raises:
            InvalidAccountError: naming the field and what is accepted (never its secret value).
        """
        if self.channel not in CHANNELS:
            hint = (" Local testing mode: pass a qiskit backend as mode=, or run a "
                    "LocalRuntimeServer." if self.channel == "local" else "")
            raise InvalidAccountError(
                f"Invalid channel {self.channel!r}: expected one of {list(CHANNELS)}.{hint}")
        if self.token is not None and (not isinstance(self.token, str) or not self.token):
            raise InvalidAccountError("Invalid token: expected a non-empty string (an API key)")
        if self.region is not None and self.region not in REGION_URLS:
            raise InvalidAccountError(
                f"Invalid region {self.region!r}: expected one of {sorted(REGION_URLS)}")
        for name in ("plans_preference", "tags"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, list)
                                      or not all(isinstance(v, str) for v in value)):
                raise InvalidAccountError(f"Invalid {name}: expected a list of strings")
        if self.instance is not None and not isinstance(self.instance, str):
            raise InvalidAccountError("Invalid instance: expected a CRN or an instance name")
        validate_proxies(self.proxies)
        return self


def validate_proxies(proxies: Mapping[str, Any] | None) -> None:
    """Accept the official proxy keys; refuse NTLM authentication, which we do not implement."""
    if proxies is None:
        return
    unknown = set(proxies) - _PROXY_KEYS
    if unknown:
        raise InvalidAccountError(
            f"Invalid proxies key(s) {sorted(unknown)}: expected {sorted(_PROXY_KEYS)}")
    if proxies.get("username_ntlm") or proxies.get("password_ntlm"):
        raise InvalidAccountError(
            "NTLM proxy authentication is not supported; put the credentials in the proxy URL "
            "(http://user:password@host:port) instead")
    urls = proxies.get("urls")
    if urls is not None and not (isinstance(urls, Mapping)
                                 and all(isinstance(v, str) for v in urls.values())):
        raise InvalidAccountError("Invalid proxies['urls']: expected a dict of scheme → URL")


# ---------------------------------------------------------------------------------------------
# The account file
def read_accounts(filename: str | None = None) -> dict[str, dict[str, Any]]:
    """Every saved account by name (``{}`` when there is no file; nothing is created)."""
    path = os.path.expanduser(filename or default_filename())
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise InvalidAccountError(f"The account file {path} is not valid JSON") from exc
    if not isinstance(data, dict):
        raise InvalidAccountError(f"The account file {path} is not a JSON object")
    return data


def _write_accounts(filename: str | None, data: Mapping[str, Any]) -> None:
    """Replace the file atomically with ``data``, readable by its owner only."""
    path = os.path.expanduser(filename or default_filename())
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    # mkstemp creates the file 0600 whatever the umask, so the key is never exposed.
    handle, temporary = tempfile.mkstemp(prefix=".qiskit-ibm-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, sort_keys=True, indent=4)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def save_account(account: Account, *, filename: str | None = None, name: str | None = None,
                 overwrite: bool = False, set_as_default: bool = False) -> None:
    """Validate ``account`` and save it under ``name`` (default: the channel's default name).

    Raises:
        AccountAlreadyExistsError: ``name`` exists, or another account is the default, and
            ``overwrite`` is false.
    """
    account.validate()
    if account.token is None:
        raise InvalidAccountError("Invalid token: an API key is needed to save an account")
    name = name or default_name(account.channel)
    data = read_accounts(filename)
    if name in data and not overwrite:
        raise AccountAlreadyExistsError(
            f"An account named {name!r} is saved already; pass overwrite=True to replace it")
    saved: dict[str, Any] = dict(account.to_saved())
    if set_as_default:
        others = [n for n, acc in data.items() if n != name and acc.get("is_default_account")]
        if others and not overwrite:
            raise AccountAlreadyExistsError(
                f"{others[0]!r} is the default account; pass overwrite=True to make {name!r} "
                "the default instead")
        for other in others:
            del data[other]["is_default_account"]
        saved["is_default_account"] = True
    data[name] = saved
    _write_accounts(filename, data)
    logger.debug("Saved account %r", name)


def delete_account(*, filename: str | None = None, name: str | None = None,
                   channel: str | None = None) -> bool:
    """Delete ``name`` (default: the channel's default account); whether it existed."""
    name = name or default_name(channel)
    data = read_accounts(filename)
    if name not in data:
        return False
    del data[name]
    _write_accounts(filename, data)
    return True


def saved_accounts(*, default: bool | None = None, channel: str | None = None,
                   filename: str | None = None, name: str | None = None) -> dict[str, AccountDict]:
    """Saved accounts by name, filtered as the official client filters them."""
    defaults = {DEFAULT_NAME, *_CHANNEL_DEFAULT_NAMES.values()}
    found: dict[str, AccountDict] = {}
    for account_name, data in read_accounts(filename).items():
        if data.get("channel") == "ibm_quantum":  # retired channel: the official skips these
            continue
        account = Account.from_saved(data).validate()
        if ((name is None or name == account_name)
                and (channel is None or account.channel == channel)
                and (default is None or (account_name in defaults) == default)):
            found[account_name] = account.to_saved()
    return found


# ---------------------------------------------------------------------------------------------
# Discovery: the official client's order
def channel_from_env() -> str:
    """``QISKIT_IBM_CHANNEL``, else the default channel."""
    return os.environ.get(ENV_CHANNEL) or DEFAULT_CHANNEL


def from_environment(channel: str) -> Account | None:
    """The account in ``QISKIT_IBM_TOKEN`` / ``_URL`` / ``_INSTANCE``, if a token is set."""
    token = os.environ.get(ENV_TOKEN)
    if not token:
        return None
    return Account(channel=channel, token=token, url=os.environ.get(ENV_URL) or CLOUD_URL,
                   instance=os.environ.get(ENV_INSTANCE) or None)


def load_account(*, filename: str | None = None, name: str | None = None,
                 channel: str | None = None) -> Account:
    """A saved account by name; else the environment's; else the saved default.

    Without a name, the official order: the environment's account (channel from
    ``QISKIT_IBM_CHANNEL`` or the default), the account marked default (of ``channel`` if
    given), the default of the environment's channel, then any channel's default account.

    Raises:
        AccountNotFoundError: none of those exists.
    """
    saved = read_accounts(filename)
    if name:
        if name not in saved:
            raise AccountNotFoundError(f"No account named {name!r} is saved")
        return Account.from_saved(saved[name])
    env_channel = channel or channel_from_env()
    account = from_environment(env_channel)
    if account is not None:
        return account
    found = _default_of(saved, channel) or _default_of(saved, env_channel)
    if found is None:
        found = next((saved[default_name(c)] for c in CHANNELS if default_name(c) in saved), None)
    if found is None:
        raise AccountNotFoundError(
            f"No credentials: pass token= (an IBM Cloud API key), set {ENV_TOKEN}, or save an "
            f"account with QiskitRuntimeService.save_account() (channel {env_channel!r})")
    return Account.from_saved(found)


def _default_of(saved: Mapping[str, dict[str, Any]], channel: str | None) -> dict[str, Any] | None:
    """The account marked default (of ``channel``), else that channel's default-named or any."""
    named = any_of_channel = None
    for account_name, data in saved.items():
        if channel is None:
            if data.get("is_default_account"):
                return data
            continue
        if data.get("channel") != channel:
            continue
        if data.get("is_default_account"):
            return data
        if account_name == default_name(channel):
            named = data
        any_of_channel = data
    return named or any_of_channel


def discover_account(*, channel: str | None, token: str | None, url: str | None,
                     instance: str | None, filename: str | None, name: str | None,
                     proxies: dict[str, Any] | None, verify: bool | None,
                     private_endpoint: bool | None, need_token: bool = True) -> Account:
    """The account a ``QiskitRuntimeService(...)`` call means, in the official order.

    ``name`` loads a saved account (``channel``, ``token`` and ``url`` ignored); else a
    ``token`` makes an account from the arguments; else the environment, then the saved
    default. ``instance``, ``proxies``, ``verify`` and ``private_endpoint``, when given,
    override what was loaded. With ``need_token=False`` (a ready bearer token was given) the
    arguments suffice.
    """
    if channel is not None and channel not in CHANNELS:
        Account(channel=channel).validate()  # raises, with the accepted values
    if name:
        if channel or token or url:
            logger.warning("Loading saved account %r: the channel, token and url given are "
                           "ignored", name)
        account = load_account(filename=filename, name=name)
    elif token or not need_token:
        account = Account(channel=channel or DEFAULT_CHANNEL, token=token, url=url or CLOUD_URL)
    elif url and not channel:
        raise InvalidAccountError("url= alone is not an account: pass token= or name= as well")
    else:
        if url:
            logger.warning("Loading the default %s account: the url given is ignored", channel)
        account = load_account(filename=filename, channel=channel)
    if instance:
        account.instance = instance
    if proxies:
        account.proxies = proxies
    if verify is not None:
        account.verify = verify
    if private_endpoint is not None:
        account.private_endpoint = private_endpoint
    return account.validate()


class AccountMethods:
    """The official account methods of ``QiskitRuntimeService``: the account in use, and
    saving, listing and deleting saved ones (a mixin, so the service module stays small)."""

    _account: Account
    instance: str | None

    @property
    def channel(self) -> str:
        """``"ibm_quantum_platform"`` or ``"ibm_cloud"``."""
        return self._account.channel

    def active_account(self) -> AccountDict:
        """The account in use, in the saved form (its ``repr`` hides the API key)."""
        account = self._account.to_saved()
        if self.instance:
            account["instance"] = self.instance
        return account

    @staticmethod
    def save_account(token: str | None = None, url: str | None = None,
                     instance: str | None = None, channel: str | None = None,
                     filename: str | None = None, name: str | None = None,
                     proxies: dict[str, Any] | None = None, verify: bool | None = None,
                     overwrite: bool | None = False, set_as_default: bool | None = None,
                     private_endpoint: bool | None = False, region: str | None = None,
                     plans_preference: list[str] | None = None,
                     tags: list[str] | None = None) -> None:
        """Save an account to ``filename`` (default ``~/.qiskit/qiskit-ibm.json``, mode 0600).

        ``name`` defaults to the channel's default name; ``set_as_default`` marks it as the
        account ``QiskitRuntimeService()`` loads. ``channel`` defaults to
        ``QISKIT_IBM_CHANNEL``, then ``"ibm_quantum_platform"``.

        Raises:
            AccountAlreadyExistsError: the name, or another default, exists without
                ``overwrite=True``.
            InvalidAccountError: a bad channel, token, region or proxy setting.
        """
        account = Account(channel=channel or channel_from_env(), token=token,
                          url=url or CLOUD_URL,
                          instance=instance, proxies=proxies,
                          verify=True if verify is None else verify,
                          private_endpoint=bool(private_endpoint), region=region,
                          plans_preference=plans_preference, tags=tags)
        save_account(account, filename=filename, name=name, overwrite=bool(overwrite),
                               set_as_default=bool(set_as_default))

    @staticmethod
    def saved_accounts(default: bool | None = None, channel: str | None = None,
                       filename: str | None = None,
                       name: str | None = None) -> dict[str, AccountDict]:
        """Saved accounts by name (only defaults, one channel, or one name, if asked)."""
        return saved_accounts(default=default, channel=channel, filename=filename,
                                        name=name)

    @staticmethod
    def delete_account(filename: str | None = None, name: str | None = None,
                       channel: str | None = None) -> bool:
        """Delete a saved account (default: the channel's default); whether it existed."""
        return delete_account(filename=filename, name=name, channel=channel)

