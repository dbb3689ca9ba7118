//! The admin console, for members with the admin role: find people (personal data stays
//! hidden until the admin asks, and each reveal is written to the audit log with their name),
//! the audit log itself, unmatched bank credits, the email outbox and the access log. Changes
//! to people, things, groups and devices go through the admin JSON API (`/api/v1/…`).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::Timestamp;
use minijinja::context;
use serde::Deserialize;

use super::manage::{Field, Outcome, PageForm, TablePage, button};
use super::{SignedInAdmin, Visitor, form_value, unavailable};
use crate::app::{ApiPath, ApiQuery, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(people))
        .route("/admin/people/{id}", get(person))
        .route("/admin/people/{id}/reveal", post(reveal))
        .route("/admin/audit", get(audit))
        .route("/admin/money", get(money).post(change_money))
        .route("/admin/outbox", get(outbox))
        .route("/admin/logs", get(logs))
        .route("/admin/occupancy", get(occupancy).post(change_occupancy))
}

fn shown(state: &AppState, at: Timestamp) -> String {
    at.to_zoned(state.config.tz().clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    ApiQuery(search): ApiQuery<Search>,
) -> Response {
    let q = search.q.unwrap_or_default();
    let found = if q.trim().is_empty() {
        Vec::new()
    } else {
        match state.store.search_people(&q, Timestamp::now(), 200).await {
            Ok(found) => found,
            Err(error) => return unavailable(&error),
        }
    };
    let people: Vec<_> = found
        .iter()
        .map(|p| {
            context! {
                id => p.id, name => p.name.clone(), tier => p.tier.clone(), parent_id => p.parent_id,
                valid_until => p.valid_until.map(|t| shown(&state, t)),
            }
        })
        .collect();
    visitor.render(StatusCode::OK, "admin_people.html", context! { q, people })
}

async fn person_page(state: &AppState, visitor: &Visitor, id: i64, revealed: bool) -> Response {
    let loaded = async {
        let space = state.store.export_space().await?;
        let status = state.store.member_status(id, Timestamp::now()).await?;
        let balance = state.store.balance(id).await?;
        Ok::<_, offimic_store::StoreError>((space, status, balance))
    };
    let (space, status, balance) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(&error),
    };
    let (Some(entry), Some(status)) = (space.people.iter().find(|p| p.id == id), status) else {
        return visitor.message(
            StatusCode::NOT_FOUND,
            "No such person",
            &["Nobody has that number."],
        );
    };
    let things: HashMap<&str, &str> = space
        .things
        .iter()
        .filter_map(|t| Some((t.id.as_deref()?, t.name.as_str())))
        .collect();
    let inductions: Vec<_> = space
        .allowed
        .iter()
        .filter(|a| a.person == id)
        .map(|a| context! { thing => things.get(a.thing.as_str()).copied().unwrap_or(a.thing.as_str()), pending => a.pending })
        .collect();
    let tokens: Vec<_> = entry
        .tokens
        .iter()
        .map(|t| context! { id => t.id.clone() })
        .collect();
    let payments: Vec<_> = entry
        .payments
        .iter()
        .rev()
        .map(|p| {
            context! {
                paid_on => shown(state, p.paid_on.0), expires_on => shown(state, p.expires_on.0),
                amount => format!("{:.2}", p.amount_p as f64 / 100.0),
            }
        })
        .collect();
    let ledger: Vec<_> = entry
        .transactions
        .iter()
        .rev()
        .take(50)
        .map(|t| {
            context! {
                at => shown(state, t.added_on.0), reason => t.reason.clone(),
                amount => format!("{:.2}", t.amount_p as f64 / 100.0),
            }
        })
        .collect();
    visitor.render(
        StatusCode::OK,
        "admin_person.html",
        context! {
            person => context! {
                id => entry.id, name => entry.name.clone(), email => entry.email.clone(),
                address => entry.address.clone(), dob => entry.dob.clone(),
            },
            tier => status.tier_name.clone(),
            valid_until => status.valid_until.map(|t| shown(state, t)),
            balance => format!("{:.2}", balance as f64 / 100.0),
            tokens, inductions, revealed, payments, ledger,
        },
    )
}

async fn person(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    person_page(&state, &visitor, id, false).await
}

async fn reveal(
    State(state): State<AppState>,
    SignedInAdmin {
        visitor,
        person: me,
    }: SignedInAdmin,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    if let Err(error) = state
        .store
        .audit(me, "showed personal data", Some(id), Timestamp::now())
        .await
    {
        return unavailable(&error);
    }
    person_page(&state, &visitor, id, true).await
}

