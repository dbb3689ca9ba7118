//! Checking every reference of a parsed space file and turning it into rows to upsert.

use std::collections::{BTreeMap, HashMap, HashSet};

use offimic_access::Restrictions;

use crate::format::{PersonEntry, SpaceFile, Time};

/// An import that cannot be done: the JSON path of the culprit and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ImportError {
    pub path: String,
    pub message: String,
}

impl ImportError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// What the database already holds that a file may refer to.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Thing names by id.
    pub things: HashMap<String, String>,
    pub people: HashSet<i64>,
    pub tiers: HashSet<i64>,
    pub groups: HashSet<String>,
}

/// How to make what the file leaves out.
pub struct Options<'a> {
    pub new_thing_id: &'a mut dyn FnMut() -> String,
    pub new_nonce: &'a mut dyn FnMut() -> [u8; 16],
    pub hash_token: &'a dyn Fn(&str) -> String,
    pub known_scopes: &'a [&'a str],
    /// `created` for people the file does not date.
    pub now: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedThing {
    pub id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub assigned_ip: Option<String>,
    pub requires_induction: bool,
    pub lone_working_allowed: bool,
    pub team: String,
    pub unit: Option<String>,
    pub scale: Option<i64>,
    /// Prerequisite thing ids.
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedDevice {
    pub name: String,
    pub key: Vec<u8>,
    pub nonce: [u8; 16],
    pub nonce_given: bool,
    pub min_version: i64,
    pub max_version: i64,
    pub thing_ids: Vec<String>,
}

/// Rows to upsert, in an order that satisfies every foreign key.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub tiers: Vec<crate::format::TierEntry>,
    pub things: Vec<ResolvedThing>,
    /// Group name and the ids of the things it grants.
    pub groups: Vec<(String, Vec<String>)>,
    pub people: Vec<PersonEntry>,
    /// Person, thing id, inductor, pending, inducted by.
    pub allowed: Vec<(i64, String, bool, bool, Option<i64>)>,
    pub devices: Vec<ResolvedDevice>,
    pub soda_slots: Vec<crate::format::SodaSlotEntry>,
    /// Name, token hash, scopes.
    pub api_tokens: Vec<(String, String, Vec<String>)>,
}

