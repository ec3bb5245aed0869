//! The library's error type. Each variant names the object that failed and keeps its source.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A position in a file, 1-based, printed as `path:line:col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it or relative to the site root.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Everything that can stop a carton operation. Findings about the content (a missing file,
/// a bad checksum) are not errors: they are reported as problems and the run goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("cannot read {}", .1.display())]
    Read(#[source] io::Error, PathBuf),
    /// A file or folder could not be written.
    #[error("cannot write {}", .1.display())]
    Write(#[source] io::Error, PathBuf),
    /// The input is not a site carton can read.
    #[error("{}: {msg}", .path.display())]
    NotASite {
        /// The folder or file that was given.
        path: PathBuf,
        /// What is missing, and what to do.
        msg: String,
    },
    /// A configuration file could not be parsed.
    #[error("{location}: {msg}")]
    Config {
        /// Where the parser stopped.
        location: Location,
        /// The parser's message.
        msg: String,
    },
    /// The output exists and `--force` was not given.
    #[error("{} already exists: choose another output or pass --force to replace it", .0.display())]
    OutputExists(PathBuf),
    /// `--force` would replace a folder holding files carton did not write.
    #[error("{}: {msg}", .path.display())]
    OutputNotCartons {
        /// The output.
        path: PathBuf,
        /// What is in it and what to do.
        msg: String,
    },
    /// The output would be written inside the input (or the input inside the output).
    #[error("the output {} overlaps the input {}: choose an output outside the site", .output.display(), .input.display())]
    OutputOverlapsInput {
        /// The site folder.
        input: PathBuf,
        /// The output that was named.
        output: PathBuf,
    },
    /// A zip archive could not be read or written.
    #[error("zip archive {}", .1.display())]
    Zip(#[source] zip::result::ZipError, PathBuf),
    /// The archive is not one carton can read at all (verification could not even start).
    #[error("{}: {msg}", .path.display())]
    BadArchive {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// JSON could not be written or read.
    #[error("JSON of {1}")]
    Json(#[source] serde_json::Error, String),
    /// The network part of `--fetch` could not run at all (individual downloads that fail
    /// are recorded, not errors).
    #[error("fetch: {0}")]
    Fetch(String),
    /// The run was interrupted (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// An import cannot be made as asked (two outputs on one path, a file the target cannot
    /// write); nothing was written.
    #[error("{0}")]
    Import(String),
    /// Any check that was asked to be strict found problems.
    #[error("{0}")]
    Strict(String),
    /// A folder given as a snapshot store is not an OCFL storage root carton can use.
    #[error("{}: {msg}", .path.display())]
    NotAStore {
        /// The folder.
        path: PathBuf,
        /// What is wrong, and what to do.
        msg: String,
    },
    /// Another process is writing to the snapshot store.
    #[error("{} is locked by {holder}: wait for it to finish, then run again", .path.display())]
    StoreLocked {
        /// The storage root.
        path: PathBuf,
        /// Who holds the lock, as it wrote itself in the lock file.
        holder: String,
    },
    /// The snapshot store has no object with this id.
    #[error("{}: no site with id {id:?} in this store", .root.display())]
    UnknownObject {
        /// The storage root.
        root: PathBuf,
        /// The object id asked for.
        id: String,
    },
    /// The object has no such version, or no such file in that version.
    #[error("{id}: {msg}")]
    UnknownVersion {
        /// The object id.
        id: String,
        /// What was asked and what exists.
        msg: String,
    },
    /// An OCFL inventory cannot be read, does not parse, or does not match its digest file.
    #[error("{}: {msg}", .path.display())]
    BadInventory {
        /// The inventory file.
        path: PathBuf,
        /// What is wrong.
        msg: String,
    },
    /// A stored file does not have the digest its inventory records.
    #[error("{}: stored file is damaged (Expected: {expected}; Found: {found}): `carton verify --repo` lists every damaged file", .path.display())]
    StoredFileDamaged {
        /// The stored file.
        path: PathBuf,
        /// The digest recorded, with its algorithm (`sha512 <hex>`).
        expected: String,
        /// The digest of the bytes read, with its algorithm.
        found: String,
    },
    /// A file given to a snapshot cannot be stored under its path.
    #[error("{path}: {msg}")]
    BadLogicalPath {
        /// The path relative to the site root.
        path: String,
        /// Why, and what to do.
        msg: String,
    },
    /// A site file changed while a snapshot was reading it.
    #[error("{} changed while it was being stored: run the snapshot again", .0.display())]
    SourceChanged(PathBuf),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
