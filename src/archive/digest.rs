//! Digest algorithms of the manifests, and hashing of one stream with several algorithms
//! at once, so that every byte is read a single time.

use sha2::{Digest, Sha256, Sha512};
use std::fmt;

/// A manifest algorithm, named as in BagIt manifest file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// Both, in the order manifests are written.
    pub const ALL: [Algorithm; 2] = [Algorithm::Sha256, Algorithm::Sha512];

    /// The BagIt name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of a digest in hex characters.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    /// Parses a BagIt algorithm name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The digests of one file, lower-case hex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digests {
    /// SHA-256, when computed.
    pub sha256: Option<String>,
    /// SHA-512, when computed.
    pub sha512: Option<String>,
    /// Bytes hashed.
    pub size: u64,
}

impl Digests {
    /// The digest for one algorithm.
    pub fn get(&self, alg: Algorithm) -> Option<&str> {
        match alg {
            Algorithm::Sha256 => self.sha256.as_deref(),
            Algorithm::Sha512 => self.sha512.as_deref(),
        }
    }
}

/// Chunks below this size are hashed on the calling thread: splitting them costs more than
/// it saves.
const PARALLEL_THRESHOLD: usize = 64 * 1024;

/// Hashes a stream with a chosen set of algorithms. Large chunks are hashed by the two
/// algorithms on two threads at once (SHA-512 has no CPU instructions on most machines and
/// would otherwise dominate).
pub struct MultiHasher {
    sha256: Option<Sha256>,
    sha512: Option<Sha512>,
    size: u64,
}

impl MultiHasher {
    /// A hasher for the given algorithms.
    pub fn new(algorithms: &[Algorithm]) -> Self {
        MultiHasher {
            sha256: algorithms.contains(&Algorithm::Sha256).then(Sha256::new),
            sha512: algorithms.contains(&Algorithm::Sha512).then(Sha512::new),
            size: 0,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        match (&mut self.sha256, &mut self.sha512) {
            (Some(a), Some(b)) if chunk.len() >= PARALLEL_THRESHOLD => {
                rayon::join(|| a.update(chunk), || b.update(chunk));
            }
            (a, b) => {
                if let Some(a) = a {
                    a.update(chunk);
                }
                if let Some(b) = b {
                    b.update(chunk);
                }
            }
        }
    }

    /// The digests.
    pub fn finish(self) -> Digests {
        Digests {
            sha256: self.sha256.map(|h| hex::encode(h.finalize())),
            sha512: self.sha512.map(|h| hex::encode(h.finalize())),
            size: self.size,
        }
    }
}

/// Digests of a byte slice.
pub fn digest_bytes(bytes: &[u8], algorithms: &[Algorithm]) -> Digests {
    let mut h = MultiHasher::new(algorithms);
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let d = digest_bytes(b"abc", &Algorithm::ALL);
        assert_eq!(
            d.sha256.as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert!(d.sha512.as_deref().unwrap().starts_with("ddaf35a193617aba"));
        assert_eq!(d.size, 3);
    }

    #[test]
    fn parallel_and_serial_paths_agree() {
        let big = vec![7u8; 3 * PARALLEL_THRESHOLD + 5];
        let mut h = MultiHasher::new(&Algorithm::ALL);
        for c in big.chunks(PARALLEL_THRESHOLD + 1) {
            h.update(c);
        }
        let mut small = MultiHasher::new(&Algorithm::ALL);
        for c in big.chunks(1000) {
            small.update(c);
        }
        assert_eq!(h.finish(), small.finish());
    }
}
