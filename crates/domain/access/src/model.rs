//! The facts a decision needs, as the store loads them: the people holding a token, with their
//! memberships, inductions and group grants, and the things involved (the one asked about and
//! its prerequisites).

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::restrictions::Restrictions;

pub type PersonId = i64;

/// A dues row: the membership is paid from `paid_on` to `expires_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub paid_on: Timestamp,
    pub expires_on: Timestamp,
}

/// What validity depends on for one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Membership {
    /// On a donor tier: never a valid member, whatever was paid.
    pub donor: bool,
    pub payments: Vec<Payment>,
}

/// An induction on a thing (Swindon's `allowed` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Induction {
    /// May induct others (Swindon's `is_admin`).
    pub inductor: bool,
    /// Not yet confirmed by the member, or (for the door) not yet paid for.
    pub pending: bool,
}

/// A person holding the token in question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: PersonId,
    pub name: String,
    pub membership: Membership,
    /// The parent's membership, for a child: a child is valid when its parent is.
    pub parent: Option<Membership>,
    /// The tier's time windows.
    pub restrictions: Restrictions,
    /// Inductions by thing id.
    pub inductions: HashMap<String, Induction>,
    /// Things granted through the person's groups.
    pub group_things: HashSet<String>,
}

impl Member {
    /// The person's standing on `thing`: an induction, or a group grant (which counts as a
    /// confirmed induction without the right to induct).
    pub fn standing(&self, thing: &str) -> Option<Induction> {
        match (
            self.inductions.get(thing),
            self.group_things.contains(thing),
        ) {
            (Some(induction), true) => Some(Induction {
                inductor: induction.inductor,
                pending: false,
            }),
            (Some(induction), false) => Some(*induction),
            (None, true) => Some(Induction {
                inductor: false,
                pending: false,
            }),
            (None, false) => None,
        }
    }
}

/// A thing devices control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thing {
    pub id: String,
    pub name: String,
    /// Things a person must also be allowed to use (Swindon's `required_tools`).
    pub requires: Vec<String>,
}

/// Everything `decide` looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Every person holding the token (more than one is the "token reused" case).
    pub holders: Vec<Member>,
    /// The thing asked about and, transitively, its prerequisites, by id.
    pub things: HashMap<String, Thing>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> Member {
        Member {
            id: 1,
            name: "Ada".into(),
            membership: Membership::default(),
            parent: None,
            restrictions: Restrictions::default(),
            inductions: HashMap::new(),
            group_things: HashSet::new(),
        }
    }

    #[test]
    fn a_group_grant_stands_in_for_a_pending_induction() {
        let mut m = member();
        assert_eq!(m.standing("door"), None);
        m.group_things.insert("door".into());
        assert_eq!(
            m.standing("door"),
            Some(Induction {
                inductor: false,
                pending: false
            })
        );
        m.inductions.insert(
            "door".into(),
            Induction {
                inductor: true,
                pending: true,
            },
        );
        assert_eq!(
            m.standing("door"),
            Some(Induction {
                inductor: true,
                pending: false
            })
        );
        m.group_things.clear();
        assert_eq!(
            m.standing("door"),
            Some(Induction {
                inductor: true,
                pending: true
            })
        );
    }
}
