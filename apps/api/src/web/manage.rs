//! The admin console's editing pages: a person's details, tokens and inductions; things;
//! groups with their grants and members; Hive13 devices (a new key is shown once). Every
//! change goes through the same space-file import as the admin JSON API, so it is validated the
//! same way and its errors name the field.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use minijinja::context;
use offimic_spacefile::{AllowedEntry, DeviceEntry, GroupEntry, SpaceFile, ThingEntry};
use offimic_store::TokenAssignment;
use serde::Serialize;

use super::{SignedInAdmin, Visitor, form_value, unavailable};
use crate::app::{ApiPath, AppState};
use crate::routes::admin::{apply, new_key};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/people/{id}/manage", get(person).post(change_person))
        .route("/admin/things", get(things).post(change_things))
        .route("/admin/groups", get(groups).post(change_groups))
        .route("/admin/devices", get(devices).post(change_devices))
}

/// A form field.
#[derive(Serialize, Default)]
pub struct Field {
    pub name: &'static str,
    label: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
    options: Vec<(String, String)>,
}

impl Field {
    pub fn text(name: &'static str, label: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            label,
            kind: "text",
            value: value.into(),
            ..Default::default()
        }
    }

    pub fn check(name: &'static str, label: &'static str, on: bool) -> Self {
        Self {
            name,
            label,
            kind: "checkbox",
            value: if on { "1".into() } else { String::new() },
            ..Default::default()
        }
    }

    pub fn choice(
        name: &'static str,
        label: &'static str,
        value: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        Self {
            name,
            label,
            kind: "select",
            value: value.into(),
            options,
        }
    }
}

/// A button on a table row, with the hidden values that say what it acts on.
#[derive(Serialize)]
pub struct Action {
    action: String,
    button: &'static str,
    danger: bool,
    hidden: Vec<(&'static str, String)>,
    pub fields: Vec<Field>,
}

#[derive(Serialize)]
pub struct Row {
    id: usize,
    cells: Vec<String>,
    actions: Vec<Action>,
}

#[derive(Serialize)]
pub struct FormSpec {
    id: usize,
    action: String,
    title: &'static str,
    button: &'static str,
    op: &'static str,
    fields: Vec<Field>,
}

/// A form under the table: where it posts, its heading and button, the operation it asks for.
pub struct PageForm {
    pub action: String,
    pub title: &'static str,
    pub button: &'static str,
    pub op: &'static str,
    pub fields: Vec<Field>,
}

/// A table page of the console, with row buttons, forms and filters.
#[derive(Default)]
pub struct TablePage {
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<(Vec<String>, Vec<Action>)>,
    pub forms: Vec<PageForm>,
    pub filters: Vec<Field>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl PageForm {
    pub fn new(
        action: impl Into<String>,
        title: &'static str,
        button: &'static str,
        fields: Vec<Field>,
        op: &'static str,
    ) -> Self {
        Self {
            action: action.into(),
            title,
            button,
            op,
            fields,
        }
    }
}

impl TablePage {
    /// Shows what the last change did: a notice, or the error that stopped it.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        match outcome {
            Ok(notice) => self.notice = notice,
            Err(error) => self.error = Some(error),
        }
        self
    }

    pub fn render(self, visitor: &Visitor) -> Response {
        let has_actions = self.rows.iter().any(|(_, actions)| !actions.is_empty());
        let rows: Vec<Row> = self
            .rows
            .into_iter()
            .enumerate()
            .map(|(id, (cells, actions))| Row { id, cells, actions })
            .collect();
        let forms: Vec<FormSpec> = self
            .forms
            .into_iter()
            .enumerate()
            .map(|(id, f)| FormSpec {
                id,
                action: f.action,
                title: f.title,
                button: f.button,
                op: f.op,
                fields: f.fields,
            })
            .collect();
        let status = if self.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        visitor.render(
            status,
            "admin_table.html",
            context! {
                title => self.title, headers => self.headers, rows, forms, has_actions,
                filters => self.filters, notice => self.notice, error => self.error,
            },
        )
    }
}

