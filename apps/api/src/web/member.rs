//! The member's own pages: logging in by emailed link (single use, 15 minutes, stored hashed,
//! attempts rate-limited), `/profile`, `/editme`, `/add_child`, `/download` (everything about
//! them as JSON), `/deleteme` (after a confirmation), `/delete_token`, `/confirm_email`, and
//! logging out.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::{SignedDuration, Timestamp};
use minijinja::context;
use offimic_store::{ProfileEdit, Registration, api_token_hash};
use serde_json::json;

use super::register::{COLOURS, parse_month, parse_pounds};
use super::{
    SignedIn, Visitor, address_problem, form_value, name_problem, random_token, unavailable,
};
use crate::app::{ApiPath, AppState};
use crate::client_ip::ClientIp;

/// How long a login link works.
const LINK_LIFETIME: SignedDuration = SignedDuration::from_mins(15);
/// Login requests allowed per address and per email within [`LIMIT_WINDOW`].
const LIMIT: usize = 5;
const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(request_link))
        .route("/login/{token}", get(link_page).post(use_link))
        .route("/logout", post(logout))
        .route("/profile", get(profile))
        .route("/editme", get(edit_form).post(edit))
        .route("/add_child", get(child_form).post(add_child))
        .route("/download", get(download))
        .route("/deleteme", get(delete_form).post(delete))
        .route("/delete_token", post(delete_token))
        .route("/confirm_email", get(confirm_email))
}

#[derive(serde::Deserialize)]
struct ConfirmQuery {
    token: Option<String>,
}

/// The link in the welcome email: proves the address works.
async fn confirm_email(
    State(state): State<AppState>,
    visitor: Visitor,
    crate::app::ApiQuery(query): crate::app::ApiQuery<ConfirmQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    match state
        .store
        .use_email_confirmation(&token, Timestamp::now())
        .await
    {
        Ok(Some(_)) => visitor.message(
            StatusCode::OK,
            "Thank you",
            &["Your email address is confirmed."],
        ),
        Ok(None) => visitor.message(
            StatusCode::BAD_REQUEST,
            "This link does not work",
            &["It was used already, or it was mistyped. Your address may already be confirmed."],
        ),
        Err(error) => unavailable(&error),
    }
}

/// Recent login requests by key (client address, email), in memory: a burst is refused.
#[derive(Default)]
pub struct LoginLimiter {
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Counts an attempt for `key`; false when it is over the limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if seen.len() > 100_000 {
            seen.clear();
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > LIMIT_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= LIMIT {
            return false;
        }
        times.push_back(now);
        true
    }
}

async fn login_form(visitor: Visitor) -> Response {
    visitor.render(StatusCode::OK, "login.html", context! {})
}

async fn request_link(
    State(state): State<AppState>,
    visitor: Visitor,
    ip: ClientIp,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let email = form
        .get("email")
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default();
    let address = ip.0.map(|ip| ip.to_string()).unwrap_or_default();
    if !state.logins.allow(&format!("ip:{address}"))
        || !state.logins.allow(&format!("email:{email}"))
    {
        return visitor.render(
            StatusCode::TOO_MANY_REQUESTS,
            "login.html",
            context! { error => "Too many login attempts; please wait 15 minutes and try again." },
        );
    }
    let now = Timestamp::now();
    let candidate = match state.store.login_candidate(&email).await {
        Ok(candidate) => candidate,
        Err(error) => return unavailable(&error),
    };
    if let Some((person, name)) = candidate {
        let token = random_token();
        let link = format!("{}/login/{token}", state.config.public_base());
        let sent = async {
            state
                .store
                .create_login_link(&api_token_hash(&token), person, now, now + LINK_LIFETIME)
                .await?;
            state
                .mail
                .queue(
                    &*state.store,
                    Some((person, &name)),
                    "login_link",
                    vec![("link".into(), link)],
                    true,
                    now,
                )
                .await
        };
        if let Err(error) = sent.await {
            return unavailable(&error);
        }
    }
    // The same answer either way: the page does not tell who is a member.
    visitor.render(
        StatusCode::OK,
        "login.html",
        context! { notice => "If that address belongs to a member, a login link is on its way. It works once, for 15 minutes." },
    )
}

