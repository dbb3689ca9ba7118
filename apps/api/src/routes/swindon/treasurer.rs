//! Swindon's admin and cron endpoints (`/resendemail/:id`, `/nudge_member/:id`,
//! `/box_reminder/:id`, `/membership_status_update`, `/v2/remove_ex_member_inductions/:months`)
//! with their original answers, but behind an admin token (the original had no
//! authentication at all), and without its 500s for members who never paid.

use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use offimic_dues::payment_run::email_date;
use offimic_dues::pounds;
use offimic_dues::report::{ReportPerson, membership_report};
use offimic_perlcompat::dates::add_days_then_months;
use offimic_store::MemberStatus;
use serde_json::{Value, json};

use super::wire::DeviceReply;
use crate::app::{ApiPath, AppState};
use crate::auth::Admin;
use crate::money::{dues, is_valid};

type Reply = Result<DeviceReply, DeviceReply>;

fn message(text: String) -> DeviceReply {
    DeviceReply::new(json!({ "message": text }))
}

/// The person and their parent (for a child), as of `now`.
async fn member(
    state: &AppState,
    id: &str,
    now: Timestamp,
) -> Result<Option<(MemberStatus, Option<MemberStatus>)>, DeviceReply> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(status) = state.store.member_status(id, now).await? else {
        return Ok(None);
    };
    let parent = match status.parent_id {
        Some(parent) => state.store.member_status(parent, now).await?,
        None => None,
    };
    Ok(Some((status, parent)))
}

/// A person who has lapsed without leaving: the only people nudged.
async fn lapsed(
    state: &AppState,
    id: &str,
    now: Timestamp,
) -> Result<Option<MemberStatus>, DeviceReply> {
    Ok(member(state, id, now).await?.and_then(|(status, parent)| {
        (!is_valid(&status, parent.as_ref()) && status.end_date.is_none()).then_some(status)
    }))
}

async fn queue(
    state: &AppState,
    status: &MemberStatus,
    kind: &str,
    vars: Vec<(String, String)>,
    forced: bool,
    now: Timestamp,
) -> Result<(), DeviceReply> {
    state
        .mail
        .queue(
            &*state.store,
            Some((status.id, &status.name)),
            kind,
            vars,
            forced,
            now,
        )
        .await?;
    Ok(())
}

