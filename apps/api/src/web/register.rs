//! `/register`: the newcomer's form with Swindon's fields, options and messages, checked on
//! the server. A honeypot field and a minimum fill time keep bots out without a third party.
//! On success the person exists, their door induction waits for the first payment, the
//! health-and-safety acceptance is stored with its time, and the welcome email with the bank
//! reference is in the outbox.

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use jiff::Timestamp;
use minijinja::context;
use offimic_dues::{Member, TierPrice, pounds};
use offimic_store::Registration;
use serde::Serialize;

use super::Visitor;
use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/register", get(form).post(submit))
}

pub const HOW_FOUND_US: [&str; 15] = [
    "google search",
    "twitter",
    "facebook",
    "instagram",
    "mastodon",
    "other social media",
    "comiccon",
    "festivaloftomorrow",
    "event/conference",
    "openday",
    "banner",
    "brochure",
    "advertising",
    "referred by friend/family",
    "other",
];

pub const CONCESSIONS: [(&str, &str); 7] = [
    ("", "None"),
    ("legacy", "Legacy"),
    ("twigs", "TWIGS"),
    ("student", "Student"),
    ("universal credit", "Universal Credit"),
    ("disability", "Disability"),
    ("job seeking", "Job seeking"),
];

pub const COLOURS: [&str; 8] = [
    "green", "white", "purple", "blue", "pink", "orange", "rainbow", "rainbow2",
];

/// The tier the form starts on.
const DEFAULT_TIER: &str = "3";

#[derive(Serialize)]
struct TierOption {
    id: i64,
    name: String,
    description: String,
    price: String,
    #[serde(skip)]
    price_p: TierPrice,
}

async fn tiers(state: &AppState) -> Result<Vec<TierOption>, offimic_store::StoreError> {
    Ok(state
        .store
        .offered_tiers()
        .await?
        .into_iter()
        .map(|t| TierOption {
            id: t.id,
            name: t.name,
            description: t.description,
            price: format!("{:.2}", t.price.price_p / 100.0),
            price_p: t.price,
        })
        .collect())
}

fn page(
    visitor: &Visitor,
    status: StatusCode,
    form: &HashMap<String, String>,
    errors: &BTreeMap<&str, String>,
    tiers: &[TierOption],
) -> Response {
    let mut form = form.clone();
    form.entry("tier".into())
        .or_insert_with(|| DEFAULT_TIER.into());
    form.remove("csrf");
    visitor.render(
        status,
        "register.html",
        context! {
            form, errors, tiers,
            started => Timestamp::now().as_second(),
            how_found => HOW_FOUND_US,
            concessions => CONCESSIONS,
            colours => COLOURS,
        },
    )
}

async fn form(State(state): State<AppState>, visitor: Visitor) -> Response {
    match tiers(&state).await {
        Ok(tiers) => page(
            &visitor,
            StatusCode::OK,
            &HashMap::new(),
            &BTreeMap::new(),
            &tiers,
        ),
        Err(error) => super::unavailable(&error),
    }
}

/// A plausible address: something@domain.tld, no spaces.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// `YYYY-MM` with a real month.
pub fn parse_month(text: &str) -> Option<jiff::civil::Date> {
    let (year, month) = text.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    jiff::civil::Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()
}

