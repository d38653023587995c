"""Where an account talks: the Runtime API base URL and the IAM token endpoint."""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlsplit

from .._config import CLOUD_URL, DEFAULT_REGION, ENV_IAM_URL, IAM_TOKEN_PATH
from ..exceptions import ConfigurationError

#: ``url_resolver(url, instance, private_endpoint, channel) -> API base`` (official signature).
UrlResolver = Callable[[str, str, "bool | None", str], str]
_IBM_CLOUD_HOSTS = ("cloud.ibm.com", "test.cloud.ibm.com")


def is_crn(value: str | None) -> bool:
    """Whether ``value`` is a Cloud Resource Name (``crn:…``), not an instance name."""
    return isinstance(value, str) and value.startswith("crn:")


def crn_field(crn: str | None, index: int) -> str | None:
    """A colon-separated field of a CRN (2: cname, 5: region), if present."""
    fields = (crn or "").split(":")
    return fields[index] if is_crn(crn) and len(fields) > index and fields[index] else None


def region_of(instance: str | None) -> str | None:
    """The region of an instance CRN (its 6th field)."""
    return crn_field(instance, 5)


def is_api_base(url: str) -> bool:
    """Whether ``url`` already names the API (a path such as ``/api/v1``), not a site."""
    return urlsplit(url).path.strip("/") != ""


def api_url(url: str | None, *, instance: str | None, region: str | None,
            private_endpoint: bool, channel: str, url_resolver: UrlResolver | None) -> str:
    """The Runtime API base for an account.

    * ``url`` with a path (``…/api/v1``) is used as is.
    * a ``url_resolver`` decides from the site URL, as in the official client.
    * IBM Cloud (``https://cloud.ibm.com``, the default): the instance's region (from its
      CRN, else ``region``) picks ``https://[region.]quantum.cloud.ibm.com/api/v1``, or
      ``https://private.{region}.quantum.cloud.ibm.com/api/v1`` with ``private_endpoint``.
    * any other site (a local server, ``http://127.0.0.1:8000``): ``{url}/api/v1``. The
      official resolver would build ``quantum.127.0.0.1`` here; serving any site is ours.
    """
    site = (url or CLOUD_URL).rstrip("/")
    if url_resolver is not None:
        return url_resolver(site, instance or "", private_endpoint, channel).rstrip("/")
    if is_api_base(site):
        return site
    parts = urlsplit(site)
    if parts.hostname not in _IBM_CLOUD_HOSTS:
        return f"{site}/api/v1"
    where = region_of(instance) or region or DEFAULT_REGION
    if private_endpoint:
        return f"{parts.scheme}://private.{where}.quantum.{parts.netloc}/api/v1"
    prefix = "" if where == DEFAULT_REGION else f"{where}."
    return f"{parts.scheme}://{prefix}quantum.{parts.netloc}/api/v1"


def iam_url(explicit: str | None, *, instance: str | None, private_endpoint: bool) -> str:
    """The IAM token endpoint: ``iam_url=`` as given, else ``{IAM_URL}/identity/token``, else
    IBM Cloud's (the staging IAM for a staging CRN, the private one with ``private_endpoint``).
    """
    if explicit:
        return explicit
    base = os.environ.get(ENV_IAM_URL)
    if base:
        base = base.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigurationError(f"{ENV_IAM_URL} must be an http(s) URL, got {base!r}")
        return base if base.endswith(IAM_TOKEN_PATH) else base + IAM_TOKEN_PATH
    host = "iam.test.cloud.ibm.com" if crn_field(instance, 2) == "staging" else "iam.cloud.ibm.com"
    return f"https://{'private.' if private_endpoint else ''}{host}{IAM_TOKEN_PATH}"


def iam_hint(api: str, iam: str) -> str:
    """What to add to an IAM failure when the key went to IBM Cloud's IAM for an API that is
    not IBM Cloud's (a local server's key is unknown there: ``IAM_URL`` was forgotten)."""
    on_ibm = [(urlsplit(u).hostname or "").endswith(_IBM_CLOUD_HOSTS) for u in (api, iam)]
    if on_ibm != [False, True]:
        return ""
    base = "{0.scheme}://{0.netloc}".format(urlsplit(api))
    return (f" (the API is at {base}, not IBM Cloud: if that server has its own IAM, set "
            f"{ENV_IAM_URL}={base} or pass iam_url=)")
