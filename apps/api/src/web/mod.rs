//! The web pages for people: registration, the member's own pages and the admin console,
//! rendered on the server from templates compiled into the binary (no front-end build).
//!
//! Every page knows its visitor ([`Visitor`]: the session's member, whether they are an admin,
//! and the CSRF token). Sessions and login links are random tokens of which only the SHA-256 is
//! stored. Every form that changes something carries the CSRF token, checked against its
//! cookie (double submit).

mod console;
mod manage;
mod member;
mod register;

pub use member::LoginLimiter;

use std::collections::HashMap;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use jiff::Timestamp;
use minijinja::{AutoEscape, Environment, Value};
use offimic_store::api_token_hash;

use crate::app::AppState;
use crate::config::Scheme;

const SESSION_COOKIE: &str = "offimic_session";
const CSRF_COOKIE: &str = "offimic_csrf";

macro_rules! pages {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/web/", $name)))),*]
    };
}

const PAGES: &[(&str, &str)] = pages!(
    "layout.html",
    "message.html",
    "register.html",
    "login.html",
    "login_link.html",
    "profile.html",
    "editme.html",
    "child.html",
    "deleteme.html",
    "admin_people.html",
    "admin_person.html",
    "admin_table.html",
    "confirm_induction.html",
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(register::routes())
        .merge(member::routes())
        .merge(console::routes())
        .merge(manage::routes())
}

/// The compiled page templates.
pub struct Pages {
    env: Environment<'static>,
}

impl Default for Pages {
    fn default() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        for (name, source) in PAGES {
            // The templates are part of the binary and compiled by the tests; a broken one is
            // a bug that `every_page_template_compiles` catches.
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(%error, name, "page template does not compile");
            }
        }
        Self { env }
    }
}

/// A submitted form's field, trimmed; empty when absent.
pub fn form_value<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(|v| v.trim()).unwrap_or("")
}

/// Why a name cannot be used, if it cannot.
pub fn name_problem(name: &str) -> Option<&'static str> {
    (name.is_empty() || name.chars().count() > 255)
        .then_some("Please enter your name (forename and surname)")
}

/// Why a street address cannot be used, if it cannot.
pub fn address_problem(address: &str) -> Option<&'static str> {
    (address.is_empty() || address.chars().count() > 1024)
        .then_some("Please enter your full street address")
}

/// A random token: 32 bytes as hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn cookies(parts: &Parts) -> HashMap<String, String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Who is looking at a page.
pub struct Visitor {
    pub member: Option<i64>,
    pub admin: bool,
    session_hash: Option<String>,
    csrf: String,
    new_csrf: bool,
    state: AppState,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = cookies(parts);
        let session_hash = jar.get(SESSION_COOKIE).map(|token| api_token_hash(token));
        let member = match &session_hash {
            Some(hash) => state
                .store
                .session_person(hash, Timestamp::now())
                .await
                .map_err(|e| unavailable(&e))?,
            None => None,
        };
        let admin = match member {
            Some(person) => state
                .store
                .is_admin(person)
                .await
                .map_err(|e| unavailable(&e))?,
            None => false,
        };
        let (csrf, new_csrf) = match jar.get(CSRF_COOKIE).filter(|v| v.len() == 64) {
            Some(token) => (token.clone(), false),
            None => (random_token(), true),
        };
        Ok(Self {
            member,
            admin,
            session_hash,
            csrf,
            new_csrf,
            state: state.clone(),
        })
    }
}

/// A visitor with a session; anyone else is sent to the login page.
pub struct SignedIn {
    pub visitor: Visitor,
    pub person: i64,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.member {
            Some(person) => Ok(Self { visitor, person }),
            None => Err(visitor.redirect("/login")),
        }
    }
}

/// A signed-in admin; other members are refused, anyone else is sent to the login page.
pub struct SignedInAdmin {
    pub visitor: Visitor,
    pub person: i64,
}

impl FromRequestParts<AppState> for SignedInAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn { visitor, person } = SignedIn::from_request_parts(parts, state).await?;
        if !visitor.admin {
            return Err(visitor.message(
                StatusCode::FORBIDDEN,
                "Admins only",
                &["This page is for the space's admins."],
            ));
        }
        Ok(Self { visitor, person })
    }
}

