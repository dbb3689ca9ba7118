//! The web pages in a real browser: headless Chromium driven over WebDriver (chromedriver).
//! A newcomer registers (and first sees the validation errors), logs in through the link read
//! from the real outbox, sees their profile; an admin finds them, reveals their personal data,
//! and the reveal is in the audit log; the member downloads and deletes their data.
//! Screenshots of each page go to `target/screenshots/` for a person to look at.

use std::path::Path;
use std::time::Duration;

use fantoccini::{Client, Locator};
use offimic_testkit::{TestDatabase, on_both_backends};
use serde_json::{Value, json};

use crate::chromium::{Browser, browser, snap};
use crate::harness::TestServer;

async fn fill(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (WebDriver's own wait, up to 30 s) until the page shows `text`, and returns the
/// page's text: after a click the browser may still be on the old page.
async fn wait_text(client: &Client, text: &str) -> String {
    let xpath = format!("//body[contains(normalize-space(.), \"{text}\")]");
    client
        .wait()
        .for_element(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("the page never showed {text:?}: {e}"));
    page_text(client).await
}

async fn page_text(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Quoted-printable soft breaks and escapes undone, as a mail reader would.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The newest login link mailed to `to`, from the outbox directory, waiting (up to 20 s) for
/// the delivery job to write it.
async fn login_link(outbox: &Path, to: &str, seen: &mut Vec<String>) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(outbox).unwrap() {
            let text = unquote(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
            if !text.contains(&format!("<{to}>")) {
                continue;
            }
            if let Some(start) = text.find("/login/") {
                let link = text[start..start + 7 + 64].to_owned();
                if !seen.contains(&link) {
                    seen.push(link.clone());
                    return link;
                }
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no login link for {to} arrived"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn log_in(server: &TestServer, client: &Client, email: &str, seen: &mut Vec<String>) {
    client.goto(&server.url("/login")).await.unwrap();
    fill(client, "email", email).await;
    click(client, "form.card button[type=submit]").await;
    wait_text(client, "a login link is on its way").await;
    let link = login_link(server.outbox_dir(), email, seen).await;
    client.goto(&server.url(&link)).await.unwrap();
    click(client, "#finish-login").await;
    wait_text(client, "Door tokens").await;
}

fn space() -> Value {
    json!({
        "tiers": [{"id": 3, "name": "Standard", "price_p": 3000, "description": "Any time"},
                  {"id": 6, "name": "Donation Only", "price_p": 0, "donor": true, "in_use": false}],
        "things": [{"id": "DOOR", "name": "The Door"}, {"id": "HS", "name": "Health and Safety Policy"}],
        "people": [{"id": 1, "name": "Ada Admin", "email": "admin@example.org", "tier": 3, "address": "1 Admin Road"}]
    })
}

async fn a_newcomer_registers_logs_in_is_seen_by_an_admin_and_leaves(db: TestDatabase) {
    let server = TestServer::start(
        db,
        json!({"web": {"min_fill_seconds": 0}, "email": {"space_name": "Test Makerspace"}}),
    )
    .await;
    server.import(space()).await;
    assert_eq!(
        server
            .store
            .make_admin("admin@example.org", jiff::Timestamp::now())
            .await
            .unwrap(),
        Some(1)
    );
    let Browser { client, _driver } = browser().await;
    let mut seen = Vec::new();

    // Validation errors, then a complete form.
    client.goto(&server.url("/register")).await.unwrap();
    fill(&client, "name", "Nina Newcomer").await;
    click(&client, "form.card button[type=submit]").await;
    let text = wait_text(&client, "Please correct the 6 problems below").await;
    for message in [
        "Please enter an email we can use to contact you",
        "Please enter your full street address",
        "Please enter your date of birth",
        "Please tell us how you found us",
        "Please read and agree to the Membership Guide",
        "Please read and agree to the Health & Safety Policy",
    ] {
        assert!(text.contains(message), "{message} in {text}");
    }
    snap(&client, "register-errors").await;
    assert_eq!(
        client
            .find(Locator::Id("name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Nina Newcomer")
    );
    fill(&client, "email", "admin@example.org").await;
    fill(&client, "address", "2 Maker Street, Swindon").await;
    client
        .execute("document.getElementById('dob').value = '1991-06'", vec![])
        .await
        .unwrap();
    click(&client, "input[name=tier][value='3']").await;
    client
        .find(Locator::Id("how_found_us"))
        .await
        .unwrap()
        .select_by_value("openday")
        .await
        .unwrap();
    click(&client, "input[name=membership_guide]").await;
    click(&client, "input[name=health_and_safety]").await;
    click(&client, "form.card button[type=submit]").await;
    wait_text(&client, "That email address is already registered").await;
    fill(&client, "email", "nina@example.org").await;
    // Checkboxes and choices survive the round trip; the email was the only problem.
    click(&client, "form.card button[type=submit]").await;
    let text = wait_text(&client, "You have joined").await;
    assert!(
        text.contains("SM0002"),
        "the bank reference is shown: {text}"
    );
    snap(&client, "registered").await;
    let kinds: Vec<String> = server
        .store
        .outbox(10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&"send_membership_email".to_string()),
        "{kinds:?}"
    );

    // The member logs in and sees their profile: door pending until the first payment.
    log_in(&server, &client, "nina@example.org", &mut seen).await;
    let text = page_text(&client).await;
    assert!(
        text.contains("Nina Newcomer") && text.contains("SM0002"),
        "{text}"
    );
    assert!(
        text.contains("The Door — pending: opens with your first payment"),
        "{text}"
    );
    snap(&client, "profile").await;
    let session = client.get_named_cookie("offimic_session").await.unwrap();
    let cookie = format!("offimic_session={}", session.value());
    // The link worked once; a second use is refused.
    client.goto(&server.url(&seen[0])).await.unwrap();
    click(&client, "#finish-login").await;
    wait_text(&client, "This link does not work").await;
    let own = server
        .client
        .get(server.url("/download"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let data: Value = own.json().await.unwrap();
    assert_eq!(data["people"][0]["email"], "nina@example.org");
    assert!(data["inductions"].as_array().unwrap().len() == 2, "{data}");
    click(&client, "nav form button").await;
    wait_text(&client, "Email me a link").await;

    // An admin finds her; personal data is hidden until revealed, and the reveal is audited.
    log_in(&server, &client, "admin@example.org", &mut seen).await;
    client.goto(&server.url("/admin?q=nina")).await.unwrap();
    click(&client, "table a").await;
    let text = wait_text(&client, "Show personal data").await;
    assert!(
        !text.contains("nina@example.org") && !text.contains("Maker Street"),
        "{text}"
    );
    click(&client, "#reveal").await;
    let text = wait_text(&client, "was recorded in the audit log").await;
    assert!(
        text.contains("nina@example.org") && text.contains("2 Maker Street"),
        "{text}"
    );
    snap(&client, "admin-person-revealed").await;
    client.goto(&server.url("/admin/audit")).await.unwrap();
    let text = page_text(&client).await;
    assert!(
        text.contains("Ada Admin (no. 1)") && text.contains("showed personal data"),
        "{text}"
    );
    snap(&client, "admin-audit").await;
    client
        .goto(&server.url("/admin/people/2/manage"))
        .await
        .unwrap();
    wait_text(&client, "Add a token").await;
    snap(&client, "admin-manage-person").await;
    let audit = server.store.audit_log(10).await.unwrap();
    assert_eq!((audit[0].admin, audit[0].subject), (1, Some(2)));
    click(&client, "nav form button").await;
    wait_text(&client, "Email me a link").await;

    // The member deletes everything.
    log_in(&server, &client, "nina@example.org", &mut seen).await;
    client.goto(&server.url("/deleteme")).await.unwrap();
    click(&client, "input[name=reallyreally]").await;
    click(&client, "#delete-everything").await;
    wait_text(&client, "Email me a link").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    assert!(
        server
            .store
            .member_status(2, jiff::Timestamp::now())
            .await
            .unwrap()
            .is_none()
    );
    let gone = server
        .client
        .get(server.url("/profile"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        gone.url().path().ends_with("/login"),
        "the session ended with the data"
    );
    client.close().await.unwrap();
    server.stop().await;
}

async fn forms_without_their_token_and_bots_are_refused(db: TestDatabase) {
    let server = TestServer::start(db, json!({})).await;
    server.import(space()).await;
    let no_token = server
        .client
        .post(server.url("/register"))
        .form(&[("name", "Bot"), ("email", "bot@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    // With the cookie and token, but sent the moment the form was shown: a bot.
    let page = server
        .client
        .get(server.url("/register"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = cookie.split('=').nth(1).unwrap().to_owned();
    let started = jiff::Timestamp::now().as_second().to_string();
    let fast = server
        .client
        .post(server.url("/register"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("form_started", started.as_str()),
            ("name", "Bot"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(fast.status(), 400);
    assert!(
        fast.text()
            .await
            .unwrap()
            .contains("quicker than a person types")
    );
    let honeypot = server
        .client
        .post(server.url("/register"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("form_started", "0"),
            ("website", "http://spam.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(honeypot.status(), 400);
    // Login requests are limited per address.
    for attempt in 0..6 {
        let response = server
            .client
            .post(server.url("/login"))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("email", "someone@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            if attempt < 5 { 200 } else { 429 },
            "attempt {attempt}"
        );
    }
    let admin_page = server
        .client
        .get(server.url("/admin"))
        .send()
        .await
        .unwrap();
    assert!(
        admin_page.url().path().ends_with("/login"),
        "the console needs a login"
    );
    server.stop().await;
}

async fn every_page_works_under_the_configured_prefix(db: TestDatabase) {
    let server = TestServer::start(db, json!({"path": "/space"})).await;
    server.import(space()).await;
    for path in [
        "/register",
        "/login",
        "/dashboard",
        "/post_confirm?type=induction",
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        // The template engine writes `/` in attributes as `&#x2f;`, which browsers read as `/`.
        let page = response.text().await.unwrap().replace("&#x2f;", "/");
        let links: Vec<&str> = page
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(!links.is_empty(), "{path} has links");
        for link in links.iter().filter(|l| l.starts_with('/')) {
            assert!(
                link.starts_with("/space/"),
                "{path}: {link} escapes the prefix"
            );
        }
        assert!(
            cookies.iter().all(|c| c.contains("Path=/space")),
            "{cookies:?}"
        );
    }
    let profile = server
        .client
        .get(server.url("/profile"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        profile.url().path(),
        "/space/login",
        "redirects stay under the prefix"
    );
    server.stop().await;
}

on_both_backends!(
    every_page_works_under_the_configured_prefix,
    a_newcomer_registers_logs_in_is_seen_by_an_admin_and_leaves,
    forms_without_their_token_and_bots_are_refused,
);
