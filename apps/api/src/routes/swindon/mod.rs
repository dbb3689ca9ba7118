//! Swindon Makerspace's controller API (`/verify`, `/msglog`, `/tool_access`, `/induct`,
//! `/assign`, `/who`), with its payments app (`payments`) and admin endpoints (`treasurer`), at
//! the root and under `/accesssystem/`, byte-compatible with the door,
//! tool and TagAssigner firmware: every reply is one line of compact JSON with `access` (or the
//! endpoint's flag) first, flags as numbers, and the original texts. Unlike the original, no
//! input answers 500, `/induct` really sends the student a confirmation link, `/assign` needs an
//! inductor of a TagAssigner, and `/msglog` and `/tool_access` finish their write even when the
//! controller has already hung up.

mod fees;
mod payments;
mod treasurer;
mod wire;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use offimic_access::{Decision, Outcome};
use offimic_store::{TokenAssignment, UsageUpdate};
use serde_json::json;

use crate::access::{self, clip};
use crate::app::AppState;
use crate::client_ip::ClientIp;
use wire::{DeviceParams, DeviceReply, display_name, door_colour};

const PROTOCOL: &str = "swindon";

/// Longest controller message kept, in characters (the original column held 2048).
const MAX_MESSAGE: usize = 2048;

pub use fees::FeeCache;

pub fn routes() -> Router<AppState> {
    let device = Router::new()
        .route("/verify", get(verify).post(verify))
        .route("/msglog", get(msglog).post(msglog))
        .route("/msglog/{*rest}", get(msglog).post(msglog))
        .route("/tool_access", get(tool_access).post(tool_access))
        .route("/induct", get(induct).post(induct))
        .route("/assign", get(assign).post(assign))
        .route("/who", get(who).post(who))
        .route(
            "/confirm_induction",
            get(confirm_induction_page).post(confirm_induction),
        )
        .route("/post_confirm", get(post_confirm))
        .route(
            "/transaction",
            get(payments::transaction).post(payments::transaction),
        )
        .route(
            "/get_transactions/{count}/{hash}",
            get(payments::get_transactions),
        )
        .route(
            "/user_guid_request",
            get(payments::user_guid_request).post(payments::user_guid_request),
        )
        .route("/resendemail/{id}", get(treasurer::resend_email))
        .route("/nudge_member/{id}", get(treasurer::nudge_member))
        .route("/box_reminder/{id}", get(treasurer::box_reminder))
        .route(
            "/membership_status_update",
            get(treasurer::membership_status_update),
        )
        .route(
            "/v2/remove_ex_member_inductions/{months}",
            get(treasurer::remove_ex_member_inductions),
        );
    Router::new()
        .merge(device.clone())
        .nest("/accesssystem", device)
}

type Reply = Result<DeviceReply, DeviceReply>;

/// When `enforce_thing_ip` is on, the refusal for a caller that is not the thing's controller.
pub(super) async fn pinned_elsewhere(
    state: &AppState,
    thing: &str,
    ip: ClientIp,
    verb: &str,
) -> Result<Option<String>, DeviceReply> {
    if !state.config.enforce_thing_ip {
        return Ok(None);
    }
    let record = state.store.find_thing(thing).await?;
    Ok(record
        .and_then(|t| t.assigned_ip)
        .filter(|assigned| !ip.is(assigned))
        .map(|_| format!("Cannot {verb} Thing ({thing}) from incorrect IP address")))
}

fn person_name(decision: &Decision) -> String {
    decision
        .person
        .as_ref()
        .map(|(_, name)| display_name(name))
        .unwrap_or_default()
}

