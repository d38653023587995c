"""Instance lookup: the account's instances, a name resolved to its CRN, automatic selection.

Found as the official client finds them (wire-format §5): IBM Cloud Global Search lists the
account's ``quantum-computing`` resources, Global Catalog names each plan and its pricing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._transport._http import HttpClient, make_pool
from .._transport._rest import GlobalSearchRest, RestClient
from ..exceptions import APIStatusError, CloudResourceNameResolutionError, ConfigurationError
from ._endpoints import is_crn

if TYPE_CHECKING:
    from .._config import RetryPolicy, Timeouts
    from .._transport._auth import BearerAuth

JSON = dict[str, Any]
logger = logging.getLogger(__name__)
_SEARCH_FIELDS = ["crn", "service_plan_unique_id", "name", "doc", "tags"]
#: Without ``plans_preference``, free and trial instances come first (official order).
PRICING_ORDER = ("free", "trial", "paygo", "paid", "subscription", "unknown")
REGIONS = ("us-east", "eu-de")


@dataclass(frozen=True)
class CloudUrls:
    """Where IBM Cloud's platform APIs are for a Runtime API base URL."""

    resource_controller: str
    global_search: str
    global_catalog: str

    @classmethod
    def for_api(cls, api_url: str) -> CloudUrls:
        """IBM Cloud's hosts for ``…quantum.cloud.ibm.com`` (and its staging twin); for any
        other host, the same server (the local server serves them all on its own port)."""
        parts = urlsplit(api_url)
        host = parts.hostname or ""
        if host.endswith("cloud.ibm.com") and "quantum." in host:
            cloud = host.split("quantum.", 1)[1]
            return cls(f"{parts.scheme}://resource-controller.{cloud}",
                       f"{parts.scheme}://api.global-search-tagging.{cloud}",
                       f"{parts.scheme}://globalcatalog.{cloud}/api/v1")
        base = f"{parts.scheme}://{parts.netloc}"
        return cls(base, base, f"{base}/globalcatalog/api/v1")


class InstanceLookup:
    """The account's Qiskit Runtime instances, fetched once, in the official shape."""

    def __init__(self, rest: GlobalSearchRest) -> None:
        self._rest = rest
        self._found: list[JSON] | None = None

    @classmethod
    def connect(cls, api_url: str, *, auth: BearerAuth, retry: RetryPolicy, timeouts: Timeouts,
                verify: bool = True, proxies: Mapping[str, str] | None = None) -> InstanceLookup:
        """A lookup through the platform APIs that go with ``api_url``, on the same token."""
        urls = CloudUrls.for_api(api_url)

        def client(url: str) -> HttpClient:
            return HttpClient(url, auth=auth,
                              pool=make_pool(url, verify=verify, maxsize=2, proxies=proxies),
                              retry=retry, instance=None, timeouts=timeouts)

        return cls(GlobalSearchRest(client(urls.global_search), client(urls.global_catalog)))

    def close(self) -> None:
        """Close pooled connections."""
        self._rest.search_http.close()
        self._rest.catalog_http.close()

    def instances(self) -> list[JSON]:
        """``[{"crn", "plan", "name", "tags", "pricing_type"}]``; instances without backend
        allocation (no ``doc.extensions``) are left out, as the official client does."""
        if self._found is None:
            self._found = self._fetch()
        return [dict(item) for item in self._found]

    def _fetch(self) -> list[JSON]:
        plans: dict[str, tuple[str, str]] = {}
        found: list[JSON] = []
        cursor: str | None = None
        while True:
            page = self._rest.search("service_name:quantum-computing", _SEARCH_FIELDS,
                                     search_cursor=cursor)
            for item in page.get("items") or []:
                if not (item.get("doc") or {}).get("extensions"):
                    continue
                plan_id = item.get("service_plan_unique_id") or ""
                if plan_id not in plans:
                    plans[plan_id] = self._plan(plan_id)
                plan, pricing = plans[plan_id]
                found.append({"crn": item.get("crn"), "plan": plan, "name": item.get("name"),
                              "tags": item.get("tags") or [], "pricing_type": pricing})
            cursor = page.get("search_cursor")
            if not cursor or not page.get("items"):
                return found

    def _plan(self, plan_id: str) -> tuple[str, str]:
        """(display name, pricing type), lower-cased; ("unknown", "unknown") if unreadable."""
        try:
            entry = self._rest.get_catalog_entry(plan_id)
        except APIStatusError:
            logger.warning("The plan and pricing type of plan %s could not be read", plan_id)
            return "unknown", "unknown"
        name = ((entry.get("overview_ui") or {}).get("en") or {}).get("display_name") or ""
        pricing = ((entry.get("metadata") or {}).get("pricing") or {}).get("type") or ""
        return str(name).lower(), str(pricing).lower() or "unknown"

    def resolve(self, instance: str | None, *, region: str | None = None,
                plans_preference: Sequence[str] | None = None,
                tags: Sequence[str] | None = None) -> str:
        """The CRN to use: ``instance`` itself if a CRN, the CRN of the instance of that name,
        or, with no instance, the first of :func:`select`'s order."""
        if is_crn(instance):
            return str(instance)
        if instance:
            named = [item for item in self.instances() if item["name"] == instance]
            if not named:
                raise CloudResourceNameResolutionError(
                    f"The instance specified ({instance}) is not a valid instance name; "
                    f"this account has {sorted(i['name'] for i in self.instances())}")
            if len(named) > 1:
                logger.warning("Several instances are named %s; using %s", instance,
                               named[0]["crn"])
            return str(named[0]["crn"])
        return str(select(self.instances(), region=region, plans_preference=plans_preference,
                          tags=tags)[0]["crn"])


