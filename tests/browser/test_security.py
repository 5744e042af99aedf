"""The editor on a server that wants a token, and the pages under their Content-Security-Policy.

Every browser test fails on a console error, and Chromium reports each CSP violation as one:
the whole suite runs the editor under the policy the server sends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, PageErrors, orders_workflow, serve_editor, shop_project
from tests.browser.editor import field, node, open_editor, select

TOKEN = "browser-test-token-5d1f"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_editor(tmp_path_factory.mktemp("token-server"), WFD_TOKEN=TOKEN) as url:
        yield url


@pytest.fixture
def token_api(token_server: str) -> Iterator[Api]:
    client = Api(token_server, token=TOKEN)
    yield client
    client.client.close()


def expected_refusals(page_errors: PageErrors) -> None:
    """The calls answered 401 before the token was given are the ones that made the editor ask."""
    page_errors[:] = [
        error for error in page_errors if "the server responded with a status of 401" not in error
    ]


def test_the_editor_asks_for_the_token_and_works_with_it(
    page: Page,
    token_server: str,
    token_api: Api,
    project_id: str,
    page_errors: PageErrors,
) -> None:
    token_api.import_project(shop_project(project_id, [orders_workflow()]))

    loaded = page.goto(f"{token_server}/#/")
    assert loaded is not None
    assert "frame-ancestors 'none'" in loaded.headers["content-security-policy"]
    dialog = page.get_by_test_id("token-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("WFD_TOKEN")

    # a wrong token is refused and asked for again
    dialog.get_by_label("Token").fill("not-the-token")
    dialog.get_by_role("button", name="Continue").click()
    expect(dialog).to_contain_text("did not accept that token")
    dialog.get_by_label("Token").fill(TOKEN)
    dialog.get_by_label("Token").press("Enter")
    expect(dialog).to_have_count(0)

    # the project list loads, kept for the tab: a reload asks nothing
    card = page.get_by_test_id("project-card").filter(has_text=project_id)
    expect(card).to_contain_text("1 workflow")
    page.reload()
    expect(card).to_contain_text("1 workflow")
    expect(dialog).to_have_count(0)
    assert page.evaluate("sessionStorage.getItem('wfd.token')") == TOKEN
    assert page.evaluate("localStorage.length") == 0

    # and a save works
    open_editor(page, token_server, project_id, "orders")
    page.get_by_role("tab", name="Properties").click()
    select(page, "charge")
    field(page, "charge", "label").fill("Charge card")
    page.locator(".react-flow__pane").click(position={"x": 700, "y": 40})
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("saved")).to_contain_text("revision 2")
    expect(node(page, "charge")).to_contain_text("Charge card")
    saved = token_api.workflow(project_id, "orders")
    assert {n["id"]: n["label"] for n in saved["document"]["nodes"]}["charge"] == "Charge card"
    expected_refusals(page_errors)


def test_a_new_tab_asks_again_and_cancel_leaves_the_editor_locked(
    page: Page, token_server: str, page_errors: PageErrors
) -> None:
    page.goto(f"{token_server}/#/")
    dialog = page.get_by_test_id("token-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_text("The server could not be reached")).to_contain_text("Bearer")
    expected_refusals(page_errors)


def test_the_api_documentation_runs_under_its_policy(page: Page, server: str) -> None:
    """/docs starts Swagger UI with an inline script the policy allows by its hash."""
    loaded = page.goto(f"{server}/docs")
    assert loaded is not None
    assert "'sha256-" in loaded.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/health").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".response .response-col_status").first).to_contain_text("200")


def test_a_script_the_policy_does_not_allow_is_blocked(
    page: Page, server: str, page_errors: PageErrors
) -> None:
    """The policy is enforced, not only sent: an injected inline script does not run, and
    Chromium reports it as a console error (what every browser test fails on)."""
    page.goto(f"{server}/#/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    page.wait_for_timeout(200)
    violations = [e for e in page_errors if "Content Security Policy" in e]
    assert violations, page_errors
    page_errors.clear()
