//! Workspaces: tenant isolation, switching, invitations, roles, the last owner.

use crate::harness::{Browser, TestApp};

/// Every URL under a workspace, as (method, path) with `{slug}` and ids filled in by the caller.
fn workspace_urls(slug: &str, member_id: i64, invitation_id: i64) -> Vec<(&'static str, String)> {
    let mut urls: Vec<(&str, String)> = [
        "",
        "/",
        "/accounts",
        "/interactions",
        "/leads",
        "/review",
        "/templates",
        "/integrations",
        "/settings",
        "/members",
    ]
    .iter()
    .map(|page| ("GET", format!("/w/{slug}{page}")))
    .collect();
    for page in [
        "/settings",
        "/leave",
        "/invitations",
        &format!("/invitations/{invitation_id}/revoke"),
        &format!("/members/{member_id}/role"),
        &format!("/members/{member_id}/remove"),
    ] {
        urls.push(("POST", format!("/w/{slug}{page}")));
    }
    urls
}

fn user_id(app: &TestApp, email: &str) -> i64 {
    app.number(&format!("SELECT id FROM users WHERE email = '{email}'"))
}

async fn invite(owner: &Browser, slug: &str, email: &str, role: &str) {
    let page = owner
        .post(
            &format!("/w/{slug}/invitations"),
            &[("email", email), ("role", role)],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.text(".flash-success"),
        format!("Invitation created for {}.", email.to_lowercase())
    );
}

#[tokio::test]
async fn a_member_of_one_workspace_gets_404_on_every_url_of_another() {
    let app = TestApp::spawn();
    let alice = app
        .registered("Alice", "alice@example.com", "Alpha Studio")
        .await;
    let bob = app
        .registered("Bob", "bob@example.com", "Beta Studio")
        .await;
    invite(&bob, "beta-studio", "carol@example.com", "member").await;
    let bob_id = user_id(&app, "bob@example.com");
    let invitation_id: i64 = app.number("SELECT id FROM invitations");
    alice.get("/").await;

    for (method, url) in workspace_urls("beta-studio", bob_id, invitation_id) {
        let page = if method == "GET" {
            alice.get(&url).await
        } else {
            alice
                .post(
                    &url,
                    &[
                        ("name", "Taken over"),
                        ("role", "member"),
                        ("email", "x@example.com"),
                        ("language", "en"),
                    ],
                )
                .await
        };
        assert_eq!(page.status, 404, "{method} {url} answered {}", page.status);
        assert_eq!(page.text("h1"), "Page not found");
    }

    let beta = bob.get("/w/beta-studio/members").await;
    assert_eq!(
        beta.texts("#members tbody tr td:first-child"),
        vec!["Bob (you)"]
    );
    assert_eq!(
        beta.texts("#pending-invitations li").len(),
        1,
        "the invitation was not revoked"
    );
    assert_eq!(
        bob.get("/w/beta-studio/settings")
            .await
            .attr("#f-name", "value")
            .as_deref(),
        Some("Beta Studio")
    );
}

#[tokio::test]
async fn a_person_creates_a_second_workspace_and_switches_between_them() {
    let app = TestApp::spawn();
    let nina = app
        .registered("Nina", "nina@example.com", "Studio Nova")
        .await;

    let created = nina.post("/workspaces", &[("name", "Label Étoile")]).await;
    let switcher = created.texts(".switcher li a");
    let first = nina.get("/w/studio-nova/").await;

    assert_eq!(created.path(), "/w/label-etoile/");
    assert_eq!(
        created.text(".flash-success"),
        "Workspace “Label Étoile” created."
    );
    assert_eq!(
        switcher,
        vec!["Label Étoile Owner", "Studio Nova Owner", "All workspaces…"]
    );
    assert_eq!(
        first.text(".switcher summary"),
        "Current workspace: Studio Nova"
    );
}

#[tokio::test]
async fn two_workspaces_with_the_same_name_get_distinct_addresses() {
    let app = TestApp::spawn();
    let nina = app.registered("Nina", "nina@example.com", "Studio").await;
    let other = app.registered("Other", "other@example.com", "Studio").await;

    assert_eq!(nina.get("/").await.path(), "/w/studio/");
    assert_eq!(other.get("/").await.path(), "/w/studio-2/");
}

#[tokio::test]
async fn an_invited_person_registers_accepts_and_gets_the_role_they_were_given() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    invite(&owner, "studio-nova", "Max@Example.com", "admin").await;

    let max = app.verified("Max", "max@example.com", "Max Own").await;
    let list = max.get("/workspaces").await;
    assert_eq!(list.texts(".invitation strong"), vec!["Studio Nova"]);
    let accept_action = list.attr(".invitation form", "action").unwrap();
    let joined = max.post(&accept_action, &[]).await;

    assert_eq!(joined.path(), "/w/studio-nova/");
    assert_eq!(joined.text(".flash-success"), "You joined “Studio Nova”.");
    let members = owner.get("/w/studio-nova/members").await;
    assert_eq!(
        members.texts("#members tbody tr td:nth-child(2)"),
        vec!["olga@example.com", "max@example.com"]
    );
    assert_eq!(
        members.text("#pending-invitations, .card .empty"),
        "No pending invitation."
    );
    let max_page = max.get("/w/studio-nova/members").await;
    assert!(
        max_page.has("form[action$='/invitations']"),
        "an admin can invite"
    );
}