/// Resolves `file` against `existing`.
pub fn resolve(
    file: SpaceFile,
    existing: &Existing,
    options: Options<'_>,
) -> Result<Resolved, ImportError> {
    let tiers = check_tiers(&file, existing)?;
    let things = resolve_things(&file, existing, options.new_thing_id)?;
    let thing_ids: BTreeMap<String, String> = existing
        .things
        .iter()
        .map(|(id, name)| (id.clone(), name.clone()))
        .chain(things.iter().map(|t| (t.0.clone(), t.1.name.clone())))
        .collect();
    let lookup_thing = |reference: &str, path: String| -> Result<String, ImportError> {
        if thing_ids.contains_key(reference) {
            return Ok(reference.to_owned());
        }
        thing_ids
            .iter()
            .find(|(_, name)| name.as_str() == reference)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                ImportError::new(path, format!("no thing with id or name {reference:?}"))
            })
    };
    let mut resolved_things = Vec::new();
    for (index, (id, entry)) in things.iter().enumerate() {
        let requires = entry
            .requires
            .iter()
            .enumerate()
            .map(|(r, reference)| lookup_thing(reference, format!("things[{index}].requires[{r}]")))
            .collect::<Result<Vec<_>, _>>()?;
        resolved_things.push(ResolvedThing {
            id: id.clone(),
            name: entry.name.clone(),
            display_name: entry.display_name.clone(),
            assigned_ip: entry.assigned_ip.clone(),
            requires_induction: entry.requires_induction,
            lone_working_allowed: entry.lone_working_allowed,
            team: entry.team.clone(),
            unit: entry.unit.clone(),
            scale: entry.scale,
            requires,
        });
    }

    let mut group_names = existing.groups.clone();
    let mut groups = Vec::new();
    for (index, group) in file.groups.iter().enumerate() {
        let path = format!("groups[{index}]");
        if group.name.trim().is_empty() {
            return Err(ImportError::new(
                format!("{path}.name"),
                "must not be empty",
            ));
        }
        if groups.iter().any(|(name, _)| name == &group.name) {
            return Err(ImportError::new(
                format!("{path}.name"),
                format!("group {:?} appears twice", group.name),
            ));
        }
        let ids = group
            .things
            .iter()
            .enumerate()
            .map(|(t, reference)| lookup_thing(reference, format!("{path}.things[{t}]")))
            .collect::<Result<Vec<_>, _>>()?;
        group_names.insert(group.name.clone());
        groups.push((group.name.clone(), ids));
    }

    let people = check_people(
        file.people,
        existing,
        &tiers_known(&tiers, existing),
        &group_names,
        options.now,
    )?;
    let person_known = |id: i64| existing.people.contains(&id) || people.iter().any(|p| p.id == id);

    let mut allowed = Vec::new();
    let mut seen_allowed = HashSet::new();
    for (index, entry) in file.allowed.iter().enumerate() {
        let path = format!("allowed[{index}]");
        if !person_known(entry.person) {
            return Err(ImportError::new(
                format!("{path}.person"),
                format!("no person with id {}", entry.person),
            ));
        }
        if let Some(by) = entry.inducted_by.filter(|by| !person_known(*by)) {
            return Err(ImportError::new(
                format!("{path}.inducted_by"),
                format!("no person with id {by}"),
            ));
        }
        let thing = lookup_thing(&entry.thing, format!("{path}.thing"))?;
        if !seen_allowed.insert((entry.person, thing.clone())) {
            return Err(ImportError::new(
                path,
                "this person's induction on this thing appears twice",
            ));
        }
        allowed.push((
            entry.person,
            thing,
            entry.inductor,
            entry.pending,
            entry.inducted_by,
        ));
    }

    let mut devices = Vec::new();
    for (index, device) in file.devices.iter().enumerate() {
        let path = format!("devices[{index}]");
        if devices
            .iter()
            .any(|d: &ResolvedDevice| d.name == device.name)
        {
            return Err(ImportError::new(
                format!("{path}.name"),
                format!("device {:?} appears twice", device.name),
            ));
        }
        let key = match (&device.key, &device.key_hex) {
            (Some(text), None) if !text.is_empty() => text.as_bytes().to_vec(),
            (None, Some(hex_key)) => hex::decode(hex_key)
                .ok()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| {
                    ImportError::new(format!("{path}.key_hex"), "must be non-empty hex")
                })?,
            _ => {
                return Err(ImportError::new(
                    path,
                    "give exactly one of key and key_hex",
                ));
            }
        };
        let (nonce, nonce_given) = match &device.nonce_hex {
            Some(text) => (
                hex::decode(text)
                    .ok()
                    .and_then(|n| <[u8; 16]>::try_from(n).ok())
                    .ok_or_else(|| {
                        ImportError::new(format!("{path}.nonce_hex"), "must be 16 bytes in hex")
                    })?,
                true,
            ),
            None => ((options.new_nonce)(), false),
        };
        if !(1..=2).contains(&device.min_version)
            || device.min_version > device.max_version
            || device.max_version > 2
        {
            return Err(ImportError::new(
                format!("{path}.min_version"),
                "versions must satisfy 1 <= min_version <= max_version <= 2",
            ));
        }
        let thing_ids = device
            .things
            .iter()
            .enumerate()
            .map(|(t, reference)| lookup_thing(reference, format!("{path}.things[{t}]")))
            .collect::<Result<Vec<_>, _>>()?;
        devices.push(ResolvedDevice {
            name: device.name.clone(),
            key,
            nonce,
            nonce_given,
            min_version: device.min_version,
            max_version: device.max_version,
            thing_ids,
        });
    }

    let mut slots = HashSet::new();
    for (index, slot) in file.soda_slots.iter().enumerate() {
        if !slots.insert(slot.slot) {
            return Err(ImportError::new(
                format!("soda_slots[{index}].slot"),
                format!("slot {} appears twice", slot.slot),
            ));
        }
    }

    let mut api_tokens = Vec::new();
    for (index, token) in file.api_tokens.iter().enumerate() {
        let path = format!("api_tokens[{index}]");
        let hash = match (&token.token, &token.token_sha256) {
            (Some(secret), None) if secret.len() >= 16 => (options.hash_token)(secret),
            (Some(_), None) => {
                return Err(ImportError::new(
                    format!("{path}.token"),
                    "a token needs at least 16 characters",
                ));
            }
            (None, Some(hash))
                if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                hash.to_ascii_lowercase()
            }
            (None, Some(_)) => {
                return Err(ImportError::new(
                    format!("{path}.token_sha256"),
                    "must be 64 hex digits",
                ));
            }
            _ => {
                return Err(ImportError::new(
                    path,
                    "give exactly one of token and token_sha256",
                ));
            }
        };
        if let Some((s, scope)) = token
            .scopes
            .iter()
            .enumerate()
            .find(|(_, s)| !options.known_scopes.contains(&s.as_str()))
        {
            return Err(ImportError::new(
                format!("{path}.scopes[{s}]"),
                format!(
                    "unknown scope {scope:?} (expected one of {})",
                    options.known_scopes.join(", ")
                ),
            ));
        }
        if token.scopes.is_empty() {
            return Err(ImportError::new(
                format!("{path}.scopes"),
                "a token needs at least one scope",
            ));
        }
        api_tokens.push((token.name.clone(), hash, token.scopes.clone()));
    }

    Ok(Resolved {
        tiers,
        things: resolved_things,
        groups,
        people,
        allowed,
        devices,
        soda_slots: file.soda_slots,
        api_tokens,
    })
}

