//! `weiquan audit verify-bundle`: a bundle checked from the file alone. First the signature over
//! the manifest (against the key the bundle names, or the one the caller pins), then every file
//! in archive order — each chain event by event with `domain::chain`, each file's digest and size
//! against the manifest, each evidence file against its own name — and last what the records say
//! of the chains and files. The first fault found is the answer.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256 as Hasher};
use weiquan_domain::bundle::{
    ALGORITHM, Broken, ChainHead, ChainLine, Entry, FORMAT, MANIFEST, Manifest, Part, SIGNATURE,
    SignatureFile,
};
use weiquan_domain::chain::{Walk, state_after};
use weiquan_domain::*;

/// What a sound bundle holds, and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub scope: String,
    pub exported_at: String,
    pub exported_by: String,
    /// The signer's public key, hex.
    pub public_key: String,
    pub records: usize,
    pub chains: usize,
    pub events: u64,
    pub evidence: usize,
}

/// The largest manifest, signature or record read whole (a chain or evidence file is streamed).
const WHOLE_LIMIT: u64 = 512 * 1024 * 1024;

/// Checks a bundle; `pinned` is the public key it must be signed with, if the caller knows it.
pub fn verify<R: Read + Seek>(
    mut archive: R,
    pinned: Option<&VerifyingKey>,
) -> Result<Verified, Broken> {
    let (manifest_bytes, sig_bytes) = signed_parts(&mut archive)?;
    let public_key = check_signature(&manifest_bytes, &sig_bytes, pinned)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        Broken::file(
            MANIFEST,
            format!("清单不是有效的 JSON：{e}"),
            format!("the manifest is not valid JSON: {e}"),
        )
    })?;
    if manifest.format != FORMAT {
        return Err(Broken::file(
            MANIFEST,
            format!("未知的证据包格式 {}", manifest.format),
            format!("unknown bundle format {}", manifest.format),
        ));
    }
    archive
        .seek(SeekFrom::Start(0))
        .map_err(|e| damaged(&e.to_string()))?;
    let mut check = Check::new(&manifest);
    let mut tar = tar::Archive::new(archive);
    let entries = tar
        .entries_with_seek()
        .map_err(|e| damaged(&e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| damaged(&e.to_string()))?;
        check.file(entry)?;
    }
    check.finish(&manifest)?;
    Ok(Verified {
        scope: manifest.scope.clone(),
        exported_at: manifest.exported_at.to_rfc3339(),
        exported_by: manifest.exported_by.clone(),
        public_key,
        records: check.records,
        chains: manifest.chains.len(),
        events: check.events,
        evidence: check.evidence,
    })
}

fn damaged(why: &str) -> Broken {
    Broken::file(
        "(archive)",
        format!("归档已损坏或不是 tar 文件：{why}"),
        format!("the archive is damaged or not a tar file: {why}"),
    )
}

/// The manifest's and the signature's bytes, each found once.
fn signed_parts<R: Read + Seek>(archive: &mut R) -> Result<(Vec<u8>, Vec<u8>), Broken> {
    let (mut manifest, mut sig) = (None, None);
    let mut tar = tar::Archive::new(archive);
    for entry in tar
        .entries_with_seek()
        .map_err(|e| damaged(&e.to_string()))?
    {
        let mut entry = entry.map_err(|e| damaged(&e.to_string()))?;
        let path = entry_path(&entry)?;
        let slot = match path.as_str() {
            MANIFEST => &mut manifest,
            SIGNATURE => &mut sig,
            _ => continue,
        };
        if slot.is_some() {
            return Err(twice(&path));
        }
        *slot = Some(read_whole(&mut entry, &path)?);
    }
    let missing = |name: &str| {
        Broken::file(
            name,
            "证据包中没有这个文件：不是完整的证据包",
            "the bundle has no such file: it is not a complete bundle",
        )
    };
    Ok((
        manifest.ok_or_else(|| missing(MANIFEST))?,
        sig.ok_or_else(|| missing(SIGNATURE))?,
    ))
}

fn entry_path<R: Read>(entry: &tar::Entry<'_, R>) -> Result<String, Broken> {
    let path = entry.path().map_err(|e| damaged(&e.to_string()))?;
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| damaged("a file name is not UTF-8"))
}

fn twice(path: &str) -> Broken {
    Broken::file(
        path,
        "同一文件在归档中出现两次",
        "the file appears twice in the archive",
    )
}