pub fn button(
    action: String,
    label: &'static str,
    danger: bool,
    hidden: Vec<(&'static str, String)>,
) -> Action {
    Action {
        action,
        button: label,
        danger,
        hidden,
        fields: Vec::new(),
    }
}

/// What a change did: a notice to show, or the error that stopped it.
pub type Outcome = Result<Option<String>, String>;

async fn person(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    person_page(&state, &visitor, id, Ok(None)).await
}

async fn person_page(state: &AppState, visitor: &Visitor, id: i64, outcome: Outcome) -> Response {
    let space = match state.store.export_space().await {
        Ok(space) => space,
        Err(error) => return unavailable(&error),
    };
    let Some(entry) = space.people.iter().find(|p| p.id == id) else {
        return visitor.message(
            StatusCode::NOT_FOUND,
            "No such person",
            &["Nobody has that number."],
        );
    };
    let things: Vec<(String, String)> = space
        .things
        .iter()
        .filter_map(|t| Some((t.id.clone()?, t.name.clone())))
        .collect();
    let name_of = |thing: &str| {
        things
            .iter()
            .find(|(i, _)| i == thing)
            .map_or(thing.to_owned(), |(_, n)| n.clone())
    };
    let path = format!("/admin/people/{id}/manage");
    let mut rows = Vec::new();
    for token in &entry.tokens {
        rows.push((
            vec![format!("token {}", token.id), token.kind.clone()],
            vec![button(
                path.clone(),
                "Remove token",
                true,
                vec![("op", "remove_token".into()), ("token", token.id.clone())],
            )],
        ));
    }
    for induction in space.allowed.iter().filter(|a| a.person == id) {
        let mut state_text = if induction.pending {
            "pending".to_owned()
        } else {
            "confirmed".to_owned()
        };
        if induction.inductor {
            state_text += ", trainer";
        }
        rows.push((
            vec![
                format!("induction on {}", name_of(&induction.thing)),
                state_text,
            ],
            vec![button(
                path.clone(),
                "Remove induction",
                true,
                vec![
                    ("op", "remove_induction".into()),
                    ("thing", induction.thing.clone()),
                ],
            )],
        ));
    }
    let tiers: Vec<(String, String)> = std::iter::once((String::new(), "none".to_owned()))
        .chain(
            space
                .tiers
                .iter()
                .map(|t| (t.id.to_string(), t.name.clone())),
        )
        .collect();
    let forms = vec![
        PageForm::new(
            path.clone(),
            "Details",
            "Save details",
            vec![
                Field::text("name", "Name", entry.name.clone()),
                Field::text(
                    "email",
                    "New email address (empty keeps it; the current one is personal data)",
                    "",
                ),
                Field::choice(
                    "tier",
                    "Tier",
                    entry.tier.map(|t| t.to_string()).unwrap_or_default(),
                    tiers,
                ),
                Field::text("concession", "Concession", entry.concession.clone()),
                Field::check("left", "Has left the space", entry.end_date.is_some()),
            ],
            "details",
        ),
        PageForm::new(
            path.clone(),
            "Add a token",
            "Add token",
            vec![
                Field::text("token", "Token id (as the reader shows it)", ""),
                Field::text("type", "Type", "card"),
            ],
            "add_token",
        ),
        PageForm::new(
            path,
            "Add an induction",
            "Add induction",
            vec![
                Field::choice("thing", "Thing", "", things),
                Field::check("inductor", "May induct others (trainer)", false),
            ],
            "add_induction",
        ),
    ];
    TablePage {
        title: format!("Manage {} (no. {id})", entry.name),
        headers: vec!["What", "State"],
        rows,
        forms,
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_person(
    State(state): State<AppState>,
    SignedInAdmin {
        visitor,
        person: admin,
    }: SignedInAdmin,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let outcome = async {
        let space = state
            .store
            .export_space()
            .await
            .map_err(|e| e.to_string())?;
        let Some(mut entry) = space.people.into_iter().find(|p| p.id == id) else {
            return Err("nobody has that number".to_owned());
        };
        match form_value(&form, "op") {
            "details" => {
                entry.name = form_value(&form, "name").to_owned();
                if let Some(email) = Some(form_value(&form, "email")).filter(|e| !e.is_empty()) {
                    entry.email = Some(email.to_owned());
                }
                entry.tier = form_value(&form, "tier").parse().ok();
                entry.concession = form_value(&form, "concession").to_owned();
                entry.end_date = match (form_value(&form, "left").is_empty(), entry.end_date) {
                    (true, _) => None,
                    (false, Some(date)) => Some(date),
                    (false, None) => Some(offimic_spacefile::Time(jiff::Timestamp::now())),
                };
                apply(
                    &state,
                    SpaceFile {
                        people: vec![entry],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some("Details saved.".to_owned()))
            }
            "add_token" => {
                let token = form_value(&form, "token");
                if token.is_empty() || token.len() > 255 {
                    return Err("token: must be 1 to 255 characters".into());
                }
                match state
                    .store
                    .assign_token(id, token, form_value(&form, "type"))
                    .await
                    .map_err(|e| e.to_string())?
                {
                    TokenAssignment::Assigned { .. } => Ok(Some(format!("Token {token} added."))),
                    TokenAssignment::TokenInUse => {
                        Err("token: this token is already in use".into())
                    }
                    TokenAssignment::NoSuchPerson => Err("nobody has that number".into()),
                }
            }
            "remove_token" => {
                state
                    .store
                    .delete_token(id, form_value(&form, "token"))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some("Token removed.".to_owned()))
            }
            "add_induction" => {
                let induction = AllowedEntry {
                    person: id,
                    thing: form_value(&form, "thing").to_owned(),
                    inductor: !form_value(&form, "inductor").is_empty(),
                    pending: false,
                    inducted_by: Some(admin),
                };
                apply(
                    &state,
                    SpaceFile {
                        allowed: vec![induction],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some("Induction added.".to_owned()))
            }
            "remove_induction" => {
                state
                    .store
                    .delete_induction(id, form_value(&form, "thing"))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some("Induction removed.".to_owned()))
            }
            other => Err(format!("unknown operation {other:?}")),
        }
    }
    .await;
    person_page(&state, &visitor, id, outcome).await
}

async fn things(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    things_page(&state, &visitor, Ok(None)).await
}

async fn things_page(state: &AppState, visitor: &Visitor, outcome: Outcome) -> Response {
    let space = match state.store.export_space().await {
        Ok(space) => space,
        Err(error) => return unavailable(&error),
    };
    let rows = space
        .things
        .iter()
        .map(|t| {
            let id = t.id.clone().unwrap_or_default();
            (
                vec![
                    id.clone(),
                    t.name.clone(),
                    t.assigned_ip.clone().unwrap_or_default(),
                    if t.requires_induction { "yes" } else { "no" }.into(),
                    t.requires.join(", "),
                ],
                vec![button(
                    "/admin/things".into(),
                    "Delete",
                    true,
                    vec![("op", "delete".into()), ("id", id)],
                )],
            )
        })
        .collect();
    let forms = vec![PageForm::new(
        "/admin/things",
        "Add a thing",
        "Add thing",
        vec![
            Field::text("name", "Name", ""),
            Field::text("assigned_ip", "Controller's IP address (optional)", ""),
            Field::check("requires_induction", "Needs an induction", true),
        ],
        "create",
    )];
    TablePage {
        title: "Things".into(),
        headers: vec!["Id", "Name", "IP", "Induction", "Requires"],
        rows,
        forms,
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_things(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let outcome = async {
        match form_value(&form, "op") {
            "create" => {
                let thing = ThingEntry {
                    id: None,
                    name: form_value(&form, "name").to_owned(),
                    display_name: None,
                    assigned_ip: Some(form_value(&form, "assigned_ip").to_owned())
                        .filter(|ip| !ip.is_empty()),
                    requires_induction: !form_value(&form, "requires_induction").is_empty(),
                    lone_working_allowed: true,
                    team: String::new(),
                    requires: Vec::new(),
                    unit: None,
                    scale: None,
                };
                if thing.name.is_empty() {
                    return Err("name: required".to_owned());
                }
                apply(
                    &state,
                    SpaceFile {
                        things: vec![thing],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some("Thing added.".to_owned()))
            }
            "delete" => {
                state
                    .store
                    .delete_thing(form_value(&form, "id"))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some("Thing deleted.".to_owned()))
            }
            other => Err(format!("unknown operation {other:?}")),
        }
    }
    .await;
    things_page(&state, &visitor, outcome).await
}

async fn groups(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    groups_page(&state, &visitor, Ok(None)).await
}

async fn groups_page(state: &AppState, visitor: &Visitor, outcome: Outcome) -> Response {
    let space = match state.store.export_space().await {
        Ok(space) => space,
        Err(error) => return unavailable(&error),
    };
    let rows = space
        .groups
        .iter()
        .map(|g| {
            let members: Vec<String> = space
                .people
                .iter()
                .filter(|p| p.groups.contains(&g.name))
                .map(|p| p.id.to_string())
                .collect();
            (
                vec![g.name.clone(), g.things.join(", "), members.join(", ")],
                vec![button(
                    "/admin/groups".into(),
                    "Delete group",
                    true,
                    vec![("op", "delete".into()), ("group", g.name.clone())],
                )],
            )
        })
        .collect();
    let forms = vec![
        PageForm::new(
            "/admin/groups",
            "Grant a thing to a group (a new name makes the group)",
            "Grant",
            vec![
                Field::text("group", "Group", ""),
                Field::text("thing", "Thing (name or id)", ""),
            ],
            "grant",
        ),
        PageForm::new(
            "/admin/groups",
            "Add a member to a group",
            "Add member",
            vec![
                Field::text("group", "Group", ""),
                Field::text("person", "Member number", ""),
            ],
            "member",
        ),
    ];
    TablePage {
        title: "Groups".into(),
        headers: vec!["Group", "Things", "Members"],
        rows,
        forms,
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_groups(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let outcome = async {
        let space = state
            .store
            .export_space()
            .await
            .map_err(|e| e.to_string())?;
        let name = form_value(&form, "group").to_owned();
        if name.is_empty() {
            return Err("group: required".to_owned());
        }
        match form_value(&form, "op") {
            "grant" => {
                let mut group =
                    space
                        .groups
                        .into_iter()
                        .find(|g| g.name == name)
                        .unwrap_or(GroupEntry {
                            name,
                            things: Vec::new(),
                        });
                group.things.push(form_value(&form, "thing").to_owned());
                apply(
                    &state,
                    SpaceFile {
                        groups: vec![group],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some("Granted.".to_owned()))
            }
            "member" => {
                let id: i64 = form_value(&form, "person")
                    .parse()
                    .map_err(|_| "person: a member number".to_owned())?;
                let mut person = space
                    .people
                    .into_iter()
                    .find(|p| p.id == id)
                    .ok_or("person: nobody has that number")?;
                person.groups.push(name);
                apply(
                    &state,
                    SpaceFile {
                        people: vec![person],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some("Member added.".to_owned()))
            }
            "delete" => {
                state
                    .store
                    .delete_group(&name)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some("Group deleted.".to_owned()))
            }
            other => Err(format!("unknown operation {other:?}")),
        }
    }
    .await;
    groups_page(&state, &visitor, outcome).await
}

async fn devices(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
) -> Response {
    devices_page(&state, &visitor, Ok(None)).await
}

async fn devices_page(state: &AppState, visitor: &Visitor, outcome: Outcome) -> Response {
    let space = match state.store.export_space().await {
        Ok(space) => space,
        Err(error) => return unavailable(&error),
    };
    let rows = space
        .devices
        .iter()
        .map(|d| {
            (
                vec![
                    d.name.clone(),
                    format!("{}–{}", d.min_version, d.max_version),
                    d.things.join(", "),
                ],
                vec![
                    button(
                        "/admin/devices".into(),
                        "New key",
                        false,
                        vec![("op", "rotate".into()), ("name", d.name.clone())],
                    ),
                    button(
                        "/admin/devices".into(),
                        "Delete",
                        true,
                        vec![("op", "delete".into()), ("name", d.name.clone())],
                    ),
                ],
            )
        })
        .collect();
    let forms = vec![PageForm::new(
        "/admin/devices",
        "Add a Hive13 device (its key is shown once)",
        "Add device",
        vec![
            Field::text("name", "Name", ""),
            Field::text(
                "things",
                "Things it serves (names or ids, comma separated)",
                "",
            ),
        ],
        "create",
    )];
    TablePage {
        title: "Devices".into(),
        headers: vec!["Name", "Protocol versions", "Things"],
        rows,
        forms,
        ..TablePage::default()
    }
    .outcome(outcome)
    .render(visitor)
}

async fn change_devices(
    State(state): State<AppState>,
    SignedInAdmin { visitor, .. }: SignedInAdmin,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(&form) {
        return visitor.csrf_refused();
    }
    let name = form_value(&form, "name").to_owned();
    let outcome = async {
        if name.is_empty() {
            return Err("name: required".to_owned());
        }
        match form_value(&form, "op") {
            "create" => {
                let key = new_key();
                let device = DeviceEntry {
                    name: name.clone(),
                    key: None,
                    key_hex: Some(key.clone()),
                    min_version: 1,
                    max_version: 2,
                    nonce_hex: None,
                    things: form_value(&form, "things")
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect(),
                };
                apply(
                    &state,
                    SpaceFile {
                        devices: vec![device],
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| e.message)?;
                Ok(Some(format!(
                    "Device {name} added. Its key, shown only now: {key}"
                )))
            }
            "rotate" => {
                let key = new_key();
                let bytes = hex::decode(&key).map_err(|e| e.to_string())?;
                if !state
                    .store
                    .set_device_key(&name, &bytes)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(format!("no device named {name:?}"));
                }
                Ok(Some(format!(
                    "Device {name} has a new key, shown only now: {key}"
                )))
            }
            "delete" => {
                state
                    .store
                    .delete_device(&name)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some("Device deleted.".to_owned()))
            }
            other => Err(format!("unknown operation {other:?}")),
        }
    }
    .await;
    devices_page(&state, &visitor, outcome).await
}