fn unavailable(error: &offimic_store::StoreError) -> Response {
    tracing::error!(%error, "storage failure on a web page");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html("<!doctype html><title>Unavailable</title><p>The database is unavailable; please try again shortly.</p>"),
    )
        .into_response()
}

impl Visitor {
    fn cookie(&self, name: &str, value: &str, attributes: &str) -> HeaderValue {
        let path = if self.state.config.path.0.is_empty() {
            "/"
        } else {
            self.state.config.path.0.as_str()
        };
        let secure = if self.state.config.schema == Scheme::Https {
            "; Secure"
        } else {
            ""
        };
        let text = format!("{name}={value}; Path={path}; HttpOnly{secure}{attributes}");
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// Renders `page` with `context` plus what every page knows, with `status`.
    pub fn render(&self, status: StatusCode, page: &str, context: Value) -> Response {
        let common = minijinja::context! {
            base => self.state.config.path.0.clone(),
            space => self.state.config.email.space_name.clone(),
            member => self.member.is_some(),
            admin => self.admin,
            csrf => self.csrf.clone(),
        };
        let merged = minijinja::context! { ..context, ..common };
        let html = self
            .state
            .pages
            .env
            .get_template(page)
            .and_then(|template| template.render(merged));
        let mut response = match html {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, page, "page could not be rendered");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html(
                        "<!doctype html><p>This page is broken; the operator has been told.</p>"
                            .to_owned(),
                    ),
                )
                    .into_response()
            }
        };
        // Pages may show personal data: never kept by a cache.
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.new_csrf {
            // Lax, not Strict: a visit from an emailed link would otherwise arrive without it,
            // get a new token, and expire the forms open in other tabs.
            let cookie = self.cookie(CSRF_COOKIE, &self.csrf, "; SameSite=Lax");
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        response
    }

    /// A page of text.
    pub fn message(&self, status: StatusCode, title: &str, lines: &[&str]) -> Response {
        self.render(status, "message.html", minijinja::context! { title, lines })
    }

    /// Whether a submitted form carries this visitor's CSRF token.
    pub fn csrf_ok(&self, form: &HashMap<String, String>) -> bool {
        !self.new_csrf
            && form
                .get("csrf")
                .is_some_and(|token| constant_time_eq(token.as_bytes(), self.csrf.as_bytes()))
    }

    /// The refusal for a form without a valid CSRF token.
    pub fn csrf_refused(&self) -> Response {
        self.message(
            StatusCode::FORBIDDEN,
            "This form has expired",
            &["Please go back, reload the page and send the form again."],
        )
    }

    /// Redirects to `path` (under the prefix) with `303 See Other`.
    pub fn redirect(&self, path: &str) -> Response {
        let location = format!("{}{path}", self.state.config.path.0);
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, value);
        }
        response
    }

    /// Starts a session for `person` and redirects to `path`.
    pub async fn log_in(&self, person: i64, path: &str) -> Response {
        let token = random_token();
        let now = Timestamp::now();
        let expires = now + jiff::SignedDuration::from_hours(24 * 30);
        if let Err(error) = self
            .state
            .store
            .create_session(&api_token_hash(&token), person, now, expires)
            .await
        {
            return unavailable(&error);
        }
        let mut response = self.redirect(path);
        let cookie = self.cookie(SESSION_COOKIE, &token, "; SameSite=Lax; Max-Age=2592000");
        response.headers_mut().append(SET_COOKIE, cookie);
        response
    }

    /// Ends the session and redirects to `path`.
    pub async fn log_out(&self, path: &str) -> Response {
        if let Some(hash) = &self.session_hash
            && let Err(error) = self.state.store.delete_session(hash).await
        {
            return unavailable(&error);
        }
        let mut response = self.redirect(path);
        let cookie = self.cookie(SESSION_COOKIE, "", "; SameSite=Lax; Max-Age=0");
        response.headers_mut().append(SET_COOKIE, cookie);
        response
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in PAGES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for (name, _) in PAGES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