def select(instances: Sequence[JSON], *, region: str | None = None,
           plans_preference: Sequence[str] | None = None,
           tags: Sequence[str] | None = None) -> list[JSON]:
    """Instances matching every tag and the region, in preference order.

    ``plans_preference`` keeps only those plans, in that order; without it free and trial
    plans come first (the official client's rules).

    Raises:
        ConfigurationError: no instance matches (naming the filters).
    """
    if region is not None and region not in REGIONS:
        raise ConfigurationError(f"Invalid region {region!r}; expected one of {list(REGIONS)}")
    found = list(instances)
    if tags:
        found = [i for i in found if all(t.lower() in (i.get("tags") or []) for t in tags)]
    if region:
        found = [i for i in found if region in i["crn"]]
    if plans_preference:
        plans = [p.lower() for p in plans_preference]
        found = sorted((i for i in found if i["plan"] in plans),
                       key=lambda i: plans.index(i["plan"]))
    else:
        found.sort(key=lambda i: PRICING_ORDER.index(i["pricing_type"])
                   if i["pricing_type"] in PRICING_ORDER else len(PRICING_ORDER))
    if not found:
        raise ConfigurationError(
            f"No matching instances found for the filters tags={list(tags or [])}, "
            f"region={region}, plans_preference={list(plans_preference or [])}")
    return found


class InstanceMethods:
    """What a service offers about instances; it provides ``_rest`` and ``_lookup``."""

    _rest: RestClient
    _lookup: InstanceLookup

    def instances(self) -> list[JSON]:
        """The account's instances: ``crn``, ``plan``, ``name``, ``tags``, ``pricing_type``."""
        return self._lookup.instances()

    def instance_details(self) -> JSON:
        """The active instance's plan, backend allow-list and limits (``GET /instance``)."""
        return self._rest.get_instance()

    def instance_configuration(self) -> JSON:
        """``{"instance_limit": seconds or None}`` of the active instance."""
        return self._rest.get_instance_configuration()

    def set_instance_limit(self, seconds: int | None) -> None:
        """Set (or with None remove) the active instance's usage limit.

        Raises:
            ConfigurationError: ``seconds`` is not a non-negative integer or None.
            ConflictError: the instance has already used more than ``seconds``.
        """
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                    or seconds < 0):
            raise ConfigurationError(
                f"The instance limit must be a non-negative integer or None, got {seconds!r}")
        self._rest.put_instance_configuration(seconds)
