//! The authorities' bundle (电子商务法 Art. 62): one tar archive holding a scope's records, every
//! event of their chains and their evidence files, with a manifest of SHA-256 digests that the
//! platform's Ed25519 key signs (`docs/audit.md`). Written in bounded memory — records and
//! chains from one snapshot, then each evidence file streamed in chunks — and verified from the
//! file alone.

pub(crate) mod collect;
pub mod key;
mod tar;
mod verify;
pub(crate) mod write;

use serde_json::json;
use weiquan_domain::bundle::{BundleScope, EventRef};
use weiquan_domain::*;

use crate::cases;
use crate::db::{Conn, Tx};
use crate::error::{Result, StoreError};
use crate::events;
use crate::records;

pub use key::{KEY_FILE, KEY_FILE_ENV, PlatformKey, parse_public_key};
pub use verify::{Verified, verify};

/// An export recorded and permitted: what writing its bundle needs. Made only by
/// [`crate::Store::begin_export`], so no bundle is written that its event does not record.
#[derive(Debug, Clone)]
pub struct ExportTicket {
    scope: BundleScope,
    by: Actor,
    at: Timestamp,
    event: EventRef,
}

impl ExportTicket {
    pub fn scope(&self) -> &BundleScope {
        &self.scope
    }

    /// When it was exported: the time of its event, which the manifest repeats.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// The event that records it.
    pub fn event(&self) -> &EventRef {
        &self.event
    }

    /// The archive's file name.
    pub fn file_name(&self) -> String {
        self.scope.file_name(self.at)
    }
}

/// What a written bundle holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleSummary {
    /// Records and chain files.
    pub records: usize,
    pub chains: usize,
    pub events: u64,
    /// Evidence files (each once, however many subjects hold it) and their bytes.
    pub evidence: usize,
    pub evidence_bytes: u64,
    /// The archive's size.
    pub bytes: u64,
    /// The SHA-256 of `manifest.json`.
    pub manifest_sha256: String,
    /// The signer's public key, hex.
    pub public_key: String,
}

/// Records an export on the exporter's `account:ID` chain, once the subject is known to exist.
/// Not on the subject's own chain: that would move a complaint's version (a party's open page
/// would turn stale) and a period has no chain of its own.
pub(crate) async fn begin<C: Conn>(
    tx: &mut Tx<'_, C>,
    actor: &Actor,
    scope: BundleScope,
    now: Timestamp,
) -> Result<ExportTicket> {
    access::check_export(actor)?;
    match &scope {
        BundleScope::Complaint(id) => {
            records::complaint(tx, *id, None)
                .await?
                .ok_or_else(access::not_found_complaint)?;
        }
        BundleScope::Case(id) => {
            cases::read_case(tx, id.0)
                .await?
                .ok_or_else(weiquan_domain::tier3::not_found_case)?;
        }
        BundleScope::Shop(id) => {
            records::shop_state(tx, id)
                .await?
                .ok_or_else(access::not_found_shop)?;
        }
        BundleScope::Period { .. } => {}
    }
    let stream = Stream::Account(actor.id);
    let data = json!({"scope": scope.name(), "file": scope.file_name(now)});
    events::append(
        tx,
        &stream,
        &actor.event_name(),
        EventKind::BundleExported,
        &data,
        now,
    )
    .await?;
    let (seq, hash) = tx
        .known_head(&stream.to_string())
        .cloned()
        .ok_or_else(|| StoreError::Corrupt("an appended event left no head".into()))?;
    Ok(ExportTicket {
        scope,
        by: actor.clone(),
        at: now,
        event: EventRef {
            stream: stream.to_string(),
            seq,
            hash,
        },
    })
}