async fn link_page(visitor: Visitor, ApiPath(token): ApiPath<String>) -> Response {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return link_refused(&visitor);
    }
    visitor.render(StatusCode::OK, "login_link.html", context! { token })
}

fn link_refused(visitor: &Visitor) -> Response {
    visitor.message(
        StatusCode::BAD_REQUEST,
        "This link does not work",
        &["Login links work once, for 15 minutes. Ask for a new one on the login page."],
    )
}

async fn use_link(
    State(state): State<AppState>,
    visitor: Visitor,
    ApiPath(token): ApiPath<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    match state
        .store
        .use_login_link(&api_token_hash(&token), Timestamp::now())
        .await
    {
        Ok(Some(person)) => {
            // Opening the link proves the address.
            if let Err(error) = state.store.confirm_email(person, Timestamp::now()).await {
                return unavailable(&error);
            }
            visitor.log_in(person, "/profile").await
        }
        Ok(None) => link_refused(&visitor),
        Err(error) => unavailable(&error),
    }
}

async fn logout(visitor: Visitor, Form(form): Form<HashMap<String, String>>) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    visitor.log_out("/login").await
}

fn money(pence: i64) -> String {
    format!("{:.2}", pence as f64 / 100.0)
}

async fn profile(
    State(state): State<AppState>,
    SignedIn { visitor, person }: SignedIn,
) -> Response {
    let now = Timestamp::now();
    let tz = state.config.tz().clone();
    let shown = |t: Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let loaded = async {
        let status = state.store.member_status(person, now).await?;
        let space = state.store.export_space().await?;
        let balance = state.store.balance(person).await?;
        let ledger = state.store.ledger(person, 20).await?;
        let decisions = state.store.recent_decisions(Some(person), 20).await?;
        let links = state.store.pending_confirmations(person).await?;
        Ok::<_, offimic_store::StoreError>((status, space, balance, ledger, decisions, links))
    };
    let (status, space, balance, ledger, decisions, links) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(&error),
    };
    let Some(status) = status else {
        return visitor.log_out("/login").await;
    };
    let entry = space.people.iter().find(|p| p.id == person);
    let things: HashMap<&str, &str> = space
        .things
        .iter()
        .filter_map(|t| Some((t.id.as_deref()?, t.name.as_str())))
        .collect();
    let inductions: Vec<_> = space
        .allowed
        .iter()
        .filter(|a| a.person == person)
        .map(|a| {
            let thing = things
                .get(a.thing.as_str())
                .copied()
                .unwrap_or(a.thing.as_str());
            let why = if thing == state.config.payments.door {
                "opens with your first payment"
            } else {
                "confirm that you were shown how to use it safely"
            };
            let link = links
                .iter()
                .find(|(_, id)| *id == a.thing)
                .map(|(token, _)| {
                    format!("{}/confirm_induction?token={token}", state.config.path.0)
                });
            context! { thing, inductor => a.inductor, pending => a.pending, why, link }
        })
        .collect();
    let tokens: Vec<_> = entry
        .map(|e| {
            e.tokens
                .iter()
                .map(|t| context! { id => t.id.clone(), type => t.kind.clone() })
                .collect()
        })
        .unwrap_or_default();
    let transactions: Vec<_> = ledger
        .iter()
        .map(|t| context! { at => shown(t.added_on), reason => t.reason.clone(), amount => money(t.amount_p) })
        .collect();
    let decisions: Vec<_> = decisions
        .iter()
        .map(|d| {
            let thing = things.get(d.thing.as_str()).copied().unwrap_or(d.thing.as_str());
            context! { at => shown(d.at), thing, granted => d.granted, message => d.message.clone() }
        })
        .collect();
    let valid_until = status.valid_until.map(|until| {
        shown(until - SignedDuration::from_hours(24 * offimic_dues::payment_run::OVERLAP_DAYS))
    });
    visitor.render(
        StatusCode::OK,
        "profile.html",
        context! {
            person => context! { id => status.id, name => status.name.clone() },
            reference => state.mail.reference(person),
            tier => status.tier_name.clone(),
            dues => format!("{:.2}", crate::money::dues(&status, now) / 100.0),
            valid_until, balance => money(balance), tokens, inductions, transactions, decisions,
        },
    )
}