pub async fn resend_email(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Reply {
    let now = Timestamp::now();
    let Some((status, _)) = member(&state, &id, now).await? else {
        return Ok(message(format!("Can't find member {id}")));
    };
    let vars = vec![("dues".into(), pounds(dues(&status, now)))];
    queue(&state, &status, "send_membership_email", vars, true, now).await?;
    Ok(message("Attempted to send membership email".into()))
}

pub async fn nudge_member(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Reply {
    let now = Timestamp::now();
    let Some(status) = lapsed(&state, &id, now).await? else {
        return Ok(message(format!(
            "Can't find member {id} or member is still valid!"
        )));
    };
    if let Some(at) = state.store.last_email(status.id, "reminder_email").await?
        && at > now - SignedDuration::from_hours(24)
    {
        return Ok(message(format!(
            "Already reminded on {}",
            at.strftime("%Y-%m-%dT%H:%M:%S")
        )));
    }
    let Some((paid_on, expires_on, _)) = status.last_payment else {
        return Ok(message(format!(
            "Member {id} has never paid, so there is nothing to remind them of"
        )));
    };
    let vars = vec![
        ("paid_date".into(), email_date(paid_on)),
        ("expires_date".into(), email_date(expires_on)),
    ];
    // The original sends the reminder it already has again; a new one says the same.
    queue(&state, &status, "reminder_email", vars, true, now).await?;
    Ok(message("Attempted to send reminder email".into()))
}

pub async fn box_reminder(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Reply {
    let now = Timestamp::now();
    let Some(status) = lapsed(&state, &id, now).await? else {
        return Ok(message(format!(
            "Can't find member {id} or member is still valid!"
        )));
    };
    let in_a_month = add_days_then_months(now, 0, 1).unwrap_or(now);
    let vars = vec![
        ("dues_nice".into(), pounds(dues(&status, now))),
        ("now_plus_one_month".into(), email_date(in_a_month)),
    ];
    queue(&state, &status, "box_reminder_email", vars, true, now).await?;
    Ok(message("Attempted to send box reminder email".into()))
}

pub async fn membership_status_update(_: Admin, State(state): State<AppState>) -> Reply {
    let now = Timestamp::now();
    let statuses = state.store.member_statuses(now).await?;
    let by_id: std::collections::HashMap<i64, &MemberStatus> =
        statuses.iter().map(|s| (s.id, s)).collect();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let people: Vec<ReportPerson> = statuses
        .iter()
        .map(|status| {
            let parent = status.parent_id.and_then(|p| by_id.get(&p).copied());
            let member = offimic_dues::Member {
                tier: status.tier,
                concession: &status.concession,
                dob: status.dob.as_deref(),
                ..Default::default()
            };
            ReportPerson {
                id: status.id,
                name: status.name.clone(),
                is_child: status.parent_id.is_some(),
                valid: is_valid(status, parent),
                concession: member.is_concessionary(today),
                tier: status.tier_name.clone().unwrap_or_default(),
                ended: status.end_date.is_some(),
                valid_until: status.valid_until,
                dues_p: dues(status, now),
            }
        })
        .collect();
    let mut tiers: Vec<String> = statuses
        .iter()
        .filter_map(|s| s.tier_name.clone())
        .collect();
    tiers.sort();
    tiers.dedup();
    let report = membership_report(&people, &tiers, now);
    let recent: Vec<Value> = report
        .recent_expired
        .iter()
        .filter_map(|id| by_id.get(id))
        .map(|s| {
            json!({
                "id": s.id,
                "parent_id": s.parent_id,
                "name": s.name,
                "created_date": s.created_at.to_string(),
                "end_date": s.end_date.map(|t| t.to_string()),
                "concessionary_rate": s.concession,
                "valid_until": s.valid_until.map(|t| t.strftime("%Y-%m-%d").to_string()),
                "tier": s.tier_id,
            })
        })
        .collect();
    let recently: Vec<String> = report
        .recent_expired
        .iter()
        .filter_map(|id| by_id.get(id))
        .map(|s| {
            format!(
                "{:03}: {:>40}: {:>20}: {}",
                s.id,
                s.name,
                s.tier_name.as_deref().unwrap_or(""),
                s.valid_until
                    .map(|t| t.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            )
        })
        .collect();
    let mut body = serde_json::to_value(&report.counts).unwrap_or_else(|_| json!({}));
    body["recent_expired"]["people"] = Value::from(recent);
    body["income"] = json!(report.income_p);
    body["recently"] = json!(recently.join("\n"));
    body["msg_text"] = json!(report.text);
    if !state.config.email.directors.is_empty() {
        let vars = vec![("report".into(), report.text.clone())];
        state
            .mail
            .queue(&*state.store, None, "membership_status", vars, true, now)
            .await?;
    }
    Ok(DeviceReply::new(body))
}

pub async fn remove_ex_member_inductions(
    _: Admin,
    State(state): State<AppState>,
    ApiPath(months): ApiPath<String>,
) -> Reply {
    let Some(months) = Some(months.as_str())
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|m| m.parse::<i64>().ok())
    else {
        return Ok(DeviceReply::new(
            json!({"error": "remove_ex_member_inductions takes a number parameter"}),
        ));
    };
    let now = Timestamp::now();
    let from = add_days_then_months(now, 0, -months).unwrap_or(Timestamp::MIN);
    let to = add_days_then_months(now, 0, -3).unwrap_or(now);
    let removed = state
        .store
        .remove_inductions_of_members_expired_between(from, to)
        .await?;
    tracing::info!(removed, months, "inductions of ex-members removed");
    Ok(DeviceReply::new(json!({"success": 1})))
}