#[tokio::test]
async fn an_invitation_cannot_be_accepted_by_someone_else() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    invite(&owner, "studio-nova", "max@example.com", "member").await;
    let intruder = app.verified("Ivan", "ivan@example.com", "Ivan Own").await;
    let id: i64 = app.number("SELECT id FROM invitations");

    let page = intruder
        .post(&format!("/invitations/{id}/accept"), &[])
        .await;

    assert_eq!(page.status, 404);
    assert_eq!(intruder.get("/w/studio-nova/").await.status, 404);
}

#[tokio::test]
async fn an_owner_changes_a_role_and_a_plain_member_cannot() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    invite(&owner, "studio-nova", "max@example.com", "member").await;
    let max = join(&app, "Max", "max@example.com").await;
    let (olga_id, max_id) = (
        user_id(&app, "olga@example.com"),
        user_id(&app, "max@example.com"),
    );

    let refused = max
        .post(
            &format!("/w/studio-nova/members/{olga_id}/role"),
            &[("role", "member")],
        )
        .await;
    let promoted = owner
        .post(
            &format!("/w/studio-nova/members/{max_id}/role"),
            &[("role", "admin")],
        )
        .await;

    assert_eq!(
        refused.text(".flash-error"),
        "Your role does not allow this change."
    );
    assert_eq!(promoted.text(".flash-success"), "Role changed.");
    assert_eq!(
        promoted
            .attr(&format!("#role-{max_id} option[selected]"), "value")
            .as_deref(),
        Some("admin")
    );
    let admin_tries = max
        .post(
            &format!("/w/studio-nova/members/{olga_id}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(
        admin_tries.text(".flash-error"),
        "Your role does not allow this change.",
        "an admin cannot demote an owner"
    );
    let still_owner = owner.get("/w/studio-nova/members").await;
    assert_eq!(
        still_owner
            .attr(&format!("#role-{olga_id} option[selected]"), "value")
            .as_deref(),
        Some("owner")
    );
}

async fn join(app: &TestApp, name: &str, email: &str) -> Browser {
    let person = app.verified(name, email, &format!("{name} Own")).await;
    let list = person.get("/workspaces").await;
    let action = list
        .attr(".invitation form", "action")
        .expect("an invitation to accept");
    person.post(&action, &[]).await;
    person
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_nor_step_down_until_another_owner_exists() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    let olga_id = user_id(&app, "olga@example.com");

    let leave = owner.post("/w/studio-nova/leave", &[]).await;
    let step_down = owner
        .post(
            &format!("/w/studio-nova/members/{olga_id}/role"),
            &[("role", "admin")],
        )
        .await;

    assert_eq!(leave.path(), "/w/studio-nova/settings");
    assert_eq!(
        leave.text(".flash-error"),
        "A workspace needs an owner: make someone else owner first."
    );
    assert_eq!(
        step_down.text(".flash-error"),
        "A workspace needs an owner: make someone else owner first."
    );

    invite(&owner, "studio-nova", "max@example.com", "admin").await;
    join(&app, "Max", "max@example.com").await;
    let max_id = user_id(&app, "max@example.com");
    owner
        .post(
            &format!("/w/studio-nova/members/{max_id}/role"),
            &[("role", "owner")],
        )
        .await;
    let left = owner.post("/w/studio-nova/leave", &[]).await;

    assert_eq!(left.path(), "/workspaces");
    assert_eq!(left.text(".flash-success"), "You left “Studio Nova”.");
    assert_eq!(owner.get("/w/studio-nova/").await.status, 404);
}

#[tokio::test]
async fn a_removed_member_loses_access_at_once() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    invite(&owner, "studio-nova", "max@example.com", "member").await;
    let max = join(&app, "Max", "max@example.com").await;
    assert_eq!(max.get("/w/studio-nova/").await.status, 200);

    let page = owner
        .post(
            &format!(
                "/w/studio-nova/members/{}/remove",
                user_id(&app, "max@example.com")
            ),
            &[],
        )
        .await;

    assert_eq!(page.text(".flash-success"), "Member removed.");
    assert_eq!(max.get("/w/studio-nova/").await.status, 404);
}

#[tokio::test]
async fn the_dashboard_counts_come_from_the_database() {
    let app = TestApp::spawn();
    let owner = app
        .registered("Olga", "olga@example.com", "Studio Nova")
        .await;
    invite(&owner, "studio-nova", "a@example.com", "member").await;
    invite(&owner, "studio-nova", "b@example.com", "member").await;

    let dashboard = owner.get("/w/studio-nova/").await;

    assert_eq!(dashboard.text("#count-members"), "1");
    assert_eq!(dashboard.text("#count-invitations"), "2");
    assert_eq!(
        dashboard.text("#count-events"),
        "3",
        "registration and two invitations"
    );
}