async fn edit_form(
    State(state): State<AppState>,
    SignedIn { visitor, person }: SignedIn,
) -> Response {
    let space = match state.store.export_space().await {
        Ok(space) => space,
        Err(error) => return unavailable(&error),
    };
    let Some(entry) = space.people.into_iter().find(|p| p.id == person) else {
        return visitor.redirect("/login");
    };
    let form = context! {
        name => entry.name, address => entry.address, door_colour => entry.door_colour, opt_in => entry.opt_in,
        payment_override => entry.payment_override_p.map(money).unwrap_or_default(),
    };
    let normal = normal_dues(&state, person).await;
    visitor.render(
        StatusCode::OK,
        "editme.html",
        context! { form, colours => COLOURS, normal, errors => BTreeMap::<&str, &str>::new() },
    )
}

async fn normal_dues(state: &AppState, person: i64) -> String {
    let now = Timestamp::now();
    match state.store.member_status(person, now).await {
        Ok(Some(status)) => {
            let member = offimic_dues::Member {
                tier: status.tier,
                concession: &status.concession,
                dob: status.dob.as_deref(),
                ..Default::default()
            };
            format!(
                "{:.2}",
                member.normal_dues(now.to_zoned(jiff::tz::TimeZone::UTC).date()) / 100.0
            )
        }
        _ => "0.00".into(),
    }
}

async fn edit(
    State(state): State<AppState>,
    SignedIn { visitor, person }: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let field = |name: &str| form_value(&form, name).to_owned();
    let normal = normal_dues(&state, person).await;
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let name = field("name");
    if let Some(problem) = name_problem(&name) {
        errors.insert("name", problem.into());
    }
    let address = field("address");
    if let Some(problem) = address_problem(&address) {
        errors.insert("address", problem.into());
    }
    let payment_override_p = match field("payment_override").as_str() {
        "" => None,
        text => match parse_pounds(text) {
            Some(p) if parse_pounds(&normal).is_some_and(|n| p < n) => {
                errors.insert(
                    "payment_override",
                    format!(
                        "Voluntary payment amount must be more than suggested amount ({normal})"
                    ),
                );
                None
            }
            Some(p) => Some(p),
            None => {
                errors.insert("payment_override", "Value must be a real number".into());
                None
            }
        },
    };
    let door_colour = Some(field("door_colour"))
        .filter(|c| COLOURS.contains(&c.as_str()))
        .unwrap_or_else(|| "green".into());
    if !errors.is_empty() {
        let form = context! {
            name, address, door_colour, opt_in => !field("opt_in").is_empty(), payment_override => field("payment_override"),
        };
        return visitor.render(
            StatusCode::OK,
            "editme.html",
            context! { form, colours => COLOURS, normal, errors },
        );
    }
    let edit = ProfileEdit {
        name,
        address,
        opt_in: !field("opt_in").is_empty(),
        door_colour,
        payment_override_p,
    };
    match state.store.edit_profile(person, &edit).await {
        Ok(()) => visitor.redirect("/profile"),
        Err(error) => unavailable(&error),
    }
}

async fn child_form(SignedIn { visitor, .. }: SignedIn) -> Response {
    visitor.render(
        StatusCode::OK,
        "child.html",
        context! { form => context! {}, errors => BTreeMap::<&str, &str>::new() },
    )
}

