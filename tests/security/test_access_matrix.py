"""The access matrix: every URL pattern x role x target object x HTTP method.

The URL patterns are discovered from the URLconf, so a new page or endpoint is covered the
day it is added, and `test_every_url_has_a_policy` fails until someone writes down, in
POLICY below, who may use it. For every cell the test asserts:

* no 5xx, ever;
* anonymous users get the login redirect (pages) or 401 (API) on every non-public route;
* a signed-in user without the role gets 404 (pages: the page's existence is not revealed)
  or 403 (API: DRF's permission check), whatever the object and the method;
* another park's or another firm's object, and a missing id, answer 404, never 403 or 200;
  a malformed id does not resolve at all (404, before any view runs);
* an unsupported method answers 405 once the role check passed. Before it, the order is
  the view's decorator order, written in POLICY as `first=`: "role" (the page is checked
  before the method, so a user without the role gets the same denial for every method) or
  "method" (require_GET/require_POST wraps the role check, so 405 comes first, for
  everyone). DRF views always check authentication and permissions first;
* no response to a user who may not see a firm contains that firm's national id or one of
  its figures (in ASCII or Persian digits, grouped or not, inside XLSX files too), nor the
  name of a firm outside the public top-N;
* with CSRF enforced, no state-changing request without a token reaches a page view (403),
  and with a valid token the answer is the one the matrix expects.

Roles: anonymous, analyst, park manager (of the first park), the other park's manager, a
firm user (of the first park's firm) and a signed-in user given no role yet ("norole"),
who is refused every role page (404) and every API endpoint but "who am I" (403). Targets for object ids: the first park's firm, a
second firm of that park ("another firm" for the firm user), the other park's firm, a
missing id (999999), an id beyond 64 bits and a malformed one ("abc"); likewise for
uploads (this park's, the other park's), runs, clusters and published years.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from tests.security.conftest import Rich, response_text

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "analyst", "manager", "other_manager", "firm_user", "norole")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
MISSING_ID = 999999
HUGE_ID = 2**64 + 5  # matches <int:...> but fits no database integer: still a plain 404

# Who may use a route. The park manager and the other park's manager share their role.
PUBLIC = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}  # any signed-in user (DRF IsAuthenticated)
# Signed in with a role: any_role_required pages and the API's default permission (HasRole).
ANY_ROLE = SIGNED_IN - {"norole"}
STAFF = frozenset({"analyst", "manager", "other_manager"})  # analysts and park managers
ANALYST = frozenset({"analyst"})
MANAGER = frozenset({"manager", "other_manager"})
FIRM = frozenset({"firm_user"})


@dataclass(frozen=True)
class Policy:
    """Who may use a route and what it answers them.

    `ok` maps each method the route implements to the statuses an allowed user gets for
    an object they may see (a set, or a dict from role to set with "*" as the default).
    Any other method is "unsupported". `first` is the precedence of the role check and
    the method check for users who are not allowed (see the module docstring).
    """

    who: frozenset[str]
    ok: dict[str, object]
    first: str = "role"

    def statuses(self, method: str, role: str) -> set[int]:
        value = self.ok[method]
        if isinstance(value, dict):
            value = value.get(role, value.get("*"))
        return {value} if isinstance(value, int) else set(value)


def page(who: frozenset[str], first: str = "role", **ok: object) -> Policy:
    return Policy(who=who, ok={m.upper(): v for m, v in ok.items()}, first=first)


def api(who: frozenset[str], **ok: object) -> Policy:
    """A DRF view: authentication, then permissions, then the method (HEAD follows GET)."""
    methods = {m.upper(): v for m, v in ok.items()}
    if "GET" in methods:
        methods.setdefault("HEAD", methods["GET"])
    return Policy(who=who, ok=methods, first="role")


# fmt: off
# Every named URL pattern of the project. A new name fails test_every_url_has_a_policy.
POLICY: dict[str, Policy] = {
    # --- site, authentication, language -----------------------------------------------
    "home":               page(PUBLIC, first="method", get=200),
    "healthz":            page(PUBLIC, first="method", get=200),
    "login":              page(PUBLIC, get=200, head=200, post=200, put=200),  # {}: form errors
    "logout":             page(PUBLIC, post=302),
    "set_language":       page(PUBLIC, **{m: 302 for m in METHODS}),  # redirects back, any method
    "javascript-catalog": page(PUBLIC, get=200, head=200),
    "schema":             api(PUBLIC, get=200),
    "swagger-ui":         api(PUBLIC, get=200),
    "audit-log":          page(ANALYST, get=200),
    # --- public ranking -----------------------------------------------------------------
    "public-top100":      page(PUBLIC, first="method", get=200),
    "public-top100-year": page(PUBLIC, first="method", get=200),
    "methodology-public": page(PUBLIC, first="method", get=200),
    # --- analyst pages --------------------------------------------------------------------
    "analyst-ranking":         page(ANALYST, get=200),
    "analyst-ranking-csv":     page(ANALYST, get=200),
    "analyst-ranking-xlsx":    page(ANALYST, get=200),
    "analyst-runs":            page(ANALYST, get=200),
    "analyst-edition-publish": page(ANALYST, post=302),  # POST {}: "give a title", back to runs
    "analyst-dashboard":       page(ANALYST, get=200),
    "analyst-map":             page(ANALYST, get=200),
    "analyst-map-geojson":     page(ANALYST, get=200),
    "analyst-methodology":     page(ANALYST, get=200),
    "analyst-methodology-new": page(ANALYST, get=200, post=200),  # POST {}: form errors
    # --- firm and park pages ----------------------------------------------------------------
    # A firm user opening their own firm's profile is sent to "my firm".
    "firm-profile":   page(ANY_ROLE, get={"firm_user": 302, "*": 200}),
    "my-firm":        page(FIRM, get=200),
    "park-dashboard": page(MANAGER, get=200),
    # --- uploads ------------------------------------------------------------------------------
    # Analysts see every upload but may not upload (an explicit 403 on POST).
    "import-list":      page(STAFF, get=200, post={"analyst": 403, "*": 200}),
    "import-detail":    page(STAFF, get=200),
    "import-confirm":   page(MANAGER, post=302),
    "import-annotated": page(STAFF, get=200),
    "import-template":  page(PUBLIC, first="method", get=200),
    # --- clusters -------------------------------------------------------------------------------
    "cluster-list":        page(ANALYST, get=200),
    "cluster-map":         page(ANALYST, get=200),
    "cluster-map-geojson": page(ANALYST, get=200),
    "cluster-new":         page(ANALYST, get=200, post=200),  # POST {}: form errors
    "cluster-detail":      page(STAFF, get=200),
    "cluster-edit":        page(ANALYST, get=200, post=200),
    # --- shortfalls --------------------------------------------------------------------------------
    "shortfalls":      page(STAFF, get=200),
    "shortfalls-xlsx": page(STAFF, get=200),
    # --- API --------------------------------------------------------------------------------------
    "api-token":          api(PUBLIC, post=400),  # POST {}: "this field is required"
    "api-me":             api(SIGNED_IN, get=200),  # "who am I": role "none" for norole
    "api-provinces":      api(ANY_ROLE, get=200),
    "api-parks":          api(ANY_ROLE, get=200),
    "api-imports":        api(MANAGER, post=400),  # POST without a file
    "api-import":         api(STAFF, get=200),
    "api-import-confirm": api(MANAGER, post=200),
    "api-runs":           api(ANY_ROLE, get=200),
    "api-ranking-current": api(ANY_ROLE, get=200),
    "api-firm-scores":    api(ANY_ROLE, get=200),
    "api-shortfalls":     api(STAFF, get=200),
    "api-run-analysis":   api(ANY_ROLE, get=200),
    "api-clusters":       api(ANY_ROLE, get=200),
    "api-cluster":        api(ANY_ROLE, get=200),
    "api-regions":        api(ANY_ROLE, get=200),
}
# fmt: on

# Left out of the matrix, with the reason. Nothing else is.
EXCLUDED_NAMESPACES = {
    # Django's admin: hundreds of generated URLs with <path:object_id>; its own login
    # decides access. test_the_admin_refuses_everyone_but_staff covers it.
    "admin": "tested separately",
}


# --- discovering the URL patterns ------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]
    is_drf: bool
    uses_session_auth: bool


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[URLPattern, str]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from _walk(entry, route)
        else:
            yield entry, route


def endpoints() -> list[Endpoint]:
    found = []
    for pattern, route in _walk(get_resolver()):
        view_class = getattr(pattern.callback, "cls", None)
        is_drf = isinstance(view_class, type) and issubclass(view_class, APIView)
        auth = getattr(view_class, "authentication_classes", []) if is_drf else []
        found.append(
            Endpoint(
                name=pattern.name or f"<unnamed {route}>",
                route=route,
                kwargs=tuple(pattern.pattern.regex.groupindex),
                is_drf=is_drf,
                uses_session_auth=any(issubclass(a, SessionAuthentication) for a in auth),
            )
        )
    return found


# --- targets: which object a URL's id points at, and who may see it --------------------


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    firm_id: int | None = None  # a firm, when the object belongs to one
    park_id: int | None = None  # a park, when the object belongs to one (upload jobs)
    missing: bool = False  # an id that exists nowhere (or a year with no edition)
    malformed: bool = False  # does not match the URL converter

    def visible_to(self, role: str, rich: Rich) -> bool:
        if self.missing:
            return False
        if self.firm_id is not None:
            return self.firm_id in rich.visible_firm_ids(role)
        if self.park_id is not None:
            w = rich.world
            parks = {
                "analyst": {w.park.pk, w.other_park.pk},
                "manager": {w.park.pk},
                "other_manager": {w.other_park.pk},
            }
            return self.park_id in parks.get(role, set())
        return True  # a shared object (a run, a cluster, a year, a file format)


SENTINEL = 7_777_777


def targets(ep: Endpoint, rich: Rich) -> list[Target]:
    """The objects to request for an endpoint, by the kind of its URL keyword."""
    w = rich.world
    if not ep.kwargs:
        return [Target("-", reverse(ep.name))]
    assert len(ep.kwargs) == 1, f"{ep.name}: several URL keywords {ep.kwargs}; add targets"
    (kwarg,) = ep.kwargs

    def at(label: str, value: object, **kw: object) -> Target:
        return Target(label, reverse(ep.name, kwargs={kwarg: value}), **kw)

    def malformed(bad: str) -> Target:
        sample = str(SENTINEL) if kwarg != "fmt" else "csv"
        path = reverse(ep.name, kwargs={kwarg: SENTINEL if kwarg != "fmt" else "csv"})
        head, _, tail = path.rpartition(sample)
        return Target(f"malformed {bad!r}", head + bad + tail, malformed=True)

    if kwarg == "firm_id":
        return [
            at("park's firm", w.firm.pk, firm_id=w.firm.pk),
            at("park's other firm", rich.sibling.pk, firm_id=rich.sibling.pk),
            at("other park's firm", w.other_firm.pk, firm_id=w.other_firm.pk),
            at("missing firm", MISSING_ID, missing=True),
            at("firm id beyond 64 bits", HUGE_ID, missing=True),
            malformed("abc"),
        ]
    if kwarg == "job_id":
        return [
            at("park's upload", rich.jobs["park"].pk, park_id=w.park.pk),
            at("other park's upload", rich.jobs["other_park"].pk, park_id=w.other_park.pk),
            at("missing upload", MISSING_ID, missing=True),
            at("upload id beyond 64 bits", HUGE_ID, missing=True),
            malformed("abc"),
        ]
    if kwarg == "run_id":
        return [
            at("run", rich.runs[1403].pk),
            at("missing run", MISSING_ID, missing=True),
            at("run id beyond 64 bits", HUGE_ID, missing=True),
            malformed("abc"),
        ]
    if kwarg == "cluster_id":
        return [
            at("cluster", rich.cluster.pk),
            at("missing cluster", MISSING_ID, missing=True),
            at("cluster id beyond 64 bits", HUGE_ID, missing=True),
            malformed("abc"),
        ]
    if kwarg == "year":
        return [
            at("published year", 1403),
            at("year without an edition", 1399, missing=True),
            at("year beyond 64 bits", HUGE_ID, missing=True),
            malformed("abc"),
        ]
    if kwarg == "fmt":
        return [at("csv", "csv"), at("xlsx", "xlsx"), malformed("pdf")]
    raise AssertionError(f"{ep.name}: no targets for the URL keyword {kwarg!r}; add them")


# --- expectations -------------------------------------------------------------------------


def denial(ep: Endpoint, role: str) -> set[int]:
    if role == "anonymous":
        return {401} if ep.is_drf else {302}  # 302: the login page
    return {403} if ep.is_drf else {404}


def expected(ep: Endpoint, role: str, target: Target, method: str, rich: Rich) -> set[int]:
    policy = POLICY[ep.name]
    if target.malformed:
        return {404}  # the URL does not resolve: no view runs
    supported = method in policy.ok
    if role not in policy.who:
        if not supported and policy.first == "method":
            return {405}
        return denial(ep, role)
    if not supported:
        return {405}
    if not target.visible_to(role, rich):
        return {404}
    return policy.statuses(method, role)


# --- making requests ---------------------------------------------------------------------------


@dataclass
class Caller:
    """Clients of one role: a session for pages, a token for the API (as real clients)."""

    role: str
    user: object | None
    csrf: bool = False
    token: str | None = None
    page_client: Client = field(init=False)
    api_client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.page_client = Client(enforce_csrf_checks=self.csrf)
        self.api_client = Client(enforce_csrf_checks=self.csrf)
        if self.user is not None:
            self.token = Token.objects.get_or_create(user=self.user)[0].key
        self.login()

    def login(self) -> None:
        if self.user is not None:
            self.page_client.force_login(self.user)

    def request(self, ep: Endpoint, method: str, path: str, *, csrf_token: bool = False):
        cache.clear()  # throttle counters: every cell starts fresh
        headers = {}
        use_session = not ep.is_drf or self.csrf
        client = self.page_client if use_session else self.api_client
        if ep.is_drf and not use_session and self.token:
            headers["HTTP_AUTHORIZATION"] = f"Token {self.token}"
        if csrf_token:
            secret = _get_new_csrf_string()
            client.cookies[settings.CSRF_COOKIE_NAME] = secret
            headers["HTTP_X_CSRFTOKEN"] = secret
        if method == "POST":
            response = client.post(path, {}, **headers)
        elif method in ("PUT", "PATCH", "DELETE"):
            call = getattr(client, method.lower())
            response = call(path, "", content_type="application/x-www-form-urlencoded", **headers)
        else:
            response = getattr(client, method.lower())(path, **headers)
        signed_out = client is self.page_client and "_auth_user_id" not in client.session
        if self.user is not None and signed_out:
            self.login()  # the logout cell signed us out
        return response


def user_of(rich: Rich, role: str):
    w = rich.world
    return {
        "anonymous": None,
        "analyst": w.analyst,
        "manager": w.manager,
        "other_manager": w.other_manager,
        "firm_user": w.firm_user,
        "norole": rich.norole,
    }[role]


@dataclass
class Report:
    cells: int = 0
    failures: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    seen_markers: dict[str, str] = field(default_factory=dict)

    def check(
        self,
        *,
        where: str,
        response,
        allowed: set[int],
        markers: dict[str, str],
        login_redirect: bool,
        watch: dict[str, str] | None = None,
    ) -> None:
        self.cells += 1
        status = response.status_code
        self.outcomes[status] += 1
        if status >= 500:
            self.failures.append(f"{where}: server error {status}")
        elif status not in allowed:
            self.failures.append(f"{where}: got {status}, expected {sorted(allowed)}")
        elif login_redirect and status == 302:
            location = response.get("Location", "")
            if not location.startswith(reverse("login")):
                self.failures.append(f"{where}: redirected to {location!r}, not the login page")
        text = response_text(response)
        for marker, what in markers.items():
            if marker in text:
                self.failures.append(f"{where}: LEAK of the {what} ({marker!r})")
        for marker, what in (watch or {}).items():
            if marker in text:
                self.seen_markers[what] = where


def run_matrix(rich: Rich, role: str, *, csrf: bool) -> Report:
    report = Report()
    caller = Caller(role=role, user=user_of(rich, role), csrf=csrf)
    markers = rich.markers(role)
    # For analysts, who see everything, watch for the firm markers anonymous users must not
    # see: proves the search would find a leak in the forms the pages really print.
    watch = rich.markers("anonymous") if role == "analyst" and not csrf else None
    for ep in endpoints():
        # The CSRF variant needs one object per route: the first (one the role may own).
        for target in targets(ep, rich)[: 1 if csrf else None]:
            for method in UNSAFE if csrf else METHODS:
                want = expected(ep, role, target, method, rich)
                where = f"{role:>13} {method:<6} {target.path} [{ep.name}; {target.label}]"
                if csrf:
                    # No token: a page view never runs (403); DRF refuses a signed-in session
                    # (403), and treats an anonymous one as in the matrix.
                    page_view = not target.malformed and not ep.is_drf
                    drf_session = ep.is_drf and ep.uses_session_auth and role != "anonymous"
                    no_token = {403} if page_view or drf_session else want
                    response = caller.request(ep, method, target.path)
                    report.check(
                        where=where + " csrf:none",
                        response=response,
                        allowed=no_token,
                        markers=markers,
                        login_redirect=False,
                    )
                    if method != "POST":
                        continue
                    response = caller.request(ep, method, target.path, csrf_token=True)
                    where += " csrf:valid"
                else:
                    response = caller.request(ep, method, target.path)
                report.check(
                    where=where,
                    response=response,
                    allowed=want,
                    markers=markers,
                    login_redirect=role not in POLICY[ep.name].who and not ep.is_drf,
                    watch=watch,
                )
    return report


def _fail_with(report: Report, title: str) -> None:
    if report.failures:
        shown = "\n".join(report.failures[:80])
        more = len(report.failures) - 80
        pytest.fail(
            f"{title}: {len(report.failures)} of {report.cells} cells failed\n{shown}"
            + (f"\n... and {more} more" if more > 0 else ""),
            pytrace=False,
        )


# --- the tests -------------------------------------------------------------------------------------


def test_every_url_has_a_policy() -> None:
    """A new page or endpoint fails here until POLICY says who may use it."""
    names = [ep.name for ep in endpoints()]
    duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
    assert not duplicates, f"URL names used twice (the policy table is by name): {duplicates}"
    missing = sorted(set(names) - set(POLICY))
    assert not missing, (
        f"URL patterns without an access policy: {missing}. Add each to POLICY in "
        f"{__file__} (who may use it, and what it answers)."
    )
    stale = sorted(set(POLICY) - set(names))
    assert not stale, f"POLICY names that no longer exist in the URLconf: {stale}"
    for ep in endpoints():
        for kwarg in ep.kwargs:
            assert kwarg in {"firm_id", "job_id", "run_id", "cluster_id", "year", "fmt"}, (
                f"{ep.name}: unknown URL keyword {kwarg!r}; say in targets() what to request"
            )


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(rich: Rich, role: str, record_property) -> None:
    """Both variants in one test, so the world is built once per role."""
    report = run_matrix(rich, role, csrf=False)
    csrf = run_matrix(rich, role, csrf=True)
    record_property("matrix_cells", report.cells + csrf.cells)
    print(
        f"\naccess matrix, {role}: {report.cells} cells, statuses {dict(report.outcomes)}; "
        f"CSRF enforced: {csrf.cells} cells, statuses {dict(csrf.outcomes)}"
    )
    _fail_with(report, f"access matrix for {role}")
    _fail_with(csrf, f"access matrix with CSRF enforced, for {role}")
    if role == "analyst":
        # The leak search must be able to find what it looks for.
        w = rich.world
        seen = " | ".join(report.seen_markers)
        assert f"national id of firm {w.other_firm.pk}" in seen, report.seen_markers
        assert f"sales 1403 of firm {w.other_firm.pk}" in seen, report.seen_markers


def test_malformed_ids_do_not_resolve(rich: Rich) -> None:
    client = Client()
    client.force_login(rich.world.analyst)
    for path in ["/firms/abc/", "/firms/-1/", "/firms/1.5/", "/imports/abc/", "/clusters/x/"]:
        assert client.get(path).status_code == 404, path
    for path in ["/api/v1/firms/abc/scores/", "/api/v1/imports/abc/", "/api/v1/runs/x/analysis/"]:
        assert client.get(path).status_code == 404, path


def test_the_admin_refuses_everyone_but_staff(rich: Rich) -> None:
    """The admin is outside the matrix: anonymous users, park managers and firm users are
    sent to the admin login for every admin page, and cannot sign in there."""
    w = rich.world
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:firms_firm_changelist"),
        reverse("admin:firms_firm_change", args=[w.other_firm.pk]),
        reverse("admin:firms_firmyear_changelist"),
        reverse("admin:auth_user_changelist"),
    ]
    login = reverse("admin:login")
    for user in (None, w.manager, w.other_manager, w.firm_user):
        client = Client()
        if user is not None:
            client.force_login(user)
        for path in admin_pages:
            response = client.get(path)
            assert response.status_code == 302, (user, path, response.status_code)
            assert response["Location"].startswith(login), (user, path, response["Location"])
            assert w.other_firm.national_id not in response_text(response)
        if user is not None:
            client.logout()
            signed = client.post(
                login, {"username": user.username, "password": "correct-horse-battery"}
            )
            assert signed.status_code == 200  # the form again, with an error
            assert client.get(reverse("admin:index")).status_code == 302
    # Analysts are staff: the admin opens, but only with the permissions they were given.
    analyst = Client()
    analyst.force_login(w.analyst)
    assert analyst.get(reverse("admin:index")).status_code == 200
    change = analyst.get(reverse("admin:firms_firm_change", args=[w.other_firm.pk]))
    if not w.analyst.has_perm("firms.view_firm"):
        assert change.status_code in (302, 403)


def test_a_one_firm_cluster_does_not_reveal_the_firms_figures(rich: Rich) -> None:
    """Cluster sums of fewer than AGGREGATE_MIN_FIRMS firms are withheld from everyone but
    analysts (tests/clusters/test_small_groups.py checks what is shown instead)."""
    from clusters.models import Cluster
    from firms.models import Sector
    from rankings.services import data_changed, ranking_recompute

    # The hidden firm (other park, outside the public top-N) alone in its ISIC class.
    rich.hidden.isic = Sector.objects.get(code="2599")
    rich.hidden.save(update_fields=["isic"])
    cluster = Cluster.objects.create(code="ONE-FIRM", name_fa="خوشه تک‌بنگاهی")
    cluster.sectors.add(Sector.objects.get(code="2599"))
    data_changed(years=[1403])
    ranking_recompute(year=1403)
    leaks = []
    for role in ("firm_user", "manager"):
        caller = Caller(role=role, user=user_of(rich, role))
        markers = rich.markers(role)
        for name, kwargs in (
            ("api-clusters", {}),
            ("api-cluster", {"cluster_id": cluster.pk}),
            ("cluster-detail", {"cluster_id": cluster.pk}),
        ):
            ep = next(e for e in endpoints() if e.name == name)
            text = response_text(caller.request(ep, "GET", reverse(name, kwargs=kwargs)))
            leaks += [f"{role} {name}: {what}" for m, what in markers.items() if m in text]
    assert not leaks, "\n".join(leaks)
