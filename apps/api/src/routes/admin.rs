//! The admin JSON API (`/api/v1/…`, admin token): people and their tokens, things, groups and
//! their grants, inductions, and Hive13 devices. Writes go through the space-file import, so the
//! API validates exactly as `offimic-api import` does and its errors name the field.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use jiff::Timestamp;
use offimic_spacefile::{
    AllowedEntry, DeviceEntry, GroupEntry, ImportError, PersonEntry, SpaceFile, ThingEntry,
    TokenEntry,
};
use offimic_store::{ImportFailure, TokenAssignment, space_resolver};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{ApiJson, ApiPath, ApiQuery, AppState};
use crate::auth::{Admin, KNOWN_SCOPES};
use crate::error::{ApiError, ApiResult};
use crate::routes::ok_body;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/people", get(list_people).post(create_person))
        .route(
            "/api/v1/people/{id}",
            get(get_person).put(put_person).delete(delete_person),
        )
        .route("/api/v1/people/{id}/tokens", post(add_token))
        .route("/api/v1/people/{id}/tokens/{token}", delete(delete_token))
        .route("/api/v1/things", get(list_things).post(create_thing))
        .route(
            "/api/v1/things/{id}",
            get(get_thing).put(put_thing).delete(delete_thing),
        )
        .route("/api/v1/groups", get(list_groups))
        .route("/api/v1/groups/{name}", put(put_group).delete(delete_group))
        .route(
            "/api/v1/groups/{name}/members/{person}",
            delete(remove_member),
        )
        .route(
            "/api/v1/inductions",
            get(list_inductions).put(put_induction),
        )
        .route(
            "/api/v1/inductions/{person}/{thing}",
            delete(delete_induction),
        )
        .route("/api/v1/devices", get(list_devices).post(create_device))
        .route(
            "/api/v1/devices/{name}",
            get(get_device).put(put_device).delete(delete_device),
        )
        .route("/api/v1/devices/{name}/key", post(rotate_key))
}

type Reply = ApiResult<(StatusCode, Json<Value>)>;

fn ok(body: impl serde::Serialize) -> Reply {
    Ok((StatusCode::OK, Json(ok_body(body))))
}

fn created(body: impl serde::Serialize) -> Reply {
    Ok((StatusCode::CREATED, Json(ok_body(body))))
}

fn gone(found: bool, what: &str) -> Reply {
    if found {
        ok(json!({"deleted": what}))
    } else {
        Err(ApiError::not_found(format!("no {what}")))
    }
}

/// Writes `file` through the import; errors lose the `section[0].` prefix so they name the
/// field as the caller sent it.
pub(crate) async fn apply(state: &AppState, file: SpaceFile) -> ApiResult<()> {
    let resolver = space_resolver(file, KNOWN_SCOPES, Timestamp::now());
    match state.store.import_space(resolver).await {
        Ok(_) => Ok(()),
        Err(ImportFailure::Invalid(ImportError { path, message })) => {
            let field = path.split_once("].").map_or("", |(_, rest)| rest);
            Err(ApiError::bad_request(if field.is_empty() {
                message
            } else {
                format!("{field}: {message}")
            }))
        }
        Err(ImportFailure::Store(error)) => Err(error.into()),
    }
}

async fn space(state: &AppState) -> ApiResult<SpaceFile> {
    Ok(state.store.export_space().await?)
}

// People.

fn summary(person: &PersonEntry) -> Value {
    json!({
        "id": person.id,
        "name": person.name,
        "tier": person.tier,
        "parent": person.parent,
        "tokens": person.tokens.len(),
        "valid_until": person.payments.iter().map(|p| p.expires_on).max(),
        "end_date": person.end_date,
    })
}

async fn list_people(State(state): State<AppState>, _: Admin) -> Reply {
    ok(space(&state)
        .await?
        .people
        .iter()
        .map(summary)
        .collect::<Vec<_>>())
}

async fn find_person(state: &AppState, id: i64) -> ApiResult<PersonEntry> {
    space(state)
        .await?
        .people
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no person with id {id}")))
}

async fn get_person(State(state): State<AppState>, _: Admin, ApiPath(id): ApiPath<i64>) -> Reply {
    ok(find_person(&state, id).await?)
}

/// A person as sent to the API: the space file's entry, with the id optional on creation.
fn person_from(mut body: Value, id: i64) -> ApiResult<PersonEntry> {
    let Some(object) = body.as_object_mut() else {
        return Err(ApiError::bad_request("expected a JSON object"));
    };
    if let Some(given) = object.get("id")
        && given.as_i64() != Some(id)
    {
        return Err(ApiError::bad_request(format!(
            "id: {given} does not match the person {id}"
        )));
    }
    object.insert("id".into(), id.into());
    serde_json::from_value(body).map_err(|e| ApiError::bad_request(e.to_string()))
}