async fn verify(State(state): State<AppState>, ip: ClientIp, params: DeviceParams) -> Reply {
    let (Some(token), Some(thing)) = (params.get("token"), params.get("thing")) else {
        return Ok(DeviceReply::new(
            json!({"access": 0, "error": "Missing token or thing parameter(s)"}),
        ));
    };
    if let Some(error) = pinned_elsewhere(&state, thing, ip, "use").await? {
        return Ok(DeviceReply::new(
            json!({"access": 0, "error": error, "colour": 0x24}),
        ));
    }
    let version = state.store.access_version().await?;
    let decision = access::decide(&state, PROTOCOL, token, thing, Some(version)).await?;
    let person = decision.person.as_ref().map(|(id, _)| *id);
    state
        .store
        .log_usage(
            person,
            clip(thing),
            clip(token),
            decision.is_granted(),
            Timestamp::now(),
        )
        .await?;
    let body = match &decision.outcome {
        Outcome::Granted {
            inductor,
            cacheable,
            ..
        } => {
            let badge = match person {
                Some(id) => state.store.badge(id).await?,
                None => None,
            };
            let colour = badge
                .as_ref()
                .map_or(1, |b| door_colour(b.tier.as_deref(), &b.door_colour));
            let beep = match person {
                // Email bookkeeping must never keep a member out: a failure only loses the beep.
                Some(id) => fees::fee_warning(&state, id, version, Timestamp::now())
                    .await
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, person = id, "fee warning skipped");
                        false
                    }),
                None => false,
            };
            let mut body = json!({
                "access": 1,
                "person": {"name": person_name(&decision)},
                "inductor": u8::from(*inductor),
                "beep": u8::from(beep),
                "cache": u8::from(*cacheable),
                "colour": colour,
            });
            if beep {
                body["message"] = json!(fees::FEE_WARNING);
            }
            body
        }
        Outcome::Denied(denial) => {
            json!({"access": 0, "error": denial.message(), "colour": denial.colour()})
        }
    };
    Ok(DeviceReply::new(body))
}

/// Runs `work` on a task of its own, so that it finishes even if the controller hangs up
/// before reading the reply (the firmware closes right after sending).
async fn detached<F>(work: F) -> Reply
where
    F: Future<Output = Reply> + Send + 'static,
{
    tokio::spawn(work).await.unwrap_or_else(|_| {
        Err(DeviceReply::new(
            json!({"error": "the request was interrupted"}),
        ))
    })
}

async fn msglog(State(state): State<AppState>, ip: ClientIp, params: DeviceParams) -> Reply {
    let (Some(thing), Some(message)) = (params.get("thing"), params.get("msg")) else {
        return Ok(DeviceReply::new(
            json!({"error": "Missing thing or msg parameter"}),
        ));
    };
    let thing = clip(thing).to_owned();
    let message: String = message.chars().take(MAX_MESSAGE).collect();
    detached(async move {
        if let Some(error) = pinned_elsewhere(&state, &thing, ip, "log for").await? {
            return Ok(DeviceReply::new(json!({"logged": 0, "error": error})));
        }
        if state.store.find_thing(&thing).await?.is_none() {
            return Ok(DeviceReply::new(
                json!({"logged": 0, "error": "No such thing!"}),
            ));
        }
        let from = ip.0.map(|ip| ip.to_string()).unwrap_or_default();
        state
            .store
            .log_message(&thing, &message, &from, Timestamp::now())
            .await?;
        Ok(DeviceReply::new(json!({"logged": 1})))
    })
    .await
}

async fn tool_access(State(state): State<AppState>, ip: ClientIp, params: DeviceParams) -> Reply {
    let (Some(token), Some(thing)) = (params.get("token"), params.get("thing")) else {
        return Ok(DeviceReply::new(
            json!({"logged": 0, "error": "Missing token or thing parameter(s)"}),
        ));
    };
    let running = params.get("state").is_some();
    let active_time = params
        .raw("active_time")
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let (token, thing) = (clip(token).to_owned(), clip(thing).to_owned());
    detached(async move {
        if let Some(error) = pinned_elsewhere(&state, &thing, ip, "log for").await? {
            return Ok(DeviceReply::new(json!({"logged": 0, "error": error})));
        }
        let decision = access::decide(&state, PROTOCOL, &token, &thing, None).await?;
        let Some((person, _)) = decision.person.clone() else {
            let error = match &decision.outcome {
                Outcome::Denied(denial) => denial.message(),
                Outcome::Granted { .. } => "Person not allowed to use Tool!?".into(),
            };
            return Ok(DeviceReply::new(json!({"logged": 0, "error": error})));
        };
        let update = UsageUpdate {
            person,
            thing,
            token,
            active_time,
            running,
            at: Timestamp::now(),
        };
        state.store.update_tool_usage(&update).await?;
        Ok(DeviceReply::new(json!({"logged": 1})))
    })
    .await
}

