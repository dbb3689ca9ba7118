//! `ip -j neigh` (iproute2): a JSON array of neighbour entries. An entry counts when it has a
//! link-layer address and is in a state that proves recent reachability; `STALE` entries can be
//! minutes-old ghosts and do not count. IPv4 and IPv6 entries of one device collapse into one.

use serde::Deserialize;

use super::{ParseError, push_unique};
use crate::mac::Mac;

const PRESENT_STATES: [&str; 3] = ["REACHABLE", "DELAY", "PROBE"];

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    dev: Option<String>,
    #[serde(default)]
    lladdr: Option<String>,
    #[serde(default)]
    state: Vec<String>,
}

/// Devices in the JSON output, optionally only those on `interface` (entries without `dev`, as
/// printed by `ip -j neigh show dev X`, are taken to be on the requested interface).
pub fn parse(json: &str, interface: Option<&str>) -> Result<Vec<Mac>, ParseError> {
    let entries: Vec<Entry> = serde_json::from_str(json)
        .map_err(|e| ParseError::new(e.line(), format!("not the JSON of `ip -j neigh`: {e}")))?;
    let mut devices = Vec::new();
    for entry in entries {
        let on_interface = match (interface, entry.dev.as_deref()) {
            (Some(wanted), Some(dev)) => wanted == dev,
            _ => true,
        };
        let present = entry
            .state
            .iter()
            .any(|s| PRESENT_STATES.contains(&s.as_str()));
        let Some(lladdr) = entry.lladdr else { continue };
        if on_interface && present {
            let mac: Mac = lladdr
                .parse()
                .map_err(|_| ParseError::new(1, "an lladdr is not a MAC address"))?;
            push_unique(&mut devices, mac);
        }
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachable_entries_count_once_across_address_families() {
        let json = r#"[{"dst":"10.99.0.3","dev":"br0","lladdr":"5a:11:22:33:44:55","state":["REACHABLE"]},
            {"dst":"10.99.0.5","dev":"br0","state":["FAILED"]},
            {"dst":"fd00::3","dev":"br0","lladdr":"5a:11:22:33:44:55","state":["DELAY"]},
            {"dst":"10.99.0.6","dev":"br0","lladdr":"00:1b:63:12:34:56","state":["STALE"]},
            {"dst":"10.99.0.7","dev":"eth0","lladdr":"00:1b:63:12:34:57","state":["PROBE"]}]"#;
        let all: Vec<String> = parse(json, None)
            .unwrap()
            .iter()
            .map(Mac::to_string)
            .collect();
        assert_eq!(all, ["5a:11:22:33:44:55", "00:1b:63:12:34:57"]);
        assert_eq!(parse(json, Some("br0")).unwrap().len(), 1);
    }

    #[test]
    fn dev_filtered_output_omits_dev() {
        let json = r#"[{"dst":"10.99.0.3","lladdr":"5a:11:22:33:44:55","state":["REACHABLE"]}]"#;
        assert_eq!(parse(json, Some("br0")).unwrap().len(), 1);
    }

    #[test]
    fn empty_table_and_bad_json() {
        assert!(parse("[]", None).unwrap().is_empty());
        assert!(parse("Object \"neigh\" is unknown", None).is_err());
        let error = parse(r#"[{"lladdr":"nonsense","state":["REACHABLE"]}]"#, None).unwrap_err();
        assert!(error.message.contains("lladdr"));
    }
}
