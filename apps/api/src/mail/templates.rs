//! Email templates: one plain-text and one HTML template per kind of email, built into the
//! binary and replaceable file by file from the operator's `templates_dir`. A plain-text
//! template starts with a `Subject:` line. Every template is compiled at start-up, so a broken
//! one stops the server with its name and line instead of failing at 4 a.m.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{AutoEscape, Environment};
use offimic_store::ComposedEmail;

macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/email/", $name)))),*]
    };
}

/// The templates shipped with offimic, by file name.
const BUILT_IN: &[(&str, &str)] = built_in!(
    "layout.html",
    "send_membership_email.txt",
    "send_membership_email.html",
    "first_payment.txt",
    "first_payment.html",
    "rejoin_payment.txt",
    "rejoin_payment.html",
    "reminder_email.txt",
    "reminder_email.html",
    "box_reminder_email.txt",
    "box_reminder_email.html",
    "membership_fees_change.txt",
    "membership_fees_change.html",
    "move_to_donation_tier.txt",
    "move_to_donation_tier.html",
    "app_login_email.txt",
    "app_login_email.html",
    "inducted_on.txt",
    "inducted_on.html",
    "membership_status.txt",
    "membership_status.html",
    "login_link.txt",
    "login_link.html",
);

/// A template could not be read or compiled.
#[derive(Debug, thiserror::Error)]
#[error("email template {name}: {message}")]
pub struct TemplateError {
    pub name: String,
    pub message: String,
}

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates, with files of the same name in `overrides` taking their place.
    pub fn load(overrides: Option<&Path>) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_keep_trailing_newline(true);
        for (name, built_in) in BUILT_IN {
            let source = match overrides.map(|dir| dir.join(name)) {
                Some(path) if path.exists() => {
                    std::fs::read_to_string(&path).map_err(|e| TemplateError {
                        name: path.display().to_string(),
                        message: e.to_string(),
                    })?
                }
                _ => (*built_in).to_owned(),
            };
            if name.ends_with(".txt") && !source.starts_with("Subject:") {
                return Err(TemplateError {
                    name: (*name).into(),
                    message: "the first line must be `Subject: …`".into(),
                });
            }
            env.add_template_owned(*name, source)
                .map_err(|e| TemplateError {
                    name: (*name).into(),
                    message: e.to_string(),
                })?;
        }
        Ok(Self { env })
    }

    /// Renders the email of `kind` with `context`; `None` when there is no such kind.
    pub fn compose(
        &self,
        kind: &str,
        context: &BTreeMap<String, String>,
    ) -> Result<ComposedEmail, minijinja::Error> {
        let text = self
            .env
            .get_template(&format!("{kind}.txt"))?
            .render(context)?;
        let (subject, plain_text) = text.split_once('\n').unwrap_or((&text, ""));
        let subject = subject.trim_start_matches("Subject:").trim().to_owned();
        let html = match self.env.get_template(&format!("{kind}.html")) {
            Ok(template) => Some(template.render(context)?),
            Err(_) => None,
        };
        Ok(ComposedEmail {
            subject,
            plain_text: plain_text.to_owned(),
            html,
        })
    }

    /// The kinds of email there are templates for.
    pub fn kinds() -> impl Iterator<Item = &'static str> {
        BUILT_IN
            .iter()
            .filter_map(|(name, _)| name.strip_suffix(".txt"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_built_in_kind_renders_with_a_subject_and_both_parts() {
        let templates = Templates::load(None).unwrap();
        for kind in Templates::kinds() {
            let email = templates
                .compose(kind, &context(&[("name", "Ada"), ("space", "Test Space")]))
                .unwrap();
            assert!(!email.subject.is_empty(), "{kind}");
            assert!(!email.subject.contains("Subject"), "{kind}");
            assert!(email.html.is_some(), "{kind}");
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let templates = Templates::load(None).unwrap();
        let email = templates
            .compose(
                "reminder_email",
                &context(&[("name", "<Bob & Co>"), ("reference", "SM0042")]),
            )
            .unwrap();
        assert!(email.plain_text.contains("Hello <Bob & Co>,"));
        assert!(email.html.unwrap().contains("Hello &lt;Bob &amp; Co&gt;,"));
        assert!(email.plain_text.contains("SM0042"));
    }

    #[test]
    fn the_operator_replaces_a_template_and_broken_ones_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("first_payment.txt"),
            "Subject: Hi {{ name }}\nCustom body for {{ name }}.\n",
        )
        .unwrap();
        let templates = Templates::load(Some(dir.path())).unwrap();
        let email = templates
            .compose("first_payment", &context(&[("name", "Ada")]))
            .unwrap();
        assert_eq!(email.subject, "Hi Ada");
        assert_eq!(email.plain_text, "Custom body for Ada.\n");

        std::fs::write(dir.path().join("rejoin_payment.txt"), "No subject line\n").unwrap();
        let error = Templates::load(Some(dir.path())).err().unwrap();
        assert!(error.to_string().contains("rejoin_payment.txt"), "{error}");

        std::fs::write(
            dir.path().join("rejoin_payment.txt"),
            "Subject: x\n{% if %}\n",
        )
        .unwrap();
        let error = Templates::load(Some(dir.path())).err().unwrap();
        assert!(error.to_string().contains("rejoin_payment.txt"), "{error}");
    }
}