async fn induct(State(state): State<AppState>, ip: ClientIp, params: DeviceParams) -> Reply {
    let (Some(trainer_token), Some(student_token), Some(thing)) = (
        params.get("token_t"),
        params.get("token_s"),
        params.get("thing"),
    ) else {
        return Ok(DeviceReply::new(
            json!({"allowed": 0, "error": "Missing token or thing parameter(s)"}),
        ));
    };
    let Some(record) = state.store.find_thing(thing).await? else {
        return Ok(DeviceReply::new(
            json!({"allowed": 0, "error": format!("No such Thing ({thing})")}),
        ));
    };
    if !record
        .assigned_ip
        .as_deref()
        .is_some_and(|assigned| ip.is(assigned))
    {
        let error = format!("Cannot induct Thing ({thing}) from incorrect IP address");
        return Ok(DeviceReply::new(json!({"allowed": 0, "error": error})));
    }
    let trainers = state.store.decision_facts(trainer_token, thing).await?;
    let inductors: Vec<_> = trainers
        .holders
        .iter()
        .filter(|m| m.inductions.get(thing).is_some_and(|i| i.inductor))
        .collect();
    let [trainer] = inductors.as_slice() else {
        let error = format!(
            "That teacher token does not belong to a single admin user of the {} (or belongs to more than one person, huh?)",
            record.name
        );
        return Ok(DeviceReply::new(json!({"allowed": 0, "error": error})));
    };
    let Some((student, student_name)) = state
        .store
        .token_holders(student_token)
        .await?
        .into_iter()
        .next()
    else {
        let error = format!("The token ({student_token}) isn't associated with any user");
        return Ok(DeviceReply::new(json!({"allowed": 0, "error": error})));
    };
    let now = Timestamp::now();
    // A new induction, or one still waiting (an earlier email may have been lost): send the link.
    if state.store.induct(student, thing, trainer.id, now).await? {
        send_induction_confirmation(
            &state,
            student,
            &student_name,
            &record.name,
            thing,
            &trainer.name,
            now,
        )
        .await?;
    }
    Ok(DeviceReply::new(
        json!({"allowed": 1, "person": {"name": display_name(&student_name)}}),
    ))
}

/// Emails the student a link that confirms the induction (the original forgot to).
async fn send_induction_confirmation(
    state: &AppState,
    student: i64,
    student_name: &str,
    thing_name: &str,
    thing: &str,
    trainer_name: &str,
    now: Timestamp,
) -> Result<(), DeviceReply> {
    let token = offimic_store::new_thing_id();
    state
        .store
        .create_induction_confirmation(&token, student, thing, now)
        .await?;
    let link = format!(
        "{}/confirm_induction?token={token}",
        state.config.public_base()
    );
    let vars = vec![
        ("trainer".into(), trainer_name.to_owned()),
        ("thing".into(), thing_name.to_owned()),
        ("link".into(), link),
    ];
    state
        .mail
        .queue(
            &*state.store,
            Some((student, student_name)),
            &format!("inducted_on|{thing}"),
            vars,
            true,
            now,
        )
        .await?;
    Ok(())
}

