import copy
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from firms.models import AuditEvent
from rankings.methodology import SpecError
from rankings.models import Methodology, RankingRun, YearState
from rankings.preview import preview_cache_clear
from rankings.services import methodology_create
from tests.i18n import fa
from tests.rankings.dashboard_fixtures import ranked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_frames():
    preview_cache_clear()


LIST = "/analyst/methodology/"
NEW = "/analyst/methodology/new/"


def active() -> Methodology:
    return Methodology.objects.get(is_active=True)


def form_data(**changes) -> dict:
    """What the prefilled form posts when the analyst changes nothing but `changes`."""
    spec = active().spec
    data = {
        "name": "نسخه آزمایشی",
        "notes": "",
        "employees_min": spec["eligibility"]["employees_min"],
        "employees_max": spec["eligibility"]["employees_max"],
        "sales_max": "",
        "impute": spec["engine"]["impute"]["method"],
        "treat": "on",
        "winmax": spec["engine"]["treat"]["winmax"],
        "normalise": spec["engine"]["normalise"]["method"],
        "aggregate": spec["engine"]["aggregate"]["method"],
        "action": "preview",
    }
    for pillar in spec["pillars"]:
        data[f"pillar_{pillar['code']}"] = pillar["weight"]
        for ind in pillar["indicators"]:
            data[f"indicator_{ind['code']}"] = ind["weight"]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def created_events():
    return AuditEvent.objects.filter(action="methodology.create")


def test_the_pages_have_the_names_the_menu_uses() -> None:
    assert reverse("analyst-methodology") == LIST
    assert reverse("analyst-methodology-new") == NEW


@pytest.mark.parametrize(("method", "url"), [("get", LIST), ("get", NEW), ("post", NEW)])
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, method, url) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("username", ["manager", "other-manager", "firmuser"])
@pytest.mark.parametrize(("method", "url"), [("get", LIST), ("get", NEW), ("post", NEW)])
def test_other_roles_get_a_404_and_change_nothing(client, world, username, method, url) -> None:
    client.force_login(User.objects.get(username=username))
    data = form_data(action="save") if method == "post" else None
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    assert Methodology.objects.count() == 1 and not created_events()


def test_every_version_is_listed_and_the_active_one_is_marked(client, world) -> None:
    spec = copy.deepcopy(active().spec)
    spec["top_n"] = 50
    methodology_create(name="نسخه پنجاه", spec=spec, author=world.analyst, activate=False)
    client.force_login(world.analyst)
    html = client.get(LIST).content.decode()
    versions = html.split('data-testid="versions"')[1].split("</table>")[0]
    assert versions.count("<tr") == 3  # the header and two versions
    assert "نسخه پنجاه" in versions and "analyst" in versions
    active_row = versions.split('class="table-success"')[1].split("</tr>")[0]
    assert "۱" in active_row and 'data-testid="active-badge"' in active_row
    assert versions.count('data-testid="active-badge"') == 1


def test_two_versions_side_by_side_highlight_what_differs(client, world) -> None:
    spec = copy.deepcopy(active().spec)
    spec["pillars"][1]["weight"] = 3  # exports
    spec["pillars"][2]["indicators"][0]["weight"] = 2.5  # R&D intensity
    spec["eligibility"]["employees_max"] = 120
    spec["engine"]["aggregate"] = {"method": "geometric"}
    methodology_create(name="صادرات‌محور", spec=spec, author=world.analyst, activate=False)
    client.force_login(world.analyst)
    html = client.get(LIST, {"a": 1, "b": 2}).content.decode()
    table = html.split('data-testid="compare"')[1].split("</table>")[0]
    changed = re.findall(r'<tr class="table-warning" data-changed="true">(.*?)</tr>', table, re.S)
    assert len(changed) == 4
    assert "صادرات‌محوری" in changed[0] and "<td>۱</td>" in changed[0] and "۳" in changed[0]
    assert "شدت تحقیق و توسعه" in changed[1] and "۲٫۵" in changed[1]
    assert fa("Aggregation") in changed[2] and fa("Geometric mean") in changed[2]
    assert "۱۵۰" in changed[3] and "۱۲۰" in changed[3]
    assert "رقابت‌پذیری</th>" in table  # unchanged rows are listed too