fn read_whole<R: Read>(entry: &mut R, path: &str) -> Result<Vec<u8>, Broken> {
    let mut bytes = Vec::new();
    entry
        .take(WHOLE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(&e.to_string()))?;
    if bytes.len() as u64 > WHOLE_LIMIT {
        return Err(Broken::file(
            path,
            "文件过大，不是本平台写出的记录",
            "the file is too large to be a record this platform writes",
        ));
    }
    Ok(bytes)
}

/// The signer's key (hex) if the signature over the manifest holds.
fn check_signature(
    manifest: &[u8],
    sig: &[u8],
    pinned: Option<&VerifyingKey>,
) -> Result<String, Broken> {
    let malformed = || {
        Broken::file(
            SIGNATURE,
            "签名文件格式不正确",
            "the signature file is malformed",
        )
    };
    let file: SignatureFile = serde_json::from_slice(sig).map_err(|_| malformed())?;
    if file.algorithm != ALGORITHM {
        return Err(malformed());
    }
    let key = super::parse_public_key(&file.public_key).map_err(|_| malformed())?;
    let signature: [u8; 64] = hex::decode(&file.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(malformed)?;
    if let Some(p) = pinned
        && *p != key
    {
        return Err(Broken::file(
            SIGNATURE,
            format!(
                "签名密钥是 {}，不是指定的 {}",
                file.public_key,
                hex::encode(p.to_bytes())
            ),
            format!(
                "signed by key {}, not the expected {}",
                file.public_key,
                hex::encode(p.to_bytes())
            ),
        ));
    }
    key.verify_strict(manifest, &Signature::from_bytes(&signature))
        .map_err(|_| {
            Broken::file(
                &format!("{MANIFEST}, {SIGNATURE}"),
                format!(
                    "清单的签名无法用密钥 {} 验证：清单或签名被改动",
                    file.public_key
                ),
                format!(
                    "the manifest's signature does not verify with key {}: the manifest or its signature was altered",
                    file.public_key
                ),
            )
        })?;
    Ok(file.public_key)
}

/// What the second pass has seen.
struct Check<'m> {
    listed: HashMap<&'m str, &'m Entry>,
    heads: HashMap<&'m str, &'m ChainHead>,
    seen: HashSet<String>,
    /// Each complaint's state as its record says, and as its chain ends.
    record_states: Vec<(String, ComplaintId, String)>,
    chain_states: HashMap<ComplaintId, String>,
    /// Evidence each record names, with the record's file.
    named_files: Vec<(String, String)>,
    records: usize,
    events: u64,
    evidence: usize,
}

impl<'m> Check<'m> {
    fn new(m: &'m Manifest) -> Self {
        Check {
            listed: m.entries.iter().map(|e| (e.path.as_str(), e)).collect(),
            heads: m.chains.iter().map(|c| (c.stream.as_str(), c)).collect(),
            seen: HashSet::new(),
            record_states: Vec::new(),
            chain_states: HashMap::new(),
            named_files: Vec::new(),
            records: 0,
            events: 0,
            evidence: 0,
        }
    }

    fn file<R: Read>(&mut self, mut entry: tar::Entry<'_, R>) -> Result<(), Broken> {
        let path = entry_path(&entry)?;
        if path == MANIFEST || path == SIGNATURE {
            return Ok(());
        }
        let part = Part::parse(&path).ok_or_else(|| {
            Broken::file(
                &path,
                "证据包不应含有这个文件",
                "no bundle holds such a file",
            )
        })?;
        let listed = *self.listed.get(path.as_str()).ok_or_else(|| {
            Broken::file(
                &path,
                "清单中没有这个文件：它是事后加入的",
                "the manifest does not list this file: it was added afterwards",
            )
        })?;
        if !self.seen.insert(path.clone()) {
            return Err(twice(&path));
        }
        let mut hashed = Hashed::new(&mut entry);
        match &part {
            Part::Chain(stream) => self.chain(&path, stream, &mut hashed)?,
            Part::Record(stream) => {
                let bytes = read_whole(&mut hashed, &path)?;
                digest_matches(&path, listed, &hashed)?;
                self.record(&path, stream, &bytes)?;
            }
            Part::Evidence(sha) => {
                std::io::copy(&mut hashed, &mut std::io::sink())
                    .map_err(|e| damaged(&e.to_string()))?;
                if hashed.digest() != sha.as_str() {
                    return Err(Broken::file(
                        &path,
                        format!(
                            "证据（属于 {}）的内容与其 SHA-256 不符：文件被改动",
                            listed.of.join("、")
                        ),
                        format!(
                            "the evidence (of {}) does not match its SHA-256: the file was altered",
                            listed.of.join(", ")
                        ),
                    ));
                }
                self.evidence += 1;
            }
            Part::Manifest | Part::Signature => {}
        }
        digest_matches(&path, listed, &hashed)
    }

