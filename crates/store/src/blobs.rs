//! Content-addressed document storage. The database keeps metadata and the SHA-256; the
//! bytes live here, written once under their hash, so the same file stored twice costs nothing.

use std::io;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their SHA-256 (hex). Idempotent.
    fn put(&self, bytes: &[u8]) -> io::Result<String>;
    fn get(&self, sha256: &str) -> io::Result<Vec<u8>>;
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
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().expect("blob path has a parent");
        std::fs::create_dir_all(dir)?;
        // Write then rename, so a crash never leaves a truncated blob under a valid hash.
        let tmp = dir.join(format!(".{}.tmp{}", &sha[2..], std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    }

    fn get(&self, sha256: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(sha256)?)
    }
}
