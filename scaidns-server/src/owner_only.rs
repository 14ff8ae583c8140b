//! Writing files that hold secrets (`.env`, development secrets, a pending registration's
//! status token): owner-only from the first byte, never through a symlink, and replaced whole
//! so a crash leaves the old file or the new one, never half of either.

use std::io::Write;
use std::path::Path;

/// Replaces the file at `path` with `bytes`, mode 0600. A symlink at `path` is refused (it
/// could point the secrets anywhere); the text goes into a new temporary file beside it,
/// created exclusively, synced, then renamed over `path`.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a symbolic link; refusing to write secrets through it",
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let temp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        hex::encode(rand::random::<[u8; 6]>())
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_owner_only_and_refuses_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "OLD=1\n").unwrap();
        write(&path, b"NEW=2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "NEW=2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let target = dir.path().join("elsewhere");
            std::fs::write(&target, "KEEP=1\n").unwrap();
            let link = dir.path().join("linked.env");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let err = write(&link, b"SECRET=x\n").unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "KEEP=1\n");
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")));
    }
}
