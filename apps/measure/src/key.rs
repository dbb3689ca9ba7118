//! The site key: 256 random bits that make pseudonyms unguessable. Created at first run with
//! mode 0600; refused if anyone but its owner can read it. Agents on several LANs of one space
//! share the same key file so that a device has one pseudonym everywhere.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use offimic_presence::pseudonym::SITE_KEY_LEN;

/// Why the key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("site key {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("site key {path} can be read by other users (mode {mode:o}); run: chmod 600 {path}")]
    Exposed { path: String, mode: u32 },
    #[error("site key {path} is not {} hex digits", SITE_KEY_LEN * 2)]
    Malformed { path: String },
}

/// Reads the key at `path`, creating it if it does not exist.
pub fn load_or_create(path: &Path) -> Result<[u8; SITE_KEY_LEN], KeyError> {
    let io = |error| KeyError::Io {
        path: path.display().to_string(),
        error,
    };
    match read(path) {
        Err(KeyError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {}
        other => return other,
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io)?;
    }
    let key: [u8; SITE_KEY_LEN] = rand::random();
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(mut file) => {
            file.write_all(format!("{}\n", hex::encode(key)).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io)?;
            Ok(key)
        }
        // Another run created it first: use that one.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(error) => Err(io(error)),
    }
}

fn read(path: &Path) -> Result<[u8; SITE_KEY_LEN], KeyError> {
    let display = || path.display().to_string();
    let metadata = fs::metadata(path).map_err(|error| KeyError::Io {
        path: display(),
        error,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Exposed {
            path: display(),
            mode,
        });
    }
    let text = fs::read_to_string(path).map_err(|error| KeyError::Io {
        path: display(),
        error,
    })?;
    hex::decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; SITE_KEY_LEN]>::try_from(bytes).ok())
        .ok_or_else(|| KeyError::Malformed { path: display() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("site.key");
        let first = load_or_create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            load_or_create(&path).unwrap(),
            first,
            "the key is stable across runs"
        );
        let other = load_or_create(&dir.path().join("other.key")).unwrap();
        assert_ne!(other, first, "each site gets its own random key");
    }

    #[test]
    fn an_exposed_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.key");
        load_or_create(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = load_or_create(&path).unwrap_err().to_string();
        assert!(
            error.contains("chmod 600") && error.contains("644"),
            "{error}"
        );
    }

    #[test]
    fn a_malformed_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.key");
        fs::write(&path, "not a key\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(
            load_or_create(&path),
            Err(KeyError::Malformed { .. })
        ));
    }
}