async fn add_child(
    State(state): State<AppState>,
    SignedIn {
        visitor,
        person: parent,
    }: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let field = |name: &str| form_value(&form, name).to_owned();
    let mut errors: BTreeMap<&str, &str> = BTreeMap::new();
    let name = field("name");
    if name.is_empty() || name.chars().count() > 255 {
        errors.insert("name", "Please enter your child's name");
    }
    let dob = field("dob");
    if parse_month(&dob).is_none() {
        errors.insert(
            "dob",
            "Please enter their date of birth as year and month, e.g. 2014-09",
        );
    }
    if field("health_and_safety").is_empty() {
        errors.insert(
            "health_and_safety",
            "Please explain the Health & Safety Policy to them first",
        );
    }
    if !errors.is_empty() {
        return visitor.render(
            StatusCode::OK,
            "child.html",
            context! { form => context! { name, dob }, errors },
        );
    }
    let now = Timestamp::now();
    let address = match state.store.export_space().await {
        Ok(space) => space
            .people
            .into_iter()
            .find(|p| p.id == parent)
            .map(|p| p.address)
            .unwrap_or_default(),
        Err(error) => return unavailable(&error),
    };
    let child = Registration {
        name,
        email: None,
        address,
        dob: Some(dob),
        tier_id: None,
        concession: String::new(),
        payment_override_p: None,
        door_colour: "green".into(),
        opt_in: false,
        how_found_us: None,
        voucher_code: None,
        github_user: None,
        plate: None,
        parent_id: Some(parent),
        guide_accepted_at: None,
        safety_accepted_at: now,
        at: now,
        door: state.config.payments.door.clone(),
        safety_thing: state.config.web.safety_thing.clone(),
    };
    match state.store.register(&child).await {
        Ok(_) => visitor.redirect("/profile"),
        Err(error) => unavailable(&error),
    }
}

async fn download(State(state): State<AppState>, SignedIn { person, .. }: SignedIn) -> Response {
    let loaded = async {
        let space = state.store.export_space().await?;
        let decisions = state.store.recent_decisions(Some(person), 1000).await?;
        Ok::<_, offimic_store::StoreError>((space, decisions))
    };
    let (space, decisions) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(&error),
    };
    // The payments-app keys are secrets: they stay out of a file that may be passed around.
    let me: Vec<_> = space
        .people
        .iter()
        .filter(|p| p.id == person || p.parent == Some(person))
        .cloned()
        .map(|mut p| {
            p.login_tokens.clear();
            p
        })
        .collect();
    let inductions: Vec<_> = space
        .allowed
        .iter()
        .filter(|a| me.iter().any(|p| p.id == a.person))
        .collect();
    let decisions: Vec<_> = decisions
        .iter()
        .map(|d| json!({"at": d.at.to_string(), "thing": d.thing, "granted": d.granted, "reason": d.reason, "message": d.message}))
        .collect();
    let body = json!({"people": me, "inductions": inductions, "access_decisions": decisions});
    let text = serde_json::to_string_pretty(&body).unwrap_or_else(|_| "{}".into());
    (
        [
            (CACHE_CONTROL, "no-store"),
            (CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"makerspace_data.json\"",
            ),
        ],
        text,
    )
        .into_response()
}

async fn delete_form(SignedIn { visitor, .. }: SignedIn) -> Response {
    visitor.render(StatusCode::OK, "deleteme.html", context! {})
}

async fn delete(
    State(state): State<AppState>,
    SignedIn { visitor, person }: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    if form.get("reallyreally").map(String::as_str) != Some("yupyup") {
        return visitor.render(StatusCode::OK, "deleteme.html", context! {});
    }
    if let Err(error) = state.store.delete_person(person).await {
        return unavailable(&error);
    }
    tracing::info!(person, "a member deleted their data");
    visitor.log_out("/login").await
}

async fn delete_token(
    State(state): State<AppState>,
    SignedIn { visitor, person }: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let token = form.get("token").map(String::as_str).unwrap_or("");
    let tokens = match state.store.export_space().await {
        Ok(space) => space
            .people
            .into_iter()
            .find(|p| p.id == person)
            .map(|p| p.tokens.len())
            .unwrap_or(0),
        Err(error) => return unavailable(&error),
    };
    // The last token stays: without one the member cannot get in.
    if tokens > 1
        && let Err(error) = state.store.delete_token(person, token).await
    {
        return unavailable(&error);
    }
    visitor.redirect("/profile")
}