    /// Walks a chain file line by line.
    fn chain<R: Read>(
        &mut self,
        path: &str,
        stream: &Stream,
        file: &mut Hashed<'_, R>,
    ) -> Result<(), Broken> {
        let name = stream.to_string();
        let mut walk = Walk::new(&name);
        let mut lines = BufReader::new(file);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = lines
                .read_until(b'\n', &mut line)
                .map_err(|e| damaged(&e.to_string()))?;
            if read == 0 {
                break;
            }
            let at = walk.head().0 + 1;
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let event: ChainLine = serde_json::from_slice(text).map_err(|_| {
                Broken::event(
                    path,
                    &name,
                    at,
                    "这一行不是有效的事件：记录被篡改".into(),
                    "the line is not a valid event: the record was altered".into(),
                )
            })?;
            walk.next(&event.body(), &event.hash)
                .map_err(|b| Broken::event(path, &name, at, b.zh(), b.en()))?;
            if let Stream::Complaint(id) = stream
                && let Some(to) = state_after(&event.data)
            {
                self.chain_states.insert(*id, to.to_owned());
            }
            self.events += 1;
        }
        let (events, head) = walk.head();
        match self.heads.get(name.as_str()) {
            Some(h) if h.events == events && h.head == head => Ok(()),
            Some(h) => Err(Broken::event(
                path,
                &name,
                events,
                format!(
                    "事件链止于序号 {events}，与签名清单（{} 条，末条哈希 {}）不符：事件被删除、添加或重写",
                    h.events, h.head
                ),
                format!(
                    "the chain ends at seq {events}, not as the signed manifest says ({} events, head {}): events were removed, added or rewritten",
                    h.events, h.head
                ),
            )),
            None => Err(Broken::file(
                path,
                "签名清单中没有这条事件链",
                "the signed manifest lists no such chain",
            )),
        }
    }

    fn record(&mut self, path: &str, stream: &Stream, bytes: &[u8]) -> Result<(), Broken> {
        let bad = || Broken::file(path, "记录不是有效的 JSON", "the record is not valid JSON");
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| bad())?;
        if let Stream::Complaint(id) = stream {
            let state = v
                .pointer("/complaint/state")
                .and_then(|s| s.as_str())
                .ok_or_else(bad)?;
            self.record_states
                .push((path.to_owned(), *id, state.to_owned()));
        }
        for f in v
            .get("evidence")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            let sha = f.get("sha256").and_then(|s| s.as_str()).ok_or_else(bad)?;
            self.named_files.push((path.to_owned(), sha.to_owned()));
        }
        self.records += 1;
        Ok(())
    }

    /// What can only be checked once every file is read.
    fn finish(&self, manifest: &Manifest) -> Result<(), Broken> {
        if let Some(e) = manifest
            .entries
            .iter()
            .find(|e| !self.seen.contains(&e.path))
        {
            return Err(Broken::file(
                &e.path,
                "清单列出的文件不在归档中：文件被删除",
                "the manifest lists this file but the archive lacks it: it was removed",
            ));
        }
        for (path, id, state) in &self.record_states {
            let chain = self.chain_states.get(id);
            if chain != Some(state) {
                let chain = chain.map_or("—", String::as_str);
                return Err(Broken::file(
                    path,
                    format!("投诉状态 {state} 与其事件链（{chain}）不符"),
                    format!("the complaint's state {state} differs from its chain's ({chain})"),
                ));
            }
        }
        for (path, sha) in &self.named_files {
            if !self.seen.contains(&format!("evidence/{sha}")) {
                return Err(Broken::file(
                    path,
                    format!("记录列出的证据 {sha} 不在证据包中"),
                    format!("the record names evidence {sha} that the bundle does not hold"),
                ));
            }
        }
        Ok(())
    }
}

/// Whether a file's digest and size are the manifest's.
fn digest_matches<R: Read>(path: &str, listed: &Entry, file: &Hashed<'_, R>) -> Result<(), Broken> {
    if file.digest() == listed.sha256 && file.read == listed.size {
        Ok(())
    } else {
        Err(Broken::file(
            path,
            "内容与签名清单中的 SHA-256 不符：文件被改动",
            "the content does not match the signed manifest's SHA-256: the file was altered",
        ))
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashed<'r, R> {
    inner: &'r mut R,
    hasher: Hasher,
    read: u64,
}

impl<'r, R: Read> Hashed<'r, R> {
    fn new(inner: &'r mut R) -> Self {
        Hashed {
            inner,
            hasher: Hasher::new(),
            read: 0,
        }
    }

    fn digest(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

impl<R: Read> Read for Hashed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}