fn table(
    visitor: &Visitor,
    title: &str,
    headers: &[&'static str],
    rows: Vec<Vec<String>>,
) -> Response {
    TablePage {
        title: title.to_owned(),
        headers: headers.to_vec(),
        rows: rows.into_iter().map(|cells| (cells, Vec::new())).collect(),
        ..TablePage::default()
    }
    .render(visitor)
}

async fn audit(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    match state.store.audit_log(500).await {
        Ok(entries) => {
            let rows = entries
                .into_iter()
                .map(|e| {
                    vec![
                        shown(&state, e.at),
                        format!("{} (no. {})", e.admin_name, e.admin),
                        e.action,
                        e.subject.map(|s| s.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            table(
                &visitor,
                "Audit log",
                &["When", "Admin", "What", "Whose"],
                rows,
            )
        }
        Err(error) => unavailable(&error),
    }
}

async fn money(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    money_page(&state, &visitor, Ok(None)).await
}

async fn money_page(state: &AppState, visitor: &Visitor, outcome: Outcome) -> Response {
    let credits = match state.store.unmatched_credits().await {
        Ok(credits) => credits,
        Err(error) => return unavailable(&error),
    };
    let rows = credits
        .into_iter()
        .map(|c| {
            let mut assign = button(
                "/admin/money".into(),
                "Assign",
                false,
                vec![("op", "assign".into()), ("credit", c.id.to_string())],
            );
            assign
                .fields
                .push(Field::text("person", "Member number", ""));
            (
                vec![
                    c.id.to_string(),
                    shown(state, c.posted),
                    format!("£{:.2}", c.amount_p as f64 / 100.0),
                    c.text,
                    c.source,
                ],
                vec![assign],
            )
        })
        .collect();
    TablePage {
        title: "Unmatched bank credits".into(),
        headers: vec!["No.", "Posted", "Amount", "Text", "Statement"],
        rows,
        forms: vec![PageForm::new(
            "/admin/money",
            "The payment run",
            "Run the payment run now",
            Vec::new(),
            "run",
        )],
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_money(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let value = |name: &str| form_value(&form, name);
    let outcome = match value("op") {
        "assign" => {
            let (Ok(credit), Ok(person)) = (
                value("credit").parse::<i64>(),
                value("person").parse::<i64>(),
            ) else {
                return money_page(&state, &visitor, Err("person: a member number".into())).await;
            };
            match state
                .store
                .assign_credit(credit, person, Timestamp::now())
                .await
            {
                Ok(offimic_store::CreditAssignment::Assigned { balance_p }) => Ok(Some(format!(
                    "Credit {credit} is on member {person}'s balance (now £{:.2}).",
                    balance_p as f64 / 100.0
                ))),
                Ok(offimic_store::CreditAssignment::NoSuchPerson) => {
                    Err(format!("No member {person}."))
                }
                Ok(_) => Err(format!("Credit {credit} is not waiting any more.")),
                Err(error) => return unavailable(&error),
            }
        }
        "run" => match crate::money::run_payments(&state, Timestamp::now()).await {
            Ok(report) => Ok(Some(report.summary(&state.config.payments.door))),
            Err(error) => return unavailable(&error),
        },
        other => Err(format!("unknown operation {other:?}")),
    };
    money_page(&state, &visitor, outcome).await
}

async fn outbox(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    match state.store.outbox(200).await {
        Ok(rows) => {
            let rows = rows
                .into_iter()
                .map(|e| {
                    vec![
                        shown(&state, e.created_at),
                        e.person
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "directors".into()),
                        e.kind,
                        e.subject,
                        e.status,
                        e.last_error.unwrap_or_default(),
                    ]
                })
                .collect();
            table(
                &visitor,
                "Email outbox",
                &["Queued", "To", "Kind", "Subject", "Status", "Last error"],
                rows,
            )
        }
        Err(error) => unavailable(&error),
    }
}

#[derive(Deserialize)]
struct LogFilter {
    person: Option<String>,
    thing: Option<String>,
    outcome: Option<String>,
}

async fn logs(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    ApiQuery(filter): ApiQuery<LogFilter>,
) -> Response {
    let person = filter
        .person
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok());
    let thing = filter.thing.unwrap_or_default();
    let outcome = filter.outcome.unwrap_or_default();
    let loaded = async {
        let decisions = state.store.recent_decisions(person, 500).await?;
        let usage = state.store.recent_usage(200).await?;
        let messages = state.store.recent_messages(200).await?;
        Ok::<_, offimic_store::StoreError>((decisions, usage, messages))
    };
    let (decisions, usage, messages) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return unavailable(&error),
    };
    let mut rows: Vec<(Timestamp, Vec<String>)> = Vec::new();
    for d in decisions {
        let granted = if d.granted { "granted" } else { "refused" };
        if (!thing.is_empty() && !d.thing.contains(thing.as_str()))
            || (!outcome.is_empty() && outcome != granted)
        {
            continue;
        }
        let text = if d.granted {
            "granted".to_owned()
        } else {
            format!("refused: {}", d.message)
        };
        rows.push((
            d.at,
            vec![
                shown(&state, d.at),
                format!("access ({})", d.protocol),
                d.thing,
                d.person.map(|p| p.to_string()).unwrap_or_default(),
                text,
            ],
        ));
    }
    if outcome.is_empty() {
        for u in usage
            .into_iter()
            .filter(|u| person.is_none() || u.person == person)
            .filter(|u| thing.is_empty() || u.thing.contains(thing.as_str()))
        {
            rows.push((
                u.at,
                vec![
                    shown(&state, u.at),
                    "usage".into(),
                    u.thing,
                    u.person.map(|p| p.to_string()).unwrap_or_default(),
                    format!("{} ({} s)", u.status, u.running_for),
                ],
            ));
        }
        if person.is_none() {
            for m in messages
                .into_iter()
                .filter(|m| thing.is_empty() || m.thing.contains(thing.as_str()))
            {
                rows.push((
                    m.at,
                    vec![
                        shown(&state, m.at),
                        "message".into(),
                        m.thing,
                        String::new(),
                        m.message,
                    ],
                ));
            }
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    TablePage {
        title: "Access, usage and message logs".into(),
        headers: vec!["When", "Log", "Thing", "Person", "What"],
        rows: rows
            .into_iter()
            .map(|(_, cells)| (cells, Vec::new()))
            .collect(),
        filters: vec![
            Field::text(
                "person",
                "Member number",
                person.map(|p| p.to_string()).unwrap_or_default(),
            ),
            Field::text("thing", "Thing id contains", thing.clone()),
            Field::choice(
                "outcome",
                "Access decisions",
                outcome.clone(),
                vec![
                    (String::new(), "all logs".into()),
                    ("granted".into(), "granted only".into()),
                    ("refused".into(), "refused only".into()),
                ],
            ),
        ],
        ..TablePage::default()
    }
    .render(&visitor)
}

async fn occupancy(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    occupancy_page(&state, &visitor, Ok(None)).await
}

async fn occupancy_page(state: &AppState, visitor: &Visitor, outcome: Outcome) -> Response {
    let analysis = match crate::routes::insights::device_analysis(state, Timestamp::now()).await {
        Ok(analysis) => analysis,
        Err(error) => {
            return visitor.message(error.status, "Unavailable", &[error.message.as_str()]);
        }
    };
    let mut rows = vec![
        (
            vec![
                "Regulars (3+ weeks, 6+ days of the last 28)".to_owned(),
                analysis.regulars.to_string(),
            ],
            Vec::new(),
        ),
        (
            vec![
                "Occasional visitors (1–2 days)".to_owned(),
                analysis.occasional.to_string(),
            ],
            Vec::new(),
        ),
        (
            vec!["Others".to_owned(), analysis.other.to_string()],
            Vec::new(),
        ),
        (
            vec![
                "Randomised addresses (counted apart)".to_owned(),
                analysis.locally_administered.to_string(),
            ],
            Vec::new(),
        ),
        (
            vec!["Event days".to_owned(), analysis.event_days.join(", ")],
            Vec::new(),
        ),
    ];
    for pseudonym in analysis.infrastructure_suggestions {
        rows.push((
            vec![
                format!(
                    "Always present: {}…",
                    pseudonym.get(..12).unwrap_or(&pseudonym)
                ),
                "infrastructure?".into(),
            ],
            vec![button(
                "/admin/occupancy".into(),
                "Put on the ignore-list",
                false,
                vec![("op", "ignore".into()), ("pseudonym", pseudonym)],
            )],
        ));
    }
    TablePage {
        title: "Occupancy: devices of the last 28 days".into(),
        headers: vec!["What", "How many"],
        rows,
        forms: vec![PageForm::new(
            "/admin/occupancy",
            "Record a head count (calibrates devices per person)",
            "Record",
            vec![Field::text("count", "People in the space now", "")],
            "count",
        )],
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_occupancy(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let value = |name: &str| form_value(&form, name);
    let now = Timestamp::now();
    let outcome = match value("op") {
        "ignore" => match value("pseudonym").parse::<offimic_presence::Pseudonym>() {
            Ok(pseudonym) => match state
                .store
                .ignore_device(&pseudonym, "infrastructure (admin console)", now)
                .await
            {
                Ok(change) => Ok(Some(format!(
                    "Ignored; {} stored counts corrected.",
                    change.scans_adjusted
                ))),
                Err(error) => return unavailable(&error),
            },
            Err(error) => Err(format!("pseudonym: {error}")),
        },
        "count" => match value("count").parse::<u32>() {
            Ok(people) if people <= state.config.max_count => {
                let devices = match crate::analysis::series(&state, now).await {
                    Ok(series) => series
                        .latest()
                        .filter(|(at, _)| *at >= now - crate::now::FRESH)
                        .map(|(_, d)| d.round() as u32),
                    Err(error) => return unavailable(&error),
                };
                match state
                    .store
                    .add_calibration(&offimic_store::Calibration {
                        at: now,
                        people,
                        devices,
                    })
                    .await
                {
                    Ok(()) => Ok(Some(match devices {
                        Some(devices) => format!("Recorded: {people} people, {devices} devices."),
                        None => format!(
                            "Recorded {people} people; no devices were measured just now, so it cannot calibrate."
                        ),
                    })),
                    Err(error) => return unavailable(&error),
                }
            }
            _ => Err("count: a whole number of people".into()),
        },
        other => Err(format!("unknown operation {other:?}")),
    };
    occupancy_page(&state, &visitor, outcome).await
}