async fn assign(State(state): State<AppState>, ip: ClientIp, params: DeviceParams) -> Reply {
    let (Some(admin_token), Some(person), Some(thing), Some(token)) = (
        params.get("admin_token"),
        params.get("person_id"),
        params.get("thing"),
        params.get("token_id"),
    ) else {
        return Ok(DeviceReply::new(
            json!({"tokens": 0, "error": "Missing parameter(s)"}),
        ));
    };
    if let Some(error) = pinned_elsewhere(&state, thing, ip, "assign from").await? {
        return Ok(DeviceReply::new(json!({"tokens": 0, "error": error})));
    }
    let decision = access::decide(&state, PROTOCOL, admin_token, thing, None).await?;
    let refusal = match &decision.outcome {
        Outcome::Denied(denial) => Some(denial.message()),
        Outcome::Granted {
            inductor: false, ..
        } => Some("Only an inductor of the TagAssigner may assign tokens".into()),
        Outcome::Granted { .. } => match state.store.find_thing(thing).await? {
            Some(t) if t.name.contains("TagAssigner") => None,
            _ => Some("This thing is not a TagAssigner".into()),
        },
    };
    if let Some(error) = refusal {
        return Ok(DeviceReply::new(json!({"tokens": 0, "error": error})));
    }
    let Ok(person) = person.trim().parse::<i64>() else {
        return Ok(DeviceReply::new(
            json!({"tokens": 0, "error": "Nope. Can't find that person id."}),
        ));
    };
    let kind: String = params
        .get("desc")
        .unwrap_or("Added by TagAssigner")
        .chars()
        .take(20)
        .collect();
    let body = match state.store.assign_token(person, token, &kind).await? {
        TokenAssignment::TokenInUse => {
            json!({"tokens": 0, "error": "Nope. That token is already in use!"})
        }
        TokenAssignment::NoSuchPerson => {
            json!({"tokens": 0, "error": "Nope. Can't find that person id."})
        }
        TokenAssignment::Assigned { name, tokens } => {
            json!({"tokens": tokens, "message": format!("Done. {} has {tokens} tokens.", display_name(&name))})
        }
    };
    Ok(DeviceReply::new(body))
}

/// `/who`: the name behind a token, as plain text.
///
/// A name is personal data: only the space's controllers (callers at a thing's pinned address)
/// and holders of an admin or device token may ask (the original answered anyone).
async fn who(
    State(state): State<AppState>,
    ip: ClientIp,
    parts: axum::http::request::Parts,
) -> Response {
    let params = DeviceParams::from_query(parts.uri.query());
    let by_token = matches!(
        crate::auth::presented_scopes(&parts, &state).await,
        Ok(Some(scopes)) if scopes.iter().any(|s| matches!(s, crate::auth::Scope::Admin | crate::auth::Scope::Device))
    );
    let at_controller = match ip.0 {
        Some(ip) => state
            .store
            .is_controller_address(&ip.to_string())
            .await
            .unwrap_or(false),
        None => false,
    };
    if !by_token && !at_controller {
        return (axum::http::StatusCode::FORBIDDEN, "<Not allowed>").into_response();
    }
    let Some(token) = params.get("token") else {
        return "<No token id>".into_response();
    };
    match state.store.token_holders(token).await {
        Ok(holders) => match holders.into_iter().next() {
            Some((_, name)) => name.into_response(),
            None => "<No such person>".into_response(),
        },
        Err(error) => DeviceReply::from(error).into_response(),
    }
}

/// The link in the induction email shows a button; unlike the original, opening the link
/// alone (as mail scanners do) confirms nothing.
async fn confirm_induction_page(visitor: crate::web::Visitor, params: DeviceParams) -> Response {
    let token = params.get("token").unwrap_or("").to_owned();
    visitor.render(
        axum::http::StatusCode::OK,
        "confirm_induction.html",
        minijinja::context! { token },
    )
}

/// The member's confirmation, then the thank-you page.
async fn confirm_induction(
    State(state): State<AppState>,
    visitor: crate::web::Visitor,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let token = crate::web::form_value(&form, "token");
    match state.store.confirm_induction(token, Timestamp::now()).await {
        Ok(true) => Redirect::to(&format!(
            "{}/post_confirm?type=induction",
            state.config.public_base()
        ))
        .into_response(),
        Ok(false) => visitor.message(
            axum::http::StatusCode::BAD_REQUEST,
            "This link does not work",
            &["It was used already, or it was mistyped. Ask your trainer to induct you again."],
        ),
        Err(error) => DeviceReply::from(error).into_response(),
    }
}

async fn post_confirm(visitor: crate::web::Visitor, params: DeviceParams) -> Response {
    let what = match params.get("type") {
        Some("telegram") => "Thanks for confirming your telegram chatid.",
        _ => "Thanks for confirming your induction.",
    };
    visitor.message(axum::http::StatusCode::OK, "Thank you", &[what])
}