async fn create_person(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<Value>,
) -> Reply {
    let id = match body.get("id") {
        Some(id) => {
            let id = id
                .as_i64()
                .ok_or_else(|| ApiError::bad_request("id: expected an integer"))?;
            if space(&state).await?.people.iter().any(|p| p.id == id) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    format!("id: person {id} already exists"),
                ));
            }
            id
        }
        // A fresh id from the database itself, so two creations at once never share one.
        None => {
            let name = body.get("name").and_then(Value::as_str).unwrap_or("");
            state.store.reserve_person(name, Timestamp::now()).await?
        }
    };
    let reserved = body.get("id").is_none();
    let stored = match person_from(body, id) {
        Ok(person) => {
            apply(
                &state,
                SpaceFile {
                    people: vec![person],
                    ..Default::default()
                },
            )
            .await
        }
        Err(error) => Err(error),
    };
    if let Err(error) = stored {
        if reserved {
            state.store.delete_person(id).await?;
        }
        return Err(error);
    }
    let (_, Json(body)) = ok(find_person(&state, id).await?)?;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn put_person(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Value>,
) -> Reply {
    apply(
        &state,
        SpaceFile {
            people: vec![person_from(body, id)?],
            ..Default::default()
        },
    )
    .await?;
    ok(find_person(&state, id).await?)
}

async fn delete_person(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<i64>,
) -> Reply {
    gone(
        state.store.delete_person(id).await?,
        &format!("person {id}"),
    )
}

async fn add_token(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(token): ApiJson<TokenEntry>,
) -> Reply {
    if token.id.is_empty() || token.id.len() > 255 {
        return Err(ApiError::bad_request("id: must be 1 to 255 characters"));
    }
    match state.store.assign_token(id, &token.id, &token.kind).await? {
        TokenAssignment::Assigned { tokens, .. } => {
            created(json!({"person": id, "token": token.id, "tokens": tokens}))
        }
        TokenAssignment::TokenInUse => Err(ApiError::new(
            StatusCode::CONFLICT,
            "id: this token is already in use",
        )),
        TokenAssignment::NoSuchPerson => {
            Err(ApiError::not_found(format!("no person with id {id}")))
        }
    }
}

async fn delete_token(
    State(state): State<AppState>,
    _: Admin,
    ApiPath((id, token)): ApiPath<(i64, String)>,
) -> Reply {
    gone(
        state.store.delete_token(id, &token).await?,
        &format!("token {token:?} of person {id}"),
    )
}

// Things.

async fn list_things(State(state): State<AppState>, _: Admin) -> Reply {
    ok(space(&state).await?.things)
}

async fn find_thing(state: &AppState, id: &str) -> ApiResult<ThingEntry> {
    space(state)
        .await?
        .things
        .into_iter()
        .find(|t| t.id.as_deref() == Some(id))
        .ok_or_else(|| ApiError::not_found(format!("no thing with id {id:?}")))
}

async fn get_thing(State(state): State<AppState>, _: Admin, ApiPath(id): ApiPath<String>) -> Reply {
    ok(find_thing(&state, &id).await?)
}

async fn create_thing(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(mut thing): ApiJson<ThingEntry>,
) -> Reply {
    let existing = space(&state).await?.things;
    if existing
        .iter()
        .any(|t| t.name == thing.name || (thing.id.is_some() && t.id == thing.id))
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "name: a thing with this name or id already exists",
        ));
    }
    let id = thing
        .id
        .get_or_insert_with(offimic_store::new_thing_id)
        .clone();
    apply(
        &state,
        SpaceFile {
            things: vec![thing],
            ..Default::default()
        },
    )
    .await?;
    let (_, Json(body)) = ok(find_thing(&state, &id).await?)?;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn put_thing(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut thing): ApiJson<ThingEntry>,
) -> Reply {
    if thing.id.as_deref().is_some_and(|given| given != id) {
        return Err(ApiError::bad_request(
            "id: does not match the thing in the path",
        ));
    }
    thing.id = Some(id.clone());
    apply(
        &state,
        SpaceFile {
            things: vec![thing],
            ..Default::default()
        },
    )
    .await?;
    ok(find_thing(&state, &id).await?)
}

async fn delete_thing(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<String>,
) -> Reply {
    gone(
        state.store.delete_thing(&id).await?,
        &format!("thing {id:?}"),
    )
}

// Groups.

async fn list_groups(State(state): State<AppState>, _: Admin) -> Reply {
    let space = space(&state).await?;
    let groups: Vec<Value> = space
        .groups
        .iter()
        .map(|g| {
            let members: Vec<i64> = space
                .people
                .iter()
                .filter(|p| p.groups.contains(&g.name))
                .map(|p| p.id)
                .collect();
            json!({"name": g.name, "things": g.things, "members": members})
        })
        .collect();
    ok(groups)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    #[serde(default)]
    things: Vec<String>,
}

async fn put_group(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<GroupBody>,
) -> Reply {
    let group = GroupEntry {
        name: name.clone(),
        things: body.things,
    };
    apply(
        &state,
        SpaceFile {
            groups: vec![group.clone()],
            ..Default::default()
        },
    )
    .await?;
    let stored = space(&state)
        .await?
        .groups
        .into_iter()
        .find(|g| g.name == name)
        .unwrap_or(group);
    ok(stored)
}