def test_by_default_the_active_version_is_compared_with_the_newest_other(client, world) -> None:
    for name in ("دوم", "سوم"):
        methodology_create(
            name=name, spec=copy.deepcopy(active().spec), author=world.analyst, activate=False
        )
    client.force_login(world.analyst)
    html = client.get(LIST).content.decode()
    assert '<option value="1" selected>' in html.split('name="a"')[1].split("</select>")[0]
    assert '<option value="3" selected>' in html.split('name="b"')[1].split("</select>")[0]
    assert 'data-changed="true"' not in html


def test_the_list_costs_the_same_queries_for_2_or_12_versions(
    client, world, django_assert_max_num_queries
) -> None:
    client.force_login(world.analyst)
    methodology_create(name="v2", spec=active().spec, author=world.analyst, activate=False)
    with django_assert_max_num_queries(8) as small:
        client.get(LIST)
    for i in range(10):
        methodology_create(name=f"v{i + 3}", spec=active().spec, author=None, activate=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(LIST).status_code == 200


def test_the_new_form_is_prefilled_from_the_active_version_in_persian_digits(client, world) -> None:
    client.force_login(world.analyst)
    html = client.get(NEW).content.decode()
    assert 'name="employees_min" value="۱۰"' in html
    assert 'name="employees_max" value="۱۵۰"' in html
    assert 'name="winmax" value="۵"' in html
    assert 'name="pillar_exports" value="۱"' in html
    assert 'name="indicator_debt_ratio" value="۱"' in html
    assert '<option value="group_median" selected>' in html
    assert 'name="name" value="SME index, default"' in html
    assert 'name="activate"' in html and "checked" not in html.split('name="activate"')[1][:40]
    assert "رقابت‌پذیری" in html and "نسبت بدهی" in html


def test_preview_shows_the_change_to_the_top_list_and_saves_nothing(client, world) -> None:
    ranked(world, extra=30)
    client.force_login(world.analyst)
    response = client.post(NEW, form_data(employees_max="۴۰", pillar_exports="۵"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="preview"' in html
    assert "۱۴۰۳" in html.split('id="preview-title"')[1].split("</h2>")[0]
    assert 'data-testid="preview-leaving"' in html and fa("not ranked") in html
    assert re.search(r'data-testid="spearman">[۰-۹−٫]+<', html)
    assert 'name="employees_max" value="۴۰"' in html  # the form keeps the edits
    assert Methodology.objects.count() == 1 and RankingRun.objects.count() == 1
    assert not created_events()


def test_save_creates_an_inactive_version_with_an_audit_event_of_the_diff(client, world) -> None:
    ranked(world, extra=5)
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    data = form_data(action="save", pillar_exports="3", notes="صادرات مهم‌تر است")
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?a=1&b=2"
    version = Methodology.objects.get(version=2)
    assert version.name == "نسخه آزمایشی" and version.notes == "صادرات مهم‌تر است"
    assert version.author == world.analyst and not version.is_active
    assert version.spec["pillars"][1]["weight"] == 3
    event = AuditEvent.objects.get(action="methodology.create")
    assert event.actor == world.analyst and event.object_id == str(version.pk)
    assert event.detail["diff"] == {"pillars.exports.weight": {"old": 1.0, "new": 3.0}}
    assert event.detail["base_version"] == 1 and event.detail["activated"] is False
    page = client.get(response["Location"]).content.decode()
    assert "Version 2 is saved. It is not active yet." in page


def test_save_and_activate_recomputes_every_year_with_the_new_version(
    client, world, django_capture_on_commit_callbacks
) -> None:
    ranked(world, extra=5)
    client.force_login(world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, form_data(action="save", activate="on", pillar_finance="2"))
    assert response.status_code == 302
    assert active().version == 2
    current = YearState.objects.get(year=1403).current_run
    assert current.methodology.version == 2 and current.status == "succeeded"
    assert AuditEvent.objects.get(action="methodology.create").detail["activated"] is True


def test_invalid_edits_are_shown_on_the_form_and_nothing_is_saved(client, world) -> None:
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    data = form_data(action="save", employees_min="50", employees_max="20", pillar_exports="-1")
    html = client.post(NEW, data).content.decode()
    assert "The upper limit must not be below the lower." in html
    assert 'id="id_employees_max_error"' in html and 'aria-invalid="true"' in html
    exports = re.search(r'<input[^>]*name="pillar_exports"[^>]*>', html)[0]
    assert "is-invalid" in exports and 'aria-invalid="true"' in exports
    assert 'aria-describedby="id_pillar_exports_error"' in exports
    assert Methodology.objects.count() == 1 and not created_events()


def test_weights_that_leave_nothing_to_rank_are_refused(client, world) -> None:
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    zero_pillars = {f"pillar_{p['code']}": "0" for p in active().spec["pillars"]}
    html = client.post(NEW, form_data(**zero_pillars)).content.decode()
    assert "Give at least one pillar a weight above zero." in html
    zero_standards = {"indicator_certifications": "0", "indicator_national_standard": "۰"}
    html = client.post(NEW, form_data(**zero_standards)).content.decode()
    assert "Give at least one indicator of this pillar a weight above zero." in html


def test_a_geometric_mean_needs_positive_normalised_values(client, world) -> None:
    ranked(world, extra=10)
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    html = client.post(NEW, form_data(aggregate="geometric", normalise="zscore")).content.decode()
    assert "Geometric and harmonic means need values above zero" in html
    assert 'data-testid="preview"' not in html
    # With min-max the scale moves to 1-100, so the engine can take logarithms.
    response = client.post(NEW, form_data(action="save", aggregate="geometric"))
    assert response.status_code == 302
    assert Methodology.objects.get(version=2).spec["engine"]["normalise"]["range"] == [1, 100]


def test_a_spec_error_is_shown_on_the_form(client, world, monkeypatch) -> None:
    def refuse(spec):
        raise SpecError("indicator sales_log appears in more than one pillar")

    monkeypatch.setattr("rankings.forms_methodology.spec_validate", refuse)
    client.force_login(world.analyst)
    html = client.post(NEW, form_data(action="save")).content.decode()
    errors = html.split('data-testid="form-errors"')[1].split("</div>\n")[0]
    assert "indicator sales_log appears in more than one pillar" in errors
    assert Methodology.objects.count() == 1


def test_an_engine_failure_in_the_preview_is_shown_on_the_form(client, world, monkeypatch):
    ranked(world, extra=5)

    def fail(**kwargs):
        from rankings.preview import PreviewError

        raise PreviewError("geometric aggregation needs values > 0")

    monkeypatch.setattr("rankings.views_methodology.methodology_preview", fail)
    client.force_login(world.analyst)
    html = client.post(NEW, form_data()).content.decode()
    assert "geometric aggregation needs values &gt; 0" in html
    assert 'data-testid="preview"' not in html


def test_without_any_data_the_preview_says_so(client, world) -> None:
    client.force_login(world.analyst)
    client.cookies["django_language"] = "en"  # assertions read English
    html = client.post(NEW, form_data()).content.decode()
    assert "There is no firm data to preview yet." in html


def test_the_pages_load_only_their_own_script(client, world) -> None:
    client.force_login(world.analyst)
    html = client.get(NEW).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/js/methodology.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)


def test_the_methodology_page_explains_where_the_sensitivity_analysis_will_appear(
    client, world
) -> None:
    client.force_login(world.analyst)
    html = client.get("/analyst/methodology/").content.decode()
    assert fa("Which choice matters most") in html
    assert (
        fa("The sensitivity analysis appears here once the latest run has been analysed.") in html
    )