/// Pounds as typed (`30`, `30.5`, `+30.00`) to pence.
pub fn parse_pounds(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('+');
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
    {
        return None;
    }
    let pence = format!("{fraction:0<2}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(pence.parse().ok()?)
}

async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let tiers = match tiers(&state).await {
        Ok(tiers) => tiers,
        Err(error) => return super::unavailable(&error),
    };
    let field = |name: &str| super::form_value(&form, name);
    let checked = |name: &str| !field(name).is_empty();
    let now = Timestamp::now();

    // Bots fill every field and post at once; a person does neither.
    let started = field("form_started").parse::<i64>().unwrap_or(i64::MAX);
    let min_fill = i64::from(state.config.web.min_fill_seconds);
    if !field("website").is_empty() || now.as_second().saturating_sub(started) < min_fill {
        return visitor.message(
            StatusCode::BAD_REQUEST,
            "Please try again",
            &["That was quicker than a person types. Please go back and send the form again."],
        );
    }

    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let name = field("name");
    if let Some(problem) = super::name_problem(name) {
        errors.insert("name", problem.into());
    }
    let email = field("email");
    if email.is_empty() {
        errors.insert(
            "email",
            "Please enter an email we can use to contact you".into(),
        );
    } else if !valid_email(email) || email.len() > 255 {
        errors.insert(
            "email",
            "Email should be of the format someuser@example.com".into(),
        );
    } else {
        match state.store.email_taken(email).await {
            Ok(true) => {
                errors.insert(
                    "email",
                    "That email address is already registered, did you do submit twice?".into(),
                );
            }
            Ok(false) => {}
            Err(error) => return super::unavailable(&error),
        }
    }
    let address = field("address");
    if let Some(problem) = super::address_problem(address) {
        errors.insert("address", problem.into());
    }
    let tier = field("tier")
        .parse::<i64>()
        .ok()
        .and_then(|id| tiers.iter().find(|t| t.id == id));
    if tier.is_none() {
        errors.insert("tier", "Please choose a payment tier".into());
    }
    let dob = field("dob");
    match parse_month(dob) {
        None if dob.is_empty() => {
            errors.insert("dob", "Please enter your date of birth".into());
        }
        None => {
            errors.insert(
                "dob",
                "Please enter your date of birth as year and month, e.g. 1990-04".into(),
            );
        }
        Some(born) => {
            let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
            let age = offimic_dues::age(&born.strftime("%Y-%m").to_string(), today).unwrap_or(0);
            if !(18..=120).contains(&age) {
                errors.insert(
                    "dob",
                    "Members must be adults (18+); children are added by a member".into(),
                );
            }
        }
    }
    let how_found_us = field("how_found_us");
    if !HOW_FOUND_US.contains(&how_found_us) {
        errors.insert("how_found_us", "Please tell us how you found us".into());
    }
    let concession = field("concessionary_rate_override");
    let concession = if CONCESSIONS.iter().any(|(value, _)| *value == concession) {
        concession
    } else {
        ""
    };
    let door_colour = Some(field("door_colour"))
        .filter(|c| COLOURS.contains(c))
        .unwrap_or("green");
    let normal = tier.map(|t| {
        Member {
            tier: Some(t.price_p),
            concession,
            dob: Some(dob),
            ..Default::default()
        }
        .normal_dues(now.to_zoned(jiff::tz::TimeZone::UTC).date())
    });
    let payment_override_p = match field("payment_override") {
        "" => None,
        text => match parse_pounds(text) {
            None => {
                errors.insert("payment_override", "Value must be a real number".into());
                None
            }
            Some(pence) if normal.is_some_and(|n| (pence as f64) < n) => {
                errors.insert(
                    "payment_override",
                    format!(
                        "Voluntary payment amount must be more than suggested amount ({})",
                        pounds(normal.unwrap_or(0.0))
                    ),
                );
                None
            }
            Some(pence) => Some(pence),
        },
    };
    let voucher = field("voucher_code");
    if !voucher.is_empty() {
        let lower = voucher.to_lowercase();
        if !lower.contains("festival") && !lower.contains("tomorrow") {
            errors.insert("voucher_code", "Unrecognised voucher".into());
        }
    }
    let plate: String = field("plate_reg")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if plate.len() > 7 {
        errors.insert(
            "plate_reg",
            "A number plate has at most 7 letters and digits".into(),
        );
    }
    let github_user = field("github_user");
    if github_user.chars().count() > 255 {
        errors.insert("github_user", "That GitHub user name is too long".into());
    }
    if !checked("membership_guide") {
        errors.insert(
            "membership_guide",
            "Please read and agree to the Membership Guide".into(),
        );
    }
    if !checked("health_and_safety") {
        errors.insert(
            "health_and_safety",
            "Please read and agree to the Health & Safety Policy".into(),
        );
    }
    let (Some(tier), true) = (tier, errors.is_empty()) else {
        return page(&visitor, StatusCode::OK, &form, &errors, &tiers);
    };

    let registration = Registration {
        name: name.to_owned(),
        email: Some(email.to_owned()),
        address: address.to_owned(),
        dob: Some(dob.to_owned()),
        tier_id: Some(tier.id),
        concession: concession.to_owned(),
        payment_override_p,
        door_colour: door_colour.to_owned(),
        opt_in: checked("opt_in"),
        how_found_us: Some(how_found_us.to_owned()),
        voucher_code: Some(voucher.to_owned()).filter(|v| !v.is_empty()),
        github_user: Some(github_user.to_owned()).filter(|g| !g.is_empty()),
        plate: Some(plate).filter(|p| !p.is_empty()),
        parent_id: None,
        guide_accepted_at: Some(now),
        safety_accepted_at: now,
        at: now,
        door: state.config.payments.door.clone(),
        safety_thing: state.config.web.safety_thing.clone(),
    };
    let person = match state.store.register(&registration).await {
        Ok(person) => person,
        Err(offimic_store::StoreError::Conflict(_)) => {
            // Registered in the same instant by another request (a double click).
            errors.insert(
                "email",
                "That email address is already registered, did you do submit twice?".into(),
            );
            return page(&visitor, StatusCode::OK, &form, &errors, &tiers);
        }
        Err(error) => return super::unavailable(&error),
    };
    let dues = Member {
        tier: Some(tier.price_p),
        concession,
        dob: Some(dob),
        payment_override_p: payment_override_p.map(|p| p as f64),
        ..Default::default()
    }
    .dues(now);
    let vars = vec![("dues".into(), format!("{:.2}", dues / 100.0))];
    if let Err(error) = state
        .mail
        .queue(
            &*state.store,
            Some((person, name)),
            "send_membership_email",
            vars,
            true,
            now,
        )
        .await
    {
        return super::unavailable(&error);
    }
    let reference = state.mail.reference(person);
    let mut lines = vec![
        format!("Welcome, {name}! You are member number {person}."),
        format!(
            "Set up a standing order of £{:.2} a month with the reference {reference}; we have emailed you the details.",
            dues / 100.0
        ),
        "Your door token starts working when your first payment arrives.".to_owned(),
    ];
    if checked("has_children") {
        lines.push(
            "To add your children, log in and choose “Add a child” on your membership page."
                .to_owned(),
        );
    }
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    visitor.message(StatusCode::OK, "You have joined", &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_and_months_and_emails() {
        assert_eq!(parse_pounds("30"), Some(3000));
        assert_eq!(parse_pounds("30.5"), Some(3050));
        assert_eq!(parse_pounds("+12.34"), Some(1234));
        assert_eq!(parse_pounds("12.345"), None);
        assert_eq!(parse_pounds("-5"), None);
        assert_eq!(parse_pounds("abc"), None);
        assert_eq!(parse_pounds(""), None);
        assert_eq!(
            parse_month("1990-04"),
            jiff::civil::Date::new(1990, 4, 1).ok()
        );
        assert_eq!(parse_month("1990-13"), None);
        assert_eq!(parse_month("04/1990"), None);
        assert!(valid_email("a.b@example.org"));
        assert!(!valid_email("a b@example.org"));
        assert!(!valid_email("ab@example"));
        assert!(!valid_email("@example.org"));
    }
}