async fn delete_group(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Reply {
    gone(
        state.store.delete_group(&name).await?,
        &format!("group {name:?}"),
    )
}

async fn remove_member(
    State(state): State<AppState>,
    _: Admin,
    ApiPath((name, person)): ApiPath<(String, i64)>,
) -> Reply {
    gone(
        state.store.remove_group_member(&name, person).await?,
        &format!("person {person} in group {name:?}"),
    )
}

// Inductions.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InductionFilter {
    person: Option<i64>,
    thing: Option<String>,
}

async fn list_inductions(
    State(state): State<AppState>,
    _: Admin,
    ApiQuery(filter): ApiQuery<InductionFilter>,
) -> Reply {
    let allowed: Vec<AllowedEntry> = space(&state)
        .await?
        .allowed
        .into_iter()
        .filter(|a| filter.person.is_none_or(|p| a.person == p))
        .filter(|a| filter.thing.as_ref().is_none_or(|t| &a.thing == t))
        .collect();
    ok(allowed)
}

async fn put_induction(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(induction): ApiJson<AllowedEntry>,
) -> Reply {
    apply(
        &state,
        SpaceFile {
            allowed: vec![induction.clone()],
            ..Default::default()
        },
    )
    .await?;
    ok(induction)
}

async fn delete_induction(
    State(state): State<AppState>,
    _: Admin,
    ApiPath((person, thing)): ApiPath<(i64, String)>,
) -> Reply {
    gone(
        state.store.delete_induction(person, &thing).await?,
        &format!("induction of person {person} on {thing:?}"),
    )
}

// Hive13 devices. Keys are shown once, when made; listings never carry them.

fn device_view(device: &DeviceEntry) -> Value {
    json!({
        "name": device.name,
        "min_version": device.min_version,
        "max_version": device.max_version,
        "things": device.things,
    })
}

async fn find_device(state: &AppState, name: &str) -> ApiResult<DeviceEntry> {
    space(state)
        .await?
        .devices
        .into_iter()
        .find(|d| d.name == name)
        .ok_or_else(|| ApiError::not_found(format!("no device named {name:?}")))
}

async fn list_devices(State(state): State<AppState>, _: Admin) -> Reply {
    ok(space(&state)
        .await?
        .devices
        .iter()
        .map(device_view)
        .collect::<Vec<_>>())
}

async fn get_device(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Reply {
    ok(device_view(&find_device(&state, &name).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceBody {
    name: Option<String>,
    #[serde(default = "first_version")]
    min_version: i64,
    #[serde(default = "second_version")]
    max_version: i64,
    #[serde(default)]
    things: Vec<String>,
    /// Hive13 lounge lights: the on/off state of each bulb, in relay order.
    light_states: Option<Vec<bool>>,
}

fn first_version() -> i64 {
    1
}

fn second_version() -> i64 {
    2
}

pub(crate) fn new_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

async fn create_device(
    State(state): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson<DeviceBody>,
) -> Reply {
    let name = body
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("name: required"))?;
    if space(&state).await?.devices.iter().any(|d| d.name == name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("name: a device named {name:?} already exists"),
        ));
    }
    let key = new_key();
    let device = DeviceEntry {
        name: name.clone(),
        key: None,
        key_hex: Some(key.clone()),
        min_version: body.min_version,
        max_version: body.max_version,
        nonce_hex: None,
        things: body.things,
    };
    apply(
        &state,
        SpaceFile {
            devices: vec![device],
            ..Default::default()
        },
    )
    .await?;
    let mut view = device_view(&find_device(&state, &name).await?);
    view["key_hex"] = key.into();
    created(view)
}

async fn put_device(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<DeviceBody>,
) -> Reply {
    if body.name.as_ref().is_some_and(|given| *given != name) {
        return Err(ApiError::bad_request(
            "name: does not match the device in the path",
        ));
    }
    let mut device = find_device(&state, &name).await?;
    device.min_version = body.min_version;
    device.max_version = body.max_version;
    device.things = body.things;
    device.nonce_hex = None;
    apply(
        &state,
        SpaceFile {
            devices: vec![device],
            ..Default::default()
        },
    )
    .await?;
    if let Some(states) = &body.light_states {
        state.store.set_light_states(&name, states).await?;
    }
    ok(device_view(&find_device(&state, &name).await?))
}

async fn rotate_key(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Reply {
    let key = new_key();
    let bytes = hex::decode(&key).map_err(|_| ApiError::bad_request("key generation failed"))?;
    if !state.store.set_device_key(&name, &bytes).await? {
        return Err(ApiError::not_found(format!("no device named {name:?}")));
    }
    ok(json!({"name": name, "key_hex": key}))
}

async fn delete_device(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Reply {
    gone(
        state.store.delete_device(&name).await?,
        &format!("device {name:?}"),
    )
}