fn tiers_known(tiers: &[crate::format::TierEntry], existing: &Existing) -> HashSet<i64> {
    existing
        .tiers
        .iter()
        .copied()
        .chain(tiers.iter().map(|t| t.id))
        .collect()
}

fn check_tiers(
    file: &SpaceFile,
    _existing: &Existing,
) -> Result<Vec<crate::format::TierEntry>, ImportError> {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for (index, tier) in file.tiers.iter().enumerate() {
        let path = format!("tiers[{index}]");
        if !ids.insert(tier.id) {
            return Err(ImportError::new(
                format!("{path}.id"),
                format!("tier {} appears twice", tier.id),
            ));
        }
        if !names.insert(tier.name.as_str()) {
            return Err(ImportError::new(
                format!("{path}.name"),
                format!("tier name {:?} appears twice", tier.name),
            ));
        }
        if tier.price_p < 0 {
            return Err(ImportError::new(
                format!("{path}.price_p"),
                "must not be negative",
            ));
        }
        Restrictions::from_json(&tier.restrictions)
            .map_err(|e| ImportError::new(format!("{path}.restrictions"), e))?;
    }
    Ok(file.tiers.clone())
}

/// Gives every thing an id (its own, an existing thing's of the same name, or a new one).
fn resolve_things(
    file: &SpaceFile,
    existing: &Existing,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<(String, crate::format::ThingEntry)>, ImportError> {
    let mut out: Vec<(String, crate::format::ThingEntry)> = Vec::new();
    for (index, thing) in file.things.iter().enumerate() {
        let path = format!("things[{index}]");
        if thing.name.trim().is_empty() {
            return Err(ImportError::new(
                format!("{path}.name"),
                "must not be empty",
            ));
        }
        let id = match &thing.id {
            Some(id) if id.trim().is_empty() || id.len() > 40 => {
                return Err(ImportError::new(
                    format!("{path}.id"),
                    "must be 1 to 40 characters",
                ));
            }
            Some(id) => id.clone(),
            None => existing
                .things
                .iter()
                .find(|(_, name)| **name == thing.name)
                .map(|(id, _)| id.clone())
                .unwrap_or_else(&mut *new_id),
        };
        if out.iter().any(|(other, _)| *other == id) {
            return Err(ImportError::new(
                format!("{path}.id"),
                format!("thing {id:?} appears twice"),
            ));
        }
        if out.iter().any(|(_, other)| other.name == thing.name) {
            return Err(ImportError::new(
                format!("{path}.name"),
                format!("thing name {:?} appears twice", thing.name),
            ));
        }
        if let Some((other, _)) = existing
            .things
            .iter()
            .find(|(other, name)| **name == thing.name && **other != id)
        {
            return Err(ImportError::new(
                format!("{path}.name"),
                format!("the name {:?} already belongs to thing {other}", thing.name),
            ));
        }
        if let Some(ip) = &thing.assigned_ip
            && ip.parse::<std::net::IpAddr>().is_err()
        {
            return Err(ImportError::new(
                format!("{path}.assigned_ip"),
                format!("{ip:?} is not an IP address"),
            ));
        }
        out.push((id, thing.clone()));
    }
    Ok(out)
}

fn check_people(
    mut people: Vec<PersonEntry>,
    existing: &Existing,
    tiers: &HashSet<i64>,
    groups: &HashSet<String>,
    now: jiff::Timestamp,
) -> Result<Vec<PersonEntry>, ImportError> {
    let ids: HashSet<i64> = people.iter().map(|p| p.id).collect();
    let mut seen = HashSet::new();
    for (index, person) in people.iter_mut().enumerate() {
        let path = format!("people[{index}]");
        if !seen.insert(person.id) {
            return Err(ImportError::new(
                format!("{path}.id"),
                format!("person {} appears twice", person.id),
            ));
        }
        if person.id <= 0 {
            return Err(ImportError::new(
                format!("{path}.id"),
                "must be a positive integer",
            ));
        }
        if person.name.trim().is_empty() {
            return Err(ImportError::new(
                format!("{path}.name"),
                "must not be empty",
            ));
        }
        if let Some(tier) = person.tier.filter(|t| !tiers.contains(t)) {
            return Err(ImportError::new(
                format!("{path}.tier"),
                format!("no tier with id {tier}"),
            ));
        }
        if let Some(parent) = person.parent {
            if parent == person.id {
                return Err(ImportError::new(
                    format!("{path}.parent"),
                    "a person cannot be their own parent",
                ));
            }
            if !ids.contains(&parent) && !existing.people.contains(&parent) {
                return Err(ImportError::new(
                    format!("{path}.parent"),
                    format!("no person with id {parent}"),
                ));
            }
        }
        if let Some(dob) = &person.dob {
            let valid = dob.len() == 7 && format!("{dob}-01").parse::<jiff::civil::Date>().is_ok();
            if !valid {
                return Err(ImportError::new(
                    format!("{path}.dob"),
                    format!("{dob:?} is not YYYY-MM"),
                ));
            }
        }
        if let Some(email) = &person.email
            && (!email.contains('@') || email.contains(char::is_whitespace))
        {
            return Err(ImportError::new(
                format!("{path}.email"),
                format!("{email:?} is not an email address"),
            ));
        }
        let mut tokens = HashSet::new();
        for (t, token) in person.tokens.iter().enumerate() {
            if token.id.is_empty() || token.id.len() > 255 {
                return Err(ImportError::new(
                    format!("{path}.tokens[{t}].id"),
                    "must be 1 to 255 characters",
                ));
            }
            if !tokens.insert(token.id.as_str()) {
                return Err(ImportError::new(
                    format!("{path}.tokens[{t}].id"),
                    format!("token {:?} appears twice", token.id),
                ));
            }
        }
        for (g, group) in person.groups.iter().enumerate() {
            if !groups.contains(group) {
                return Err(ImportError::new(
                    format!("{path}.groups[{g}]"),
                    format!("no group named {group:?}"),
                ));
            }
        }
        for (p, payment) in person.payments.iter().enumerate() {
            if payment.expires_on < payment.paid_on {
                return Err(ImportError::new(
                    format!("{path}.payments[{p}].expires_on"),
                    "is before paid_on",
                ));
            }
        }
        let mut paid = HashSet::new();
        for (p, payment) in person.payments.iter().enumerate() {
            if !paid.insert(payment.paid_on) {
                return Err(ImportError::new(
                    format!("{path}.payments[{p}].paid_on"),
                    "two payments on the same instant",
                ));
            }
        }
        person.created.get_or_insert(Time(now));
    }
    Ok(people)
}
