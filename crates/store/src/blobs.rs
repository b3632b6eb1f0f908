//! Content-addressed document storage. The database keeps metadata and the SHA-256; the
//! bytes live here, written once under their hash, so the same file stored twice costs nothing.

use std::io::{self, Write};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their SHA-256 (hex). Idempotent.
    fn put(&self, bytes: &[u8]) -> io::Result<String>;
    /// Reads a blob and checks that it still matches its hash.
    fn get(&self, sha256: &str) -> io::Result<Vec<u8>>;
    /// Makes every blob put so far durable. Called before the transaction that refers to
    /// them commits, so a committed document never points at bytes a crash took away.
    fn flush(&self) -> io::Result<()>;
}

/// Blobs in a local folder: `<root>/ab/cdef…`.
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    pub fn new(root: PathBuf) -> Self {
        LocalBlobStore { root }
    }

    fn path(&self, sha256: &str) -> io::Result<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a SHA-256: {sha256:?}"),
            ));
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..]))
    }
}

impl BlobStore for LocalBlobStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha)?;
        // A file left half-written by a crash no longer matches its name: it is rewritten.
        // Checking on the rare second put is cheaper than a temporary file and a rename on
        // every first one (an e-Factura archive import stores one blob per invoice).
        match std::fs::read(&path) {
            Ok(existing) if sha256_hex(&existing) == sha => return Ok(sha),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir_all(path.parent().expect("blob path has a parent"))?;
            }
            Err(e) => return Err(e),
        }
        let mut file = std::fs::File::create(&path)?;
        file.write_all(bytes)?;
        Ok(sha)
    }

    /// One `syncfs` for the whole import: a million `fsync`s would cost more than the import.
    #[cfg(target_os = "linux")]
    fn flush(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let Ok(dir) = std::fs::File::open(&self.root) else {
            return Ok(()); // nothing stored yet
        };
        // SAFETY: syncfs only reads the descriptor, which `dir` keeps open for the call.
        if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    fn get(&self, sha256: &str) -> io::Result<Vec<u8>> {
        let bytes = std::fs::read(self.path(sha256)?)?;
        if sha256_hex(&bytes) != sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("blob {sha256} is damaged: its content no longer matches its hash"),
            ));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_stored_once_and_damage_is_repaired_or_reported() {
        let dir = std::env::temp_dir().join(format!("creanta-blobs-{}", std::process::id()));
        let store = LocalBlobStore::new(dir.clone());
        let text = "Factură seria TCG nr. 1".as_bytes();
        let sha = store.put(text).unwrap();
        assert_eq!(store.put(text).unwrap(), sha);
        assert_eq!(store.get(&sha).unwrap(), text);
        // Truncated by a crash: reading says so, storing again repairs it.
        std::fs::write(store.path(&sha).unwrap(), b"Fact").unwrap();
        assert_eq!(
            store.get(&sha).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        store.put(text).unwrap();
        assert_eq!(store.get(&sha).unwrap(), text);
        assert!(store.get("../etc/passwd").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
